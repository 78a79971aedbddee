//! The flattening layer.
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
