//! Fully connected layers.

use super::{LayerSpec, ShapeCtx, TensorDef};
use crate::args::{ArgType, ArgValue, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::{Dim, Shape};

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
    infer: linear_shape,
    tensors: linear_tensors,
};

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
    let sizes: Option<Vec<i64>> = shape.0.iter().skip(1).map(Dim::known).collect();
    let Some(sizes) = sizes.filter(|s| s.len() >= 2) else { return Some(()) };
    let product = sizes.iter().try_fold(1i64, |n, &s| n.checked_mul(s));
    if declared == features || product != Some(declared) {
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

fn linear_tensors(args: &BoundArgs) -> Vec<TensorDef> {
    let in_features = args.int("in_features").unwrap_or(0);
    let out_features = args.int("out_features").unwrap_or(0);
    let mut tensors = vec![TensorDef::parameter("weight", vec![out_features, in_features])];
    if args.bool("bias") {
        tensors.push(TensorDef::parameter("bias", vec![out_features]));
    }
    tensors
}
