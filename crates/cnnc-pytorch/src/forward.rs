//! The `forward` methods: forward expressions as PyTorch code.

use cnnc_check::args::ArgValue;
use cnnc_check::consts::Const;
use cnnc_check::ir::{self, ArgExpr, BinOp, ExprKind, Op};

use crate::consts::{self, variable, ConstPy};
use crate::{layer, module_attr};

/// Writes the body of a `forward` method.
pub(crate) struct ForwardPy<'a> {
    pub forward: &'a ir::Forward,
    /// Whether a child exists here (in a model, a child whose condition does not hold does not).
    pub exists: &'a dyn Fn(&str) -> bool,
    /// Whether a child is optional (`None` in some uses of a block).
    pub optional: &'a dyn Fn(&str) -> bool,
    /// The block's name, in a block; conditions there read constants as attributes.
    pub block: Option<&'a str>,
    /// Whether the code calls `_unreached`.
    pub needs_unreached: bool,
    /// Whether the code calls `_optional`.
    pub needs_optional: bool,
}

impl ForwardPy<'_> {
    /// The statements of the method, one per line, ending in `return`.
    pub fn body(&mut self) -> Vec<String> {
        let forward = self.forward;
        let mut lines = Vec::new();
        let mut lets = forward.lets.iter().peekable();
        while let Some((name, value)) = lets.next() {
            // `a, b = torch.chunk(...)` and `p, q = self.split(x)`: the pieces, in order, bound
            // right after the value they come from.
            let mut pieces = Vec::new();
            if matches!(value.kind, ExprKind::Chunk { .. } | ExprKind::Child { outputs: 2.., .. }) {
                while let Some((
                    piece,
                    ir::Expr {
                        kind: ExprKind::Piece { source, index } | ExprKind::Output { source, index },
                        ..
                    },
                )) = lets.peek()
                {
                    if source != name || *index != pieces.len() {
                        break;
                    }
                    pieces.push(variable(piece));
                    lets.next();
                }
            }
            let target = if pieces.is_empty() { variable(name) } else { pieces.join(", ") };
            lines.push(format!("{target} = {}", self.expr(value)));
        }
        let results: Vec<String> = std::iter::once(&forward.result)
            .chain(&forward.more_results)
            .map(|r| self.expr(r))
            .collect();
        lines.push(format!("return {}", results.join(", ")));
        lines
    }

    /// The code of an expression, as a Python expression that binds tighter than any operator
    /// around it where it needs to (see [`ForwardPy::operand`]).
    fn expr(&mut self, e: &ir::Expr) -> String {
        match &e.kind {
            ExprKind::Value(name) => variable(name),
            ExprKind::Param(name) => module_attr(name),
            ExprKind::Scalar(x) => consts::float(*x),
            ExprKind::Constant { name, value } => match self.block {
                Some(_) => format!("self.{}", variable(name)),
                None => consts::value(value),
            },
            ExprKind::Chain { input, links } => self.expr(&ir::chain_calls(input, links)),
            ExprKind::Child { name, input, more_inputs, .. } => {
                // `features[0..5](x)`: a run of consecutive entries is a slice of the
                // `nn.Sequential`'s entries.
                let plain = (self.exists)(owner(name)) && !(self.optional)(owner(name));
                if let (Some((first, last, base)), true) = (ir::entry_run(name, input), plain) {
                    let module = module_attr(owner(name));
                    // `nn.Sequential.__getitem__` builds a slice with the class of the container,
                    // whose constructor a block's class does not share: the entries are joined
                    // in a plain `nn.Sequential` instead.
                    let (end, x) = (last + 1, self.expr(base));
                    return format!("nn.Sequential(*list({module})[{first}:{end}])({x})");
                }
                let inputs: Vec<String> =
                    std::iter::once(&**input).chain(more_inputs).map(|i| self.expr(i)).collect();
                // A path (`convs.0`) exists, or is optional, with its first child.
                let (owner, entry) = (owner(name), name.contains('.'));
                if !(self.exists)(owner) {
                    // A child whose condition does not hold is the identity.
                    return inputs.join(", ");
                }
                let module = module_attr(name);
                if (self.optional)(owner) && entry {
                    let (owner, x) = (module_attr(owner), inputs.join(", "));
                    format!("({x} if {owner} is None else {module}({x}))")
                } else if (self.optional)(owner) {
                    self.needs_optional = true;
                    format!("_optional({module}, {})", inputs.join(", "))
                } else {
                    format!("{module}({})", inputs.join(", "))
                }
            }
            ExprKind::Output { source, index } | ExprKind::Piece { source, index } => {
                format!("{}[{index}]", variable(source))
            }
            ExprKind::Op { op, input, dynamic } => self.op(op, input, dynamic),
            ExprKind::Neg(operand) => format!("-{}", self.operand(operand, 3)),
            ExprKind::Binary { op, lhs, rhs } => {
                let prec = precedence(*op);
                let (l, r) = (self.operand(lhs, prec), self.operand(rhs, prec + 1));
                let symbol = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                };
                format!("{l} {symbol} {r}")
            }
            ExprKind::Cat { inputs, dim, dynamic } => {
                let inputs: Vec<String> = inputs.iter().map(|i| self.expr(i)).collect();
                let dim = self.number(dynamic, 0, *dim);
                format!("torch.cat([{}], {dim})", inputs.join(", "))
            }
            ExprKind::Chunk { input, chunks, dim, dynamic } => {
                let (chunks, dim) =
                    (self.number(dynamic, 0, *chunks), self.number(dynamic, 1, *dim));
                format!("torch.chunk({}, {chunks}, {dim})", self.expr(input))
            }
            ExprKind::Children(input) => format!("super().forward({})", self.expr(input)),
            ExprKind::Expand { input, sizes } => {
                let sizes: Vec<String> = sizes
                    .iter()
                    .map(|size| match size {
                        ir::ExpandSize::Fixed(n) => n.to_string(),
                        ir::ExpandSize::Of(like, d) => {
                            format!("{}.shape[{d}]", self.operand(like, 4))
                        }
                    })
                    .collect();
                format!("{}.expand({})", self.operand(input, 4), sizes.join(", "))
            }
            ExprKind::Resize { layer, input, like, start, end } => {
                let align = match layer.args.get("align_corners") {
                    ArgValue::Bool(b) => {
                        format!(", align_corners={}", if *b { "True" } else { "False" })
                    }
                    _ => String::new(),
                };
                format!(
                    "F.interpolate({}, size={}.shape[{start}:{end}], mode={}{align})",
                    self.expr(input),
                    self.expr(like),
                    consts::string(layer.args.str("mode"))
                )
            }
            ExprKind::If { cond, then, otherwise } => match self.block {
                // A model's condition was decided when it was checked.
                None => {
                    let taken = then.as_deref().or(otherwise.as_deref());
                    self.expr(taken.expect("a model's `if` took a branch"))
                }
                Some(block) => {
                    let mut branch = |b: &Option<Box<ir::Expr>>| match b {
                        Some(e) => self.expr(e),
                        None => {
                            self.needs_unreached = true;
                            format!("_unreached({})", consts::string(block))
                        }
                    };
                    let (t, o) = (branch(then), branch(otherwise));
                    let cond = ConstPy { on_self: true }.expr(cond);
                    format!("({t} if {cond} else {o})")
                }
            },
        }
    }

    /// An operand of an operator of precedence `min` (1 for `+ -`, 2 for `* /`, 3 for unary
    /// `-`), parenthesised where it binds looser.
    fn operand(&mut self, e: &ir::Expr, min: u8) -> String {
        // What is printed for an absent child or a model's decided `if` is another expression.
        match &e.kind {
            ExprKind::Chain { input, links } => {
                return self.operand(&ir::chain_calls(input, links), min)
            }
            ExprKind::Child { name, input, .. } if !(self.exists)(owner(name)) => {
                return self.operand(input, min)
            }
            ExprKind::If { then, otherwise, .. } if self.block.is_none() => {
                if let Some(taken) = then.as_deref().or(otherwise.as_deref()) {
                    return self.operand(taken, min);
                }
            }
            _ => {}
        }
        let code = self.expr(e);
        let prec = match &e.kind {
            ExprKind::Binary { op, .. } => precedence(*op),
            ExprKind::Neg(_) => 3,
            ExprKind::Scalar(x) if *x < 0.0 => 3,
            ExprKind::Constant { value: Const::Int(n), .. } if *n < 0 && self.block.is_none() => 3,
            ExprKind::Constant { value: Const::Float(x), .. }
                if *x < 0.0 && self.block.is_none() =>
            {
                3
            }
            _ => 4,
        };
        if prec < min {
            format!("({code})")
        } else {
            code
        }
    }

    /// Argument `i` as computed from the block's constants (`self.d`), or its value.
    fn number(&self, dynamic: &[Option<ArgExpr>], i: usize, fixed: i64) -> String {
        match dynamic.get(i) {
            Some(Some(ArgExpr::One(e))) if self.block.is_some() => {
                ConstPy { on_self: true }.expr(e)
            }
            _ => fixed.to_string(),
        }
    }

    fn op(&mut self, op: &Op, input: &ir::Expr, dynamic: &[Option<ArgExpr>]) -> String {
        // Sizes a block computes from its constants, read as attributes: `self.c // 2`. In a
        // model, the values were computed when it was checked.
        let dynamic = if self.block.is_some() { dynamic } else { &[] };
        let py = ConstPy { on_self: true };
        let sizes = |fixed: &[i64]| match dynamic.first() {
            Some(Some(ArgExpr::Tuple(items))) => {
                items.iter().map(|i| py.expr(i)).collect::<Vec<_>>().join(", ")
            }
            Some(Some(ArgExpr::One(e))) => py.expr(e),
            _ => fixed.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
        };
        let x = self.expr(input);
        // Method calls bind tightest: `(a + b).reshape(...)`.
        let receiver = |this: &mut Self| this.operand(input, 4);
        let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        match op {
            Op::Flatten { start_dim, end_dim } => {
                let (start, end) =
                    (self.number(dynamic, 0, *start_dim), self.number(dynamic, 1, *end_dim));
                format!("torch.flatten({x}, {start}, {end})")
            }
            Op::Reshape(fixed) => format!("{}.reshape({})", receiver(self), sizes(fixed)),
            Op::Permute(dims) => format!("{}.permute({})", receiver(self), sizes(dims)),
            Op::Roll { shifts, dims } => {
                // A tuple of each, or one constant (a number or a tuple) as it is.
                let python_tuple = |items: Vec<String>| match items.as_slice() {
                    [one] => format!("({one},)"),
                    _ => format!("({})", items.join(", ")),
                };
                let tuple = |i: usize, fixed: &[i64]| match dynamic.get(i) {
                    Some(Some(ArgExpr::One(e))) => py.expr(e),
                    Some(Some(ArgExpr::Tuple(items))) => {
                        python_tuple(items.iter().map(|i| py.expr(i)).collect())
                    }
                    _ => python_tuple(fixed.iter().map(i64::to_string).collect()),
                };
                format!("torch.roll({x}, {}, {})", tuple(0, shifts), tuple(1, dims))
            }
            Op::Transpose(a, b) => {
                let (a, b) = (self.number(dynamic, 0, *a), self.number(dynamic, 1, *b));
                format!("{}.transpose({a}, {b})", receiver(self))
            }
            Op::Mean { dims, keepdim } => {
                let dims = match (dynamic.first(), dims.as_slice()) {
                    (Some(Some(ArgExpr::Tuple(_))), _) => format!("({})", sizes(dims)),
                    (Some(Some(ArgExpr::One(_))), _) | (_, [_]) => sizes(dims),
                    _ => format!("({})", list(dims)),
                };
                let keep = match dynamic.get(1) {
                    Some(Some(ArgExpr::One(e))) => format!(", keepdim={}", py.expr(e)),
                    _ if *keepdim => ", keepdim=True".to_string(),
                    _ => String::new(),
                };
                format!("{}.mean({dims}{keep})", receiver(self))
            }
            Op::Layer(layer) if dynamic.iter().any(Option::is_some) => {
                format!("{}({x})", layer::constructor(layer, Some(dynamic), &py))
            }
            Op::Layer(layer) => functional(layer, &x),
            Op::Index(items) => {
                let items: Vec<String> = items.iter().map(|item| item.to_string()).collect();
                format!("{}[{}]", receiver(self), items.join(", "))
            }
        }
    }
}

/// A parameter-free layer applied as a function: `F.relu(x)` where its arguments are the
/// defaults, the train-dependent dropouts through `F` with `self.training`, and otherwise the
/// module itself, `nn.MaxPool2d(2, 2)(x)`.
fn functional(layer: &ir::Layer, x: &str) -> String {
    let written =
        layer.args.values.iter().any(|b| b.span.is_some() && b.value != ArgValue::Bool(false));
    let simple = match layer.spec.name {
        "ReLU" => Some("F.relu"),
        "Sigmoid" => Some("torch.sigmoid"),
        "Tanh" => Some("torch.tanh"),
        "SiLU" => Some("F.silu"),
        "Mish" => Some("F.mish"),
        "GELU" => Some("F.gelu"),
        "Hardswish" => Some("F.hardswish"),
        "Hardsigmoid" => Some("F.hardsigmoid"),
        "ReLU6" => Some("F.relu6"),
        _ => None,
    };
    match (simple, layer.spec.name) {
        (Some(f), _) if !written => format!("{f}({x})"),
        (_, "Dropout" | "Dropout2d") => {
            let f = if layer.spec.name == "Dropout" { "F.dropout" } else { "F.dropout2d" };
            let p = consts::arg(layer.args.get("p"));
            format!("{f}({x}, {p}, self.training)")
        }
        _ => format!("{}({x})", layer::constructor(layer, None, &ConstPy { on_self: false })),
    }
}

fn precedence(op: BinOp) -> u8 {
    if op.is_multiplicative() {
        2
    } else {
        1
    }
}

/// The child a call names: `convs` for the path `convs.0`.
fn owner(name: &str) -> &str {
    name.split_once('.').map_or(name, |(owner, _)| owner)
}
