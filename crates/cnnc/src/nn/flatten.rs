//! The flattening, unflattening and permuting layers.
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
