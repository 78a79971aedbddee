//! The dropout layer.
use crate::ModuleTree;
use tch::Tensor;

/// Zeroes elements with probability `p` during training and scales the others by `1 / (1 - p)`,
/// like `torch.nn.Dropout`; the identity in evaluation.
///
/// The forward pass panics, like PyTorch, if `p` is not within `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Probability of an element being zeroed (default 0.5).
    pub p: f64,
    /// Recorded for fidelity with PyTorch; the forward pass always returns a new tensor.
    pub inplace: bool,
}

impl Default for Dropout {
    fn default() -> Self {
        Dropout { p: 0.5, inplace: false }
    }
}

impl tch::nn::ModuleT for Dropout {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        assert!(
            (0.0..=1.0).contains(&self.p),
            "dropout probability has to be between 0 and 1, but got {}",
            self.p
        );
        xs.dropout(self.p, train)
    }
}

impl ModuleTree for Dropout {
    fn kind(&self) -> &'static str {
        "Dropout"
    }
}
