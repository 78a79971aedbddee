//! Convolutions and transposed convolutions in 1, 2 and 3 dimensions.

use super::{axis_names, spatial, LayerSpec, ShapeCtx, TensorDims, Window, Windows};
use crate::args::{ArgType, ArgValue, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{Dim, Shape, Sym};
use smallvec::{smallvec, SmallVec};

const PADDING_MODES: &[&str] = &["zeros", "reflect", "replicate", "circular"];

macro_rules! conv {
    ($static:ident, $name:literal, $config:literal, $d:literal) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("in_channels", ArgType::Int).min(1.0).inferable(),
                Param::required("out_channels", ArgType::Int).min(1.0),
                Param::required("kernel_size", ArgType::Ints($d)).min(1.0),
                Param::optional("stride", ArgType::Ints($d), DefaultValue::Int(1)).min(1.0),
                Param::optional("padding", ArgType::ConvPadding($d), DefaultValue::Int(0)),
                Param::optional("dilation", ArgType::Ints($d), DefaultValue::Int(1)).min(1.0),
                Param::optional("groups", ArgType::Int, DefaultValue::Int(1)).min(1.0),
                Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
                Param::optional(
                    "padding_mode",
                    ArgType::Choice { rust_enum: "PaddingMode", options: PADDING_MODES },
                    DefaultValue::Str("zeros"),
                ),
            ],
            config: Some($config),
            init_params: &["weight", "bias"],
            uses_train: false,
            inputs: 1,
            infer: conv_shape::<$d>,
            tensors: conv_tensors,
        };
    };
}

macro_rules! conv_transpose {
    ($static:ident, $name:literal, $config:literal, $d:literal) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("in_channels", ArgType::Int).min(1.0).inferable(),
                Param::required("out_channels", ArgType::Int).min(1.0),
                Param::required("kernel_size", ArgType::Ints($d)).min(1.0),
                Param::optional("stride", ArgType::Ints($d), DefaultValue::Int(1)).min(1.0),
                Param::optional("padding", ArgType::Ints($d), DefaultValue::Int(0)).min(0.0),
                Param::optional("output_padding", ArgType::Ints($d), DefaultValue::Int(0)).min(0.0),
                Param::optional("groups", ArgType::Int, DefaultValue::Int(1)).min(1.0),
                Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
                Param::optional("dilation", ArgType::Ints($d), DefaultValue::Int(1)).min(1.0),
                Param::optional(
                    "padding_mode",
                    ArgType::Choice { rust_enum: "PaddingMode", options: &["zeros"] },
                    DefaultValue::Str("zeros"),
                ),
            ],
            config: Some($config),
            init_params: &["weight", "bias"],
            uses_train: false,
            inputs: 1,
            infer: conv_transpose_shape::<$d>,
            tensors: conv_transpose_tensors,
        };
    };
}

conv!(CONV1D, "Conv1d", "Conv1dConfig", 1);
conv!(CONV2D, "Conv2d", "Conv2dConfig", 2);
conv!(CONV3D, "Conv3d", "Conv3dConfig", 3);
conv_transpose!(CONV_TRANSPOSE1D, "ConvTranspose1d", "ConvTranspose1dConfig", 1);
conv_transpose!(CONV_TRANSPOSE2D, "ConvTranspose2d", "ConvTranspose2dConfig", 2);
conv_transpose!(CONV_TRANSPOSE3D, "ConvTranspose3d", "ConvTranspose3dConfig", 3);

/// The accepted input shapes of a `d`-dimensional layer with channels: batched and unbatched.
pub(super) fn channel_ranks(d: usize) -> ([usize; 2], &'static str) {
    match d {
        1 => ([2, 3], "[N, C, L] or [C, L]"),
        2 => ([3, 4], "[N, C, H, W] or [C, H, W]"),
        _ => ([4, 5], "[N, C, D, H, W] or [C, D, H, W]"),
    }
}

/// Checks the channels of an input of an accepted rank (inferring `in_channels`) and that
/// `groups` divides both channel counts; returns the index of the channel dimension.
fn channels_and_groups(ctx: &mut ShapeCtx<'_>, d: usize) -> Option<usize> {
    let channel_dim = ctx.input.shape.rank() - d - 1;
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
    in_channels?;
    groups_ok.then_some(channel_dim)
}

fn conv_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let (ranks, what) = channel_ranks(D);
    ctx.expect_rank(&ranks, what)?;
    let channel_dim = channels_and_groups(ctx, D);
    let same = matches!(ctx.args.get("padding"), ArgValue::Str(_));
    if same && ctx.args.ints("stride").iter().any(|&s| s != 1) {
        let span = ctx.args.span("padding");
        ctx.errors.push(
            Error::new(
                Code::ArgumentValue,
                format!(
                    "`{}`: padding=\"same\" is not supported for strided convolutions",
                    ctx.path
                ),
                span,
                "needs stride 1",
            )
            .with_related(ctx.args.span("stride"), "stride is not 1")
            .with_help("write the padding explicitly, or use stride 1"),
        );
        return None;
    }
    check_padding_mode(ctx, D)?;
    let shape = if same {
        ctx.input.shape.clone()
    } else {
        let windows = windows(ctx.args, false);
        spatial(ctx, &windows)?
    };
    let out_channels = ctx.args.int("out_channels")?;
    Some(shape.with(channel_dim?, Dim::Known(out_channels)))
}

/// Zero padding must not be negative. The other modes pad with `F.pad` before an unpadded
/// convolution: negative padding crops, `reflect` needs padding smaller than the input and
/// `circular` at most the input.
fn check_padding_mode(ctx: &mut ShapeCtx<'_>, d: usize) -> Option<()> {
    let mode = match ctx.args.get("padding_mode") {
        ArgValue::Str(mode) => mode.clone(),
        _ => "zeros".into(),
    };
    // With "same", the right side gets the larger half of dilation·(kernel − 1).
    let padding: SmallVec<[i64; 3]> = match ctx.args.get("padding") {
        ArgValue::Str(_) => {
            let (k, dl) = (ctx.args.ints("kernel_size"), ctx.args.ints("dilation"));
            // Saturating: huge kernels and dilations are reported where the sizes are checked.
            (0..d)
                .map(|i| {
                    let span = dl[i].saturating_mul(k[i].saturating_sub(1));
                    span - span / 2
                })
                .collect()
        }
        _ => SmallVec::from_slice(ctx.args.ints("padding")),
    };
    let rank = ctx.input.shape.rank();
    for (i, name) in axis_names(d).iter().enumerate() {
        let p = padding[i];
        let problem = if mode == "zeros" {
            (p < 0).then(|| {
                format!(
                    "negative padding {p} is only allowed with a padding_mode other than \"zeros\""
                )
            })
        } else {
            let size = ctx.known_dim(rank - d + i, name)?;
            match &*mode {
                "reflect" if p >= size => Some(format!(
                    "reflect padding {p} must be smaller than the input {name} {size}"
                )),
                "circular" if p > size => {
                    Some(format!("circular padding {p} may be at most the input {name} {size}"))
                }
                _ => None,
            }
        };
        if let Some(problem) = problem {
            let (span, note) = (ctx.input.span, ctx.input.note());
            ctx.errors.push(
                Error::new(
                    Code::ArgumentValue,
                    format!("`{}`: {problem}", ctx.path),
                    ctx.args.span("padding"),
                    "padding out of range",
                )
                .with_related(span, note)
                .with_help("use less padding, or padding_mode=\"zeros\""),
            );
            return None;
        }
    }
    Some(())
}

/// The windows along each spatial axis, from `kernel_size`, `stride`, `padding` and (where the
/// layer has it) `dilation`.
pub(super) fn windows(args: &BoundArgs, ceil_mode: bool) -> Windows {
    let kernel = args.ints("kernel_size");
    let stride = args.ints("stride");
    let padding = args.ints("padding");
    let has_dilation = args.params.iter().any(|p| p.name == "dilation");
    (0..kernel.len())
        .map(|i| Window {
            kernel: kernel[i],
            stride: stride[i],
            padding: padding[i],
            dilation: if has_dilation { args.ints("dilation")[i] } else { 1 },
            ceil_mode,
        })
        .collect()
}

fn conv_tensors(args: &BoundArgs) -> Vec<Tensor> {
    kernel_and_bias(args, false)
}

/// The weight and optional bias of a convolution: the weight is `[out, in / groups, k...]`, or
/// `[in, out / groups, k...]` for a transposed convolution.
fn kernel_and_bias(args: &BoundArgs, transposed: bool) -> Vec<Tensor> {
    let in_channels = args.int("in_channels").unwrap_or(0);
    let out_channels = args.int("out_channels").unwrap_or(0);
    let groups = args.int("groups").unwrap_or(1);
    let (first, second) =
        if transposed { (in_channels, out_channels) } else { (out_channels, in_channels) };
    let mut dims: TensorDims = smallvec![first, second / groups];
    dims.extend_from_slice(args.ints("kernel_size"));
    let mut tensors = Vec::with_capacity(2);
    tensors.push(Tensor::parameter("weight", dims));
    if args.bool("bias") {
        tensors.push(Tensor::parameter("bias", smallvec![out_channels]));
    }
    tensors
}

/// `(in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1` along each axis.
fn conv_transpose_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let (ranks, what) = channel_ranks(D);
    ctx.expect_rank(&ranks, what)?;
    let channel_dim = channels_and_groups(ctx, D);
    let rank = ctx.input.shape.rank();
    let kernel = ctx.args.ints("kernel_size").to_vec();
    let stride = ctx.args.ints("stride").to_vec();
    let padding = ctx.args.ints("padding").to_vec();
    let output_padding = ctx.args.ints("output_padding").to_vec();
    let dilation = ctx.args.ints("dilation").to_vec();
    for i in 0..D {
        if output_padding[i] >= stride[i] && output_padding[i] >= dilation[i] {
            let span = ctx.args.span("output_padding");
            ctx.errors.push(
                Error::new(
                    Code::ArgumentValue,
                    format!(
                        "`{}`: output_padding {} must be smaller than either stride {} or dilation {}",
                        ctx.path, output_padding[i], stride[i], dilation[i]
                    ),
                    span,
                    "output_padding too large",
                )
                .with_help("output_padding only picks among the sizes a stride can produce"),
            );
            return None;
        }
    }
    let mut dims = ctx.input.shape.0.to_vec();
    for (i, name) in axis_names(D).iter().enumerate() {
        let input = match ctx.followed_dim(rank - D + i, name)? {
            Dim::Known(n) => n,
            Dim::Symbolic(Sym::Floor(size)) => {
                // (input - 1) * s - 2p + d(k - 1) + output_padding + 1
                let shift = padding[i]
                    .checked_mul(-2)
                    .and_then(|x| x.checked_add(dilation[i].checked_mul(kernel[i] - 1)?))
                    .and_then(|x| x.checked_add(output_padding[i] + 1))
                    .and_then(|x| x.checked_sub(stride[i]));
                let out = shift.and_then(|shift| size.mul(stride[i])?.add(shift));
                dims[rank - D + i] = ctx.follow(name, &size, out)?;
                continue;
            }
            Dim::Symbolic(Sym::Opaque(_)) => return None,
        };
        let out = (input - 1)
            .checked_mul(stride[i])
            .and_then(|x| x.checked_sub(padding[i].checked_mul(2)?))
            .and_then(|x| x.checked_add(dilation[i].checked_mul(kernel[i] - 1)?))
            .and_then(|x| x.checked_add(output_padding[i] + 1));
        let Some(out) = out else { return ctx.overflow() };
        if out < 1 {
            let (span, note) = (ctx.input.span, ctx.input.note());
            let path = ctx.path.to_string();
            ctx.errors.push(
                Error::new(
                    Code::Collapse,
                    format!("`{path}` shrinks the {name} below 1: the {name} it receives is only {input}"),
                    ctx.args.span("padding"),
                    format!(
                        "{name}: ({input} − 1) × {} − 2 × {} + {} × ({} − 1) + {} + 1 = {out}",
                        stride[i], padding[i], dilation[i], kernel[i], output_padding[i]
                    ),
                )
                .with_related(span, note)
                .with_help("use less padding, or a larger kernel or stride"),
            );
            return None;
        }
        dims[rank - D + i] = Dim::Known(out);
    }
    let out_channels = ctx.args.int("out_channels")?;
    dims[channel_dim?] = Dim::Known(out_channels);
    Some(Shape::from(dims))
}

fn conv_transpose_tensors(args: &BoundArgs) -> Vec<Tensor> {
    kernel_and_bias(args, true)
}
