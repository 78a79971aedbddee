//! Padding layers.
use crate::ModuleTree;
use tch::Tensor;

/// Pads the last two dimensions with zeros, like `torch.nn.ZeroPad2d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZeroPad2d {
    /// Padding `[left, right, top, bottom]`; negative values crop.
    pub padding: [i64; 4],
}

impl tch::nn::Module for ZeroPad2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.constant_pad_nd(self.padding)
    }
}

impl ModuleTree for ZeroPad2d {
    fn kind(&self) -> &'static str {
        "ZeroPad2d"
    }
}
