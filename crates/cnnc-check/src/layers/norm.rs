//! Normalisation layers.

use super::{DType, LayerSpec, ShapeCtx, TensorDef};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::Code;
use crate::shape::Shape;

/// `nn.BatchNorm2d`.
pub static BATCH_NORM2D: LayerSpec = LayerSpec {
    name: "BatchNorm2d",
    params: &[
        Param::required("num_features", ArgType::Int).min(1.0).inferable(),
        Param::optional("eps", ArgType::Float, DefaultValue::Float(1e-5)).min(0.0),
        Param::optional("momentum", ArgType::OptFloat, DefaultValue::Float(0.1)).min(0.0).max(1.0),
        Param::optional("affine", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("track_running_stats", ArgType::Bool, DefaultValue::Bool(true)),
    ],
    config: Some("BatchNormConfig"),
    uses_train: true,
    infer: batch_norm2d_shape,
    tensors: batch_norm_tensors,
};

fn batch_norm2d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[4], "[N, C, H, W]")?;
    let channels = ctx.known_dim(1, "number of channels")?;
    ctx.match_or_infer("num_features", channels, Code::Channels, "channels")?;
    Some(ctx.input.shape.clone())
}

fn batch_norm_tensors(args: &BoundArgs) -> Vec<TensorDef> {
    let c = args.int("num_features").unwrap_or(0);
    let mut tensors = Vec::new();
    if args.bool("affine") {
        tensors.push(TensorDef::parameter("weight", vec![c]));
        tensors.push(TensorDef::parameter("bias", vec![c]));
    }
    if args.bool("track_running_stats") {
        tensors.push(TensorDef::buffer("running_mean", vec![c], DType::Float));
        tensors.push(TensorDef::buffer("running_var", vec![c], DType::Float));
        tensors.push(TensorDef::buffer("num_batches_tracked", vec![], DType::Int64));
    }
    tensors
}
