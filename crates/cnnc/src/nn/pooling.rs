//! Pooling layers.
use crate::ModuleTree;
use tch::Tensor;

/// 2-D max pooling, like `torch.nn.MaxPool2d`.
///
/// Unlike PyTorch, `stride` does not default to `kernel_size`: both are set explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2d {
    /// Size of the window (default `[1, 1]`).
    pub kernel_size: [i64; 2],
    /// Step of the window (default `[1, 1]`).
    pub stride: [i64; 2],
    /// Implicit negative-infinity padding on both sides (default `[0, 0]`).
    pub padding: [i64; 2],
    /// Spacing between window elements (default `[1, 1]`).
    pub dilation: [i64; 2],
    /// Uses ceil instead of floor to compute the output shape (default `false`).
    pub ceil_mode: bool,
}

impl Default for MaxPool2d {
    fn default() -> Self {
        MaxPool2d {
            kernel_size: [1, 1],
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            ceil_mode: false,
        }
    }
}

impl tch::nn::Module for MaxPool2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.max_pool2d(self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)
    }
}

impl ModuleTree for MaxPool2d {
    fn kind(&self) -> &'static str {
        "MaxPool2d"
    }
}

/// 2-D average pooling, like `torch.nn.AvgPool2d`.
///
/// Unlike PyTorch, `stride` does not default to `kernel_size`: both are set explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvgPool2d {
    /// Size of the window (default `[1, 1]`).
    pub kernel_size: [i64; 2],
    /// Step of the window (default `[1, 1]`).
    pub stride: [i64; 2],
    /// Implicit zero padding on both sides (default `[0, 0]`).
    pub padding: [i64; 2],
    /// Uses ceil instead of floor to compute the output shape (default `false`).
    pub ceil_mode: bool,
    /// Counts the zero padding in the averaging divisor (default `true`).
    pub count_include_pad: bool,
    /// Divisor to use instead of the window size (default `None`).
    pub divisor_override: Option<i64>,
}

impl Default for AvgPool2d {
    fn default() -> Self {
        AvgPool2d {
            kernel_size: [1, 1],
            stride: [1, 1],
            padding: [0, 0],
            ceil_mode: false,
            count_include_pad: true,
            divisor_override: None,
        }
    }
}

impl tch::nn::Module for AvgPool2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.avg_pool2d(
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
    }
}

impl ModuleTree for AvgPool2d {
    fn kind(&self) -> &'static str {
        "AvgPool2d"
    }
}
