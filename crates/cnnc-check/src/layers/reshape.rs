//! Layers that reshape, resample or pad: Unflatten, Upsample, PixelShuffle, the zero and constant
//! pads, and Embedding (which adds a dimension).

use super::{no_tensors, normalize_dim, LayerSpec, ShapeCtx};
use crate::args::{ArgType, ArgValue, BoundArgs, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{agreement, Agreement, Dim, Shape, SizeRule, Sym};
use smallvec::smallvec;

/// `nn.Unflatten`.
pub static UNFLATTEN: LayerSpec = LayerSpec {
    name: "Unflatten",
    params: &[
        Param::required("dim", ArgType::Int),
        Param::required("unflattened_size", ArgType::IntList).min(-1.0),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: unflatten_shape,
    tensors: no_tensors,
};

const UPSAMPLE_MODES: &[&str] = &["nearest", "linear", "bilinear", "bicubic", "trilinear"];

/// `nn.Upsample`.
pub static UPSAMPLE: LayerSpec = LayerSpec {
    name: "Upsample",
    params: &[
        Param::optional("size", ArgType::OptIntList, DefaultValue::None).min(0.0),
        Param::optional("scale_factor", ArgType::OptFloatList, DefaultValue::None).min(0.0),
        Param::optional(
            "mode",
            ArgType::Choice { rust_enum: "UpsampleMode", options: UPSAMPLE_MODES },
            DefaultValue::Str("nearest"),
        ),
        Param::optional("align_corners", ArgType::OptBool, DefaultValue::None),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: upsample_shape,
    tensors: no_tensors,
};

/// `nn.Embedding`. Its input holds int64 indices.
pub static EMBEDDING: LayerSpec = LayerSpec {
    name: "Embedding",
    params: &[
        Param::required("num_embeddings", ArgType::Int).min(1.0),
        Param::required("embedding_dim", ArgType::Int).min(1.0),
        Param::optional("padding_idx", ArgType::OptInt, DefaultValue::None),
    ],
    config: Some("EmbeddingConfig"),
    init_params: &["weight"],
    uses_train: false,
    inputs: 1,
    infer: embedding_shape,
    tensors: embedding_tensors,
};

/// `nn.PixelShuffle`.
pub static PIXEL_SHUFFLE: LayerSpec = LayerSpec {
    name: "PixelShuffle",
    params: &[Param::required("upscale_factor", ArgType::Int).min(1.0)],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: pixel_shuffle_shape,
    tensors: no_tensors,
};

/// torchvision's `Permute` module (`torchvision.ops.misc.Permute`): `x.permute(dims)`.
pub static PERMUTE: LayerSpec = LayerSpec {
    name: "Permute",
    params: &[Param::required("dims", ArgType::IntList)],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: permute_shape,
    tensors: no_tensors,
};

fn permute_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let dims = ctx.args.ints("dims").to_vec();
    match crate::ops::permute(&ctx.input.shape, &dims) {
        Ok(shape) => Some(shape),
        Err(message) => {
            let span = ctx.args.span("dims");
            ctx.errors.push(
                Error::new(Code::ArgumentValue, format!("`{}`: {message}", ctx.path), span, "dims")
                    .with_related(ctx.input.span, ctx.input.note())
                    .with_help("list every dimension of the input once"),
            );
            None
        }
    }
}

/// `nn.ChannelShuffle`: splits the channels (dimension 1) into `groups` and interleaves them.
pub static CHANNEL_SHUFFLE: LayerSpec = LayerSpec {
    name: "ChannelShuffle",
    params: &[Param::required("groups", ArgType::Int).min(1.0)],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: channel_shuffle_shape,
    tensors: no_tensors,
};

/// A padding layer over the last `$d` dimensions: `padding` holds a (before, after) pair for each,
/// the last dimension first (`(left, right, top, bottom)` for 2-D), or one integer for all;
/// negative values crop. The `ConstantPad` layers take the fill `value` too.
macro_rules! pad_layer {
    ($static:ident, $name:literal, $d:literal, [$($value:expr)?]) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[Param::required("padding", ArgType::Ints(2 * $d)) $(, $value)?],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: |ctx| pad_shape($d, PadMode::Constant, ctx),
            tensors: no_tensors,
        };
    };
}

pad_layer!(ZERO_PAD1D, "ZeroPad1d", 1, []);
pad_layer!(ZERO_PAD2D, "ZeroPad2d", 2, []);
pad_layer!(ZERO_PAD3D, "ZeroPad3d", 3, []);
pad_layer!(CONSTANT_PAD1D, "ConstantPad1d", 1, [Param::required("value", ArgType::Float)]);
pad_layer!(CONSTANT_PAD2D, "ConstantPad2d", 2, [Param::required("value", ArgType::Float)]);
pad_layer!(CONSTANT_PAD3D, "ConstantPad3d", 3, [Param::required("value", ArgType::Float)]);

/// A padding layer that fills from the input itself: `mode` is "reflect", "replicate" or
/// "circular", as `F.pad` names it.
macro_rules! mode_pad_layer {
    ($static:ident, $name:literal, $d:literal, $mode:ident) => {
        #[doc = concat!("`nn.", $name, "`.")]
        pub static $static: LayerSpec = LayerSpec {
            name: $name,
            params: &[Param::required("padding", ArgType::Ints(2 * $d)).min(0.0)],
            config: None,
            init_params: &[],
            uses_train: false,
            inputs: 1,
            infer: |ctx| pad_shape($d, PadMode::$mode, ctx),
            tensors: no_tensors,
        };
    };
}

mode_pad_layer!(REFLECTION_PAD1D, "ReflectionPad1d", 1, Reflect);
mode_pad_layer!(REFLECTION_PAD2D, "ReflectionPad2d", 2, Reflect);
mode_pad_layer!(REFLECTION_PAD3D, "ReflectionPad3d", 3, Reflect);
mode_pad_layer!(REPLICATION_PAD1D, "ReplicationPad1d", 1, Replicate);
mode_pad_layer!(REPLICATION_PAD2D, "ReplicationPad2d", 2, Replicate);
mode_pad_layer!(REPLICATION_PAD3D, "ReplicationPad3d", 3, Replicate);
mode_pad_layer!(CIRCULAR_PAD1D, "CircularPad1d", 1, Circular);
mode_pad_layer!(CIRCULAR_PAD2D, "CircularPad2d", 2, Circular);
mode_pad_layer!(CIRCULAR_PAD3D, "CircularPad3d", 3, Circular);

/// `nn.PixelUnshuffle`: `[*, C, H * r, W * r]` to `[*, C * r², H, W]`.
pub static PIXEL_UNSHUFFLE: LayerSpec = LayerSpec {
    name: "PixelUnshuffle",
    params: &[Param::required("downscale_factor", ArgType::Int).min(1.0)],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: pixel_unshuffle_shape,
    tensors: no_tensors,
};

fn arg_error(
    ctx: &mut ShapeCtx<'_>,
    arg: &str,
    message: String,
    label: &str,
    help: &str,
) -> Option<Shape> {
    let span = ctx.args.span(arg);
    ctx.errors.push(
        Error::new(Code::ArgumentValue, format!("`{}`: {message}", ctx.path), span, label)
            .with_related(ctx.input.span, ctx.input.note())
            .with_help(help),
    );
    None
}

fn unflatten_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    let dim = ctx.args.int("dim")?;
    let Some(d) = normalize_dim(dim, rank) else {
        let message = format!("dim {dim} is out of range for a rank-{rank} input");
        return arg_error(
            ctx,
            "dim",
            message,
            "out of range",
            "dimensions count from 0, or from -1 at the back",
        );
    };
    let size = ctx.known_dim(d, "size")?;
    let sizes = ctx.args.ints("unflattened_size").to_vec();
    let unknown = sizes.iter().filter(|&&s| s == -1).count();
    let Some(known) = sizes.iter().filter(|&&s| s != -1).try_fold(1i64, |n, &s| n.checked_mul(s))
    else {
        return ctx.overflow();
    };
    let resolved: Vec<i64> = if unknown > 1 || (unknown == 1 && (known == 0 || size % known != 0)) {
        Vec::new()
    } else {
        sizes.iter().map(|&s| if s == -1 { size / known.max(1) } else { s }).collect()
    };
    let product = resolved.iter().try_fold(1i64, |n, &s| n.checked_mul(s));
    if resolved.is_empty() || product != Some(size) {
        let shown = ArgValue::Ints(sizes.into()).to_string();
        let message = format!(
            "unflattened_size {shown} does not multiply to the size {size} of dimension {d}"
        );
        return arg_error(
            ctx,
            "unflattened_size",
            message,
            "wrong sizes",
            "the sizes must multiply to the size of the dimension; one may be -1",
        );
    }
    let mut dims = ctx.input.shape.0[..d].to_vec();
    dims.extend(resolved.into_iter().map(Dim::Known));
    dims.extend_from_slice(&ctx.input.shape.0[d + 1..]);
    Some(Shape::from(dims))
}

fn upsample_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[3, 4, 5], "[N, C, L], [N, C, H, W] or [N, C, D, H, W]")?;
    let rank = ctx.input.shape.rank();
    let spatial = rank - 2;
    let mode = ctx.args.str("mode").to_string();
    let needed = match mode.as_str() {
        "linear" => Some(3),
        "bilinear" | "bicubic" => Some(4),
        "trilinear" => Some(5),
        _ => None,
    };
    if let Some(needed) = needed.filter(|&n| n != rank) {
        let message =
            format!("mode \"{mode}\" needs a rank-{needed} input, but receives rank {rank}");
        return arg_error(ctx, "mode", message, "wrong mode for this input", "use \"linear\" for 3-d, \"bilinear\" or \"bicubic\" for 4-d, \"trilinear\" for 5-d inputs");
    }
    if mode == "nearest" && *ctx.args.get("align_corners") != ArgValue::None {
        let message = "align_corners can only be set with the interpolating modes".to_string();
        return arg_error(
            ctx,
            "align_corners",
            message,
            "not for \"nearest\"",
            "remove align_corners, or choose an interpolating mode",
        );
    }
    let size = ctx.args.get("size").clone();
    let scale = ctx.args.get("scale_factor").clone();
    let targets: Vec<Result<i64, f64>> = match (&size, &scale) {
        (ArgValue::Ints(s), ArgValue::None) if s.len() == 1 || s.len() == spatial => {
            (0..spatial).map(|i| Ok(s[i.min(s.len() - 1)])).collect()
        }
        (ArgValue::None, ArgValue::Floats(f)) if f.len() == 1 || f.len() == spatial => {
            (0..spatial).map(|i| Err(f[i.min(f.len() - 1)])).collect()
        }
        (ArgValue::None, ArgValue::None) => {
            return arg_error(
                ctx,
                "size",
                "either size or scale_factor must be given".into(),
                "neither given",
                "write `size=...` or `scale_factor=...`",
            )
        }
        (ArgValue::Ints(_), ArgValue::Floats(_)) => {
            return arg_error(
                ctx,
                "scale_factor",
                "only one of size and scale_factor may be given".into(),
                "both given",
                "remove one of them",
            )
        }
        (ArgValue::Ints(_), _) => {
            let message = format!("size needs 1 or {spatial} entries for a rank-{rank} input");
            return arg_error(
                ctx,
                "size",
                message,
                "wrong length",
                "give one size per spatial dimension",
            );
        }
        _ => {
            let message =
                format!("scale_factor needs 1 or {spatial} entries for a rank-{rank} input");
            return arg_error(
                ctx,
                "scale_factor",
                message,
                "wrong length",
                "give one factor per spatial dimension",
            );
        }
    };
    let mut dims = ctx.input.shape.0.to_vec();
    for (i, target) in targets.into_iter().enumerate() {
        let out = match target {
            Ok(size) => size,
            Err(factor) => {
                let input = match ctx.followed_dim(2 + i, "size")? {
                    Dim::Known(n) => n,
                    Dim::Symbolic(Sym::Floor(size)) => {
                        // An integral factor scales the size exactly; others are not followed.
                        let whole = (factor.fract() == 0.0 && (1.0..1e9).contains(&factor))
                            .then_some(factor as i64);
                        let out = whole.and_then(|k| size.mul(k));
                        dims[2 + i] = ctx.follow("size", &size, out)?;
                        continue;
                    }
                    Dim::Symbolic(Sym::Opaque(_)) => return None,
                };
                let out = (input as f64 * factor).floor();
                // `i64::MAX as f64` rounds up to 2^63, the first float past i64::MAX.
                if !out.is_finite() || out >= i64::MAX as f64 {
                    return ctx.overflow();
                }
                out as i64
            }
        };
        if out < 1 {
            let arg = if *ctx.args.get("size") == ArgValue::None { "scale_factor" } else { "size" };
            let message = format!("the output would have size {out} in spatial dimension {i}");
            return arg_error(
                ctx,
                arg,
                message,
                "output size below 1",
                "output sizes must be at least 1",
            );
        }
        dims[2 + i] = Dim::Known(out);
    }
    Some(Shape::from(dims))
}

fn embedding_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let n = ctx.args.int("num_embeddings")?;
    if let Some(idx) = ctx.args.int("padding_idx") {
        if !(-n..n).contains(&idx) {
            let message = format!("padding_idx {idx} must be within num_embeddings ({n})");
            return arg_error(ctx, "padding_idx", message, "out of range", "padding_idx indexes a row of the embedding table; negative values count from the end");
        }
    }
    let mut dims = ctx.input.shape.0.to_vec();
    dims.push(Dim::Known(ctx.args.int("embedding_dim")?));
    Some(Shape::from(dims))
}

fn embedding_tensors(args: &BoundArgs) -> Vec<Tensor> {
    let n = args.int("num_embeddings").unwrap_or(0);
    let d = args.int("embedding_dim").unwrap_or(0);
    vec![Tensor::parameter("weight", smallvec![n, d])]
}

fn pixel_shuffle_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    if rank < 3 {
        ctx.expect_rank(&[3, 4], "[N, C, H, W] or [C, H, W]")?;
    }
    let r = ctx.args.int("upscale_factor")?;
    let c = ctx.known_dim(rank - 3, "number of channels")?;
    let h = ctx.known_dim(rank - 2, "height")?;
    let w = ctx.known_dim(rank - 1, "width")?;
    let (Some(rr), Some(hr), Some(wr)) = (r.checked_mul(r), h.checked_mul(r), w.checked_mul(r))
    else {
        return ctx.overflow();
    };
    if c % rr != 0 {
        return indivisible_channels(ctx, ("upscale_factor", r), &format!("{r}² = {rr}"), rr, c);
    }
    let mut dims = ctx.input.shape.0.to_vec();
    dims[rank - 3] = Dim::Known(c / rr);
    dims[rank - 2] = Dim::Known(hr);
    dims[rank - 1] = Dim::Known(wr);
    Some(Shape::from(dims))
}

fn channel_shuffle_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    if ctx.input.shape.rank() < 3 {
        ctx.expect_rank(&[3, 4, 5], "[N, C, *] with at least one dimension after C")?;
    }
    let groups = ctx.args.int("groups")?;
    let c = ctx.known_dim(1, "number of channels")?;
    if c % groups != 0 {
        return indivisible_channels(ctx, ("groups", groups), &groups.to_string(), groups, c);
    }
    Some(ctx.input.shape.clone())
}

/// Reports `c` channels that `divisor` (written as `shown`, and set by the argument `arg`) does
/// not divide.
fn indivisible_channels(
    ctx: &mut ShapeCtx<'_>,
    (arg, value): (&str, i64),
    shown: &str,
    divisor: i64,
    c: i64,
) -> Option<Shape> {
    let span = ctx.args.span(arg);
    ctx.errors.push(
        Error::new(
            Code::Channels,
            format!("`{}` needs channels divisible by {shown}, but receives {c}", ctx.path),
            span,
            format!("{arg} = {value}"),
        )
        .with_related(ctx.input.span, ctx.input.note())
        .with_help(format!("{c} % {divisor} = {}", c % divisor)),
    );
    None
}

/// How a padding layer fills the added elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PadMode {
    /// Zeros or a constant; negative padding crops.
    Constant,
    Reflect,
    Replicate,
    Circular,
}

/// The padded shape. Constant padding may be negative, cropping each side before the other
/// side's padding is added, down to nothing; reflect padding must be smaller than the size it
/// reflects, circular padding at most that size (it wraps around once), and replicate padding
/// needs a size of at least 1, as PyTorch requires. Reflect, replicate and circular padding are
/// not negative: PyTorch crops with negative values there in ways that depend on the mode.
fn pad_shape(d: usize, mode: PadMode, ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let what =
        ["[N, C, L] or [C, L]", "[N, C, H, W] or [C, H, W]", "[N, C, D, H, W] or [C, D, H, W]"];
    ctx.expect_rank(&[d + 1, d + 2], what[d - 1])?;
    let rank = ctx.input.shape.rank();
    let padding = ctx.args.ints("padding").to_vec();
    let mut dims = ctx.input.shape.0.to_vec();
    // The pairs start with the last dimension.
    for (pair, dim) in padding.chunks(2).zip((rank - d..rank).rev()) {
        let widest = pair[0].max(pair[1]);
        let added = pair[0].checked_add(pair[1]);
        let cropped = pair[0].min(0).checked_add(pair[1].min(0));
        // The least size this padding takes.
        let least = match mode {
            PadMode::Constant => added
                .and_then(i64::checked_neg)
                .zip(cropped.and_then(i64::checked_neg))
                .map(|(a, c)| a.max(c).max(0)),
            PadMode::Reflect => widest.checked_add(1),
            PadMode::Circular => Some(widest.max(1)),
            PadMode::Replicate => Some(1),
        };
        let (Some(added), Some(least)) = (added, least) else { return ctx.overflow() };
        dims[dim] = match ctx.followed_dim(dim, "size")? {
            Dim::Known(size) if size < least => {
                let message = match mode {
                    PadMode::Constant => format!(
                        "negative padding crops dimension {dim} of size {size} to {}",
                        size.saturating_add(added)
                    ),
                    PadMode::Reflect => format!("padding {widest} of dimension {dim}, of size {size}: reflect padding must be smaller than the size"),
                    PadMode::Circular => format!("padding {widest} of dimension {dim}, of size {size}: circular padding may be at most the size"),
                    PadMode::Replicate => format!("padding {widest} of dimension {dim}, of size {size}: replicate padding needs a size of at least 1"),
                };
                let (label, help) = match mode {
                    PadMode::Constant => {
                        ("crops too much", "negative padding may crop at most the whole input")
                    }
                    _ => ("too much padding", "pad less, or pad a larger input"),
                };
                return arg_error(ctx, "padding", message, label, help);
            }
            Dim::Known(size) => match size.checked_add(added) {
                Some(out) => Dim::Known(out),
                None => return ctx.overflow(),
            },
            Dim::Symbolic(Sym::Floor(size)) => {
                let Some(at_least) = size.least_input_for(least) else { return ctx.overflow() };
                if at_least > 1 {
                    ctx.rules
                        .push(SizeRule::AtLeast { name: size.name.to_string(), least: at_least });
                }
                ctx.follow("size", &size, size.add(added))?
            }
            Dim::Symbolic(Sym::Opaque(_)) => return None,
        };
    }
    Some(Shape::from(dims))
}

fn pixel_unshuffle_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    if rank < 3 {
        ctx.expect_rank(&[3, 4], "[N, C, H, W] or [C, H, W]")?;
    }
    let r = ctx.args.int("downscale_factor")?;
    let c = ctx.known_dim(rank - 3, "number of channels")?;
    let Some(channels) = r.checked_mul(r).and_then(|rr| rr.checked_mul(c)) else {
        return ctx.overflow();
    };
    let mut dims = ctx.input.shape.0.to_vec();
    dims[rank - 3] = Dim::Known(channels);
    for (dim, name) in [(rank - 2, "height"), (rank - 1, "width")] {
        dims[dim] = match ctx.followed_dim(dim, name)? {
            Dim::Known(size) if size % r != 0 => {
                let message = format!("the {name} {size} is not divisible by downscale_factor {r}");
                return arg_error(
                    ctx,
                    "downscale_factor",
                    message,
                    "does not divide",
                    "the height and width must be multiples of the factor",
                );
            }
            Dim::Known(size) => Dim::Known(size / r),
            Dim::Symbolic(Sym::Floor(size)) => {
                // `H // r`, where PyTorch requires `H` to be a multiple of `r`.
                let quotient = size.floor_div(r);
                let whole = Dim::Symbolic(Sym::Floor(size));
                let exact = quotient.as_ref().and_then(|q| q.mul(r));
                match exact.map(|e| agreement(&Dim::Symbolic(Sym::Floor(e)), &whole)) {
                    Some(Agreement::Always) => {}
                    Some(Agreement::When(rule)) => ctx.rules.push(rule),
                    _ => {
                        let message = format!("the {name} {size} is never a multiple of {r}");
                        return arg_error(
                            ctx,
                            "downscale_factor",
                            message,
                            "does not divide",
                            "the height and width must be multiples of the factor",
                        );
                    }
                }
                ctx.follow(name, &size, quotient)?
            }
            Dim::Symbolic(Sym::Opaque(_)) => return None,
        };
    }
    Some(Shape::from(dims))
}
