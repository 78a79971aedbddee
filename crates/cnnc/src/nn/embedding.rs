//! The embedding lookup table.
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Path};
use tch::Tensor;

/// The optional arguments of an [`Embedding`] layer, as in `torch.nn.Embedding`; the required
/// ones are arguments of [`Embedding::new`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbeddingConfig {
    /// Index whose embedding is zero-initialized and gets no gradient (default `None`);
    /// negative values count from the end.
    pub padding_idx: Option<i64>,
    /// Initialization of the weight; `None` uses PyTorch's `N(0, 1)` with the `padding_idx` row
    /// zeroed. A given initialization is applied as is, like an init rule run after
    /// construction in PyTorch.
    pub weight_init: Option<Init>,
}

/// A lookup table mapping indices to learnable vectors, like `torch.nn.Embedding`.
#[derive(Debug)]
pub struct Embedding {
    /// The embeddings, of shape `[num_embeddings, embedding_dim]`.
    pub weight: Tensor,
    /// `padding_idx` made non-negative, like PyTorch's `Embedding.padding_idx`.
    pub padding_idx: Option<i64>,
    num_embeddings: i64,
    embedding_dim: i64,
    config: EmbeddingConfig,
}

impl Embedding {
    /// Creates a table of `num_embeddings` vectors of `embedding_dim`, registering `weight` under
    /// `vs`.
    ///
    /// # Panics
    ///
    /// Panics, like PyTorch, if `padding_idx` is not within `-num_embeddings..num_embeddings`.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        num_embeddings: i64,
        embedding_dim: i64,
        config: EmbeddingConfig,
    ) -> Embedding {
        let n = num_embeddings;
        let padding_idx = config.padding_idx.map(|idx| {
            assert!((-n..n).contains(&idx), "Padding_idx must be within num_embeddings");
            if idx < 0 {
                idx + n
            } else {
                idx
            }
        });
        let init = config.weight_init.unwrap_or(Init::Randn { mean: 0.0, stdev: 1.0 });
        let weight = vs.borrow().var("weight", &[n, embedding_dim], init);
        if let (None, Some(idx)) = (config.weight_init, padding_idx) {
            tch::no_grad(|| {
                let _ = weight.get(idx).fill_(0.0);
            });
        }
        Embedding { weight, padding_idx, num_embeddings, embedding_dim, config }
    }

    /// The size of the dictionary.
    pub fn num_embeddings(&self) -> i64 {
        self.num_embeddings
    }

    /// The size of each embedding vector.
    pub fn embedding_dim(&self) -> i64 {
        self.embedding_dim
    }

    /// The configuration the layer was created with.
    pub fn config(&self) -> &EmbeddingConfig {
        &self.config
    }
}

impl tch::nn::Module for Embedding {
    /// Looks up the rows of `weight` for the integer indices `xs`, appending `embedding_dim` to
    /// the shape of `xs`.
    fn forward(&self, xs: &Tensor) -> Tensor {
        Tensor::embedding(&self.weight, xs, self.padding_idx.unwrap_or(-1), false, false)
    }
}

impl ModuleTree for Embedding {
    fn kind(&self) -> &'static str {
        "Embedding"
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        vec![("weight", &self.weight)]
    }
}
