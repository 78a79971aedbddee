//! Initialisers of `init` rules, mirroring `torch.nn.init`, lowered to concrete distributions
//! because every fan is known at compile time.

use cnnc_syntax::{InitRule, Span};

use crate::args::{bind, suggest, ArgType, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::ir::InitDist;

const NONLINEARITIES: &[&str] = &[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
];
const FAN_MODES: &[&str] = &["fan_in", "fan_out"];

const KAIMING: &[Param] = &[
    Param::optional("a", ArgType::Float, DefaultValue::Float(0.0)),
    Param::optional(
        "mode",
        ArgType::Choice { rust_enum: "", options: FAN_MODES },
        DefaultValue::Str("fan_in"),
    ),
    Param::optional(
        "nonlinearity",
        ArgType::Choice { rust_enum: "", options: NONLINEARITIES },
        DefaultValue::Str("leaky_relu"),
    ),
];
const XAVIER: &[Param] = &[Param::optional("gain", ArgType::Float, DefaultValue::Float(1.0))];

/// The initialisers and their signatures.
pub const INITIALIZERS: &[(&str, &[Param])] = &[
    (
        "normal",
        &[
            Param::optional("mean", ArgType::Float, DefaultValue::Float(0.0)),
            Param::optional("std", ArgType::Float, DefaultValue::Float(1.0)).min(0.0),
        ],
    ),
    (
        "uniform",
        &[
            Param::optional("a", ArgType::Float, DefaultValue::Float(0.0)),
            Param::optional("b", ArgType::Float, DefaultValue::Float(1.0)),
        ],
    ),
    ("constant", &[Param::required("val", ArgType::Float)]),
    ("zeros", &[]),
    ("ones", &[]),
    ("kaiming_uniform", KAIMING),
    ("kaiming_normal", KAIMING),
    ("xavier_uniform", XAVIER),
    ("xavier_normal", XAVIER),
];

/// An initialiser call with its arguments bound, not yet applied to a tensor.
#[derive(Debug, Clone)]
pub struct Initializer {
    name: &'static str,
    args: crate::args::BoundArgs,
    span: Span,
}

/// Binds the initialiser of a rule. `torch.nn.init`'s trailing-underscore names are accepted.
pub fn resolve(rule: &InitRule, errors: &mut Vec<Error>) -> Option<Initializer> {
    let written = rule.init.name.trim_end_matches('_');
    let Some((name, params)) = INITIALIZERS.iter().find(|(n, _)| *n == written) else {
        let names: Vec<&str> = INITIALIZERS.iter().map(|(n, _)| *n).collect();
        let help = match suggest(written, &names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the initialisers are {}", names.join(", ")),
        };
        errors.push(
            Error::new(
                Code::Initializer,
                format!("unknown initialiser `{}`", rule.init.name),
                rule.init.span,
                "not an initialiser",
            )
            .with_help(help),
        );
        return None;
    };
    let args = bind(name, params, &rule.args, rule.init_span, errors)?;
    Some(Initializer { name, args, span: rule.init_span })
}

impl Initializer {
    /// The distribution this initialiser gives a tensor of shape `dims`, computed as
    /// `torch.nn.init` does; `path` names the tensor in a message.
    pub fn lower(&self, dims: &[i64], path: &dyn Fn() -> String) -> Result<InitDist, Error> {
        let float = |name: &str| self.args.float(name).unwrap_or(0.0);
        Ok(match self.name {
            "normal" => InitDist::Normal { mean: float("mean"), std: float("std") },
            "uniform" if float("a") > float("b") => {
                return Err(Error::new(
                    Code::Initializer,
                    format!(
                        "`uniform` needs a <= b, but a = {:?} and b = {:?}",
                        float("a"),
                        float("b")
                    ),
                    self.span,
                    "empty range",
                )
                .with_help("swap the bounds"))
            }
            "uniform" => InitDist::Uniform { low: float("a"), high: float("b") },
            "constant" => InitDist::Const(float("val")),
            "zeros" => InitDist::Const(0.0),
            "ones" => InitDist::Const(1.0),
            "kaiming_uniform" | "kaiming_normal" => {
                let (fan_in, fan_out) = self.fans(dims, path)?;
                let fan = if self.args.str("mode") == "fan_in" { fan_in } else { fan_out };
                let gain = gain(self.args.str("nonlinearity"), float("a"));
                let std = gain / (fan as f64).sqrt();
                if self.name == "kaiming_uniform" {
                    let bound = 3f64.sqrt() * std;
                    InitDist::Uniform { low: -bound, high: bound }
                } else {
                    InitDist::Normal { mean: 0.0, std }
                }
            }
            "xavier_uniform" | "xavier_normal" => {
                let (fan_in, fan_out) = self.fans(dims, path)?;
                let std = float("gain") * (2.0 / (fan_in + fan_out) as f64).sqrt();
                if self.name == "xavier_uniform" {
                    let bound = 3f64.sqrt() * std;
                    InitDist::Uniform { low: -bound, high: bound }
                } else {
                    InitDist::Normal { mean: 0.0, std }
                }
            }
            other => unreachable!("initialiser {other} has no lowering"),
        })
    }

    /// PyTorch's `_calculate_fan_in_and_fan_out`.
    fn fans(&self, dims: &[i64], path: &dyn Fn() -> String) -> Result<(i64, i64), Error> {
        if dims.len() < 2 {
            return Err(Error::new(
                Code::Initializer,
                format!(
                    "`{}` needs a tensor of at least 2 dimensions, but `{}` has shape {dims:?}",
                    self.name,
                    path()
                ),
                self.span,
                "fan in and fan out are undefined for this tensor",
            )
            .with_help("use `zeros`, `constant`, `normal` or `uniform` for biases"));
        }
        let receptive: i64 = dims[2..].iter().product();
        Ok((dims[1] * receptive, dims[0] * receptive))
    }
}

/// PyTorch's `calculate_gain`.
fn gain(nonlinearity: &str, a: f64) -> f64 {
    match nonlinearity {
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => (2.0 / (1.0 + a * a)).sqrt(),
        "selu" => 0.75,
        _ => 1.0,
    }
}
