//! Pooling layers over 1, 2 or 3 spatial dimensions.
use super::by_dim;
use crate::ModuleTree;
use tch::Tensor;

/// Max pooling over `D` spatial dimensions, like `torch.nn.MaxPool{D}d`.
///
/// Use the aliases [`MaxPool1d`], [`MaxPool2d`] and [`MaxPool3d`]. Unlike PyTorch, `stride`
/// does not default to `kernel_size`: both are set explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool<const D: usize> {
    /// Size of the window (default all 1).
    pub kernel_size: [i64; D],
    /// Step of the window (default all 1).
    pub stride: [i64; D],
    /// Implicit negative-infinity padding on both sides (default all 0).
    pub padding: [i64; D],
    /// Spacing between window elements (default all 1).
    pub dilation: [i64; D],
    /// Uses ceil instead of floor to compute the output shape (default `false`).
    pub ceil_mode: bool,
}

/// 1-D max pooling, like `torch.nn.MaxPool1d`.
pub type MaxPool1d = MaxPool<1>;
/// 2-D max pooling, like `torch.nn.MaxPool2d`.
pub type MaxPool2d = MaxPool<2>;
/// 3-D max pooling, like `torch.nn.MaxPool3d`.
pub type MaxPool3d = MaxPool<3>;

impl<const D: usize> Default for MaxPool<D> {
    fn default() -> Self {
        MaxPool {
            kernel_size: [1; D],
            stride: [1; D],
            padding: [0; D],
            dilation: [1; D],
            ceil_mode: false,
        }
    }
}

impl<const D: usize> MaxPool<D> {
    /// A window of `kernel_size` moved by its own size, like `torch.nn.MaxPool{D}d(kernel_size)`;
    /// set the other fields for the rest.
    ///
    /// # Example
    ///
    /// ```
    /// use cnnc::nn::MaxPool2d;
    /// use tch::nn::Module;
    ///
    /// let pool = MaxPool2d { padding: [1, 1], ..MaxPool2d::new([3, 3]) };
    /// let x = tch::Tensor::zeros([1, 8, 32, 32], (tch::Kind::Float, tch::Device::Cpu));
    /// assert_eq!(pool.forward(&x).size(), [1, 8, 11, 11]);
    /// ```
    pub fn new(kernel_size: [i64; D]) -> Self {
        MaxPool { kernel_size, stride: kernel_size, ..Default::default() }
    }
}

impl<const D: usize> tch::nn::Module for MaxPool<D> {
    fn forward(&self, xs: &Tensor) -> Tensor {
        const { assert!(D >= 1 && D <= 3, "MaxPool supports 1, 2 or 3 dimensions") };
        let (k, s, p, d, c) =
            (self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode);
        match D {
            1 => xs.max_pool1d(k, s, p, d, c),
            2 => xs.max_pool2d(k, s, p, d, c),
            _ => xs.max_pool3d(k, s, p, d, c),
        }
    }
}

impl<const D: usize> ModuleTree for MaxPool<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["MaxPool1d", "MaxPool2d", "MaxPool3d"])
    }
}

/// Average pooling over `D` spatial dimensions, like `torch.nn.AvgPool{D}d`.
///
/// Use the aliases [`AvgPool1d`], [`AvgPool2d`] and [`AvgPool3d`]. Unlike PyTorch, `stride`
/// does not default to `kernel_size`: both are set explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvgPool<const D: usize> {
    /// Size of the window (default all 1).
    pub kernel_size: [i64; D],
    /// Step of the window (default all 1).
    pub stride: [i64; D],
    /// Implicit zero padding on both sides (default all 0).
    pub padding: [i64; D],
    /// Uses ceil instead of floor to compute the output shape (default `false`).
    pub ceil_mode: bool,
    /// Counts the zero padding in the averaging divisor (default `true`).
    pub count_include_pad: bool,
    /// Divisor to use instead of the window size (default `None`); ignored in 1-D, where
    /// PyTorch has no such argument.
    pub divisor_override: Option<i64>,
}

/// 1-D average pooling, like `torch.nn.AvgPool1d`.
pub type AvgPool1d = AvgPool<1>;
/// 2-D average pooling, like `torch.nn.AvgPool2d`.
pub type AvgPool2d = AvgPool<2>;
/// 3-D average pooling, like `torch.nn.AvgPool3d`.
pub type AvgPool3d = AvgPool<3>;

impl<const D: usize> AvgPool<D> {
    /// A window of `kernel_size` moved by its own size, like `torch.nn.AvgPool{D}d(kernel_size)`;
    /// set the other fields for the rest.
    pub fn new(kernel_size: [i64; D]) -> Self {
        AvgPool { kernel_size, stride: kernel_size, ..Default::default() }
    }
}

impl<const D: usize> Default for AvgPool<D> {
    fn default() -> Self {
        AvgPool {
            kernel_size: [1; D],
            stride: [1; D],
            padding: [0; D],
            ceil_mode: false,
            count_include_pad: true,
            divisor_override: None,
        }
    }
}

impl<const D: usize> tch::nn::Module for AvgPool<D> {
    fn forward(&self, xs: &Tensor) -> Tensor {
        const { assert!(D >= 1 && D <= 3, "AvgPool supports 1, 2 or 3 dimensions") };
        let (k, s, p) = (self.kernel_size, self.stride, self.padding);
        let (c, cip, div) = (self.ceil_mode, self.count_include_pad, self.divisor_override);
        match D {
            1 => xs.avg_pool1d(k, s, p, c, cip),
            2 => xs.avg_pool2d(k, s, p, c, cip, div),
            _ => xs.avg_pool3d(k, s, p, c, cip, div),
        }
    }
}

impl<const D: usize> ModuleTree for AvgPool<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["AvgPool1d", "AvgPool2d", "AvgPool3d"])
    }
}

/// The target size of an adaptive pooling: `None` entries take the input's size, like
/// PyTorch's `_list_with_default`.
fn adaptive_output_size<const D: usize>(xs: &Tensor, output_size: &[Option<i64>; D]) -> Vec<i64> {
    let size = xs.size();
    assert!(size.len() > D, "Input dimension should be at least {}", D + 1);
    let input = &size[size.len() - D..];
    output_size.iter().zip(input).map(|(o, &i)| o.unwrap_or(i)).collect()
}

/// Adaptive average pooling over `D` spatial dimensions to a fixed output size, like
/// `torch.nn.AdaptiveAvgPool{D}d`.
///
/// Use the aliases [`AdaptiveAvgPool1d`], [`AdaptiveAvgPool2d`] and [`AdaptiveAvgPool3d`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdaptiveAvgPool<const D: usize> {
    /// Size of the output in each spatial dimension; `None` keeps the input's size (default all
    /// `None`).
    pub output_size: [Option<i64>; D],
}

/// 1-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool1d`.
pub type AdaptiveAvgPool1d = AdaptiveAvgPool<1>;
/// 2-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`.
pub type AdaptiveAvgPool2d = AdaptiveAvgPool<2>;
/// 3-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool3d`.
pub type AdaptiveAvgPool3d = AdaptiveAvgPool<3>;

impl<const D: usize> Default for AdaptiveAvgPool<D> {
    fn default() -> Self {
        AdaptiveAvgPool { output_size: [None; D] }
    }
}

impl<const D: usize> tch::nn::Module for AdaptiveAvgPool<D> {
    fn forward(&self, xs: &Tensor) -> Tensor {
        const { assert!(D >= 1 && D <= 3, "AdaptiveAvgPool supports 1, 2 or 3 dimensions") };
        let size = adaptive_output_size(xs, &self.output_size);
        match D {
            1 => xs.adaptive_avg_pool1d(size),
            2 => xs.adaptive_avg_pool2d(size),
            _ => xs.adaptive_avg_pool3d(size),
        }
    }
}

impl<const D: usize> ModuleTree for AdaptiveAvgPool<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"])
    }
}

/// Adaptive max pooling over `D` spatial dimensions to a fixed output size, like
/// `torch.nn.AdaptiveMaxPool{D}d` (without `return_indices`).
///
/// Use the aliases [`AdaptiveMaxPool1d`], [`AdaptiveMaxPool2d`] and [`AdaptiveMaxPool3d`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdaptiveMaxPool<const D: usize> {
    /// Size of the output in each spatial dimension; `None` keeps the input's size (default all
    /// `None`).
    pub output_size: [Option<i64>; D],
}

/// 1-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool1d`.
pub type AdaptiveMaxPool1d = AdaptiveMaxPool<1>;
/// 2-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool2d`.
pub type AdaptiveMaxPool2d = AdaptiveMaxPool<2>;
/// 3-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool3d`.
pub type AdaptiveMaxPool3d = AdaptiveMaxPool<3>;

impl<const D: usize> Default for AdaptiveMaxPool<D> {
    fn default() -> Self {
        AdaptiveMaxPool { output_size: [None; D] }
    }
}

impl<const D: usize> tch::nn::Module for AdaptiveMaxPool<D> {
    fn forward(&self, xs: &Tensor) -> Tensor {
        const { assert!(D >= 1 && D <= 3, "AdaptiveMaxPool supports 1, 2 or 3 dimensions") };
        let size = adaptive_output_size(xs, &self.output_size);
        match D {
            1 => xs.adaptive_max_pool1d(size).0,
            2 => xs.adaptive_max_pool2d(size).0,
            _ => xs.adaptive_max_pool3d(size).0,
        }
    }
}

impl<const D: usize> ModuleTree for AdaptiveMaxPool<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"])
    }
}
