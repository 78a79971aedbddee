//! Fully connected layers.

use super::{LayerSpec, ShapeCtx};
use crate::args::{ArgType, ArgValue, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{Dim, Shape};
use smallvec::smallvec;

/// `nn.Linear`.
pub static LINEAR: LayerSpec = LayerSpec {
    name: "Linear",
    params: &[
        Param::required("in_features", ArgType::Int).min(0.0).inferable(),
        Param::required("out_features", ArgType::Int).min(0.0),
        Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
    ],
    config: Some("LinearConfig"),
    init_params: &["weight", "bias"],
    uses_train: false,
    inputs: 1,
    infer: linear_shape,
    tensors: linear_tensors,
};

/// `nn.Bilinear`: `y = x1ᵀ A x2 + b` over the last dimension of two inputs whose other sizes
/// agree. Called with two tensors: `pair(x1, x2)`.
pub static BILINEAR: LayerSpec = LayerSpec {
    name: "Bilinear",
    params: &[
        Param::required("in1_features", ArgType::Int).min(1.0).inferable(),
        Param::required("in2_features", ArgType::Int).min(1.0).inferable(),
        Param::required("out_features", ArgType::Int).min(0.0),
        Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
    ],
    config: Some("BilinearConfig"),
    init_params: &[],
    uses_train: false,
    inputs: 2,
    infer: bilinear_shape,
    tensors: bilinear_tensors,
};

fn bilinear_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let second = ctx.more_inputs.first()?;
    let (first_shape, second_shape) = (ctx.input.shape.clone(), second.shape.clone());
    let (rank, rank2) = (first_shape.rank(), second_shape.rank());
    if rank == 0 {
        ctx.expect_rank(&[1], "[*, in1_features]")?;
    }
    let in1 = ctx.known_dim(rank - 1, "number of features of the first input")?;
    ctx.match_or_infer("in1_features", in1, Code::LinearIn, "features in its first input")?;
    let path = ctx.path.to_string();
    let in2 = match second_shape.0.last() {
        Some(Dim::Known(n)) => *n,
        _ => {
            return ctx.error(
                Error::new(
                    Code::LinearIn,
                    format!("`{path}` needs a known number of features in its second input, which is {second_shape}"),
                    ctx.args.call_span,
                    "second input",
                )
                .with_related(second.span, second.note())
                .with_help("its last dimension holds the features, as for `Linear`"),
            )
        }
    };
    match *ctx.args.get("in2_features") {
        ArgValue::Infer => ctx.args.set("in2_features", ArgValue::Int(in2)),
        ArgValue::Int(declared) if declared != in2 => return ctx.error(
            Error::new(
                Code::LinearIn,
                format!(
                    "`{path}` expects {declared} features in its second input, but receives {in2}"
                ),
                ctx.args.span("in2_features"),
                format!("declared in2_features = {declared}"),
            )
            .with_related(second.span, second.note())
            .with_help(format!(
                "declare `Bilinear({in1}, {in2}, {out})`, or `Bilinear({in1}, _, {out})` to infer it",
                out = ctx.args.int("out_features").unwrap_or(0)
            )),
        ),
        _ => {}
    }
    if first_shape.0[..rank - 1] != second_shape.0[..rank2.saturating_sub(1)] {
        let (span, note) = ctx.origin();
        return ctx.error(
            Error::new(
                Code::Broadcast,
                format!("`{path}` takes two inputs whose sizes before the features agree, but receives {first_shape} and {second_shape}"),
                ctx.args.call_span,
                "sizes differ",
            )
            .with_related(span, note)
            .with_related(second.span, second.note())
            .with_help("as `torch.nn.Bilinear`, the inputs are [*, in1_features] and [*, in2_features] with the same `*`"),
        );
    }
    let out = ctx.args.int("out_features")?;
    Some(first_shape.with(rank - 1, Dim::Known(out)))
}

fn bilinear_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let dim = |name: &str| args.int(name).unwrap_or(0);
    let out = dim("out_features");
    let mut tensors =
        vec![Tensor::parameter("weight", smallvec![out, dim("in1_features"), dim("in2_features")])];
    if args.bool("bias") {
        tensors.push(Tensor::parameter("bias", smallvec![out]));
    }
    tensors
}

fn linear_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    if rank == 0 {
        ctx.expect_rank(&[1], "[*, in_features]")?;
    }
    let features = ctx.known_dim(rank - 1, "number of input features")?;
    forgotten_flatten(ctx, features)?;
    if *ctx.args.get("in_features") == ArgValue::Infer && rank >= 4 {
        let (path, shape) = (ctx.path.to_string(), ctx.input.shape.clone());
        let (span, note) = ctx.origin();
        ctx.errors.push(
            Error::new(
                Code::LinearLastDim,
                format!("`{path}` infers in_features = {features} from the last size of a {rank}-D input"),
                ctx.args.span("in_features"),
                format!("inferred as {features}"),
            )
            .with_related(span, note)
            .with_help(format!(
                "a Linear acts on the last dimension; to use all the features, flatten first: \
                 `... -> flatten(1) -> {path}` turns {shape} into [{}, {}]",
                shape.0[0],
                shape.elements().map_or("?".to_string(), |n| n.to_string())
            )),
        );
    }
    ctx.match_or_infer("in_features", features, Code::LinearIn, "input features")?;
    let out = ctx.args.int("out_features")?;
    Some(ctx.input.shape.with(rank - 1, Dim::Known(out)))
}

/// Reports a `Linear` whose `in_features` equals all the input's sizes after the batch
/// multiplied together: the input needs `flatten(1)` first.
fn forgotten_flatten(ctx: &mut ShapeCtx<'_>, features: i64) -> Option<()> {
    let shape = &ctx.input.shape;
    let ArgValue::Int(declared) = *ctx.args.get("in_features") else { return Some(()) };
    if declared == features {
        return Some(());
    }
    let sizes: Option<Vec<i64>> = shape.0.iter().skip(1).map(Dim::known).collect();
    let Some(sizes) = sizes.filter(|s| s.len() >= 2) else { return Some(()) };
    let product = sizes.iter().try_fold(1i64, |n, &s| n.checked_mul(s));
    if product != Some(declared) {
        return Some(());
    }
    let path = ctx.path.to_string();
    let (span, note) = ctx.origin();
    let arithmetic: Vec<String> = sizes.iter().map(i64::to_string).collect();
    let error = Error::new(
        Code::LinearIn,
        format!(
            "`{path}` expects {declared} input features, but receives a {}-D tensor",
            shape.rank()
        ),
        ctx.args.span("in_features"),
        format!("{declared} = {}, the sizes after the batch", arithmetic.join(" × ")),
    )
    .with_related(span, note)
    .with_help(format!(
        "flatten first: `... -> flatten(1) -> {path}` turns {shape} into [{}, {declared}]",
        shape.0[0]
    ));
    ctx.error(error)
}

fn linear_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let in_features = args.int("in_features").unwrap_or(0);
    let out_features = args.int("out_features").unwrap_or(0);
    let mut tensors = Vec::with_capacity(2);
    tensors.push(Tensor::parameter("weight", smallvec![out_features, in_features]));
    if args.bool("bias") {
        tensors.push(Tensor::parameter("bias", smallvec![out_features]));
    }
    tensors
}
