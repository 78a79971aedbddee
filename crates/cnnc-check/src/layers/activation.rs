//! Activation functions: the output has the input's shape.

use super::{no_tensors, normalize_dim, same_shape, LayerSpec, ShapeCtx};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::Shape;
use smallvec::smallvec;

const INPLACE: Param = Param::optional("inplace", ArgType::Bool, DefaultValue::Bool(false));

macro_rules! activation {
    ($static:ident, $name:literal, [$($param:expr),*]) => {
        activation!($static, $name, [$($param),*], same_shape);
    };
    ($static:ident, $name:literal, [$($param:expr),*], $infer:expr) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[$($param),*],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: $infer,
            tensors: no_tensors,
        };
    };
}

activation!(RELU, "ReLU", [INPLACE]);
activation!(RELU6, "ReLU6", [INPLACE]);
activation!(
    LEAKY_RELU,
    "LeakyReLU",
    [Param::optional("negative_slope", ArgType::Float, DefaultValue::Float(0.01)), INPLACE]
);
activation!(
    ELU,
    "ELU",
    [Param::optional("alpha", ArgType::Float, DefaultValue::Float(1.0)), INPLACE]
);
activation!(
    GELU,
    "GELU",
    [Param::optional(
        "approximate",
        ArgType::Choice { rust_enum: "GeluApproximate", options: &["none", "tanh"] },
        DefaultValue::Str("none")
    )]
);
activation!(SILU, "SiLU", [INPLACE]);
activation!(MISH, "Mish", [INPLACE]);
activation!(SIGMOID, "Sigmoid", []);
activation!(TANH, "Tanh", []);
activation!(HARDSWISH, "Hardswish", [INPLACE]);
activation!(HARDSIGMOID, "Hardsigmoid", [INPLACE]);
activation!(
    SOFTMAX,
    "Softmax",
    [Param::optional("dim", ArgType::OptInt, DefaultValue::None)],
    softmax_shape
);
activation!(
    LOG_SOFTMAX,
    "LogSoftmax",
    [Param::optional("dim", ArgType::OptInt, DefaultValue::None)],
    softmax_shape
);

activation!(
    SOFTPLUS,
    "Softplus",
    [
        Param::optional("beta", ArgType::Float, DefaultValue::Float(1.0)),
        Param::optional("threshold", ArgType::Float, DefaultValue::Float(20.0))
    ]
);
activation!(
    SOFTMIN,
    "Softmin",
    [Param::optional("dim", ArgType::OptInt, DefaultValue::None)],
    softmax_shape
);
activation!(
    HARDTANH,
    "Hardtanh",
    [
        Param::optional("min_val", ArgType::Float, DefaultValue::Float(-1.0)),
        Param::optional("max_val", ArgType::Float, DefaultValue::Float(1.0)),
        INPLACE
    ],
    hardtanh_shape
);
activation!(SELU, "SELU", [INPLACE]);
activation!(
    CELU,
    "CELU",
    [Param::optional("alpha", ArgType::Float, DefaultValue::Float(1.0)), INPLACE],
    celu_shape
);
activation!(LOG_SIGMOID, "LogSigmoid", []);
activation!(SOFTSIGN, "Softsign", []);
activation!(TANHSHRINK, "Tanhshrink", []);
activation!(
    HARDSHRINK,
    "Hardshrink",
    [Param::optional("lambd", ArgType::Float, DefaultValue::Float(0.5))]
);
activation!(
    SOFTSHRINK,
    "Softshrink",
    [Param::optional("lambd", ArgType::Float, DefaultValue::Float(0.5)).min(0.0)]
);

activation!(GLU, "GLU", [Param::optional("dim", ArgType::Int, DefaultValue::Int(-1))], glu_shape);

/// `nn.GLU` halves dimension `dim`, which must have an even size: `a * sigmoid(b)` of its halves.
fn glu_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    let dim = ctx.args.int("dim")?;
    let Some(d) = normalize_dim(dim, rank).filter(|_| rank > 0) else {
        let span = ctx.args.span("dim");
        ctx.errors.push(
            Error::new(
                Code::Rank,
                format!("`{}`: dim {dim} is out of range for a rank-{rank} input", ctx.path),
                span,
                "out of range",
            )
            .with_related(ctx.input.span, ctx.input.note())
            .with_help("GLU splits one dimension of its input in two halves"),
        );
        return None;
    };
    let size = ctx.known_dim(d, "size")?;
    if size % 2 != 0 {
        let span = ctx.args.span("dim");
        ctx.errors.push(
            Error::new(
                Code::ArgumentValue,
                format!("`{}` halves dimension {d}, but its size {size} is odd", ctx.path),
                span,
                format!("dimension {d} has size {size}"),
            )
            .with_related(ctx.input.span, ctx.input.note())
            .with_help("GLU computes a * sigmoid(b) of the two halves of that dimension"),
        );
        return None;
    }
    let mut dims = ctx.input.shape.0.to_vec();
    dims[d] = crate::shape::Dim::Known(size / 2);
    Some(Shape::from(dims))
}

/// `nn.Hardtanh` asserts `max_val > min_val` when it is built.
fn hardtanh_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let (low, high) = (ctx.args.float("min_val")?, ctx.args.float("max_val")?);
    if high <= low {
        let span = ctx.args.span("max_val");
        ctx.errors.push(
            Error::new(
                Code::ArgumentValue,
                format!("`{}`: max_val {high:?} is not greater than min_val {low:?}", ctx.path),
                span,
                "not greater than min_val",
            )
            .with_help("Hardtanh clamps to [min_val, max_val], which must not be empty"),
        );
        return None;
    }
    Some(ctx.input.shape.clone())
}

/// `F.celu` divides by `alpha`, which libtorch rejects when it is 0.
fn celu_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    if ctx.args.float("alpha")? == 0.0 {
        let span = ctx.args.span("alpha");
        ctx.errors.push(
            Error::new(
                Code::ArgumentValue,
                format!("`{}`: alpha cannot be 0 for CELU", ctx.path),
                span,
                "alpha = 0",
            )
            .with_help("CELU computes exp(x / alpha); PyTorch's default is alpha=1.0"),
        );
        return None;
    }
    Some(ctx.input.shape.clone())
}

/// `nn.PReLU`.
pub static PRELU: LayerSpec = LayerSpec {
    name: "PReLU",
    params: &[
        Param::optional("num_parameters", ArgType::Int, DefaultValue::Int(1)).min(1.0),
        Param::optional("init", ArgType::Float, DefaultValue::Float(0.25)),
    ],
    config: Some("PReLUConfig"),
    init_params: &["weight"],
    uses_train: false,
    inputs: 1,
    infer: prelu_shape,
    tensors: prelu_tensors,
};

fn softmax_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    if let Some(dim) = ctx.args.int("dim") {
        if normalize_dim(dim, rank.max(1)).is_none() {
            let span = ctx.args.span("dim");
            ctx.errors.push(
                Error::new(
                    Code::Rank,
                    format!("`{}`: dim {dim} is out of range for a rank-{rank} input", ctx.path),
                    span,
                    format!("expected {} to {}", -(rank.max(1) as i64), rank.max(1) as i64 - 1),
                )
                .with_related(ctx.input.span, ctx.input.note()),
            );
            return None;
        }
    }
    Some(ctx.input.shape.clone())
}

/// With more than one parameter, PReLU needs one per channel (dimension 1; a rank-1 input has
/// one channel).
fn prelu_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let n = ctx.args.int("num_parameters")?;
    if n > 1 {
        let rank = ctx.input.shape.rank();
        let channels = if rank >= 2 { ctx.known_dim(1, "number of channels")? } else { 1 };
        if channels != n {
            let span = ctx.args.span("num_parameters");
            ctx.errors.push(
                Error::new(
                    Code::Channels,
                    format!("`{}` has {n} parameters, but receives {channels} channels", ctx.path),
                    span,
                    format!("num_parameters = {n}"),
                )
                .with_related(ctx.input.span, ctx.input.note())
                .with_help(format!(
                    "write `PReLU({channels})` or `PReLU()` for one shared parameter"
                )),
            );
            return None;
        }
    }
    Some(ctx.input.shape.clone())
}

fn prelu_tensors(args: &BoundArgs) -> Vec<Tensor> {
    vec![Tensor::parameter("weight", smallvec![args.int("num_parameters").unwrap_or(1)])]
}
