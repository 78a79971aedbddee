//! Multi-head attention.
use super::{Linear, LinearConfig};
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Module, Path};
use tch::Tensor;

/// The optional arguments of a [`MultiheadAttention`] layer, as in
/// `torch.nn.MultiheadAttention`; the embedding size and the number of heads are arguments of
/// [`MultiheadAttention::new`].
#[derive(Debug, Clone, Copy)]
pub struct MultiheadAttentionConfig {
    /// Dropout on the attention weights in training (default `0.0`).
    pub dropout: f64,
    /// Adds biases to the input and output projections (default `true`).
    pub bias: bool,
    /// Takes and returns `[N, L, E]` rather than `[L, N, E]` (default `false`).
    pub batch_first: bool,
}

impl Default for MultiheadAttentionConfig {
    fn default() -> Self {
        MultiheadAttentionConfig { dropout: 0.0, bias: true, batch_first: false }
    }
}

/// Multi-head self-attention, like `torch.nn.MultiheadAttention` called as `attn(x, x, x,
/// need_weights=False)[0]`: queries, keys and values are one packed projection of the input
/// (`in_proj_weight`, `in_proj_bias`), and `out_proj` maps the heads back.
#[derive(Debug)]
pub struct MultiheadAttention {
    /// The packed query, key and value projections, of shape `[3 * embed_dim, embed_dim]`.
    pub in_proj_weight: Tensor,
    /// Their biases, of shape `[3 * embed_dim]`, if `bias`.
    pub in_proj_bias: Option<Tensor>,
    /// The output projection.
    pub out_proj: Linear,
    embed_dim: i64,
    num_heads: i64,
    config: MultiheadAttentionConfig,
}

impl MultiheadAttention {
    /// Creates the layer for embeddings of `embed_dim` features split into `num_heads` heads,
    /// registering `in_proj_weight`, `in_proj_bias` and `out_proj` under `vs`, initialised as
    /// PyTorch does (Xavier-uniform projections, zero biases).
    ///
    /// # Panics
    ///
    /// Panics if `num_heads` does not divide `embed_dim`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        embed_dim: i64,
        num_heads: i64,
        config: MultiheadAttentionConfig,
    ) -> MultiheadAttention {
        assert!(
            num_heads > 0 && embed_dim % num_heads == 0,
            "embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
        );
        let vs = vs.borrow();
        // Xavier-uniform over [3E, E]: fan_in E, fan_out 3E.
        let bound = (6.0 / (4 * embed_dim) as f64).sqrt();
        let in_proj_weight = vs.var(
            "in_proj_weight",
            &[3 * embed_dim, embed_dim],
            Init::Uniform { lo: -bound, up: bound },
        );
        let in_proj_bias =
            config.bias.then(|| vs.var("in_proj_bias", &[3 * embed_dim], Init::Const(0.0)));
        let linear = LinearConfig {
            bias: config.bias,
            bias_init: Some(Init::Const(0.0)),
            ..Default::default()
        };
        let out_proj = Linear::new(vs / "out_proj", embed_dim, embed_dim, linear);
        MultiheadAttention { in_proj_weight, in_proj_bias, out_proj, embed_dim, num_heads, config }
    }

    /// The size of each embedding.
    pub fn embed_dim(&self) -> i64 {
        self.embed_dim
    }

    /// The number of heads.
    pub fn num_heads(&self) -> i64 {
        self.num_heads
    }

    /// The optional arguments the layer was created with.
    pub fn config(&self) -> &MultiheadAttentionConfig {
        &self.config
    }
}

impl tch::nn::ModuleT for MultiheadAttention {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let unbatched = xs.dim() == 2;
        let x = match (unbatched, self.config.batch_first) {
            (true, _) => xs.unsqueeze(0),
            (false, true) => xs.shallow_clone(),
            (false, false) => xs.transpose(0, 1),
        };
        let size = x.size();
        let (n, l, e) = (size[0], size[1], size[2]);
        let (h, d) = (self.num_heads, e / self.num_heads);
        let qkv = x.linear(&self.in_proj_weight, self.in_proj_bias.as_ref());
        let heads: Vec<Tensor> =
            qkv.chunk(3, -1).iter().map(|t| t.reshape([n, l, h, d]).transpose(1, 2)).collect();
        let dropout = if train { self.config.dropout } else { 0.0 };
        let attended = Tensor::scaled_dot_product_attention(
            &heads[0],
            &heads[1],
            &heads[2],
            None::<Tensor>,
            dropout,
            false,
            None,
            false,
        );
        let out = self.out_proj.forward(&attended.transpose(1, 2).reshape([n, l, e]));
        match (unbatched, self.config.batch_first) {
            (true, _) => out.squeeze_dim(0),
            (false, true) => out,
            (false, false) => out.transpose(0, 1),
        }
    }
}

impl ModuleTree for MultiheadAttention {
    fn kind(&self) -> &'static str {
        "MultiheadAttention"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        vec![("out_proj", &self.out_proj)]
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        let mut params = vec![("in_proj_weight", &self.in_proj_weight)];
        params.extend(self.in_proj_bias.as_ref().map(|b| ("in_proj_bias", b)));
        params
    }
}
