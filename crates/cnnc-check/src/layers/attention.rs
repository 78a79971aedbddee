//! Attention.

use super::{LayerSpec, ShapeCtx};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::Shape;
use smallvec::smallvec;

/// `nn.MultiheadAttention`, called on one tensor: self-attention (`attn(x, x, x,
/// need_weights=False)[0]` in PyTorch), as vision transformers use it. `kdim`, `vdim`,
/// `add_bias_kv` and `add_zero_attn` keep PyTorch's defaults, so `batch_first` is a keyword
/// argument.
pub static MULTIHEAD_ATTENTION: LayerSpec = LayerSpec {
    name: "MultiheadAttention",
    params: &[
        Param::required("embed_dim", ArgType::Int).min(1.0).inferable(),
        Param::required("num_heads", ArgType::Int).min(1.0),
        Param::optional("dropout", ArgType::Float, DefaultValue::Float(0.0)).min(0.0).max(1.0),
        Param::optional("bias", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("batch_first", ArgType::Bool, DefaultValue::Bool(false)),
    ],
    config: Some("MultiheadAttentionConfig"),
    init_params: &[],
    uses_train: true,
    inputs: 1,
    infer: attention_shape,
    tensors: attention_tensors,
};

fn attention_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let layout = if ctx.args.bool("batch_first") { "[N, L, E]" } else { "[L, N, E]" };
    ctx.expect_rank(&[2, 3], &format!("{layout} (or unbatched [L, E])"))?;
    let rank = ctx.input.shape.rank();
    let features = ctx.known_dim(rank - 1, "embedding size")?;
    ctx.match_or_infer("embed_dim", features, Code::Channels, "embedding size")?;
    heads_divide(ctx, "embed_dim", "features")?;
    Some(ctx.input.shape.clone())
}

/// Requires `num_heads` to divide the width `param` (`embed_dim`), each head taking as many of
/// its `what` (features).
fn heads_divide(ctx: &mut ShapeCtx<'_>, param: &str, what: &str) -> Option<()> {
    let (width, heads) = (ctx.args.int(param)?, ctx.args.int("num_heads")?);
    if width % heads == 0 {
        return Some(());
    }
    let path = ctx.path.to_string();
    ctx.error(
        Error::new(
            Code::ArgumentValue,
            format!("`{path}` splits {param} = {width} into {heads} heads, which does not divide it"),
            ctx.args.span("num_heads"),
            format!("{width} % {heads} = {}", width % heads),
        )
        .with_help(format!("each head takes {param} / num_heads {what}: choose a number of heads that divides {param}")),
    )
}

fn attention_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let e = args.int("embed_dim").unwrap_or(0);
    let mut tensors = vec![Tensor::parameter("in_proj_weight", smallvec![e.saturating_mul(3), e])];
    if args.bool("bias") {
        tensors.push(Tensor::parameter("in_proj_bias", smallvec![e.saturating_mul(3)]));
    }
    tensors.push(Tensor::parameter("out_proj.weight", smallvec![e, e]));
    if args.bool("bias") {
        tensors.push(Tensor::parameter("out_proj.bias", smallvec![e]));
    }
    tensors
}

/// torchvision's `ShiftedWindowAttention` (`torchvision.models.swin_transformer`): multi-head
/// self-attention inside non-overlapping windows of a `[N, H, W, C]` input, with a learned
/// relative position bias, the windows shifted by `shift_size` (Swin Transformer's W-MSA and
/// SW-MSA). The input is padded to whole windows and cropped back, so any `H` and `W` work.
pub static SHIFTED_WINDOW_ATTENTION: LayerSpec = LayerSpec {
    name: "ShiftedWindowAttention",
    params: &[
        Param::required("dim", ArgType::Int).min(1.0).inferable(),
        Param::required("window_size", ArgType::Ints(2)).min(1.0),
        Param::required("shift_size", ArgType::Ints(2)).min(0.0),
        Param::required("num_heads", ArgType::Int).min(1.0),
        Param::optional("qkv_bias", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("proj_bias", ArgType::Bool, DefaultValue::Bool(true)),
        Param::optional("attention_dropout", ArgType::Float, DefaultValue::Float(0.0))
            .min(0.0)
            .max(1.0),
        Param::optional("dropout", ArgType::Float, DefaultValue::Float(0.0)).min(0.0).max(1.0),
    ],
    config: Some("ShiftedWindowAttentionConfig"),
    init_params: &[],
    uses_train: true,
    inputs: 1,
    infer: window_attention_shape,
    tensors: window_attention_tensors,
};

fn window_attention_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[4], "[N, H, W, C]")?;
    let features = ctx.known_dim(3, "channels")?;
    // A channels-first input, as convolutions leave it: Swin permutes after its patch embedding.
    if let (Some(dim), Some(first)) = (ctx.args.int("dim"), ctx.input.shape.0[1].known()) {
        if dim != features && dim == first {
            let (span, note) = ctx.origin();
            let path = ctx.path.to_string();
            let shape = ctx.input.shape.to_string();
            return ctx.error(
                Error::new(
                    Code::Channels,
                    format!("`{path}` takes channels last, [N, H, W, C], but receives {shape}, whose {dim} channels come first"),
                    ctx.args.call_span,
                    "expects [N, H, W, C]",
                )
                .with_related(span, note)
                .with_help("permute the channels last first, as Swin does after its patch embedding: `Permute((0, 2, 3, 1))`"),
            );
        }
    }
    ctx.match_or_infer("dim", features, Code::Channels, "channels (last dimension)")?;
    heads_divide(ctx, "dim", "channels")?;
    let (window, shift) =
        (ctx.args.ints("window_size").to_vec(), ctx.args.ints("shift_size").to_vec());
    if let Some(axis) = (0..2).find(|&i| shift[i] >= window[i]) {
        let path = ctx.path.to_string();
        let what = ["height", "width"][axis];
        return ctx.error(
            Error::new(
                Code::ArgumentValue,
                format!(
                    "`{path}` shifts its windows by {} along the {what}, not less than the window's {}",
                    shift[axis], window[axis]
                ),
                ctx.args.span("shift_size"),
                format!("shift {} >= window {}", shift[axis], window[axis]),
            )
            .with_help("a shift is less than the window: 0 for W-MSA, window_size / 2 for SW-MSA, as Swin Transformer's blocks alternate"),
        );
    }
    Some(ctx.input.shape.clone())
}

fn window_attention_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let dim = args.int("dim").unwrap_or(0);
    let heads = args.int("num_heads").unwrap_or(0);
    let window = match args.get("window_size") {
        crate::args::ArgValue::Ints(v) if v.len() == 2 => [v[0], v[1]],
        _ => [0, 0],
    };
    let span = |w: i64| w.saturating_mul(2).saturating_sub(1);
    let tokens = window[0].saturating_mul(window[1]);
    // PyTorch's state_dict order: the module's own parameter and buffer, then `qkv` and `proj`.
    let mut tensors = vec![
        Tensor::parameter(
            "relative_position_bias_table",
            smallvec![span(window[0]).saturating_mul(span(window[1])), heads],
        ),
        Tensor::buffer(
            "relative_position_index",
            smallvec![tokens.saturating_mul(tokens)],
            super::DType::Int64,
        ),
        Tensor::parameter("qkv.weight", smallvec![dim.saturating_mul(3), dim]),
    ];
    if args.bool("qkv_bias") {
        tensors.push(Tensor::parameter("qkv.bias", smallvec![dim.saturating_mul(3)]));
    }
    tensors.push(Tensor::parameter("proj.weight", smallvec![dim, dim]));
    if args.bool("proj_bias") {
        tensors.push(Tensor::parameter("proj.bias", smallvec![dim]));
    }
    tensors
}
