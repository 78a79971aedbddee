//! Layers mirroring `torch.nn`: same constructor arguments, defaults, parameter names, shapes
//! and initializations.
//!
//! Layers with parameters or buffers are built with `Layer::new(path, LayerConfig { .. })` and
//! register their tensors under `path`; layers without state are plain structs. Every layer
//! implements [`ModuleTree`](crate::ModuleTree) and [`tch::nn::Module`] or [`tch::nn::ModuleT`].
mod activation;
mod attention;
mod batch_norm;
mod conv;
mod conv_transpose;
mod dropout;
mod embedding;
mod flatten;
mod group_norm;
mod instance_norm;
mod layer_norm;
mod linear;
mod padding;
mod pixel_shuffle;
mod pooling;
mod prelu;
mod sequential;
mod upsample;

pub use activation::{
    GeluApproximate, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, Identity, LeakyReLU, LogSigmoid,
    LogSoftmax, Mish, ReLU, ReLU6, SiLU, Sigmoid, Softmax, Softmin, Softplus, Softshrink, Softsign,
    Tanh, Tanhshrink, CELU, ELU, GELU, GLU, SELU,
};
pub use attention::{
    MultiheadAttention, MultiheadAttentionConfig, ShiftedWindowAttention,
    ShiftedWindowAttentionConfig,
};
pub use batch_norm::{BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormConfig};
pub use conv::{
    Conv, Conv1d, Conv1dConfig, Conv2d, Conv2dConfig, Conv3d, Conv3dConfig, ConvConfig, Padding,
    PaddingMode,
};
pub use conv_transpose::{
    ConvTranspose, ConvTranspose1d, ConvTranspose1dConfig, ConvTranspose2d, ConvTranspose2dConfig,
    ConvTranspose3d, ConvTranspose3dConfig, ConvTransposeConfig,
};
pub use dropout::{Dropout, Dropout1d, Dropout2d, Dropout3d, StochasticDepth, StochasticDepthMode};
pub use embedding::{Embedding, EmbeddingConfig};
pub use flatten::{Flatten, Fold, Permute, Unflatten, Unfold};
pub use group_norm::{GroupNorm, GroupNormConfig};
pub use instance_norm::{
    InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, InstanceNormConfig,
};
pub use layer_norm::{LayerNorm, LayerNorm2d, LayerNormConfig, LocalResponseNorm};
pub use linear::{Bilinear, BilinearConfig, Linear, LinearConfig};
pub use padding::{
    CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
    ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
    ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d,
};
pub use pixel_shuffle::{ChannelShuffle, PixelShuffle, PixelUnshuffle};
pub use pooling::{
    AdaptiveAvgPool, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool,
    AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool, AvgPool1d, AvgPool2d,
    AvgPool3d, MaxPool, MaxPool1d, MaxPool2d, MaxPool3d,
};
pub use prelu::{PReLU, PReLUConfig};
pub use sequential::{Layer, ModuleList, Sequential};
pub use upsample::{Upsample, UpsampleMode};

use tch::nn::{Init, Path};
use tch::{Kind, Tensor};

/// Creates the trainable variable `name`, filled from `init`, or from PyTorch's default
/// `U(-bound, bound)` when `init` is `None`.
fn uniform_param(path: &Path, name: &str, dims: &[i64], init: Option<Init>, bound: f64) -> Tensor {
    let init = init.unwrap_or(if bound > 0.0 {
        Init::Uniform { lo: -bound, up: bound }
    } else {
        Init::Const(0.0)
    });
    path.var(name, dims, init)
}

/// The per-channel `weight` (ones) and `bias` (zeros) of a normalization layer with `affine`,
/// each overridable by an explicit init.
fn norm_affine(
    path: &Path,
    dims: &[i64],
    affine: bool,
    weight_init: Option<Init>,
    bias_init: Option<Init>,
) -> (Option<Tensor>, Option<Tensor>) {
    if !affine {
        return (None, None);
    }
    let weight = path.var("weight", dims, weight_init.unwrap_or(Init::Const(1.0)));
    let bias = path.var("bias", dims, bias_init.unwrap_or(Init::Const(0.0)));
    (Some(weight), Some(bias))
}

/// The buffers `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked` (an int64
/// scalar 0) of a normalization layer with `track_running_stats`, registered as PyTorch does.
fn running_stats(path: &Path, n: i64, track: bool) -> [Option<Tensor>; 3] {
    if !track {
        return [None, None, None];
    }
    let options = (path.kind(), path.device());
    let mean = path.add("running_mean", Tensor::zeros([n], options), false);
    let var = path.add("running_var", Tensor::ones([n], options), false);
    let scalar: [i64; 0] = [];
    let count =
        path.add("num_batches_tracked", Tensor::zeros(scalar, (Kind::Int64, path.device())), false);
    [Some(mean), Some(var), Some(count)]
}

/// The PyTorch class name among the 1-D, 2-D and 3-D `names` of a layer generic over `D`.
fn by_dim<const D: usize>(names: [&'static str; 3]) -> &'static str {
    names[D - 1]
}
