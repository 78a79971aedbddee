//! Layer normalization, and local response normalization.
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of a [`LayerNorm`] layer, as in `torch.nn.LayerNorm`; the normalized
/// shape is an argument of [`LayerNorm::new`].
#[derive(Debug, Clone, Copy)]
pub struct LayerNormConfig {
    /// Added to the variance for numerical stability (default `1e-5`).
    pub eps: f64,
    /// Adds a learnable element-wise scale, and shift if `bias` (default `true`).
    pub elementwise_affine: bool,
    /// Adds the learnable shift when `elementwise_affine` (default `true`).
    pub bias: bool,
    /// Initialization of the weight; `None` uses PyTorch's ones.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's zeros.
    pub bias_init: Option<Init>,
}

impl Default for LayerNormConfig {
    fn default() -> Self {
        LayerNormConfig {
            eps: 1e-5,
            elementwise_affine: true,
            bias: true,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// Normalizes each sample over its trailing `normalized_shape` dimensions, like
/// `torch.nn.LayerNorm`.
#[derive(Debug)]
pub struct LayerNorm {
    /// The element-wise scale, of shape `normalized_shape`, if `elementwise_affine`.
    pub weight: Option<Tensor>,
    /// The element-wise shift, of shape `normalized_shape`, if `elementwise_affine` and `bias`.
    pub bias: Option<Tensor>,
    normalized_shape: Vec<i64>,
    config: LayerNormConfig,
}

impl LayerNorm {
    /// Creates the layer over the trailing dimensions `normalized_shape`, registering `weight`
    /// and `bias` under `vs`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        normalized_shape: &[i64],
        config: LayerNormConfig,
    ) -> LayerNorm {
        let vs = vs.borrow();
        let shape = normalized_shape;
        let (weight, bias) = if config.elementwise_affine {
            let weight = vs.var("weight", shape, config.weight_init.unwrap_or(Init::Const(1.0)));
            let bias = config
                .bias
                .then(|| vs.var("bias", shape, config.bias_init.unwrap_or(Init::Const(0.0))));
            (Some(weight), bias)
        } else {
            (None, None)
        };
        LayerNorm { weight, bias, normalized_shape: normalized_shape.to_vec(), config }
    }

    /// The trailing dimensions normalized over.
    pub fn normalized_shape(&self) -> &[i64] {
        &self.normalized_shape
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &LayerNormConfig {
        &self.config
    }
}

impl tch::nn::Module for LayerNorm {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let c = &self.config;
        xs.layer_norm(&self.normalized_shape, self.weight.as_ref(), self.bias.as_ref(), c.eps, true)
    }
}

impl ModuleTree for LayerNorm {
    fn kind(&self) -> &'static str {
        "LayerNorm"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let params = [("weight", &self.weight), ("bias", &self.bias)];
        params.into_iter().filter_map(|(n, t)| Some((n, t.as_ref()?))).collect()
    }
}

/// Layer normalization over the channels of `[N, C, H, W]`, like torchvision's `LayerNorm2d`
/// (ConvNeXt): the input is moved channels-last, normalized, and moved back.
#[derive(Debug)]
pub struct LayerNorm2d(pub LayerNorm);

impl LayerNorm2d {
    /// Creates the layer over `normalized_shape`, the number of channels, registering `weight`
    /// and `bias` under `vs`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        normalized_shape: &[i64],
        config: LayerNormConfig,
    ) -> LayerNorm2d {
        LayerNorm2d(LayerNorm::new(vs, normalized_shape, config))
    }
}

impl tch::nn::Module for LayerNorm2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        tch::nn::Module::forward(&self.0, &xs.permute([0, 2, 3, 1])).permute([0, 3, 1, 2])
    }
}

impl ModuleTree for LayerNorm2d {
    fn kind(&self) -> &'static str {
        "LayerNorm2d"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        self.0.local_parameters()
    }
}

/// Normalises each element by the mean square over `size` neighbouring channels, like
/// `torch.nn.LocalResponseNorm` (AlexNet's normalisation):
/// `x / (k + alpha * mean(x², channels c - size/2 ..= c + (size-1)/2)) ^ beta`, with zeros past
/// the first and last channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalResponseNorm {
    /// The number of channels the mean runs over.
    pub size: i64,
    /// The scale of the mean square.
    pub alpha: f64,
    /// The exponent.
    pub beta: f64,
    /// The additive constant.
    pub k: f64,
}

impl Default for LocalResponseNorm {
    fn default() -> Self {
        Self { size: 1, alpha: 1e-4, beta: 0.75, k: 1.0 }
    }
}

impl tch::nn::Module for LocalResponseNorm {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let sizes = xs.size();
        assert!(
            sizes.len() >= 3,
            "Expected 3D or higher dimensionality input (got {} dimensions)",
            sizes.len()
        );
        let size = self.size;
        let square = xs * xs;
        // The channel window as an average pool over a padded channel axis, as PyTorch does.
        let mean = if sizes.len() == 3 {
            square
                .unsqueeze(1)
                .constant_pad_nd([0, 0, size / 2, (size - 1) / 2])
                .avg_pool2d([size, 1], [1, 1], [0, 0], false, true, None)
                .squeeze_dim(1)
        } else {
            square
                .view([sizes[0], 1, sizes[1], sizes[2], -1])
                .constant_pad_nd([0, 0, 0, 0, size / 2, (size - 1) / 2])
                .avg_pool3d([size, 1, 1], [1, 1, 1], [0, 0, 0], false, true, None)
                .squeeze_dim(1)
                .view(sizes.as_slice())
        };
        let divisor = (mean * self.alpha + self.k).pow_tensor_scalar(self.beta);
        xs / divisor
    }
}

impl ModuleTree for LocalResponseNorm {
    fn kind(&self) -> &'static str {
        "LocalResponseNorm"
    }
}
