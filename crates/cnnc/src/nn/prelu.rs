//! The parametric ReLU.
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// Configuration of a [`PReLU`] layer, with the arguments of `torch.nn.PReLU`.
#[derive(Debug, Clone, Copy)]
pub struct PReLUConfig {
    /// Number of learnable slopes: 1, or the number of input channels (default 1).
    pub num_parameters: i64,
    /// Initial value of the slopes (default 0.25).
    pub init: f64,
    /// Initialization of the weight; `None` fills it with `init`.
    pub weight_init: Option<Init>,
}

impl Default for PReLUConfig {
    fn default() -> Self {
        PReLUConfig { num_parameters: 1, init: 0.25, weight_init: None }
    }
}

/// Applies `x` for `x >= 0` and `weight * x` otherwise, with a learnable slope shared by all
/// channels or one per channel, like `torch.nn.PReLU`.
#[derive(Debug)]
pub struct PReLU {
    /// The slopes, of shape `[num_parameters]`.
    pub weight: Tensor,
    config: PReLUConfig,
}

impl PReLU {
    /// Creates the layer, registering `weight` under `vs`.
    pub fn new<'a>(vs: impl Borrow<Path<'a>>, config: PReLUConfig) -> PReLU {
        let init = config.weight_init.unwrap_or(Init::Const(config.init));
        let weight = vs.borrow().var("weight", &[config.num_parameters], init);
        PReLU { weight, config }
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &PReLUConfig {
        &self.config
    }
}

impl tch::nn::Module for PReLU {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.prelu(&self.weight)
    }
}

impl ModuleTree for PReLU {
    fn kind(&self) -> &'static str {
        "PReLU"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        vec![("weight", &self.weight)]
    }
}
