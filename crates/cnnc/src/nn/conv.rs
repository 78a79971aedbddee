//! Convolution layers over 1, 2 or 3 spatial dimensions.
use super::{by_dim, uniform_param};
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

/// How a convolution pads its input, like the `padding` argument of `torch.nn.Conv{D}d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding<const D: usize> {
    /// This many elements on both sides of each spatial dimension (`padding=(1, 1)`; all 0 is
    /// `"valid"`).
    Explicit([i64; D]),
    /// `"same"`: the output keeps the input's size (stride 1 only); an uneven total puts the
    /// extra element on the right, as PyTorch does.
    Same,
}

impl<const D: usize> Default for Padding<D> {
    fn default() -> Self {
        Padding::Explicit([0; D])
    }
}

/// The optional arguments of a [`Conv`] layer, as in `torch.nn.Conv{D}d`; the required ones are
/// arguments of [`Conv::new`].
#[derive(Debug, Clone, Copy)]
pub struct ConvConfig<const D: usize> {
    /// Step of the kernel (default all 1).
    pub stride: [i64; D],
    /// The padding (default none).
    pub padding: Padding<D>,
    /// Spacing between kernel elements (default all 1).
    pub dilation: [i64; D],
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

/// Configuration of a [`Conv1d`] layer, with the arguments of `torch.nn.Conv1d`.
pub type Conv1dConfig = ConvConfig<1>;
/// Configuration of a [`Conv2d`] layer, with the arguments of `torch.nn.Conv2d`.
pub type Conv2dConfig = ConvConfig<2>;
/// Configuration of a [`Conv3d`] layer, with the arguments of `torch.nn.Conv3d`.
pub type Conv3dConfig = ConvConfig<3>;

impl<const D: usize> Default for ConvConfig<D> {
    fn default() -> Self {
        ConvConfig {
            stride: [1; D],
            padding: Padding::default(),
            dilation: [1; D],
            groups: 1,
            bias: true,
            padding_mode: PaddingMode::Zeros,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// A convolution over `D` spatial dimensions, like `torch.nn.Conv{D}d`.
///
/// Use the aliases [`Conv1d`], [`Conv2d`] and [`Conv3d`].
#[derive(Debug)]
pub struct Conv<const D: usize> {
    /// The kernels, of shape `[out_channels, in_channels / groups, *kernel_size]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_channels]`.
    pub bias: Option<Tensor>,
    in_channels: i64,
    out_channels: i64,
    kernel_size: [i64; D],
    config: ConvConfig<D>,
}

/// A 1-D convolution over an input of shape `[N, C_in, L]`, like `torch.nn.Conv1d`.
pub type Conv1d = Conv<1>;
/// A 2-D convolution over an input of shape `[N, C_in, H, W]`, like `torch.nn.Conv2d`.
pub type Conv2d = Conv<2>;
/// A 3-D convolution over an input of shape `[N, C_in, D, H, W]`, like `torch.nn.Conv3d`.
pub type Conv3d = Conv<3>;

/// Checks `groups` against the channel counts like `torch.nn.modules.conv._ConvNd`.
pub(super) fn check_groups(in_channels: i64, out_channels: i64, groups: i64) {
    assert!(groups > 0, "groups must be a positive integer");
    assert!(in_channels % groups == 0, "in_channels must be divisible by groups");
    assert!(out_channels % groups == 0, "out_channels must be divisible by groups");
}

impl<const D: usize> Conv<D> {
    /// Creates the layer, from `in_channels` to `out_channels` with a kernel of `kernel_size`,
    /// registering `weight` and `bias` under `vs`.
    ///
    /// # Panics
    ///
    /// Panics, like PyTorch, if `groups` is not positive or does not divide `in_channels` and
    /// `out_channels`.
    ///
    /// # Example
    ///
    /// ```
    /// use cnnc::nn::{Conv2d, Conv2dConfig, Padding};
    /// use tch::nn::{Module, VarStore};
    ///
    /// let vs = VarStore::new(tch::Device::Cpu);
    /// let config = Conv2dConfig { padding: Padding::Explicit([1, 1]), ..Default::default() };
    /// let conv = Conv2d::new(vs.root() / "conv1", 3, 32, [3, 3], config);
    /// let x = tch::Tensor::zeros([1, 3, 32, 32], (tch::Kind::Float, tch::Device::Cpu));
    /// assert_eq!(conv.forward(&x).size(), [1, 32, 32, 32]);
    /// ```
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        in_channels: i64,
        out_channels: i64,
        kernel_size: [i64; D],
        config: ConvConfig<D>,
    ) -> Self {
        const { assert!(D >= 1 && D <= 3, "Conv supports 1, 2 or 3 dimensions") };
        let vs = vs.borrow();
        let groups = config.groups;
        check_groups(in_channels, out_channels, groups);
        let fan_in = in_channels / groups * kernel_size.iter().product::<i64>();
        let bound = pytorch_default_bound(fan_in);
        let mut dims = vec![out_channels, in_channels / groups];
        dims.extend(kernel_size);
        let weight = uniform_param(vs, "weight", &dims, config.weight_init, bound);
        let bias = config
            .bias
            .then(|| uniform_param(vs, "bias", &[out_channels], config.bias_init, bound));
        Conv { weight, bias, in_channels, out_channels, kernel_size, config }
    }

    /// The number of input channels.
    pub fn in_channels(&self) -> i64 {
        self.in_channels
    }

    /// The number of output channels.
    pub fn out_channels(&self) -> i64 {
        self.out_channels
    }

    /// The size of the kernel in each spatial dimension.
    pub fn kernel_size(&self) -> [i64; D] {
        self.kernel_size
    }

    /// The optional arguments the layer was created with.
    pub fn config(&self) -> &ConvConfig<D> {
        &self.config
    }

    fn conv(&self, xs: &Tensor, padding: [i64; D]) -> Tensor {
        let c = &self.config;
        let (w, b) = (&self.weight, self.bias.as_ref());
        match D {
            1 => xs.conv1d(w, b, c.stride, padding, c.dilation, c.groups),
            2 => xs.conv2d(w, b, c.stride, padding, c.dilation, c.groups),
            _ => xs.conv3d(w, b, c.stride, padding, c.dilation, c.groups),
        }
    }
}

impl<const D: usize> tch::nn::Module for Conv<D> {
    /// Convolves `xs`; with a padding mode other than zeros the input is padded first, like
    /// PyTorch's `_conv_forward`.
    fn forward(&self, xs: &Tensor) -> Tensor {
        let c = &self.config;
        // (left, right) padding of each spatial dimension.
        let sides: [(i64, i64); D] = std::array::from_fn(|i| match c.padding {
            Padding::Same => {
                let total = c.dilation[i] * (self.kernel_size[i] - 1);
                (total / 2, total - total / 2)
            }
            Padding::Explicit(padding) => (padding[i], padding[i]),
        });
        let symmetric = sides.iter().all(|(l, r)| l == r);
        match c.padding_mode {
            PaddingMode::Zeros if symmetric => self.conv(xs, sides.map(|(l, _)| l)),
            mode => {
                let pad: Vec<i64> = sides.iter().rev().flat_map(|&(l, r)| [l, r]).collect();
                let mode = if mode == PaddingMode::Zeros { "constant" } else { mode.as_str() };
                self.conv(&xs.pad(pad, mode, None::<f64>), [0; D])
            }
        }
    }
}

impl<const D: usize> ModuleTree for Conv<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["Conv1d", "Conv2d", "Conv3d"])
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("weight", &self.weight)];
        params.extend(self.bias.as_ref().map(|b| ("bias", b)));
        params
    }
}
