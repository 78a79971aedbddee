//! The fully-connected layers: `Linear`, and `Bilinear` over two inputs.
use super::uniform_param;
use crate::{init::pytorch_default_bound, ModuleTree};
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of a [`Linear`] layer, as in `torch.nn.Linear`; the required ones are
/// arguments of [`Linear::new`].
#[derive(Debug, Clone, Copy)]
pub struct LinearConfig {
    /// Adds a learnable bias (default `true`).
    pub bias: bool,
    /// Initialization of the weight; `None` uses PyTorch's `kaiming_uniform_(a = sqrt(5))`.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    pub bias_init: Option<Init>,
}

impl Default for LinearConfig {
    fn default() -> Self {
        LinearConfig { bias: true, weight_init: None, bias_init: None }
    }
}

/// A fully-connected layer `y = x W^T + b`, like `torch.nn.Linear`.
#[derive(Debug)]
pub struct Linear {
    /// The weight, of shape `[out_features, in_features]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_features]`.
    pub bias: Option<Tensor>,
    in_features: i64,
    out_features: i64,
    config: LinearConfig,
}

impl Linear {
    /// Creates the layer, from `in_features` to `out_features`, registering `weight` and `bias`
    /// under `vs`.
    ///
    /// # Example
    ///
    /// ```
    /// use cnnc::nn::{Linear, LinearConfig};
    /// use tch::nn::{Module, VarStore};
    ///
    /// let vs = VarStore::new(tch::Device::Cpu);
    /// let fc = Linear::new(vs.root() / "fc", 512, 10, LinearConfig::default());
    /// let x = tch::Tensor::zeros([2, 512], (tch::Kind::Float, tch::Device::Cpu));
    /// assert_eq!(fc.forward(&x).size(), [2, 10]);
    /// assert_eq!(fc.weight.size(), [10, 512]);
    /// ```
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        in_features: i64,
        out_features: i64,
        config: LinearConfig,
    ) -> Linear {
        let vs = vs.borrow();
        let bound = pytorch_default_bound(in_features);
        let dims = [out_features, in_features];
        let weight = uniform_param(vs, "weight", &dims, config.weight_init, bound);
        let bias = config
            .bias
            .then(|| uniform_param(vs, "bias", &[out_features], config.bias_init, bound));
        Linear { weight, bias, in_features, out_features, config }
    }

    /// The size of each input sample.
    pub fn in_features(&self) -> i64 {
        self.in_features
    }

    /// The size of each output sample.
    pub fn out_features(&self) -> i64 {
        self.out_features
    }

    /// The optional arguments the layer was created with.
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

/// The optional arguments of a [`Bilinear`] layer, as in `torch.nn.Bilinear`.
#[derive(Debug, Clone, Copy)]
pub struct BilinearConfig {
    /// Adds a learnable bias (default `true`).
    pub bias: bool,
}

impl Default for BilinearConfig {
    fn default() -> Self {
        BilinearConfig { bias: true }
    }
}

/// A bilinear layer `y = x1ᵀ A x2 + b` over two inputs, like `torch.nn.Bilinear`. It takes two
/// tensors, so it has [`Bilinear::forward_t`] of its own rather than `tch::nn::Module`.
#[derive(Debug)]
pub struct Bilinear {
    /// The weight, of shape `[out_features, in1_features, in2_features]`.
    pub weight: Tensor,
    /// The bias, of shape `[out_features]`.
    pub bias: Option<Tensor>,
    config: BilinearConfig,
}

impl Bilinear {
    /// Creates the layer, registering `weight` and `bias` under `vs`, both initialised as
    /// PyTorch does: `U(-1/√in1_features, 1/√in1_features)`.
    ///
    /// # Example
    ///
    /// ```
    /// use cnnc::nn::{Bilinear, BilinearConfig};
    /// use tch::nn::VarStore;
    ///
    /// let vs = VarStore::new(tch::Device::Cpu);
    /// let pair = Bilinear::new(vs.root() / "pair", 16, 8, 4, BilinearConfig::default());
    /// let opts = (tch::Kind::Float, tch::Device::Cpu);
    /// let (x1, x2) = (tch::Tensor::zeros([2, 16], opts), tch::Tensor::zeros([2, 8], opts));
    /// assert_eq!(pair.forward_t(&x1, &x2, false).size(), [2, 4]);
    /// ```
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        in1_features: i64,
        in2_features: i64,
        out_features: i64,
        config: BilinearConfig,
    ) -> Bilinear {
        let vs = vs.borrow();
        let bound = if in1_features > 0 { 1.0 / (in1_features as f64).sqrt() } else { 0.0 };
        let dims = [out_features, in1_features, in2_features];
        let weight = uniform_param(vs, "weight", &dims, None, bound);
        let bias = config.bias.then(|| uniform_param(vs, "bias", &[out_features], None, bound));
        Bilinear { weight, bias, config }
    }

    /// `x1ᵀ A x2 + b` over the last dimension of `x1` and `x2`, whose other sizes agree. `train`
    /// does not matter; it is there as in every module of several inputs.
    pub fn forward_t(&self, x1: &Tensor, x2: &Tensor, _train: bool) -> Tensor {
        Tensor::bilinear(x1, x2, &self.weight, self.bias.as_ref())
    }

    /// The optional arguments the layer was created with.
    pub fn config(&self) -> &BilinearConfig {
        &self.config
    }
}

impl ModuleTree for Bilinear {
    fn kind(&self) -> &'static str {
        "Bilinear"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("weight", &self.weight)];
        params.extend(self.bias.as_ref().map(|b| ("bias", b)));
        params
    }
}
