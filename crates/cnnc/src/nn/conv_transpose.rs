//! Transposed convolution layers over 1, 2 or 3 spatial dimensions.
use super::conv::{check_groups, PaddingMode};
use super::{by_dim, uniform_param};
use crate::{init::pytorch_default_bound, ModuleTree};
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of a [`ConvTranspose`] layer, as in `torch.nn.ConvTranspose{D}d`; the
/// required ones are arguments of [`ConvTranspose::new`].
#[derive(Debug, Clone, Copy)]
pub struct ConvTransposeConfig<const D: usize> {
    /// Step of the kernel (default all 1).
    pub stride: [i64; D],
    /// Zero padding `dilation * (kernel_size - 1) - padding` implicitly added on both sides of
    /// the input (default all 0).
    pub padding: [i64; D],
    /// Size added to one side of each output dimension (default all 0).
    pub output_padding: [i64; D],
    /// Number of blocked connections from input to output channels (default 1).
    pub groups: i64,
    /// Adds a learnable bias (default `true`).
    pub bias: bool,
    /// Spacing between kernel elements (default all 1).
    pub dilation: [i64; D],
    /// How the padding is filled; PyTorch only supports [`PaddingMode::Zeros`] (the default).
    pub padding_mode: PaddingMode,
    /// Initialization of the weight; `None` uses PyTorch's `kaiming_uniform_(a = sqrt(5))`.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    pub bias_init: Option<Init>,
}

/// Configuration of a [`ConvTranspose1d`] layer, like `torch.nn.ConvTranspose1d`.
pub type ConvTranspose1dConfig = ConvTransposeConfig<1>;
/// Configuration of a [`ConvTranspose2d`] layer, like `torch.nn.ConvTranspose2d`.
pub type ConvTranspose2dConfig = ConvTransposeConfig<2>;
/// Configuration of a [`ConvTranspose3d`] layer, like `torch.nn.ConvTranspose3d`.
pub type ConvTranspose3dConfig = ConvTransposeConfig<3>;

impl<const D: usize> Default for ConvTransposeConfig<D> {
    fn default() -> Self {
        ConvTransposeConfig {
            stride: [1; D],
            padding: [0; D],
            output_padding: [0; D],
            groups: 1,
            bias: true,
            dilation: [1; D],
            padding_mode: PaddingMode::Zeros,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// A transposed convolution over `D` spatial dimensions, like `torch.nn.ConvTranspose{D}d`.
///
/// Use the aliases [`ConvTranspose1d`], [`ConvTranspose2d`] and [`ConvTranspose3d`]. Each
/// output dimension is `(in - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
/// + output_padding + 1`.
#[derive(Debug)]
pub struct ConvTranspose<const D: usize> {
    /// The kernels, of shape `[in_channels, out_channels / groups, *kernel_size]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_channels]`.
    pub bias: Option<Tensor>,
    in_channels: i64,
    out_channels: i64,
    kernel_size: [i64; D],
    config: ConvTransposeConfig<D>,
}

/// A 1-D transposed convolution over `[N, C_in, L]`, like `torch.nn.ConvTranspose1d`.
pub type ConvTranspose1d = ConvTranspose<1>;
/// A 2-D transposed convolution over `[N, C_in, H, W]`, like `torch.nn.ConvTranspose2d`.
pub type ConvTranspose2d = ConvTranspose<2>;
/// A 3-D transposed convolution over `[N, C_in, D, H, W]`, like `torch.nn.ConvTranspose3d`.
pub type ConvTranspose3d = ConvTranspose<3>;

impl<const D: usize> ConvTranspose<D> {
    /// Creates the layer, registering `weight` and `bias` under `vs`.
    ///
    /// The default bound `1/sqrt(fan_in)` uses PyTorch's fan-in of the transposed weight,
    /// `out_channels / groups * prod(kernel_size)`.
    ///
    /// # Panics
    ///
    /// Panics, like PyTorch, if `groups` is not positive or does not divide `in_channels` and
    /// `out_channels`, or if `padding_mode` is not [`PaddingMode::Zeros`].
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        in_channels: i64,
        out_channels: i64,
        kernel_size: [i64; D],
        config: ConvTransposeConfig<D>,
    ) -> Self {
        const { assert!(D >= 1 && D <= 3, "ConvTranspose supports 1, 2 or 3 dimensions") };
        let vs = vs.borrow();
        let groups = config.groups;
        check_groups(in_channels, out_channels, groups);
        assert!(
            config.padding_mode == PaddingMode::Zeros,
            "Only \"zeros\" padding mode is supported for {}",
            by_dim::<D>(KINDS)
        );
        let fan_in = out_channels / groups * kernel_size.iter().product::<i64>();
        let bound = pytorch_default_bound(fan_in);
        let mut dims = vec![in_channels, out_channels / groups];
        dims.extend(kernel_size);
        let weight = uniform_param(vs, "weight", &dims, config.weight_init, bound);
        let bias = config
            .bias
            .then(|| uniform_param(vs, "bias", &[out_channels], config.bias_init, bound));
        ConvTranspose { weight, bias, in_channels, out_channels, kernel_size, config }
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
    pub fn config(&self) -> &ConvTransposeConfig<D> {
        &self.config
    }
}

const KINDS: [&str; 3] = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"];

impl<const D: usize> tch::nn::Module for ConvTranspose<D> {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let c = &self.config;
        let (w, b) = (&self.weight, self.bias.as_ref());
        let (s, p, op, g, d) = (c.stride, c.padding, c.output_padding, c.groups, c.dilation);
        match D {
            1 => xs.conv_transpose1d(w, b, s, p, op, g, d),
            2 => xs.conv_transpose2d(w, b, s, p, op, g, d),
            _ => xs.conv_transpose3d(w, b, s, p, op, g, d),
        }
    }
}

impl<const D: usize> ModuleTree for ConvTranspose<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(KINDS)
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("weight", &self.weight)];
        params.extend(self.bias.as_ref().map(|b| ("bias", b)));
        params
    }
}
