//! Attention.

use super::{LayerSpec, ShapeCtx, TensorDef};
use crate::args::{ArgType, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::Shape;

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
    infer: attention_shape,
    tensors: attention_tensors,
};

fn attention_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let layout = if ctx.args.bool("batch_first") { "[N, L, E]" } else { "[L, N, E]" };
    ctx.expect_rank(&[2, 3], &format!("{layout} (or unbatched [L, E])"))?;
    let rank = ctx.input.shape.rank();
    let features = ctx.known_dim(rank - 1, "embedding size")?;
    ctx.match_or_infer("embed_dim", features, Code::Channels, "embedding size")?;
    let (embed_dim, heads) = (ctx.args.int("embed_dim")?, ctx.args.int("num_heads")?);
    if embed_dim % heads != 0 {
        let path = ctx.path.to_string();
        return ctx.error(
            Error::new(
                Code::ArgumentValue,
                format!("`{path}` splits embed_dim = {embed_dim} into {heads} heads, which does not divide it"),
                ctx.args.span("num_heads"),
                format!("{embed_dim} % {heads} = {}", embed_dim % heads),
            )
            .with_help("each head takes embed_dim / num_heads features: choose a number of heads that divides embed_dim"),
        );
    }
    Some(ctx.input.shape.clone())
}

fn attention_tensors(args: &BoundArgs) -> Vec<TensorDef> {
    let e = args.int("embed_dim").unwrap_or(0);
    let mut tensors = vec![TensorDef::parameter("in_proj_weight", vec![e.saturating_mul(3), e])];
    if args.bool("bias") {
        tensors.push(TensorDef::parameter("in_proj_bias", vec![e.saturating_mul(3)]));
    }
    tensors.push(TensorDef::parameter("out_proj.weight", vec![e, e]));
    if args.bool("bias") {
        tensors.push(TensorDef::parameter("out_proj.bias", vec![e]));
    }
    tensors
}
