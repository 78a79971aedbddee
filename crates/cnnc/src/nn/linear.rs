//! The fully-connected layer.
use super::uniform_param;
use crate::{init::pytorch_default_bound, ModuleTree};
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// Configuration of a [`Linear`] layer, with the arguments of `torch.nn.Linear`.
#[derive(Debug, Clone, Copy)]
pub struct LinearConfig {
    /// Size of each input sample.
    pub in_features: i64,
    /// Size of each output sample.
    pub out_features: i64,
    /// Adds a learnable bias (default `true`).
    pub bias: bool,
    /// Initialization of the weight; `None` uses PyTorch's `kaiming_uniform_(a = sqrt(5))`.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    pub bias_init: Option<Init>,
}

impl Default for LinearConfig {
    fn default() -> Self {
        LinearConfig {
            in_features: 0,
            out_features: 0,
            bias: true,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// A fully-connected layer `y = x W^T + b`, like `torch.nn.Linear`.
#[derive(Debug)]
pub struct Linear {
    /// The weight, of shape `[out_features, in_features]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_features]`.
    pub bias: Option<Tensor>,
    config: LinearConfig,
}

impl Linear {
    /// Creates the layer, registering `weight` and `bias` under `vs`.
    pub fn new<'a>(vs: impl Borrow<Path<'a>>, config: LinearConfig) -> Linear {
        let vs = vs.borrow();
        let LinearConfig { in_features, out_features, .. } = config;
        let bound = pytorch_default_bound(in_features);
        let dims = [out_features, in_features];
        let weight = uniform_param(vs, "weight", &dims, config.weight_init, bound);
        let bias = config
            .bias
            .then(|| uniform_param(vs, "bias", &[out_features], config.bias_init, bound));
        Linear { weight, bias, config }
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &LinearConfig {
        &self.config
    }
}

impl tch::nn::Module for Linear {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.linear(&self.weight, self.bias.as_ref())
    }
}

impl ModuleTree for Linear {
    fn kind(&self) -> &'static str {
        "Linear"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("weight", &self.weight)];
        params.extend(self.bias.as_ref().map(|b| ("bias", b)));
        params
    }
}
