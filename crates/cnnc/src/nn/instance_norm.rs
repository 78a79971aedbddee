//! Instance normalization layers.
use super::{by_dim, norm_affine, running_stats};
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of an [`InstanceNorm`] layer, as in `torch.nn.InstanceNorm2d`; the
/// number of features is an argument of [`InstanceNorm::new`].
#[derive(Debug, Clone, Copy)]
pub struct InstanceNormConfig {
    /// Added to the variance for numerical stability (default `1e-5`).
    pub eps: f64,
    /// Weight of the current batch in the running statistics (default `Some(0.1)`); `None` is
    /// treated as 0, like PyTorch.
    pub momentum: Option<f64>,
    /// Adds a learnable per-channel scale and shift (default `false`).
    pub affine: bool,
    /// Tracks running statistics for evaluation (default `false`).
    pub track_running_stats: bool,
    /// Initialization of the weight; `None` uses PyTorch's ones.
    pub weight_init: Option<Init>,
    /// Initialization of the bias; `None` uses PyTorch's zeros.
    pub bias_init: Option<Init>,
}

impl Default for InstanceNormConfig {
    fn default() -> Self {
        InstanceNormConfig {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: false,
            track_running_stats: false,
            weight_init: None,
            bias_init: None,
        }
    }
}

/// Instance normalization over `D` spatial dimensions, like `torch.nn.InstanceNorm{D}d`: each
/// channel of each sample is normalized by its own statistics.
///
/// Use the aliases [`InstanceNorm1d`], [`InstanceNorm2d`] and [`InstanceNorm3d`]. Inputs
/// without a batch dimension are accepted, like PyTorch.
#[derive(Debug)]
pub struct InstanceNorm<const D: usize> {
    /// The per-channel scale, of shape `[num_features]`, if `affine`.
    pub weight: Option<Tensor>,
    /// The per-channel shift, of shape `[num_features]`, if `affine`.
    pub bias: Option<Tensor>,
    /// The running mean, of shape `[num_features]`, if `track_running_stats`.
    pub running_mean: Option<Tensor>,
    /// The running variance, of shape `[num_features]`, if `track_running_stats`.
    pub running_var: Option<Tensor>,
    /// An `Int64` scalar, if `track_running_stats`; registered like PyTorch but never
    /// incremented, as in PyTorch.
    pub num_batches_tracked: Option<Tensor>,
    num_features: i64,
    config: InstanceNormConfig,
}

/// Instance normalization over `[N, C, L]` or `[C, L]` inputs, like `torch.nn.InstanceNorm1d`.
pub type InstanceNorm1d = InstanceNorm<1>;
/// Instance normalization over `[N, C, H, W]` or `[C, H, W]` inputs, like
/// `torch.nn.InstanceNorm2d`.
pub type InstanceNorm2d = InstanceNorm<2>;
/// Instance normalization over `[N, C, D, H, W]` or `[C, D, H, W]` inputs, like
/// `torch.nn.InstanceNorm3d`.
pub type InstanceNorm3d = InstanceNorm<3>;

impl<const D: usize> InstanceNorm<D> {
    /// Creates the layer over `num_features` channels, registering its parameters and buffers
    /// under `vs`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        num_features: i64,
        config: InstanceNormConfig,
    ) -> Self {
        const { assert!(D >= 1 && D <= 3, "InstanceNorm supports 1, 2 or 3 dimensions") };
        let vs = vs.borrow();
        let n = num_features;
        let (weight, bias) =
            norm_affine(vs, &[n], config.affine, config.weight_init, config.bias_init);
        let [running_mean, running_var, num_batches_tracked] =
            running_stats(vs, n, config.track_running_stats);
        InstanceNorm {
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
    pub fn config(&self) -> &InstanceNormConfig {
        &self.config
    }

    fn apply(&self, xs: &Tensor, train: bool) -> Tensor {
        let c = &self.config;
        let use_input_stats = train || !c.track_running_stats;
        if use_input_stats {
            let size = xs.size();
            let spatial: i64 = size[2..].iter().product();
            assert!(
                spatial != 1,
                "Expected more than 1 spatial element when training, got input size {size:?}"
            );
        }
        xs.instance_norm(
            self.weight.as_ref(),
            self.bias.as_ref(),
            self.running_mean.as_ref(),
            self.running_var.as_ref(),
            use_input_stats,
            c.momentum.unwrap_or(0.0),
            c.eps,
            true,
        )
    }
}

impl<const D: usize> tch::nn::ModuleT for InstanceNorm<D> {
    /// Normalizes `xs` like `torch.nn.modules.instancenorm._InstanceNorm.forward`: the input's
    /// statistics are used in training or without running statistics, and training with
    /// running statistics updates them.
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let dim = xs.dim();
        let no_batch_dim = D + 1;
        assert!(
            dim == no_batch_dim || dim == D + 2,
            "expected {no_batch_dim}D or {}D input (got {dim}D input)",
            D + 2
        );
        let feature_dim = dim - no_batch_dim;
        let channels = xs.size()[feature_dim];
        assert!(
            !self.config.affine || channels == self.num_features,
            "expected input's size at dim={feature_dim} to match num_features ({}), but got: \
             {channels}.",
            self.num_features
        );
        if dim == no_batch_dim {
            self.apply(&xs.unsqueeze(0), train).squeeze_dim(0)
        } else {
            self.apply(xs, train)
        }
    }
}

impl<const D: usize> ModuleTree for InstanceNorm<D> {
    fn kind(&self) -> &'static str {
        by_dim::<D>(["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"])
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
