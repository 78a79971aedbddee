//! Batch normalization layers.
use super::{norm_affine, running_stats};
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of a [`BatchNorm`] layer, as in `torch.nn.BatchNorm2d`; the number of
/// features is an argument of [`BatchNorm::new`].
#[derive(Debug, Clone, Copy)]
pub struct BatchNormConfig {
    /// Added to the variance for numerical stability (default `1e-5`).
    pub eps: f64,
    /// Weight of the current batch in the running statistics (default `Some(0.1)`); `None`
    /// computes a cumulative moving average.
    pub momentum: Option<f64>,
    /// Adds a learnable per-channel scale and shift (default `true`).
    pub affine: bool,
    /// Tracks running statistics for evaluation (default `true`); without them the batch
    /// statistics are used in evaluation too.
    pub track_running_stats: bool,
    /// Initialization of the weight; `None` uses PyTorch's ones.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's zeros.
    pub bias_init: Option<Init>,
}

impl Default for BatchNormConfig {
    fn default() -> Self {
        BatchNormConfig {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: true,
            track_running_stats: true,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// Batch normalization over `D` spatial dimensions, like `torch.nn.BatchNorm{D}d`.
///
/// Use the aliases [`BatchNorm1d`], [`BatchNorm2d`] and [`BatchNorm3d`].
#[derive(Debug)]
pub struct BatchNorm<const D: usize> {
    /// The per-channel scale, of shape `[num_features]`, if `affine`.
    pub weight: Option<Tensor>,
    /// The per-channel shift, of shape `[num_features]`, if `affine`.
    pub bias: Option<Tensor>,
    /// The running mean, of shape `[num_features]`, if `track_running_stats`.
    pub running_mean: Option<Tensor>,
    /// The running variance, of shape `[num_features]`, if `track_running_stats`.
    pub running_var: Option<Tensor>,
    /// The number of training batches seen, an `Int64` scalar, if `track_running_stats`.
    pub num_batches_tracked: Option<Tensor>,
    num_features: i64,
    config: BatchNormConfig,
}

/// Batch normalization over `[N, C]` or `[N, C, L]` inputs, like `torch.nn.BatchNorm1d`.
pub type BatchNorm1d = BatchNorm<1>;
/// Batch normalization over `[N, C, H, W]` inputs, like `torch.nn.BatchNorm2d`.
pub type BatchNorm2d = BatchNorm<2>;
/// Batch normalization over `[N, C, D, H, W]` inputs, like `torch.nn.BatchNorm3d`.
pub type BatchNorm3d = BatchNorm<3>;

impl<const D: usize> BatchNorm<D> {
    /// Creates the layer over `num_features` channels, registering its parameters and buffers
    /// under `vs`.
    ///
    /// # Example
    ///
    /// ```
    /// use cnnc::nn::{BatchNorm2d, BatchNormConfig};
    ///
    /// let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    /// let bn = BatchNorm2d::new(vs.root() / "bn1", 64, BatchNormConfig::default());
    /// assert_eq!(bn.running_var.as_ref().map(|v| v.size()), Some(vec![64]));
    /// ```
    pub fn new<'a>(vs: impl Borrow<Path<'a>>, num_features: i64, config: BatchNormConfig) -> Self {
        const { assert!(D >= 1 && D <= 3, "BatchNorm supports 1, 2 or 3 dimensions") };
        let vs = vs.borrow();
        let n = num_features;
        let (weight, bias) =
            norm_affine(vs, &[n], config.affine, config.weight_init, config.bias_init);
        let [running_mean, running_var, num_batches_tracked] =
            running_stats(vs, n, config.track_running_stats);
        BatchNorm {
            weight,
            bias,
            running_mean,
            running_var,
            num_batches_tracked,
            num_features,
            config,
        }
    }

    /// The number of channels `C` of the input.
    pub fn num_features(&self) -> i64 {
        self.num_features
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &BatchNormConfig {
        &self.config
    }

    fn check_input_dim(&self, xs: &Tensor) {
        let dim = xs.dim();
        if D == 1 {
            assert!(dim == 2 || dim == 3, "expected 2D or 3D input (got {dim}D input)");
        } else {
            assert!(dim == D + 2, "expected {}D input (got {dim}D input)", D + 2);
        }
    }
}

impl<const D: usize> tch::nn::ModuleT for BatchNorm<D> {
    /// Normalizes `xs` like `torch.nn.modules.batchnorm._BatchNorm.forward`: training with
    /// running statistics increments `num_batches_tracked` and updates the running statistics.
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        self.check_input_dim(xs);
        let c = &self.config;
        let mut factor = c.momentum.unwrap_or(0.0);
        if train && c.track_running_stats {
            if let Some(count) = &self.num_batches_tracked {
                let mut count = count.shallow_clone();
                tch::no_grad(|| count += 1);
                if c.momentum.is_none() {
                    factor = 1.0 / count.double_value(&[]);
                }
            }
        }
        let bn_training = train || (self.running_mean.is_none() && self.running_var.is_none());
        let (mean, var) = if !train || c.track_running_stats {
            (self.running_mean.as_ref(), self.running_var.as_ref())
        } else {
            (None, None)
        };
        xs.batch_norm(
            self.weight.as_ref(),
            self.bias.as_ref(),
            mean,
            var,
            bn_training,
            factor,
            c.eps,
            true,
        )
    }
}

impl<const D: usize> ModuleTree for BatchNorm<D> {
    fn kind(&self) -> &'static str {
        match D {
            1 => "BatchNorm1d",
            2 => "BatchNorm2d",
            _ => "BatchNorm3d",
        }
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let params = [("weight", &self.weight), ("bias", &self.bias)];
        params.into_iter().filter_map(|(n, t)| Some((n, t.as_ref()?))).collect()
    }

    fn local_buffers(&self) -> Vec<(&'static str, &Tensor)> {
        let buffers = [
            ("running_mean", &self.running_mean),
            ("running_var", &self.running_var),
            ("num_batches_tracked", &self.num_batches_tracked),
        ];
        buffers.into_iter().filter_map(|(n, t)| Some((n, t.as_ref()?))).collect()
    }
}
