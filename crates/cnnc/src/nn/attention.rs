//! Multi-head attention.
use super::{Linear, LinearConfig};
use crate::ModuleTree;
use std::borrow::Borrow;
use tch::nn::{Init, Module, Path};
use tch::{Kind, Tensor};

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

/// The optional arguments of a [`ShiftedWindowAttention`] layer, as in torchvision's
/// `ShiftedWindowAttention`.
#[derive(Debug, Clone, Copy)]
pub struct ShiftedWindowAttentionConfig {
    /// Adds a bias to the query, key and value projection (default `true`).
    pub qkv_bias: bool,
    /// Adds a bias to the output projection (default `true`).
    pub proj_bias: bool,
    /// Dropout on the attention weights in training (default `0.0`).
    pub attention_dropout: f64,
    /// Dropout on the output in training (default `0.0`).
    pub dropout: f64,
}

impl Default for ShiftedWindowAttentionConfig {
    fn default() -> Self {
        ShiftedWindowAttentionConfig {
            qkv_bias: true,
            proj_bias: true,
            attention_dropout: 0.0,
            dropout: 0.0,
        }
    }
}

/// Window attention with a relative position bias, like torchvision's `ShiftedWindowAttention`
/// (Swin Transformer): a `[N, H, W, C]` input is padded to whole windows, shifted by
/// `shift_size` (rolled back afterwards), and each window attends to itself, tokens from
/// different regions of a shifted window masked apart.
#[derive(Debug)]
pub struct ShiftedWindowAttention {
    /// The packed query, key and value projection.
    pub qkv: Linear,
    /// The output projection.
    pub proj: Linear,
    /// One bias per head for each relative position, of shape
    /// `[(2 * window_h - 1) * (2 * window_w - 1), num_heads]`.
    pub relative_position_bias_table: Tensor,
    /// For each pair of tokens in a window, its row of the table: an `Int64` buffer of
    /// `(window_h * window_w)²` entries.
    pub relative_position_index: Tensor,
    window_size: [i64; 2],
    shift_size: [i64; 2],
    num_heads: i64,
    config: ShiftedWindowAttentionConfig,
}

impl ShiftedWindowAttention {
    /// Creates the layer for `dim` channels split into `num_heads` heads, registering
    /// `relative_position_bias_table`, `relative_position_index`, `qkv` and `proj` under `vs`,
    /// initialised as torchvision does: the projections as `nn.Linear`, the table from a normal
    /// distribution of standard deviation 0.02 (torchvision's `trunc_normal_` cuts at ±2, a
    /// hundred deviations out, so no draw differs).
    ///
    /// # Panics
    ///
    /// Panics if `num_heads` does not divide `dim`, or a shift is not less than its window.
    pub fn new<'a>(
        vs: impl Borrow<Path<'a>>,
        dim: i64,
        window_size: [i64; 2],
        shift_size: [i64; 2],
        num_heads: i64,
        config: ShiftedWindowAttentionConfig,
    ) -> ShiftedWindowAttention {
        assert!(
            num_heads > 0 && dim % num_heads == 0,
            "dim ({dim}) must be divisible by num_heads ({num_heads})"
        );
        assert!(
            (0..2).all(|i| window_size[i] > 0 && (0..window_size[i]).contains(&shift_size[i])),
            "shift_size {shift_size:?} must be less than window_size {window_size:?}"
        );
        let vs = vs.borrow();
        let linear = |bias| LinearConfig { bias, ..Default::default() };
        let qkv = Linear::new(vs / "qkv", dim, 3 * dim, linear(config.qkv_bias));
        let proj = Linear::new(vs / "proj", dim, dim, linear(config.proj_bias));
        let [wh, ww] = window_size;
        let relative_position_bias_table = vs.var(
            "relative_position_bias_table",
            &[(2 * wh - 1) * (2 * ww - 1), num_heads],
            Init::Randn { mean: 0.0, stdev: 0.02 },
        );
        let index = Tensor::from_slice(&relative_position_index(window_size)).to(vs.device());
        let relative_position_index = vs.add("relative_position_index", index, false);
        ShiftedWindowAttention {
            qkv,
            proj,
            relative_position_bias_table,
            relative_position_index,
            window_size,
            shift_size,
            num_heads,
            config,
        }
    }

    /// The window's height and width.
    pub fn window_size(&self) -> [i64; 2] {
        self.window_size
    }

    /// How far the windows are shifted along the height and the width.
    pub fn shift_size(&self) -> [i64; 2] {
        self.shift_size
    }

    /// The number of heads.
    pub fn num_heads(&self) -> i64 {
        self.num_heads
    }

    /// The optional arguments the layer was created with.
    pub fn config(&self) -> &ShiftedWindowAttentionConfig {
        &self.config
    }

    /// The bias each head adds to the attention between two tokens of a window:
    /// `[1, num_heads, tokens, tokens]`.
    fn relative_position_bias(&self) -> Tensor {
        let tokens = self.window_size[0] * self.window_size[1];
        self.relative_position_bias_table
            .index_select(0, &self.relative_position_index)
            .view([tokens, tokens, -1])
            .permute([2, 0, 1])
            .contiguous()
            .unsqueeze(0)
    }
}

/// For each pair of tokens `(a, b)` of a window, numbered row by row, the row of the bias table
/// for their offset: `(ya - yb + wh - 1) * (2 * ww - 1) + (xa - xb + ww - 1)`.
fn relative_position_index([wh, ww]: [i64; 2]) -> Vec<i64> {
    let tokens: Vec<(i64, i64)> = (0..wh).flat_map(|y| (0..ww).map(move |x| (y, x))).collect();
    tokens
        .iter()
        .flat_map(|&(ya, xa)| {
            tokens
                .iter()
                .map(move |&(yb, xb)| (ya - yb + wh - 1) * (2 * ww - 1) + (xa - xb + ww - 1))
        })
        .collect()
}

/// The mask of a shifted window attention over a padded `[height, width]` grid: the grid is
/// split into up to 3 × 3 regions by the window and the shift, as torchvision slices it (with
/// Python's meaning of a zero shift, `-0`); within each window, tokens of different regions get
/// -100 and the others 0. Shape `[windows, tokens, tokens]`.
fn shift_mask(height: i64, width: i64, window: [i64; 2], shift: [i64; 2]) -> Vec<f32> {
    // Python's `a[start:end]` bounds, where `None` is the end.
    let bounds = |start: i64, end: Option<i64>, len: i64| {
        let at = |i: i64| if i < 0 { (i + len).max(0) } else { i.min(len) };
        (at(start), end.map_or(len, at))
    };
    let slices = |len: i64, w: i64, s: i64| {
        [bounds(0, Some(-w), len), bounds(-w, Some(-s), len), bounds(-s, None, len)]
    };
    let mut region = vec![0i64; (height * width) as usize];
    let mut count = 0;
    for (y0, y1) in slices(height, window[0], shift[0]) {
        for (x0, x1) in slices(width, window[1], shift[1]) {
            for y in y0..y1 {
                for x in x0..x1 {
                    region[(y * width + x) as usize] = count;
                }
            }
            count += 1;
        }
    }
    let (rows, cols) = (height / window[0], width / window[1]);
    let mut mask = Vec::new();
    for wy in 0..rows {
        for wx in 0..cols {
            let ids: Vec<i64> = (0..window[0])
                .flat_map(|y| (0..window[1]).map(move |x| (wy * window[0] + y, wx * window[1] + x)))
                .map(|(y, x)| region[(y * width + x) as usize])
                .collect();
            for &a in &ids {
                mask.extend(ids.iter().map(|&b| if a == b { 0.0 } else { -100.0 }));
            }
        }
    }
    mask
}

impl tch::nn::ModuleT for ShiftedWindowAttention {
    /// torchvision's `shifted_window_attention` on `[N, H, W, C]`.
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let size = xs.size();
        let (n, h, w, c) = (size[0], size[1], size[2], size[3]);
        let [wh, ww] = self.window_size;
        let (pad_w, pad_h) = ((ww - w % ww) % ww, (wh - h % wh) % wh);
        let x = xs.constant_pad_nd([0, 0, 0, pad_w, 0, pad_h]);
        let (height, width) = (h + pad_h, w + pad_w);
        // A window that covers the whole (padded) size is not shifted along it.
        let shift = [
            if wh >= height { 0 } else { self.shift_size[0] },
            if ww >= width { 0 } else { self.shift_size[1] },
        ];
        let shifted = shift[0] + shift[1] > 0;
        let x = if shifted { x.roll([-shift[0], -shift[1]], [1, 2]) } else { x };
        let (rows, cols) = (height / wh, width / ww);
        let (windows, tokens) = (rows * cols, wh * ww);
        let x = x.view([n, rows, wh, cols, ww, c]).permute([0, 1, 3, 2, 4, 5]).reshape([
            n * windows,
            tokens,
            c,
        ]);
        let (heads, d) = (self.num_heads, c / self.num_heads);
        let qkv = self
            .qkv
            .forward(&x)
            .reshape([n * windows, tokens, 3, heads, d])
            .permute([2, 0, 3, 1, 4]);
        let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        let q = q * (d as f64).powf(-0.5);
        let mut attn = q.matmul(&k.transpose(-2, -1)) + self.relative_position_bias();
        if shifted {
            let mask = Tensor::from_slice(&shift_mask(height, width, self.window_size, shift))
                .view([windows, tokens, tokens])
                .to_kind(attn.kind())
                .to(attn.device());
            attn = (attn.view([n, windows, heads, tokens, tokens])
                + mask.unsqueeze(1).unsqueeze(0))
            .view([-1, heads, tokens, tokens]);
        }
        let attn = attn.softmax(-1, None::<Kind>).dropout(self.config.attention_dropout, train);
        let x = attn.matmul(&v).transpose(1, 2).reshape([n * windows, tokens, c]);
        let x = self.proj.forward(&x).dropout(self.config.dropout, train);
        let x = x
            .view([n, rows, cols, wh, ww, c])
            .permute([0, 1, 3, 2, 4, 5])
            .reshape([n, height, width, c]);
        let x = if shifted { x.roll([shift[0], shift[1]], [1, 2]) } else { x };
        x.slice(1, 0, h, 1).slice(2, 0, w, 1).contiguous()
    }
}

impl ModuleTree for ShiftedWindowAttention {
    fn kind(&self) -> &'static str {
        "ShiftedWindowAttention"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        vec![("qkv", &self.qkv), ("proj", &self.proj)]
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        vec![("relative_position_bias_table", &self.relative_position_bias_table)]
    }

    fn local_buffers(&self) -> Vec<(&'static str, &Tensor)> {
        vec![("relative_position_index", &self.relative_position_index)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_position_index_counts_offsets_row_by_row() {
        // A 2×2 window: offsets (dy, dx) in -1..=1 map to (dy + 1) * 3 + (dx + 1).
        let index = relative_position_index([2, 2]);
        assert_eq!(index.len(), 16);
        assert_eq!(&index[..4], &[4, 3, 1, 0]);
        assert_eq!(&index[12..], &[8, 7, 5, 4]);
    }

    #[test]
    fn a_shift_splits_the_last_windows_into_regions() {
        // A 4×4 grid of 2×2 windows shifted by 1: the first window is one region; the last
        // window holds four regions, so only each token's own region is unmasked.
        let mask = shift_mask(4, 4, [2, 2], [1, 1]);
        assert_eq!(mask.len(), 4 * 4 * 4);
        assert!(mask[..16].iter().all(|&m| m == 0.0));
        let last = &mask[48..];
        for a in 0..4 {
            for b in 0..4 {
                assert_eq!(last[a * 4 + b], if a == b { 0.0 } else { -100.0 }, "{a} {b}");
            }
        }
    }
}
