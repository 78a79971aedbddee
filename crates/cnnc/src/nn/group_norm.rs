//! Group normalization.
use super::norm_affine;
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of a [`GroupNorm`] layer, as in `torch.nn.GroupNorm`; the required ones
/// are arguments of [`GroupNorm::new`].
#[derive(Debug, Clone, Copy)]
pub struct GroupNormConfig {
    /// Added to the variance for numerical stability (default `1e-5`).
    pub eps: f64,
    /// Adds a learnable per-channel scale and shift (default `true`).
    pub affine: bool,
    /// Initialization of the weight; `None` uses PyTorch's ones.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's zeros.
    pub bias_init: Option<Init>,
}

impl Default for GroupNormConfig {
    fn default() -> Self {
        GroupNormConfig { eps: 1e-5, affine: true, weight_init: None, bias_init: None }
    }
}

/// Normalizes each group of channels of each sample, like `torch.nn.GroupNorm`.
#[derive(Debug)]
pub struct GroupNorm {
    /// The per-channel scale, of shape `[num_channels]`, if `affine`.
    pub weight: Option<Tensor>,
    /// The per-channel shift, of shape `[num_channels]`, if `affine`.
    pub bias: Option<Tensor>,
    num_groups: i64,
    num_channels: i64,
    config: GroupNormConfig,
}

impl GroupNorm {
    /// Creates the layer, `num_channels` channels in `num_groups` groups, registering `weight`
    /// and `bias` under `vs`.
    ///
    /// # Panics
    ///
    /// Panics, like PyTorch, if `num_groups` does not divide `num_channels`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        num_groups: i64,
        num_channels: i64,
        config: GroupNormConfig,
    ) -> GroupNorm {
        let vs = vs.borrow();
        let n = num_channels;
        assert!(
            num_groups != 0 && n % num_groups == 0,
            "num_channels must be divisible by num_groups"
        );
        let (weight, bias) =
            norm_affine(vs, &[n], config.affine, config.weight_init, config.bias_init);
        GroupNorm { weight, bias, num_groups, num_channels, config }
    }

    /// The number of groups the channels are separated into.
    pub fn num_groups(&self) -> i64 {
        self.num_groups
    }

    /// The number of channels `C` of the input.
    pub fn num_channels(&self) -> i64 {
        self.num_channels
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &GroupNormConfig {
        &self.config
    }
}

impl tch::nn::Module for GroupNorm {
    /// Normalizes `xs` like `torch.nn.functional.group_norm`.
    fn forward(&self, xs: &Tensor) -> Tensor {
        let c = &self.config;
        let size = xs.size();
        assert!(
            size.len() >= 2,
            "Expected at least 2 dimensions for input tensor but received {}",
            size.len()
        );
        let values = size[0] * size[1] / self.num_groups * size[2..].iter().product::<i64>();
        assert!(
            values != 1,
            "Expected more than 1 value per channel when training, got input size {size:?}"
        );
        xs.group_norm(self.num_groups, self.weight.as_ref(), self.bias.as_ref(), c.eps, true)
    }
}

impl ModuleTree for GroupNorm {
    fn kind(&self) -> &'static str {
        "GroupNorm"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let params = [("weight", &self.weight), ("bias", &self.bias)];
        params.into_iter().filter_map(|(n, t)| Some((n, t.as_ref()?))).collect()
    }
}
