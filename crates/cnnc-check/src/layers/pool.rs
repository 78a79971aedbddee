//! Pooling layers.

use super::conv::windows;
use super::{spatial_2d, LayerSpec, ShapeCtx, TensorDef};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::Shape;

/// `nn.MaxPool2d`.
pub static MAX_POOL2D: LayerSpec = LayerSpec {
    name: "MaxPool2d",
    params: &[
        Param::required("kernel_size", ArgType::IntPair).min(1.0),
        Param::same_as("stride", ArgType::IntPair, "kernel_size").min(1.0),
        Param::optional("padding", ArgType::IntPair, DefaultValue::Int(0)).min(0.0),
        Param::optional("dilation", ArgType::IntPair, DefaultValue::Int(1)).min(1.0),
        Param::optional("return_indices", ArgType::Bool, DefaultValue::Bool(false)),
        Param::optional("ceil_mode", ArgType::Bool, DefaultValue::Bool(false)),
    ],
    config: None,
    uses_train: false,
    infer: max_pool2d_shape,
    tensors: no_tensors,
};

/// `nn.AvgPool2d`.
pub static AVG_POOL2D: LayerSpec = LayerSpec {
    name: "AvgPool2d",
    params: &[
        Param::required("kernel_size", ArgType::IntPair).min(1.0),
        Param::same_as("stride", ArgType::IntPair, "kernel_size").min(1.0),
        Param::optional("padding", ArgType::IntPair, DefaultValue::Int(0)).min(0.0),
        Param::optional("ceil_mode", ArgType::Bool, DefaultValue::Bool(false)),
        Param::optional("count_include_pad", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("divisor_override", ArgType::OptInt, DefaultValue::None).min(1.0),
    ],
    config: None,
    uses_train: false,
    infer: avg_pool2d_shape,
    tensors: no_tensors,
};

fn no_tensors(_: &BoundArgs) -> Vec<TensorDef> {
    Vec::new()
}

fn max_pool2d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    if ctx.args.bool("return_indices") {
        let span = ctx.args.span("return_indices");
        ctx.errors.push(
            Error::new(
                Code::ArgumentValue,
                format!("`{}`: return_indices = true is not supported", ctx.path),
                span,
                "a layer in a forward chain returns one tensor",
            )
            .with_help("remove `return_indices`"),
        );
        return None;
    }
    pool_shape(ctx, true)
}

fn avg_pool2d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    pool_shape(ctx, false)
}

/// PyTorch requires padding of at most half the (dilated) kernel for pooling.
fn pool_shape(ctx: &mut ShapeCtx<'_>, dilated: bool) -> Option<Shape> {
    ctx.expect_rank(&[3, 4], "[N, C, H, W] or [C, H, W]")?;
    let windows = windows(ctx.args, ctx.args.bool("ceil_mode"));
    for w in &windows {
        let effective = if dilated { w.dilation * (w.kernel - 1) + 1 } else { w.kernel };
        if w.padding > effective / 2 {
            let span = ctx.args.span("padding");
            ctx.errors.push(
                Error::new(
                    Code::ArgumentValue,
                    format!(
                        "`{}`: padding {} is more than half the kernel size {effective}",
                        ctx.path, w.padding
                    ),
                    span,
                    format!("must be at most {effective} / 2 = {}", effective / 2),
                )
                .with_help("pooling pads at most half a window on each side"),
            );
            return None;
        }
    }
    spatial_2d(ctx, windows)
}
