//! Pooling layers in 1, 2 and 3 dimensions, fixed-window and adaptive.

use super::conv::{channel_ranks, windows};
use super::{no_tensors, spatial, LayerSpec, ShapeCtx};
use crate::args::{ArgType, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::{Dim, Shape};

macro_rules! max_pool {
    ($static:ident, $name:literal, $d:literal) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("kernel_size", ArgType::Ints($d)).min(1.0),
                Param::same_as("stride", ArgType::Ints($d), "kernel_size").min(1.0),
                Param::optional("padding", ArgType::Ints($d), DefaultValue::Int(0)).min(0.0),
                Param::optional("dilation", ArgType::Ints($d), DefaultValue::Int(1)).min(1.0),
                Param::optional("return_indices", ArgType::Bool, DefaultValue::Bool(false)),
                Param::optional("ceil_mode", ArgType::Bool, DefaultValue::Bool(false)),
            ],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: max_pool_shape::<$d>,
            tensors: no_tensors,
        };
    };
}

macro_rules! avg_pool {
    ($static:ident, $name:literal, $d:literal, [$($extra:expr),*]) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("kernel_size", ArgType::Ints($d)).min(1.0),
                Param::same_as("stride", ArgType::Ints($d), "kernel_size").min(1.0),
                Param::optional("padding", ArgType::Ints($d), DefaultValue::Int(0)).min(0.0),
                Param::optional("ceil_mode", ArgType::Bool, DefaultValue::Bool(false)),
                Param::optional("count_include_pad", ArgType::Bool, DefaultValue::Bool(true)),
                $($extra),*
            ],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: avg_pool_shape::<$d>,
            tensors: no_tensors,
        };
    };
}

macro_rules! adaptive_pool {
    ($static:ident, $name:literal, $d:literal, [$($extra:expr),*]) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[Param::required("output_size", ArgType::OptInts($d)).min(0.0), $($extra),*],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: adaptive_pool_shape::<$d>,
            tensors: no_tensors,
        };
    };
}

const DIVISOR_OVERRIDE: Param =
    Param::optional("divisor_override", ArgType::OptInt, DefaultValue::None).min(1.0);
const RETURN_INDICES: Param =
    Param::optional("return_indices", ArgType::Bool, DefaultValue::Bool(false));

max_pool!(MAX_POOL1D, "MaxPool1d", 1);
max_pool!(MAX_POOL2D, "MaxPool2d", 2);
max_pool!(MAX_POOL3D, "MaxPool3d", 3);
avg_pool!(AVG_POOL1D, "AvgPool1d", 1, []);
avg_pool!(AVG_POOL2D, "AvgPool2d", 2, [DIVISOR_OVERRIDE]);
avg_pool!(AVG_POOL3D, "AvgPool3d", 3, [DIVISOR_OVERRIDE]);
adaptive_pool!(ADAPTIVE_AVG_POOL1D, "AdaptiveAvgPool1d", 1, []);
adaptive_pool!(ADAPTIVE_AVG_POOL2D, "AdaptiveAvgPool2d", 2, []);
adaptive_pool!(ADAPTIVE_AVG_POOL3D, "AdaptiveAvgPool3d", 3, []);
adaptive_pool!(ADAPTIVE_MAX_POOL1D, "AdaptiveMaxPool1d", 1, [RETURN_INDICES]);
adaptive_pool!(ADAPTIVE_MAX_POOL2D, "AdaptiveMaxPool2d", 2, [RETURN_INDICES]);
adaptive_pool!(ADAPTIVE_MAX_POOL3D, "AdaptiveMaxPool3d", 3, [RETURN_INDICES]);

fn reject_indices(ctx: &mut ShapeCtx<'_>) -> Option<()> {
    if ctx.args.params.iter().any(|p| p.name == "return_indices") && ctx.args.bool("return_indices")
    {
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
    Some(())
}

fn max_pool_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    reject_indices(ctx)?;
    pool_shape(ctx, D, false)
}

fn avg_pool_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    pool_shape(ctx, D, D == 3)
}

/// PyTorch requires padding of at most half the kernel for pooling; `avg_pool3d` also needs the
/// unpadded input to hold the kernel.
fn pool_shape(ctx: &mut ShapeCtx<'_>, d: usize, unpadded_fit: bool) -> Option<Shape> {
    let (ranks, what) = channel_ranks(d);
    ctx.expect_rank(&ranks, what)?;
    let windows = windows(ctx.args, ctx.args.bool("ceil_mode"));
    for w in &windows {
        let effective = w.kernel;
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
    if unpadded_fit {
        let rank = ctx.input.shape.rank();
        for (i, w) in windows.iter().enumerate() {
            let name = super::axis_names(d)[i];
            let size = ctx.known_dim(rank - d + i, name)?;
            if size < w.kernel {
                let (span, note) = (ctx.input.span, ctx.input.note());
                ctx.errors.push(
                    Error::new(
                        Code::Collapse,
                        format!(
                            "`{}`: the input {name} {size} is smaller than the kernel {}",
                            ctx.path, w.kernel
                        ),
                        ctx.args.span("kernel_size"),
                        format!("{name}: kernel {} > {size}", w.kernel),
                    )
                    .with_related(span, note)
                    .with_help("3-d average pooling needs the unpadded input to hold the kernel"),
                );
                return None;
            }
        }
    }
    spatial(ctx, &windows)
}

fn adaptive_pool_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    reject_indices(ctx)?;
    // libtorch averages to size 1 with a mean over the last dimensions, for any rank.
    let global_average = ctx.spec.name.starts_with("AdaptiveAvg")
        && D >= 2
        && ctx.args.opt_ints("output_size").iter().all(|s| *s == Some(1))
        && ctx.input.shape.rank() >= D;
    if !global_average {
        let (ranks, what) = channel_ranks(D);
        ctx.expect_rank(&ranks, what)?;
    }
    let rank = ctx.input.shape.rank();
    let sizes = ctx.args.opt_ints("output_size").to_vec();
    let mut dims = ctx.input.shape.0.to_vec();
    for (i, size) in sizes.into_iter().enumerate() {
        if let Some(size) = size {
            dims[rank - D + i] = Dim::Known(size);
        }
    }
    Some(Shape::from(dims))
}
