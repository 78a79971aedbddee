//! The 2-D convolution layer.
use super::uniform_param;
use crate::{init::pytorch_default_bound, ModuleTree};
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// How a convolution pads its input, like the `padding_mode` argument of `torch.nn.Conv2d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaddingMode {
    /// Pads with zeros (`"zeros"`).
    #[default]
    Zeros,
    /// Pads with the reflection of the input, excluding the edge (`"reflect"`).
    Reflect,
    /// Pads by repeating the edge (`"replicate"`).
    Replicate,
    /// Pads by wrapping around (`"circular"`).
    Circular,
}

impl PaddingMode {
    /// The name PyTorch uses for this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Replicate => "replicate",
            PaddingMode::Circular => "circular",
        }
    }
}

/// Configuration of a [`Conv2d`] layer, with the arguments of `torch.nn.Conv2d`.
#[derive(Debug, Clone, Copy)]
pub struct Conv2dConfig {
    /// Number of input channels.
    pub in_channels: i64,
    /// Number of output channels.
    pub out_channels: i64,
    /// Height and width of the kernel.
    pub kernel_size: [i64; 2],
    /// Step of the kernel (default `[1, 1]`).
    pub stride: [i64; 2],
    /// Padding added on both sides of each spatial dimension (default `[0, 0]`).
    pub padding: [i64; 2],
    /// Spacing between kernel elements (default `[1, 1]`).
    pub dilation: [i64; 2],
    /// Number of blocked connections from input to output channels (default 1).
    pub groups: i64,
    /// Adds a learnable bias (default `true`).
    pub bias: bool,
    /// How the padding is filled (default [`PaddingMode::Zeros`]).
    pub padding_mode: PaddingMode,
    /// Initialization of the weight; `None` uses PyTorch's `kaiming_uniform_(a = sqrt(5))`.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    pub bias_init: Option<Init>,
}

impl Default for Conv2dConfig {
    fn default() -> Self {
        Conv2dConfig {
            in_channels: 0,
            out_channels: 0,
            kernel_size: [0, 0],
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
            bias: true,
            padding_mode: PaddingMode::Zeros,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// A 2-D convolution over an input of shape `[N, C_in, H, W]`, like `torch.nn.Conv2d`.
#[derive(Debug)]
pub struct Conv2d {
    /// The kernels, of shape `[out_channels, in_channels / groups, kernel_h, kernel_w]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_channels]`.
    pub bias: Option<Tensor>,
    config: Conv2dConfig,
}

impl Conv2d {
    /// Creates the layer, registering `weight` and `bias` under `vs`.
    ///
    /// # Panics
    ///
    /// Panics, like PyTorch, if `groups` is not positive or does not divide `in_channels` and
    /// `out_channels`.
    pub fn new<'a>(vs: impl Borrow<Path<'a>>, config: Conv2dConfig) -> Conv2d {
        let vs = vs.borrow();
        let Conv2dConfig { in_channels, out_channels, kernel_size: [kh, kw], groups, .. } = config;
        assert!(groups > 0, "groups must be a positive integer");
        assert!(in_channels % groups == 0, "in_channels must be divisible by groups");
        assert!(out_channels % groups == 0, "out_channels must be divisible by groups");
        let fan_in = in_channels / groups * kh * kw;
        let bound = pytorch_default_bound(fan_in);
        let dims = [out_channels, in_channels / groups, kh, kw];
        let weight = uniform_param(vs, "weight", &dims, config.weight_init, bound);
        let bias = config
            .bias
            .then(|| uniform_param(vs, "bias", &[out_channels], config.bias_init, bound));
        Conv2d { weight, bias, config }
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &Conv2dConfig {
        &self.config
    }
}

impl tch::nn::Module for Conv2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let c = &self.config;
        match c.padding_mode {
            PaddingMode::Zeros => xs.conv2d(
                &self.weight,
                self.bias.as_ref(),
                c.stride,
                c.padding,
                c.dilation,
                c.groups,
            ),
            mode => {
                let [ph, pw] = c.padding;
                xs.pad([pw, pw, ph, ph], mode.as_str(), None::<f64>).conv2d(
                    &self.weight,
                    self.bias.as_ref(),
                    c.stride,
                    [0, 0],
                    c.dilation,
                    c.groups,
                )
            }
        }
    }
}

impl ModuleTree for Conv2d {
    fn kind(&self) -> &'static str {
        "Conv2d"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("weight", &self.weight)];
        params.extend(self.bias.as_ref().map(|b| ("bias", b)));
        params
    }
}
