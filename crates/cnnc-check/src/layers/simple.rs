//! Layers whose output shape is simple: dropout, stochastic depth, identity, flatten; and the
//! bare `Parameter`.

use super::{no_tensors, normalize_dim, same_shape, LayerSpec, ShapeCtx, TensorDims};
use crate::args::{ArgType, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{Dim, Shape};

/// The signature of `nn.Dropout` and `nn.Dropout1d/2d/3d`.
const DROPOUT_PARAMS: &[Param] = &[
    Param::optional("p", ArgType::Float, DefaultValue::Float(0.5)).min(0.0).max(1.0),
    Param::optional("inplace", ArgType::Bool, DefaultValue::Bool(false)),
];

/// A dropout layer: `nn.Dropout`, or one of `nn.Dropout1d/2d/3d`, which drop whole channels.
macro_rules! dropout {
    ($static:ident, $name:literal, $infer:expr) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: DROPOUT_PARAMS,
            config: None,
            init_params: &[],
            uses_train: true,
            inputs: 1,
            infer: $infer,
            tensors: no_tensors,
        };
    };
}

dropout!(DROPOUT, "Dropout", same_shape);
dropout!(DROPOUT1D, "Dropout1d", dropout1d_shape);
dropout!(DROPOUT2D, "Dropout2d", same_shape);
dropout!(DROPOUT3D, "Dropout3d", same_shape);

/// `nn.Dropout1d` takes `[N, C, L]` or `[C, L]` inputs; PyTorch rejects other ranks (the other
/// dropouts only warn).
fn dropout1d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[2, 3], "[N, C, L] or [C, L]")?;
    Some(ctx.input.shape.clone())
}

/// `torchvision.ops.StochasticDepth`: drops a residual branch for whole rows (or the whole
/// batch) during training.
pub static STOCHASTIC_DEPTH: LayerSpec = LayerSpec {
    name: "StochasticDepth",
    params: &[
        Param::required("p", ArgType::Float).min(0.0).max(1.0),
        Param::required(
            "mode",
            ArgType::Choice { rust_enum: "StochasticDepthMode", options: &["batch", "row"] },
        ),
    ],
    config: None,
    init_params: &[],
    uses_train: true,
    inputs: 1,
    infer: same_shape,
    tensors: no_tensors,
};

/// `nn.Parameter(torch.full(shape, fill))`: a tensor of the enclosing model or block, used as a
/// value in `forward`, such as ConvNeXt's layer scale. Its `state_dict` name is its own path.
pub static PARAMETER: LayerSpec = LayerSpec {
    name: "Parameter",
    params: &[
        Param::required("shape", ArgType::IntList).min(0.0),
        Param::optional("fill", ArgType::Float, DefaultValue::Float(0.0)),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: parameter_as_layer,
    tensors: |args| vec![Tensor::parameter("", TensorDims::from_slice(args.ints("shape")))],
};

/// A parameter applied like a layer.
fn parameter_as_layer(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let name = ctx.path.rsplit('.').next().unwrap_or(ctx.path).to_string();
    ctx.errors.push(
        Error::new(
            Code::ForwardCall,
            format!("`{}` is a parameter, not a layer", ctx.path),
            ctx.args.call_span,
            "a tensor",
        )
        .with_related(ctx.input.span, ctx.input.note())
        .with_help(format!("use it as a value in `forward`, such as `{name} * x`")),
    );
    None
}

/// `nn.Identity`.
pub static IDENTITY: LayerSpec = LayerSpec {
    name: "Identity",
    params: &[],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: same_shape,
    tensors: no_tensors,
};

/// `nn.Flatten`.
pub static FLATTEN: LayerSpec = LayerSpec {
    name: "Flatten",
    params: &[
        Param::optional("start_dim", ArgType::Int, DefaultValue::Int(1)),
        Param::optional("end_dim", ArgType::Int, DefaultValue::Int(-1)),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: flatten_layer_shape,
    tensors: no_tensors,
};

fn flatten_layer_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let start = ctx.args.int("start_dim")?;
    let end = ctx.args.int("end_dim")?;
    match flatten(&ctx.input.shape, start, end) {
        Ok((shape, _)) => Some(shape),
        Err(message) => {
            let span = ctx.args.call_span;
            ctx.errors.push(
                Error::new(Code::Rank, format!("`{}`: {message}", ctx.path), span, message)
                    .with_related(ctx.input.span, ctx.input.note()),
            );
            None
        }
    }
}

/// `torch.flatten(x, start, end)`: the new shape and the arithmetic that produced it, such as
/// `128 × 4 × 4 = 2048`.
pub(crate) fn flatten(shape: &Shape, start: i64, end: i64) -> Result<(Shape, String), String> {
    let rank = shape.rank().max(1);
    let out_of_range = |d: i64| {
        format!(
            "dimension {d} is out of range for a rank-{} input (expected {} to {})",
            shape.rank(),
            -(rank as i64),
            rank as i64 - 1
        )
    };
    let s = normalize_dim(start, rank).ok_or_else(|| out_of_range(start))?;
    let e = normalize_dim(end, rank).ok_or_else(|| out_of_range(end))?;
    if s > e {
        return Err(format!("start_dim {start} comes after end_dim {end}"));
    }
    if shape.rank() == 0 {
        return Ok((Shape::from(vec![Dim::Known(1)]), "a scalar flattens to [1]".into()));
    }
    let merged = &shape.0[s..=e];
    let factors: Vec<String> = merged.iter().map(ToString::to_string).collect();
    let dim = match merged.iter().map(Dim::known).collect::<Option<Vec<i64>>>() {
        Some(sizes) => {
            let product = sizes
                .iter()
                .try_fold(1i64, |acc, &n| acc.checked_mul(n))
                .ok_or("the size overflows")?;
            Dim::Known(product)
        }
        None if merged.len() == 1 => merged[0],
        None => Dim::opaque(factors.join("*"))?,
    };
    let arithmetic = format!("{} = {dim}", factors.join(" × "));
    let mut dims = shape.0[..s].to_vec();
    dims.push(dim);
    dims.extend_from_slice(&shape.0[e + 1..]);
    Ok((Shape::from(dims), arithmetic))
}
