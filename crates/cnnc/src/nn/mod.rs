//! Layers mirroring `torch.nn`: same constructor arguments, defaults, parameter names, shapes
//! and initializations.
//!
//! Layers with parameters or buffers are built with `Layer::new(path, LayerConfig { .. })` and
//! register their tensors under `path`; layers without state are plain structs. Every layer
//! implements [`ModuleTree`](crate::ModuleTree) and [`tch::nn::Module`] or [`tch::nn::ModuleT`].
mod activation;
mod batch_norm;
mod conv;
mod dropout;
mod flatten;
mod linear;
mod pooling;

pub use activation::ReLU;
pub use batch_norm::{BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormConfig};
pub use conv::{Conv2d, Conv2dConfig, PaddingMode};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use linear::{Linear, LinearConfig};
pub use pooling::{AvgPool2d, MaxPool2d};

use tch::nn::{Init, Path};
use tch::Tensor;

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
