//! The layer catalogue: for each `torch.nn` layer, its signature, its shape rule and its
//! parameters and buffers. Adding a layer is one entry here (and its runtime struct in the `cnnc`
//! crate).

mod activation;
mod attention;
mod conv;
mod fold;
mod linear;
mod norm;
mod pool;
mod reshape;
mod simple;

pub(crate) use simple::flatten as simple_flatten;

use std::rc::Rc;
use std::sync::OnceLock;

use cnnc_syntax::Span;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::args::{ArgValue, BoundArgs, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::Tensor;
use crate::shape::{Dim, FloorSize, Shape, SizeRule, Sym};

/// What the catalogue knows about one layer kind.
#[derive(Debug)]
pub struct LayerSpec {
    /// The `torch.nn` class name, such as `Conv2d`.
    pub name: &'static str,
    /// The constructor signature, in `torch.nn` order.
    pub params: &'static [Param],
    /// For layers with parameters or buffers, the name of the runtime config struct they are
    /// built from (`Conv2d::new(vs, Conv2dConfig { .. })`); `None` for plain structs
    /// (`ReLU { inplace: true }`).
    pub config: Option<&'static str>,
    /// The parameters whose initialisation the runtime config takes as `<name>_init` fields.
    pub init_params: &'static [&'static str],
    /// Whether the forward pass depends on training mode (dropout, batch norm).
    pub uses_train: bool,
    /// The number of tensors the forward pass takes: 1, or 2 for `Bilinear`.
    pub inputs: usize,
    /// The output shape for an input shape; fills in inferred (`_`) arguments.
    pub infer: fn(&mut ShapeCtx<'_>) -> Option<Shape>,
    /// The parameters and buffers, in PyTorch's registration order.
    pub tensors: fn(&BoundArgs) -> Vec<Tensor>,
}

/// Every layer kind, by name.
pub static CATALOGUE: &[&LayerSpec] = &[
    &conv::CONV1D,
    &conv::CONV2D,
    &conv::CONV3D,
    &conv::CONV_TRANSPOSE1D,
    &conv::CONV_TRANSPOSE2D,
    &conv::CONV_TRANSPOSE3D,
    &pool::MAX_POOL1D,
    &pool::MAX_POOL2D,
    &pool::MAX_POOL3D,
    &pool::AVG_POOL1D,
    &pool::AVG_POOL2D,
    &pool::AVG_POOL3D,
    &pool::ADAPTIVE_AVG_POOL1D,
    &pool::ADAPTIVE_AVG_POOL2D,
    &pool::ADAPTIVE_AVG_POOL3D,
    &pool::ADAPTIVE_MAX_POOL1D,
    &pool::ADAPTIVE_MAX_POOL2D,
    &pool::ADAPTIVE_MAX_POOL3D,
    &norm::BATCH_NORM1D,
    &norm::BATCH_NORM2D,
    &norm::BATCH_NORM3D,
    &norm::INSTANCE_NORM1D,
    &norm::INSTANCE_NORM2D,
    &norm::INSTANCE_NORM3D,
    &norm::LAYER_NORM,
    &norm::LAYER_NORM2D,
    &norm::GROUP_NORM,
    &simple::DROPOUT,
    &simple::DROPOUT1D,
    &simple::DROPOUT2D,
    &simple::DROPOUT3D,
    &simple::STOCHASTIC_DEPTH,
    &simple::PARAMETER,
    &activation::RELU,
    &activation::RELU6,
    &activation::LEAKY_RELU,
    &activation::PRELU,
    &activation::SOFTPLUS,
    &activation::SOFTMIN,
    &activation::HARDTANH,
    &activation::SELU,
    &activation::CELU,
    &activation::LOG_SIGMOID,
    &activation::SOFTSIGN,
    &activation::TANHSHRINK,
    &activation::HARDSHRINK,
    &activation::SOFTSHRINK,
    &activation::GLU,
    &activation::ELU,
    &activation::GELU,
    &activation::SILU,
    &activation::MISH,
    &activation::SIGMOID,
    &activation::TANH,
    &activation::HARDSWISH,
    &activation::HARDSIGMOID,
    &activation::SOFTMAX,
    &activation::LOG_SOFTMAX,
    &linear::LINEAR,
    &linear::BILINEAR,
    &attention::MULTIHEAD_ATTENTION,
    &attention::SHIFTED_WINDOW_ATTENTION,
    &simple::IDENTITY,
    &simple::FLATTEN,
    &reshape::UNFLATTEN,
    &reshape::UPSAMPLE,
    &reshape::EMBEDDING,
    &reshape::PIXEL_SHUFFLE,
    &reshape::CHANNEL_SHUFFLE,
    &reshape::PERMUTE,
    &reshape::ZERO_PAD1D,
    &reshape::ZERO_PAD2D,
    &reshape::ZERO_PAD3D,
    &reshape::CONSTANT_PAD1D,
    &reshape::CONSTANT_PAD2D,
    &reshape::CONSTANT_PAD3D,
    &reshape::REFLECTION_PAD1D,
    &reshape::REFLECTION_PAD2D,
    &reshape::REFLECTION_PAD3D,
    &reshape::REPLICATION_PAD1D,
    &reshape::REPLICATION_PAD2D,
    &reshape::REPLICATION_PAD3D,
    &reshape::CIRCULAR_PAD1D,
    &reshape::CIRCULAR_PAD2D,
    &reshape::CIRCULAR_PAD3D,
    &reshape::PIXEL_UNSHUFFLE,
    &norm::LOCAL_RESPONSE_NORM,
    &fold::UNFOLD,
    &fold::FOLD,
];

/// Looks a layer kind up by its `torch.nn` name.
pub fn lookup(name: &str) -> Option<&'static LayerSpec> {
    // A model names a layer kind for each of its layers: a table, not a scan of the catalogue.
    static BY_NAME: OnceLock<FxHashMap<&'static str, &'static LayerSpec>> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| CATALOGUE.iter().map(|spec| (spec.name, *spec)).collect());
    by_name.get(name).copied()
}

/// Whether a tensor is a trainable parameter or a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorKind {
    /// A trainable parameter (`named_parameters`).
    Parameter,
    /// A buffer, such as BatchNorm's running statistics (`named_buffers`).
    Buffer,
}

/// The element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float.
    Float,
    /// 64-bit integer.
    Int64,
}

/// A parameter or buffer of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorDef {
    /// The local name, such as `weight`.
    pub name: &'static str,
    /// The shape.
    pub dims: TensorDims,
    /// Parameter or buffer.
    pub kind: TensorKind,
    /// Element type.
    pub dtype: DType,
}

/// The sizes of a tensor; those of up to four dimensions (every layer's but a few) are stored
/// inline.
pub type TensorDims = smallvec::SmallVec<[i64; 4]>;

impl TensorDef {
    /// A float parameter.
    pub fn parameter(name: &'static str, dims: TensorDims) -> TensorDef {
        TensorDef { name, dims, kind: TensorKind::Parameter, dtype: DType::Float }
    }

    /// A buffer.
    pub fn buffer(name: &'static str, dims: TensorDims, dtype: DType) -> TensorDef {
        TensorDef { name, dims, kind: TensorKind::Buffer, dtype }
    }

    /// The number of elements. The checker rejects tensors whose count overflows 64 bits, so
    /// on a checked layer this is exact; otherwise it saturates.
    pub fn numel(&self) -> i64 {
        self.checked_numel().unwrap_or(i64::MAX)
    }

    /// The number of elements, or `None` when it does not fit in 64 bits.
    pub fn checked_numel(&self) -> Option<i64> {
        self.dims.iter().try_fold(1i64, |n, &d| n.checked_mul(d))
    }
}

/// A tensor value flowing through the network, with where its shape came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The shape.
    pub shape: Shape,
    /// The source text that produced the value.
    pub span: Span,
    /// How the value got its shape, such as "`layer3` outputs [N, 128, 4, 4]".
    pub note: Note,
}

/// How a value got its shape, written out only when a message shows it: the shape it names is
/// the flow's own.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// A finished text.
    Text(String),
    /// The named layer or child outputs the value: "`layer3` outputs [N, 128, 4, 4]".
    Outputs(Rc<str>),
    /// The value is what the text names: "input `x` is [N, 3, 224, 224]".
    Is(String),
    /// The value is the input of the block used at the path: "the input of `layer1.0` is
    /// [N, 64, 56, 56]".
    InputOf(Rc<str>),
    /// What the text names computes the value: "`+` gives [N, 256, 56, 56]".
    Gives(String),
    /// What the text names computes the value from one of the given shape: "`flatten`
    /// turns [N, 2048, 1, 1] into [N, 2048]".
    Turns(Box<(String, Shape)>),
}

impl Flow {
    /// The note as messages show it.
    pub fn note(&self) -> String {
        let shape = &self.shape;
        match &self.note {
            Note::Text(text) => text.clone(),
            Note::Outputs(name) => format!("`{name}` outputs {shape}"),
            Note::Is(what) => format!("{what} is {shape}"),
            Note::InputOf(path) => format!("the input of `{path}` is {shape}"),
            Note::Gives(what) => format!("{what} gives {shape}"),
            Note::Turns(turns) => format!("{} turns {} into {shape}", turns.0, turns.1),
        }
    }
}

/// What a layer's shape rule works with.
pub struct ShapeCtx<'a> {
    /// The layer's dotted path, such as `layer4.fc1`.
    pub path: &'a str,
    /// The layer's kind.
    pub spec: &'static LayerSpec,
    /// The bound arguments; inferred values are written back.
    pub args: &'a mut BoundArgs,
    /// The incoming value.
    pub input: &'a Flow,
    /// The values after the first, for a layer of several inputs.
    pub more_inputs: &'a [Flow],
    /// The model's declared input shape, for help lines.
    pub model_input: &'a Shape,
    /// Where problems are reported.
    pub errors: &'a mut Vec<Error>,
    /// The input sizes the layer needs, where its input has run-time sizes.
    pub rules: Vec<SizeRule>,
}

impl ShapeCtx<'_> {
    pub(crate) fn error<T>(&mut self, error: Error) -> Option<T> {
        self.errors.push(error);
        None
    }

    /// The incoming value as a related label.
    pub(crate) fn origin(&self) -> (Span, String) {
        (self.input.span, self.input.note())
    }

    /// Requires the input rank to be one of `ranks`; `what` describes them, like
    /// "[N, C, H, W] or [C, H, W]".
    pub fn expect_rank(&mut self, ranks: &[usize], what: &str) -> Option<()> {
        let rank = self.input.shape.rank();
        if ranks.contains(&rank) {
            return Some(());
        }
        let (span, note) = self.origin();
        let path = self.path.to_string();
        let kind = self.spec.name;
        self.error(
            Error::new(
                Code::Rank,
                format!(
                    "`{path}` ({kind}) expects an input of shape {what}, but receives {} (rank {rank})",
                    self.input.shape
                ),
                self.args.call_span,
                format!("expects {what}"),
            )
            .with_related(span, note)
            .with_help(format!("{kind} takes {what}; check the layers and ops that run before `{path}`")),
        )
    }

    /// The size of input dimension `index`, which must be known; `what` names it in messages.
    pub fn known_dim(&mut self, index: usize, what: &str) -> Option<i64> {
        match &self.input.shape.0[index] {
            Dim::Known(n) => Some(*n),
            Dim::Symbolic(name) => {
                let (span, note) = self.origin();
                let name = *name;
                let path = self.path.to_string();
                self.error(
                    Error::new(
                        Code::SymbolicSize,
                        format!(
                            "`{path}` needs a known {what}, but it is the run-time size `{name}`"
                        ),
                        self.args.call_span,
                        format!("needs a known {what}"),
                    )
                    .with_related(span, note)
                    .with_help(format!(
                        "declare a fixed size instead of `{name}` in the model's `input`"
                    )),
                )
            }
        }
    }

    /// Input dimension `index`: known, or a run-time size the checker follows through the
    /// layer. A size made of several run-time sizes (`N*C`) is reported, as by [`Self::known_dim`].
    pub fn followed_dim(&mut self, index: usize, what: &str) -> Option<Dim> {
        match &self.input.shape.0[index] {
            Dim::Symbolic(Sym::Opaque(_)) => self.known_dim(index, what).map(Dim::Known),
            dim => Some(*dim),
        }
    }

    /// The output size `out` that the layer computes from the run-time size `input` along
    /// `axis`. The input sizes for which it is below 1 are ruled out; `None` (no form the checker
    /// follows, or an overflow) is reported.
    pub fn follow(&mut self, axis: &str, input: &FloorSize, out: Option<FloorSize>) -> Option<Dim> {
        let Some(out) = out else {
            let (span, note) = self.origin();
            let path = self.path.to_string();
            return self.error(
                Error::new(
                    Code::SymbolicSize,
                    format!(
                        "`{path}` makes a {axis} from the run-time size {input} that the checker cannot follow"
                    ),
                    self.args.call_span,
                    format!("{axis} from {input}"),
                )
                .with_related(span, note)
                .with_help(format!(
                    "declare a fixed size for `{}` in the model's `input`, or make the strides divide the upsampling factors",
                    input.name
                )),
            );
        };
        let Some(least) = out.least_input_for(1) else { return self.overflow() };
        if least > 1 {
            self.rules.push(SizeRule::AtLeast { name: out.name.to_string(), least });
        }
        Some(Dim::Symbolic(Sym::Floor(out)))
    }

    /// Checks that an integer argument (such as `in_channels`) equals the incoming size `actual`,
    /// or infers it when written as `_`. `code` and `what` ("input channels") shape the message.
    pub fn match_or_infer(
        &mut self,
        arg: &str,
        actual: i64,
        code: Code,
        what: &str,
    ) -> Option<i64> {
        match self.args.get(arg) {
            ArgValue::Infer => {
                if actual < 1 {
                    let (span, note) = self.origin();
                    let path = self.path.to_string();
                    return self.error(
                        Error::new(
                            Code::Infer,
                            format!(
                                "cannot infer `{arg}` of `{path}`: it receives {actual} {what}"
                            ),
                            self.args.span(arg),
                            "inferred from the input",
                        )
                        .with_related(span, note),
                    );
                }
                self.args.set(arg, ArgValue::Int(actual));
                Some(actual)
            }
            ArgValue::Int(declared) if *declared == actual => Some(actual),
            ArgValue::Int(declared) => {
                let declared = *declared;
                let (span, note) = self.origin();
                let path = self.path.to_string();
                let fixed = self.rewrite_call(arg, &actual.to_string());
                let inferred = self.rewrite_call(arg, "_");
                let written = self.args.span(arg);
                let mut error = Error::new(
                    code,
                    format!("`{path}` expects {declared} {what}, but receives {actual}"),
                    written,
                    format!("declared {arg} = {declared}"),
                )
                .with_related(span, note)
                .with_help(format!(
                    "the input is {}; write `{fixed}`, or `{inferred}` to infer it",
                    self.model_input
                ));
                if written != self.args.call_span {
                    error = error.with_fix(written, actual.to_string());
                }
                self.error(error)
            }
            other => panic!("`{arg}` is not an integer: {other:?}"),
        }
    }

    /// The call as the user would write it, with `arg` replaced by `text`.
    fn rewrite_call(&self, arg: &str, text: &str) -> String {
        self.args.call_text(self.spec.name, Some((arg, text)))
    }

    /// Reports an arithmetic overflow while computing a size.
    pub fn overflow<T>(&mut self) -> Option<T> {
        let path = self.path.to_string();
        self.error(
            Error::new(
                Code::Overflow,
                format!("the output size of `{path}` overflows 64-bit integers"),
                self.args.call_span,
                "size overflows",
            )
            .with_related(self.input.span, self.input.note())
            .with_help("sizes must fit in 64 bits; check the arguments of this layer"),
        )
    }

    /// Reports that a window does not fit into an input along `axis` ("height", or "height and
    /// width" when both fail alike).
    fn collapse(&mut self, axis: &str, input: i64, w: Window, padded: i64, effective: i64) {
        let (span, note) = self.origin();
        let path = self.path.to_string();
        let Window { kernel, padding, dilation, .. } = w;
        let arithmetic = if dilation == 1 {
            format!("{input} + 2 × {padding} = {padded}, smaller than the kernel size {kernel}")
        } else {
            format!(
                "{input} + 2 × {padding} = {padded}, smaller than the dilated kernel \
                 {dilation} × ({kernel} − 1) + 1 = {effective}"
            )
        };
        let kernel_span = self.args.span("kernel_size");
        self.errors.push(
            Error::new(
                Code::Collapse,
                format!(
                    "`{path}` shrinks the {axis} below 1: the {axis} it receives {} only {input}",
                    if axis.contains(" and ") { "are" } else { "is" }
                ),
                kernel_span,
                format!("{axis}: {arithmetic}"),
            )
            .with_related(span, note)
            .with_help(format!(
                "the input is {}; use a smaller kernel, add padding, remove a downsampling step \
                 before `{path}`, or feed a larger input",
                self.model_input
            )),
        );
    }
}

/// The number of positions of window `w` along a size, if at least one fits.
pub(crate) fn blocks_along(size: i64, w: Window) -> Option<i64> {
    window_output(size, w).ok()
}

/// Why a window does not give an output size.
enum WindowFailure {
    Overflow,
    /// The padded input is smaller than the (dilated) kernel.
    Collapse {
        padded: i64,
        effective: i64,
    },
}

/// One spatial output size of a convolution or pooling window, with PyTorch's formula
/// (`pooling_output_shape`): `⌊(in + 2·padding − dilation·(kernel − 1) − 1 [+ stride − 1 with
/// ceil_mode]) / stride⌋ + 1`, where `ceil_mode` never starts a window in the right padding.
/// Convolutions (no `ceil_mode`) also need the padded input to hold the dilated kernel.
fn window_output(input: i64, w: Window) -> Result<i64, WindowFailure> {
    let Window { kernel, stride, padding, dilation, ceil_mode } = w;
    let effective = dilation.checked_mul(kernel - 1).and_then(|x| x.checked_add(1));
    let padded = padding.checked_mul(2).and_then(|p| p.checked_add(input));
    let (Some(effective), Some(padded)) = (effective, padded) else {
        return Err(WindowFailure::Overflow);
    };
    let rounding = if ceil_mode { stride - 1 } else { 0 };
    let numerator = (padded - effective).checked_add(rounding).ok_or(WindowFailure::Overflow)?;
    let mut out = numerator.div_euclid(stride) + 1;
    if ceil_mode && (out - 1) * stride >= input + padding {
        out -= 1;
    }
    if out < 1 {
        return Err(WindowFailure::Collapse { padded, effective });
    }
    Ok(out)
}

/// The windows of a layer, one per spatial axis (up to three inline).
pub type Windows = SmallVec<[Window; 3]>;

/// The geometry of a convolution or pooling window along one axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Kernel size.
    pub kernel: i64,
    /// Stride.
    pub stride: i64,
    /// Zero padding on each side.
    pub padding: i64,
    /// Spacing between kernel elements.
    pub dilation: i64,
    /// Whether to round the output size up.
    pub ceil_mode: bool,
}

/// The names of the last `d` dimensions, as used in messages.
pub(crate) fn axis_names(d: usize) -> &'static [&'static str] {
    match d {
        1 => &["length"],
        2 => &["height", "width"],
        _ => &["depth", "height", "width"],
    }
}

/// Applies `window_output` to the last `windows.len()` dimensions of the input.
pub(crate) fn spatial(ctx: &mut ShapeCtx<'_>, windows: &[Window]) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    let first = rank - windows.len();
    let names = axis_names(windows.len());
    if ctx.input.shape.0[first..].iter().any(|d| matches!(d, Dim::Symbolic(Sym::Floor(_)))) {
        return run_time_spatial(ctx, windows);
    }
    let mut sizes: SmallVec<[i64; 3]> = SmallVec::new();
    for (i, name) in names.iter().enumerate() {
        sizes.push(ctx.known_dim(first + i, name)?);
    }
    let results: SmallVec<[_; 3]> =
        sizes.iter().zip(windows).map(|(&n, &w)| window_output(n, w)).collect();
    if results.iter().any(|r| matches!(r, Err(WindowFailure::Overflow))) {
        return ctx.overflow();
    }
    // Axes that fail alike (same input and window) are reported together.
    let mut reported: SmallVec<[bool; 3]> = smallvec::smallvec![false; results.len()];
    for i in 0..results.len() {
        let Err(WindowFailure::Collapse { padded, effective }) = results[i] else { continue };
        if reported[i] {
            continue;
        }
        let alike: Vec<usize> = (i..results.len())
            .filter(|&j| results[j].is_err() && sizes[j] == sizes[i] && windows[j] == windows[i])
            .collect();
        let axes: Vec<&str> = alike.iter().map(|&j| names[j]).collect();
        for &j in &alike {
            reported[j] = true;
        }
        let axis = match axes.as_slice() {
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => unreachable!(),
        };
        ctx.collapse(&axis, sizes[i], windows[i], padded, effective);
    }
    let outputs: SmallVec<[i64; 3]> = results.into_iter().collect::<Result<_, _>>().ok()?;
    let dims = ctx.input.shape.0.iter().enumerate();
    Some(dims.map(|(i, &d)| if i < first { d } else { Dim::Known(outputs[i - first]) }).collect())
}

/// [`spatial`] where some of the sizes are run-time sizes: each becomes a floor-affine function
/// of the input size it comes from, and the input sizes too small for the window are ruled out.
fn run_time_spatial(ctx: &mut ShapeCtx<'_>, windows: &[Window]) -> Option<Shape> {
    let rank = ctx.input.shape.rank();
    let first = rank - windows.len();
    let names = axis_names(windows.len());
    let mut dims = ctx.input.shape.0.to_vec();
    for (i, &w) in windows.iter().enumerate() {
        dims[first + i] = match ctx.followed_dim(first + i, names[i])? {
            Dim::Known(n) => match window_output(n, w) {
                Ok(out) => Dim::Known(out),
                Err(WindowFailure::Overflow) => return ctx.overflow(),
                Err(WindowFailure::Collapse { padded, effective }) => {
                    ctx.collapse(names[i], n, w, padded, effective);
                    return None;
                }
            },
            Dim::Symbolic(Sym::Floor(size)) => {
                let out = window_size(&size, w);
                ctx.follow(names[i], &size, out)?
            }
            Dim::Symbolic(Sym::Opaque(_)) => return None,
        };
    }
    Some(Shape::from(dims))
}

/// PyTorch's output size of a window over the run-time size `input`: `(input + 2p - e) // s + 1`
/// for an effective kernel `e`, rounded up with `ceil_mode`. `None` where that has no floor-affine
/// form, and for `ceil_mode` windows whose last one may start in the padding (PyTorch then drops
/// it, for some input sizes only).
fn window_size(input: &FloorSize, w: Window) -> Option<FloorSize> {
    let Window { kernel, stride, padding, dilation, ceil_mode } = w;
    let effective = dilation.checked_mul(kernel - 1)?.checked_add(1)?;
    if ceil_mode && stride > effective - padding {
        return None;
    }
    let rounding = if ceil_mode { stride - 1 } else { 0 };
    let shift = padding.checked_mul(2)?.checked_sub(effective)?.checked_add(rounding)?;
    input.add(shift)?.floor_div(stride)?.add(1)
}

/// The tensors of a layer without parameters or buffers.
fn no_tensors(_: &BoundArgs) -> Vec<Tensor> {
    Vec::new()
}

/// The shape rule of a layer whose output has its input's shape.
fn same_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    Some(ctx.input.shape.clone())
}

/// Normalises a possibly negative dimension index against `rank`.
pub fn normalize_dim(dim: i64, rank: usize) -> Option<usize> {
    let rank = rank as i64;
    let d = if dim < 0 { dim + rank } else { dim };
    (0..rank).contains(&d).then_some(d as usize)
}
