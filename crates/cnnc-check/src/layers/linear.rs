//! Fully connected layers.

use super::{LayerSpec, ShapeCtx, TensorDef};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::Code;
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
    ctx.match_or_infer("in_features", features, Code::LinearIn, "input features")?;
    let out = ctx.args.int("out_features")?;
    Some(ctx.input.shape.with(rank - 1, Dim::Known(out)))
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
