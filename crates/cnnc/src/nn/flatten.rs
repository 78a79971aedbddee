//! The flattening, unflattening and permuting layers, and `Unfold` and `Fold`, which move
//! sliding blocks to columns and back.
use crate::ModuleTree;
use tch::Tensor;

/// Flattens the dimensions `start_dim..=end_dim` into one, like `torch.nn.Flatten`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flatten {
    /// First dimension to flatten (default 1, keeping the batch dimension).
    pub start_dim: i64,
    /// Last dimension to flatten (default -1).
    pub end_dim: i64,
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten { start_dim: 1, end_dim: -1 }
    }
}

impl tch::nn::Module for Flatten {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.flatten(self.start_dim, self.end_dim)
    }
}

impl ModuleTree for Flatten {
    fn kind(&self) -> &'static str {
        "Flatten"
    }
}

/// Expands dimension `dim` into `unflattened_size`, like `torch.nn.Unflatten`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unflatten {
    /// The dimension to expand.
    pub dim: i64,
    /// The new dimensions, whose product is the size of `dim`; one may be -1 (inferred).
    pub unflattened_size: Vec<i64>,
}

impl tch::nn::Module for Unflatten {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.unflatten(self.dim, &self.unflattened_size)
    }
}

impl ModuleTree for Unflatten {
    fn kind(&self) -> &'static str {
        "Unflatten"
    }
}

/// Permutes the dimensions, like torchvision's `Permute` module (`torchvision.ops.misc`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permute {
    /// The new order of the dimensions.
    pub dims: Vec<i64>,
}

impl tch::nn::Module for Permute {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.permute(self.dims.as_slice())
    }
}

impl ModuleTree for Permute {
    fn kind(&self) -> &'static str {
        "Permute"
    }
}

/// Extracts sliding blocks into columns, `[N, C, H, W]` to `[N, C·kh·kw, L]`, like
/// `torch.nn.Unfold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfold {
    /// The block size.
    pub kernel_size: [i64; 2],
    /// The spacing of a block's elements.
    pub dilation: [i64; 2],
    /// Zero padding on both sides.
    pub padding: [i64; 2],
    /// The step between blocks.
    pub stride: [i64; 2],
}

impl Default for Unfold {
    fn default() -> Self {
        Self { kernel_size: [1, 1], dilation: [1, 1], padding: [0, 0], stride: [1, 1] }
    }
}

impl tch::nn::Module for Unfold {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.im2col(self.kernel_size, self.dilation, self.padding, self.stride)
    }
}

impl ModuleTree for Unfold {
    fn kind(&self) -> &'static str {
        "Unfold"
    }
}

/// Sums columns of sliding blocks back into an image, `[N, C·kh·kw, L]` to
/// `[N, C, output_size]`, like `torch.nn.Fold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// The height and width of the image.
    pub output_size: [i64; 2],
    /// The block size.
    pub kernel_size: [i64; 2],
    /// The spacing of a block's elements.
    pub dilation: [i64; 2],
    /// Zero padding on both sides.
    pub padding: [i64; 2],
    /// The step between blocks.
    pub stride: [i64; 2],
}

impl Default for Fold {
    fn default() -> Self {
        Self {
            output_size: [1, 1],
            kernel_size: [1, 1],
            dilation: [1, 1],
            padding: [0, 0],
            stride: [1, 1],
        }
    }
}

impl tch::nn::Module for Fold {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.col2im(self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)
    }
}

impl ModuleTree for Fold {
    fn kind(&self) -> &'static str {
        "Fold"
    }
}
