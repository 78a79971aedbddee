//! Python spellings of constants, constant expressions and layer arguments.

use cnnc_check::args::ArgValue;
use cnnc_check::consts::{Const, ConstType};
use cnnc_check::functions::ConstFn;
use cnnc_check::ir::{ArgExpr, ConstExpr, ConstExprKind, ConstOp, Over, UnaryOp};

/// Python's keywords, which cannot name a variable or attribute.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `name` can be written as a Python attribute or variable (`self.conv1`).
pub fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}

/// A variable name for a cnnc name: itself, or with `_` appended where it is a keyword. A name
/// bound again in `forward` (`x#1` in the IR) is written as the name itself.
pub fn variable(name: &str) -> String {
    let name = name.split('#').next().unwrap_or(name);
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// A Python string literal.
pub fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float literal that Python reads back as the same number.
pub fn float(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "math.inf".into() } else { "-math.inf".into() };
    }
    if x.is_nan() {
        return "math.nan".into();
    }
    format!("{x:?}")
}

/// A constant's value.
pub fn value(c: &Const) -> String {
    match c {
        Const::Int(n) => n.to_string(),
        Const::Float(x) => float(*x),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Str(text) => string(text),
        Const::Tuple(items) => tuple(items.iter().map(value).collect()),
        Const::List(items) => {
            format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", "))
        }
    }
}

/// A tuple of items already printed: `(a, b)`, or `(a,)` for one.
fn tuple(items: Vec<String>) -> String {
    match items.len() {
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}

/// A layer argument's value.
pub fn arg(arg: &ArgValue) -> String {
    let tuple = |items: Vec<String>| match items.len() {
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    };
    match arg {
        ArgValue::Int(n) => n.to_string(),
        ArgValue::Ints(v) => tuple(v.iter().map(i64::to_string).collect()),
        ArgValue::OptInts(v) => {
            tuple(v.iter().map(|n| n.map_or("None".to_string(), |n| n.to_string())).collect())
        }
        ArgValue::Floats(v) => tuple(v.iter().map(|x| float(*x)).collect()),
        ArgValue::Bool(b) => value(&Const::Bool(*b)),
        ArgValue::Float(x) => float(*x),
        ArgValue::None | ArgValue::Infer => "None".into(),
        ArgValue::Str(s) => string(s),
    }
}

/// Binding strength of Python operators, loosest first (a conditional is always parenthesised).
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const UNARY: u8 = 7;
const ATOM: u8 = 8;

/// Prints constant expressions; names are read as `self.<name>` in `forward`.
pub struct ConstPy {
    /// Whether constants are attributes of the module (in `forward`).
    pub on_self: bool,
}

impl ConstPy {
    /// The code of an expression.
    pub fn expr(&self, e: &ConstExpr) -> String {
        self.code(e).0
    }

    /// The code of a layer argument computed from constants.
    pub fn arg(&self, a: &ArgExpr) -> String {
        match a {
            ArgExpr::One(e) => self.expr(e),
            ArgExpr::Tuple(items) => {
                let items: Vec<String> = items.iter().map(|e| self.expr(e)).collect();
                match items.len() {
                    1 => format!("({},)", items[0]),
                    _ => format!("({})", items.join(", ")),
                }
            }
        }
    }

    fn code(&self, e: &ConstExpr) -> (String, u8) {
        match &e.kind {
            ConstExprKind::Literal(c) => {
                let negative = matches!(c, Const::Int(n) if *n < 0)
                    || matches!(c, Const::Float(x) if *x < 0.0);
                (value(c), if negative { UNARY } else { ATOM })
            }
            ConstExprKind::Name(name) if self.on_self => (format!("self.{}", variable(name)), ATOM),
            ConstExprKind::Name(name) => (variable(name), ATOM),
            // Python widens an integer where a float meets it, and its `/` divides exactly.
            ConstExprKind::ToFloat(operand) => self.code(operand),
            ConstExprKind::Unary { op: UnaryOp::Neg, operand } => {
                (format!("-{}", self.wrapped(operand, UNARY)), UNARY)
            }
            ConstExprKind::Unary { op: UnaryOp::Not, operand } => {
                (format!("not {}", self.wrapped(operand, NOT)), NOT)
            }
            ConstExprKind::Binary { op, lhs, rhs } => {
                let integers = lhs.ty == ConstType::Int;
                let (symbol, prec) = match op {
                    ConstOp::Or => ("or", OR),
                    ConstOp::And => ("and", AND),
                    ConstOp::Eq => ("==", CMP),
                    ConstOp::Ne => ("!=", CMP),
                    ConstOp::Lt => ("<", CMP),
                    ConstOp::Le => ("<=", CMP),
                    ConstOp::Gt => (">", CMP),
                    ConstOp::Ge => (">=", CMP),
                    ConstOp::Add => ("+", SUM),
                    ConstOp::Sub => ("-", SUM),
                    ConstOp::Mul => ("*", PRODUCT),
                    ConstOp::Div if integers => ("//", PRODUCT),
                    ConstOp::Div => ("/", PRODUCT),
                    ConstOp::Rem => ("%", PRODUCT),
                };
                // Comparisons chain in Python, so each side of one binds tighter.
                let (left, right) = if prec == CMP { (SUM, SUM) } else { (prec, prec + 1) };
                let (l, r) = (self.wrapped(lhs, left), self.wrapped(rhs, right));
                (format!("{l} {symbol} {r}"), prec)
            }
            ConstExprKind::Cond { cond, then, otherwise } => {
                let (c, t, o) = (self.expr(cond), self.expr(then), self.expr(otherwise));
                (format!("({t} if {c} else {o})"), ATOM)
            }
            ConstExprKind::UserCall { name, args } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                (format!("{}({})", variable(name), args.join(", ")), ATOM)
            }
            ConstExprKind::Tuple(items) => {
                (tuple(items.iter().map(|i| self.expr(i)).collect()), ATOM)
            }
            ConstExprKind::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                (format!("[{}]", items.join(", ")), ATOM)
            }
            ConstExprKind::Index { base, index } => {
                (format!("{}[{}]", self.wrapped(base, ATOM), self.expr(index)), ATOM)
            }
            ConstExprKind::Field { base, index } => {
                (format!("{}[{index}]", self.wrapped(base, ATOM)), ATOM)
            }
            ConstExprKind::Len(list) => (format!("len({})", self.expr(list)), ATOM),
            ConstExprKind::Sum(list) => (format!("sum({})", self.expr(list)), ATOM),
            ConstExprKind::Comprehension { item, vars, unpack, over, filter } => {
                let mut names: Vec<String> = vars.iter().map(|v| variable(v)).collect();
                if *unpack && names.len() == 1 {
                    names[0].push(',');
                }
                let source = match &**over {
                    Over::Range(start, end) => {
                        let (start, end) = (self.expr(start), self.expr(end));
                        if start == "0" {
                            format!("range({end})")
                        } else {
                            format!("range({start}, {end})")
                        }
                    }
                    Over::Items(list) => self.expr(list),
                };
                let filter =
                    filter.as_ref().map_or(String::new(), |c| format!(" if {}", self.expr(c)));
                let (item, names) = (self.expr(item), names.join(", "));
                (format!("[{item} for {names} in {source}{filter}]"), ATOM)
            }
            ConstExprKind::Call { func: ConstFn::Float, args }
                if args[0].ty == ConstType::Float =>
            {
                match &args[0].kind {
                    ConstExprKind::ToFloat(int) => (format!("float({})", self.expr(int)), ATOM),
                    _ => self.code(&args[0]),
                }
            }
            ConstExprKind::Call { func, args } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                let name = match func {
                    ConstFn::Floor => "math.floor",
                    ConstFn::Ceil => "math.ceil",
                    ConstFn::Sqrt => "math.sqrt",
                    ConstFn::Log => "math.log",
                    other => other.name(),
                };
                (format!("{name}({})", args.join(", ")), ATOM)
            }
        }
    }

    fn wrapped(&self, e: &ConstExpr, min: u8) -> String {
        let (code, prec) = self.code(e);
        if prec < min {
            format!("({code})")
        } else {
            code
        }
    }
}
