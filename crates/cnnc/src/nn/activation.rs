//! Activation layers.
use crate::ModuleTree;
use tch::Tensor;

/// Applies the rectified linear unit `max(0, x)` element-wise, like `torch.nn.ReLU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReLU {
    /// Recorded for fidelity with PyTorch; the forward pass always returns a new tensor.
    pub inplace: bool,
}

impl tch::nn::Module for ReLU {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.relu()
    }
}

impl ModuleTree for ReLU {
    fn kind(&self) -> &'static str {
        "ReLU"
    }
}
