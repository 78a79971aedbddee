//! Dropout layers.
use crate::ModuleTree;
use tch::Tensor;

/// Panics like PyTorch if `p` is not a probability.
fn check_p(p: f64) {
    assert!((0.0..=1.0).contains(&p), "dropout probability has to be between 0 and 1, but got {p}");
}

/// Zeroes elements with probability `p` during training and scales the others by `1 / (1 - p)`,
/// like `torch.nn.Dropout`; the identity in evaluation.
///
/// The forward pass panics, like PyTorch, if `p` is not within `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Probability of an element being zeroed (default 0.5).
    pub p: f64,
    /// Recorded for fidelity with PyTorch. In eval mode dropout is the identity, in place or
    /// not; in train mode the result is a new tensor.
    pub inplace: bool,
}

impl Default for Dropout {
    fn default() -> Self {
        Dropout { p: 0.5, inplace: false }
    }
}

impl tch::nn::ModuleT for Dropout {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        check_p(self.p);
        xs.dropout(self.p, train)
    }
}

impl ModuleTree for Dropout {
    fn kind(&self) -> &'static str {
        "Dropout"
    }
}

/// Defines a channel-wise dropout layer: struct, `Default`, `ModuleTree` and `ModuleT`.
macro_rules! feature_dropout {
    ($(#[$doc:meta])* $name:ident, $forward:expr) => {
        $(#[$doc])*
        ///
        /// The forward pass panics, like PyTorch, if `p` is not within `[0, 1]`.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            /// Probability of a channel being zeroed (default 0.5).
            pub p: f64,
            /// Recorded for fidelity with PyTorch. In eval mode dropout is the identity, in place
            /// or not; in train mode the result is a new tensor.
            pub inplace: bool,
        }

        impl Default for $name {
            fn default() -> Self {
                $name { p: 0.5, inplace: false }
            }
        }

        impl tch::nn::ModuleT for $name {
            fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
                check_p(self.p);
                let forward: fn(&Tensor, f64, bool) -> Tensor = $forward;
                forward(xs, self.p, train)
            }
        }

        impl ModuleTree for $name {
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

/// Feature dropout of `xs`, adding a batch dimension to inputs whose rank is not `batched`, like
/// `F.dropout1d` and `F.dropout3d`.
fn unbatched_feature_dropout(xs: &Tensor, p: f64, train: bool, batched: usize) -> Tensor {
    if xs.dim() != batched {
        xs.unsqueeze(0).feature_dropout(p, train).squeeze_dim(0)
    } else {
        xs.feature_dropout(p, train)
    }
}

feature_dropout!(
    /// Zeroes whole channels of `[N, C, L]` or `[C, L]` inputs with probability `p` during
    /// training and scales the others by `1 / (1 - p)`, like `torch.nn.Dropout1d`; the identity
    /// in evaluation.
    ///
    /// The forward pass panics, like PyTorch, on inputs of another rank.
    Dropout1d,
    |xs, p, train| {
        let dim = xs.dim();
        assert!(
            dim == 2 || dim == 3,
            "dropout1d: Expected 2D or 3D input, but received a {dim}D input. Note that \
             dropout1d exists to provide channel-wise dropout on inputs with 1 spatial \
             dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D \
             inputs)."
        );
        unbatched_feature_dropout(xs, p, train, 3)
    }
);

feature_dropout!(
    /// Zeroes whole channels of `[N, C, H, W]` inputs with probability `p` during training and
    /// scales the others by `1 / (1 - p)`, like `torch.nn.Dropout2d`; the identity in evaluation.
    ///
    /// Like PyTorch, a 3-D input is taken as `[N, C, L]` (channel-wise 1-D dropout).
    Dropout2d,
    |xs, p, train| xs.feature_dropout(p, train)
);

feature_dropout!(
    /// Zeroes whole channels of `[N, C, D, H, W]` or `[C, D, H, W]` inputs with probability `p`
    /// during training and scales the others by `1 / (1 - p)`, like `torch.nn.Dropout3d`; the
    /// identity in evaluation.
    Dropout3d,
    |xs, p, train| unbatched_feature_dropout(xs, p, train, 5)
);

/// What [`StochasticDepth`] drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StochasticDepthMode {
    /// The whole batch at once (`"batch"`).
    Batch,
    /// Each sample on its own (`"row"`).
    #[default]
    Row,
}

/// Drops a residual branch during training, like `torchvision.ops.StochasticDepth`: with
/// probability `p` per sample (`Row`) or for the whole batch (`Batch`) the input is zeroed, and
/// kept inputs are scaled by `1 / (1 - p)`. The identity in evaluation.
///
/// The forward pass panics, like torchvision, if `p` is not within `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StochasticDepth {
    /// Probability of dropping.
    pub p: f64,
    /// Whether samples are dropped one by one or all together.
    pub mode: StochasticDepthMode,
}

impl tch::nn::ModuleT for StochasticDepth {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        assert!(
            (0.0..=1.0).contains(&self.p),
            "drop probability has to be between 0 and 1, but got {}",
            self.p
        );
        if !train || self.p == 0.0 {
            return xs.shallow_clone();
        }
        let survival = 1.0 - self.p;
        let size: Vec<i64> = match self.mode {
            StochasticDepthMode::Row => {
                let mut size = vec![1; xs.dim()];
                if let Some(first) = size.first_mut() {
                    *first = xs.size()[0];
                }
                size
            }
            StochasticDepthMode::Batch => vec![1; xs.dim()],
        };
        let mut noise = Tensor::empty(size, (xs.kind(), xs.device()));
        let noise = noise.bernoulli_float_(survival);
        if survival > 0.0 {
            xs * (noise / survival)
        } else {
            xs * noise
        }
    }
}

impl ModuleTree for StochasticDepth {
    fn kind(&self) -> &'static str {
        "StochasticDepth"
    }
}
