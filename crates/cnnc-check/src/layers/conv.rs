//! Convolutions.

use super::{spatial_2d, LayerSpec, ShapeCtx, TensorDef, Window};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::{Dim, Shape};

const PADDING_MODES: &[&str] = &["zeros", "reflect", "replicate", "circular"];

/// `nn.Conv2d`.
pub static CONV2D: LayerSpec = LayerSpec {
    name: "Conv2d",
    params: &[
        Param::required("in_channels", ArgType::Int).min(1.0).inferable(),
        Param::required("out_channels", ArgType::Int).min(1.0),
        Param::required("kernel_size", ArgType::IntPair).min(1.0),
        Param::optional("stride", ArgType::IntPair, DefaultValue::Int(1)).min(1.0),
        Param::optional("padding", ArgType::IntPair, DefaultValue::Int(0)).min(0.0),
        Param::optional("dilation", ArgType::IntPair, DefaultValue::Int(1)).min(1.0),
        Param::optional("groups", ArgType::Int, DefaultValue::Int(1)).min(1.0),
        Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional(
            "padding_mode",
            ArgType::Choice { rust_enum: "PaddingMode", options: PADDING_MODES },
            DefaultValue::Str("zeros"),
        ),
    ],
    config: Some("Conv2dConfig"),
    uses_train: false,
    infer: conv2d_shape,
    tensors: conv2d_tensors,
};

fn conv2d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[3, 4], "[N, C, H, W] or [C, H, W]")?;
    let channel_dim = ctx.input.shape.rank() - 3;
    let channels = ctx.known_dim(channel_dim, "number of channels")?;
    let in_channels = ctx.match_or_infer("in_channels", channels, Code::Channels, "input channels");
    let groups = ctx.args.int("groups").unwrap_or(1);
    let out_channels = ctx.args.int("out_channels").unwrap_or(1);
    let mut groups_ok = true;
    for (arg, value) in [("in_channels", in_channels), ("out_channels", Some(out_channels))] {
        let Some(value) = value else { continue };
        if value % groups != 0 {
            groups_ok = false;
            ctx.errors.push(
                Error::new(
                    Code::Groups,
                    format!(
                        "`{}` has groups = {groups}, which does not divide {arg} = {value}",
                        ctx.path
                    ),
                    ctx.args.span("groups"),
                    format!("{value} is not a multiple of {groups}"),
                )
                .with_related(ctx.args.span(arg), format!("{arg} = {value}"))
                .with_help(format!(
                    "both in_channels and out_channels must be multiples of groups; {value} % {groups} = {}",
                    value % groups
                )),
            );
        }
    }
    let windows = windows(ctx.args, false);
    let spatial = spatial_2d(ctx, windows);
    let (_, true, Some(shape)) = (in_channels?, groups_ok, spatial) else { return None };
    Some(shape.with(channel_dim, Dim::Known(out_channels)))
}

pub(super) fn windows(args: &BoundArgs, ceil_mode: bool) -> [Window; 2] {
    let kernel = args.pair("kernel_size");
    let stride = args.pair("stride");
    let padding = args.pair("padding");
    let dilation = if args.params.iter().any(|p| p.name == "dilation") {
        args.pair("dilation")
    } else {
        [1, 1]
    };
    [0, 1].map(|i| Window {
        kernel: kernel[i],
        stride: stride[i],
        padding: padding[i],
        dilation: dilation[i],
        ceil_mode,
    })
}

fn conv2d_tensors(args: &BoundArgs) -> Vec<TensorDef> {
    let in_channels = args.int("in_channels").unwrap_or(0);
    let out_channels = args.int("out_channels").unwrap_or(0);
    let groups = args.int("groups").unwrap_or(1);
    let [kh, kw] = args.pair("kernel_size");
    let mut tensors =
        vec![TensorDef::parameter("weight", vec![out_channels, in_channels / groups, kh, kw])];
    if args.bool("bias") {
        tensors.push(TensorDef::parameter("bias", vec![out_channels]));
    }
    tensors
}
