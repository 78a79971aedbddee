//! Layer constructors: `nn.Conv2d(3, 32, 3, padding=1)`, with the arguments as written.

use cnnc_check::args::{ArgType, ArgValue};
use cnnc_check::ir::{self, ArgExpr};

use crate::consts::{self, ConstPy};

/// The Python class of a catalogue layer: `torch.nn`'s, or torchvision's for the layers that
/// come from it.
pub fn class(name: &str) -> String {
    match name {
        "StochasticDepth" => "torchvision.ops.StochasticDepth".into(),
        "Permute" => "torchvision.ops.misc.Permute".into(),
        "LayerNorm2d" => "torchvision.models.convnext.LayerNorm2d".into(),
        "MultiheadAttention" => "_SelfAttention".into(),
        "ShiftedWindowAttention" => {
            "torchvision.models.swin_transformer.ShiftedWindowAttention".into()
        }
        other => format!("nn.{other}"),
    }
}

/// Whether the layer comes from torchvision.
pub fn from_torchvision(name: &str) -> bool {
    matches!(name, "StochasticDepth" | "Permute" | "LayerNorm2d" | "ShiftedWindowAttention")
}

/// The constructor call of a layer. `dynamic` holds, in a block, the expressions of arguments
/// computed from the block's constants; the others are the values the checker bound. Arguments
/// are positional up to the first one not written, then keywords, as in the source.
pub fn constructor(layer: &ir::Layer, dynamic: Option<&[Option<ArgExpr>]>, py: &ConstPy) -> String {
    if layer.spec.name == "Parameter" {
        return parameter(layer, dynamic, py);
    }
    let mut parts = Vec::new();
    let mut positional = true;
    for (i, (param, bound)) in layer.args.params.iter().zip(layer.args.values.iter()).enumerate() {
        // torchvision's window attention copies its sizes with `list.copy()`: they are lists.
        let list = layer.spec.name == "ShiftedWindowAttention" && param.ty == ArgType::Ints(2);
        let value = match dynamic.and_then(|d| d.get(i)).and_then(Option::as_ref) {
            Some(expr) if list => format!("list({})", py.arg(expr)),
            Some(expr) => py.arg(expr),
            None if list => match &bound.value {
                ArgValue::Ints(v) => {
                    format!("[{}]", v.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
                }
                value => consts::arg(value),
            },
            None if bound.span.is_some() => match (&param.ty, &bound.value) {
                // A pair or triple of one size is written as that size, as PyTorch allows.
                (ArgType::Ints(_) | ArgType::ConvPadding(_), ArgValue::Ints(v))
                    if v.windows(2).all(|w| w[0] == w[1]) && !v.is_empty() =>
                {
                    v[0].to_string()
                }
                // One size or factor for every dimension (`Upsample(scale_factor=2)`).
                (ArgType::OptIntList, ArgValue::Ints(v)) if v.len() == 1 => v[0].to_string(),
                (ArgType::OptFloatList, ArgValue::Floats(v)) if v.len() == 1 => consts::float(v[0]),
                (_, value) => consts::arg(value),
            },
            None => {
                positional = false;
                continue;
            }
        };
        parts.push(if positional { value } else { format!("{}={value}", param.name) });
    }
    format!("{}({})", class(layer.spec.name), parts.join(", "))
}

/// `nn.Parameter(torch.full(shape, fill))`.
fn parameter(layer: &ir::Layer, dynamic: Option<&[Option<ArgExpr>]>, py: &ConstPy) -> String {
    let value = |i: usize, name: &str| match dynamic.and_then(|d| d.get(i)).and_then(Option::as_ref)
    {
        Some(expr) => py.arg(expr),
        None => consts::arg(layer.args.get(name)),
    };
    format!("nn.Parameter(torch.full({}, {}))", value(0, "shape"), value(1, "fill"))
}
