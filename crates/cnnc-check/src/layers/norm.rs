//! Normalisation layers.

use super::conv::channel_ranks;
use super::{DType, LayerSpec, ShapeCtx, TensorDims};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{Dim, Shape};
use smallvec::smallvec;

macro_rules! batch_norm {
    ($static:ident, $name:literal, $config:literal, $infer:expr) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("num_features", ArgType::Int).min(1.0).inferable(),
                Param::optional("eps", ArgType::Float, DefaultValue::Float(1e-5)).min(0.0),
                Param::optional("momentum", ArgType::OptFloat, DefaultValue::Float(0.1))
                    .min(0.0)
                    .max(1.0),
                Param::optional("affine", ArgType::Bool, DefaultValue::Bool(true)),
                Param::optional("track_running_stats", ArgType::Bool, DefaultValue::Bool(true)),
            ],
            config: Some($config),
            init_params: &["weight", "bias"],
            uses_train: true,
            inputs: 1,
            infer: $infer,
            tensors: running_stats_tensors,
        };
    };
}

macro_rules! instance_norm {
    ($static:ident, $name:literal, $config:literal, $d:literal) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[
                Param::required("num_features", ArgType::Int).min(1.0).inferable(),
                Param::optional("eps", ArgType::Float, DefaultValue::Float(1e-5)).min(0.0),
                Param::optional("momentum", ArgType::OptFloat, DefaultValue::Float(0.1))
                    .min(0.0)
                    .max(1.0),
                Param::optional("affine", ArgType::Bool, DefaultValue::Bool(false)),
                Param::optional("track_running_stats", ArgType::Bool, DefaultValue::Bool(false)),
            ],
            config: Some($config),
            init_params: &["weight", "bias"],
            uses_train: true,
            inputs: 1,
            infer: instance_norm_shape::<$d>,
            tensors: running_stats_tensors,
        };
    };
}

batch_norm!(BATCH_NORM1D, "BatchNorm1d", "BatchNormConfig", |ctx| batch_norm_shape(
    ctx,
    &[2, 3],
    "[N, C] or [N, C, L]"
));
batch_norm!(BATCH_NORM2D, "BatchNorm2d", "BatchNormConfig", |ctx| batch_norm_shape(
    ctx,
    &[4],
    "[N, C, H, W]"
));
batch_norm!(BATCH_NORM3D, "BatchNorm3d", "BatchNormConfig", |ctx| batch_norm_shape(
    ctx,
    &[5],
    "[N, C, D, H, W]"
));
instance_norm!(INSTANCE_NORM1D, "InstanceNorm1d", "InstanceNormConfig", 1);
instance_norm!(INSTANCE_NORM2D, "InstanceNorm2d", "InstanceNormConfig", 2);
instance_norm!(INSTANCE_NORM3D, "InstanceNorm3d", "InstanceNormConfig", 3);

/// `nn.LayerNorm`.
pub static LAYER_NORM: LayerSpec = LayerSpec {
    name: "LayerNorm",
    params: &[
        Param::required("normalized_shape", ArgType::IntList).min(0.0),
        Param::optional("eps", ArgType::Float, DefaultValue::Float(1e-5)).min(0.0),
        Param::optional("elementwise_affine", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
    ],
    config: Some("LayerNormConfig"),
    init_params: &["weight", "bias"],
    uses_train: false,
    inputs: 1,
    infer: layer_norm_shape,
    tensors: layer_norm_tensors,
};

/// `nn.GroupNorm`.
pub static GROUP_NORM: LayerSpec = LayerSpec {
    name: "GroupNorm",
    params: &[
        Param::required("num_groups", ArgType::Int).min(1.0),
        Param::required("num_channels", ArgType::Int).min(1.0).inferable(),
        Param::optional("eps", ArgType::Float, DefaultValue::Float(1e-5)).min(0.0),
        Param::optional("affine", ArgType::Bool, DefaultValue::Bool(true)),
    ],
    config: Some("GroupNormConfig"),
    init_params: &["weight", "bias"],
    uses_train: false,
    inputs: 1,
    infer: group_norm_shape,
    tensors: group_norm_tensors,
};

fn batch_norm_shape(ctx: &mut ShapeCtx<'_>, ranks: &[usize], what: &str) -> Option<Shape> {
    ctx.expect_rank(ranks, what)?;
    let channels = ctx.known_dim(1, "number of channels")?;
    ctx.match_or_infer("num_features", channels, Code::Channels, "channels")?;
    Some(ctx.input.shape.clone())
}

/// PyTorch only warns about a channel mismatch when the layer has neither affine parameters nor
/// running statistics, and then normalises whatever arrives.
fn instance_norm_shape<const D: usize>(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let (ranks, what) = channel_ranks(D);
    ctx.expect_rank(&ranks, what)?;
    let channel_dim = ctx.input.shape.rank() - D - 1;
    let channels = ctx.known_dim(channel_dim, "number of channels")?;
    let strict = ctx.args.bool("affine") || ctx.args.bool("track_running_stats");
    if strict || ctx.args.int("num_features").is_none() {
        ctx.match_or_infer("num_features", channels, Code::Channels, "channels")?;
    }
    Some(ctx.input.shape.clone())
}

fn running_stats_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let c = args.int("num_features").unwrap_or(0);
    let mut tensors = Vec::with_capacity(5);
    if args.bool("affine") {
        tensors.push(Tensor::parameter("weight", smallvec![c]));
        tensors.push(Tensor::parameter("bias", smallvec![c]));
    }
    if args.bool("track_running_stats") {
        tensors.push(Tensor::buffer("running_mean", smallvec![c], DType::Float));
        tensors.push(Tensor::buffer("running_var", smallvec![c], DType::Float));
        tensors.push(Tensor::buffer("num_batches_tracked", smallvec![], DType::Int64));
    }
    tensors
}

/// torchvision's `LayerNorm2d` (ConvNeXt): `LayerNorm` over the channels of `[N, C, H, W]`,
/// which it computes channels-last.
pub static LAYER_NORM2D: LayerSpec = LayerSpec {
    name: "LayerNorm2d",
    params: LAYER_NORM.params,
    config: Some("LayerNormConfig"),
    init_params: &["weight", "bias"],
    uses_train: false,
    inputs: 1,
    infer: layer_norm2d_shape,
    tensors: layer_norm_tensors,
};

fn layer_norm2d_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[4], "[N, C, H, W]")?;
    let normalized = ctx.args.ints("normalized_shape").to_vec();
    let channels = ctx.input.shape.0[1].known();
    if normalized.len() != 1 || channels != Some(normalized[0]) {
        let span = ctx.args.span("normalized_shape");
        ctx.errors.push(
            Error::new(
                Code::Channels,
                format!(
                    "`{}` normalises {normalized:?} channels, but receives {}",
                    ctx.path, ctx.input.shape
                ),
                span,
                "normalized_shape",
            )
            .with_related(ctx.input.span, ctx.input.note())
            .with_help(format!(
                "write the number of channels, `{}({})`",
                ctx.spec.name, ctx.input.shape.0[1]
            )),
        );
        return None;
    }
    Some(ctx.input.shape.clone())
}

fn layer_norm_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let normalized = ctx.args.ints("normalized_shape").to_vec();
    let shape = &ctx.input.shape;
    let matches = shape.rank() >= normalized.len()
        && shape.0[shape.rank() - normalized.len()..]
            .iter()
            .zip(&normalized)
            .all(|(d, n)| d.known() == Some(*n));
    if !matches {
        let expected = Shape(normalized.iter().map(|&n| Dim::Known(n)).collect());
        let span = ctx.args.span("normalized_shape");
        ctx.errors.push(
            Error::new(
                Code::Channels,
                format!(
                    "`{}` normalises trailing dimensions {expected}, but receives {}",
                    ctx.path, ctx.input.shape
                ),
                span,
                format!("normalized_shape = {expected}"),
            )
            .with_related(ctx.input.span, ctx.input.note())
            .with_help("normalized_shape must equal the last dimensions of the input"),
        );
        return None;
    }
    Some(ctx.input.shape.clone())
}

fn layer_norm_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let dims = TensorDims::from_slice(args.ints("normalized_shape"));
    let mut tensors = Vec::new();
    if args.bool("elementwise_affine") {
        tensors.push(Tensor::parameter("weight", dims.clone()));
        if args.bool("bias") {
            tensors.push(Tensor::parameter("bias", dims));
        }
    }
    tensors
}

fn group_norm_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    if ctx.input.shape.rank() < 2 {
        ctx.expect_rank(&[2], "[N, C, *]")?;
    }
    let channels = ctx.known_dim(1, "number of channels")?;
    let channels = ctx.match_or_infer("num_channels", channels, Code::Channels, "channels")?;
    let groups = ctx.args.int("num_groups")?;
    if channels % groups != 0 {
        let span = ctx.args.span("num_groups");
        ctx.errors.push(
            Error::new(
                Code::Groups,
                format!("`{}` has num_groups = {groups}, which does not divide num_channels = {channels}", ctx.path),
                span,
                format!("{channels} is not a multiple of {groups}"),
            )
            .with_help(format!("{channels} % {groups} = {}", channels % groups)),
        );
        return None;
    }
    Some(ctx.input.shape.clone())
}

fn group_norm_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let c = args.int("num_channels").unwrap_or(0);
    if args.bool("affine") {
        vec![Tensor::parameter("weight", smallvec![c]), Tensor::parameter("bias", smallvec![c])]
    } else {
        Vec::new()
    }
}

/// `nn.LocalResponseNorm`: each element divided by a power of the mean square over `size`
/// neighbouring channels (AlexNet's normalisation). No parameters.
pub static LOCAL_RESPONSE_NORM: LayerSpec = LayerSpec {
    name: "LocalResponseNorm",
    params: &[
        Param::required("size", ArgType::Int).min(1.0),
        Param::optional("alpha", ArgType::Float, DefaultValue::Float(1e-4)),
        Param::optional("beta", ArgType::Float, DefaultValue::Float(0.75)),
        Param::optional("k", ArgType::Float, DefaultValue::Float(1.0)),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: local_response_norm_shape,
    tensors: super::no_tensors,
};

fn local_response_norm_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    if ctx.input.shape.rank() < 3 {
        ctx.expect_rank(&[3, 4, 5], "[N, C, *] with at least one dimension after C")?;
    }
    Some(ctx.input.shape.clone())
}
