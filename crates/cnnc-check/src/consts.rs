//! Compile-time constants: block parameters, `let` constants and loop variables, and the
//! constant expressions over them that layer arguments, conditions and loop bounds are written
//! in.

use std::collections::HashMap;
use std::fmt;

use cnnc_syntax::{ConstOp, UnaryOp, Value, ValueKind};

use crate::args::suggest;
use crate::diagnostic::{Code, Error};
use crate::functions::{ConstFn, FUNCTIONS};
use crate::ir::{ArgExpr, ConstExpr};

/// The value of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Const {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl Const {
    /// The type of the value.
    pub fn ty(self) -> ConstType {
        match self {
            Const::Int(_) => ConstType::Int,
            Const::Float(_) => ConstType::Float,
            Const::Bool(_) => ConstType::Bool,
        }
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Int(n) => write!(f, "{n}"),
            Const::Float(x) => write!(f, "{x:?}"),
            Const::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// The type of a constant: what a block parameter becomes in generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstType {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
}

impl ConstType {
    /// The type that holds values of both types, if any (an integer widens to a float).
    pub fn unify(self, other: ConstType) -> Option<ConstType> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (ConstType::Int, ConstType::Float) | (ConstType::Float, ConstType::Int) => {
                Some(ConstType::Float)
            }
            _ => None,
        }
    }
}

/// The constants in scope, by name.
pub type Env = HashMap<String, Const>;

/// Whether a value mentions a constant by name (and so differs between block instances).
pub fn is_dynamic(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Name(_)
        | ValueKind::Unary { .. }
        | ValueKind::Binary { .. }
        | ValueKind::Call { .. }
        | ValueKind::Cond { .. } => true,
        ValueKind::Tuple(items) => items.iter().any(is_dynamic),
        _ => false,
    }
}

/// The names a value mentions, in order of first use.
pub fn names(value: &Value, out: &mut Vec<String>) {
    match &value.kind {
        ValueKind::Name(name) if !out.contains(name) => out.push(name.clone()),
        ValueKind::Unary { operand, .. } => names(operand, out),
        ValueKind::Binary { lhs, rhs, .. } => {
            names(lhs, out);
            names(rhs, out);
        }
        ValueKind::Cond { cond, then, otherwise } => {
            names(cond, out);
            names(then, out);
            names(otherwise, out);
        }
        ValueKind::Tuple(items) | ValueKind::Call { args: items, .. } => {
            items.iter().for_each(|i| names(i, out))
        }
        _ => {}
    }
}

/// Replaces every constant expression in a layer argument by its value, keeping spans, so the
/// argument can be bound like a literal.
pub fn substitute(value: &Value, env: &Env) -> Result<Value, Error> {
    let kind = match &value.kind {
        ValueKind::Tuple(items) => {
            ValueKind::Tuple(items.iter().map(|i| substitute(i, env)).collect::<Result<_, _>>()?)
        }
        ValueKind::Name(_)
        | ValueKind::Unary { .. }
        | ValueKind::Binary { .. }
        | ValueKind::Call { .. }
        | ValueKind::Cond { .. } => match eval(value, env)? {
            Const::Int(n) => ValueKind::Int(n),
            Const::Float(x) => ValueKind::Float(x),
            Const::Bool(b) => ValueKind::Bool(b),
        },
        other => other.clone(),
    };
    Ok(Value { kind, span: value.span })
}

/// Evaluates a constant expression.
pub fn eval(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Int(n) => Ok(Const::Int(*n)),
        ValueKind::Float(x) => Ok(Const::Float(*x)),
        ValueKind::Bool(b) => Ok(Const::Bool(*b)),
        ValueKind::Name(name) => env.get(name).copied().ok_or_else(|| {
            if let Some(rust) = python_literal(name) {
                return Error::new(
                    Code::UndefinedName,
                    format!("`{name}` is Python's spelling"),
                    value.span,
                    format!("write `{rust}`"),
                )
                .with_help("booleans are written `true` and `false`, and no value is `None`")
                .with_fix(value.span, rust);
            }
            let names: Vec<&str> = env.keys().map(String::as_str).collect();
            let help = match suggest(name, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None if names.is_empty() => {
                    "constants are block parameters, `let` constants and loop variables".into()
                }
                None => {
                    let mut names = names;
                    names.sort_unstable();
                    format!("the constants here are {}", names.join(", "))
                }
            };
            Error::new(
                Code::UndefinedName,
                format!("undefined constant `{name}`"),
                value.span,
                "not defined",
            )
            .with_help(help)
        }),
        ValueKind::Unary { op, operand } => match (op, eval(operand, env)?) {
            (UnaryOp::Neg, Const::Int(n)) => n
                .checked_neg()
                .map(Const::Int)
                .ok_or_else(|| error(format!("`-{n}` overflows 64 bits"), "overflows")),
            (UnaryOp::Neg, Const::Float(x)) => Ok(Const::Float(-x)),
            (UnaryOp::Not, Const::Bool(b)) => Ok(Const::Bool(!b)),
            (op, c) => Err(error(
                format!(
                    "`{}` does not apply to {}",
                    if *op == UnaryOp::Neg { "-" } else { "!" },
                    describe(c)
                ),
                "wrong type",
            )),
        },
        ValueKind::Cond { cond, then, otherwise } => {
            let (a, b) = (eval(then, env)?, eval(otherwise, env)?);
            if a.ty().unify(b.ty()).is_none() {
                return Err(error(
                    format!("the branches give {} and {}", describe(a), describe(b)),
                    "branches of different types",
                )
                .with_help("both branches of a constant `if` give numbers, or both booleans"));
            }
            let chosen = if eval_bool(cond, env)? { a } else { b };
            // An integer branch next to a float one is a float, as in the generated code.
            Ok(match (chosen, a.ty().unify(b.ty())) {
                (Const::Int(n), Some(ConstType::Float)) => Const::Float(n as f64),
                (c, _) => c,
            })
        }
        ValueKind::Call { name, args } => {
            let func = function(name, args.len(), value.span)?;
            let values = args.iter().map(|a| eval(a, env)).collect::<Result<Vec<_>, _>>()?;
            if let Some((arg, c)) =
                args.iter().zip(&values).find(|(_, c)| c.ty() == ConstType::Bool)
            {
                return Err(Error::new(
                    Code::ConstExpr,
                    format!("`{}` takes numbers, but this is {}", func.name(), describe(*c)),
                    arg.span,
                    "not a number",
                ));
            }
            let types: Vec<ConstType> = values.iter().map(|c| c.ty()).collect();
            let arg_ty = func.types(&types).1;
            let values: Vec<Const> = values.into_iter().map(|c| widen(c, arg_ty)).collect();
            let shown: Vec<String> = values.iter().map(|c| c.to_string()).collect();
            func.apply(&values).map_err(|reason| {
                error(format!("`{}({})`: {reason}", func.name(), shown.join(", ")), &reason)
            })
        }
        ValueKind::Binary { op, lhs, rhs } => {
            let (a, b) = (eval(lhs, env)?, eval(rhs, env)?);
            binary(*op, a, b).map_err(|reason| {
                error(format!("`{a} {} {b}`: {reason}", op.symbol()), &reason)
                    .with_help(binary_help(*op))
            })
        }
        ValueKind::Tuple(_) | ValueKind::Str(_) | ValueKind::Infer | ValueKind::None => Err(error(
            format!("{} is not a number or boolean", value.kind.type_name()),
            "not a constant",
        )),
    }
}

/// The number function `name`, called with `arity` arguments at `span`.
fn function(
    name: &cnnc_syntax::Ident,
    arity: usize,
    span: cnnc_syntax::Span,
) -> Result<ConstFn, Error> {
    let Some(func) = ConstFn::lookup(&name.name) else {
        let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name()).collect();
        let help = match suggest(&name.name, &names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the functions of constants are {}", names.join(", ")),
        };
        return Err(Error::new(
            Code::UndefinedName,
            format!("no function `{}` in constant expressions", name.name),
            name.span,
            "not a function",
        )
        .with_help(help));
    };
    if !func.takes(arity) {
        return Err(Error::new(
            Code::ConstExpr,
            format!(
                "`{}` does not take {arity} argument{}",
                func.name(),
                if arity == 1 { "" } else { "s" }
            ),
            span,
            "wrong number of arguments",
        )
        .with_help(format!("call it as `{}`", func.signature())));
    }
    Ok(func)
}

/// An integer widened to a float where `ty` is float.
fn widen(c: Const, ty: ConstType) -> Const {
    match (c, ty) {
        (Const::Int(n), ConstType::Float) => Const::Float(n as f64),
        (c, _) => c,
    }
}

/// The cnnc spelling of a Python literal written as a name.
fn python_literal(name: &str) -> Option<&'static str> {
    match name {
        "True" => Some("true"),
        "False" => Some("false"),
        "none" | "null" => Some("None"),
        _ => None,
    }
}

fn describe(c: Const) -> String {
    match c {
        Const::Int(n) => format!("the integer {n}"),
        Const::Float(x) => format!("the float {x:?}"),
        Const::Bool(b) => format!("the boolean {b}"),
    }
}

fn binary_help(op: ConstOp) -> &'static str {
    match op {
        ConstOp::And | ConstOp::Or => {
            "`&&` and `||` join booleans, such as `stride == 1 && inp == oup`"
        }
        ConstOp::Div | ConstOp::Rem => {
            "`/` of two integers floors like Python's `//`; the divisor must not be 0"
        }
        _ => "arithmetic works on integers and floats, comparisons on numbers and booleans",
    }
}

/// Applies a binary operator with Python's semantics (floor division, remainder with the
/// divisor's sign), checked for overflow.
pub fn binary(op: ConstOp, a: Const, b: Const) -> Result<Const, String> {
    use Const::{Bool, Float, Int};
    let float = |c: Const| match c {
        Int(n) => Some(n as f64),
        Float(x) => Some(x),
        Bool(_) => None,
    };
    let overflow = || "the result overflows 64 bits".to_string();
    Ok(match (op, a, b) {
        (ConstOp::And, Bool(x), Bool(y)) => Bool(x && y),
        (ConstOp::Or, Bool(x), Bool(y)) => Bool(x || y),
        (ConstOp::And | ConstOp::Or, _, _) => return Err("needs two booleans".into()),
        (ConstOp::Eq, Bool(x), Bool(y)) => Bool(x == y),
        (ConstOp::Ne, Bool(x), Bool(y)) => Bool(x != y),
        (_, Bool(_), _) | (_, _, Bool(_)) => return Err("needs two numbers".into()),
        (ConstOp::Div | ConstOp::Rem, Int(_), Int(0)) => return Err("division by zero".into()),
        (ConstOp::Add, Int(x), Int(y)) => Int(x.checked_add(y).ok_or_else(overflow)?),
        (ConstOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(y).ok_or_else(overflow)?),
        (ConstOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(y).ok_or_else(overflow)?),
        (ConstOp::Div, Int(x), Int(y)) => Int(floor_div(x, y).ok_or_else(overflow)?),
        (ConstOp::Rem, Int(x), Int(y)) => Int(floor_rem(x, y).ok_or_else(overflow)?),
        (op, a, b) => {
            let (x, y) = (float(a).unwrap_or(0.0), float(b).unwrap_or(0.0));
            match op {
                ConstOp::Add => Float(x + y),
                ConstOp::Sub => Float(x - y),
                ConstOp::Mul => Float(x * y),
                ConstOp::Div | ConstOp::Rem if y == 0.0 => return Err("division by zero".into()),
                ConstOp::Div => Float(x / y),
                ConstOp::Rem => Float(x - y * (x / y).floor()),
                ConstOp::Eq => Bool(x == y),
                ConstOp::Ne => Bool(x != y),
                ConstOp::Lt => Bool(x < y),
                ConstOp::Le => Bool(x <= y),
                ConstOp::Gt => Bool(x > y),
                ConstOp::Ge => Bool(x >= y),
                ConstOp::And | ConstOp::Or => unreachable!("handled above"),
            }
        }
    })
}

/// Python's `x // y` for integers; `None` on overflow or a zero divisor.
pub fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    Some(if (x % y != 0) && ((x < 0) != (y < 0)) { q - 1 } else { q })
}

/// Python's `x % y` for integers (the sign of the divisor); `None` on a zero divisor.
pub fn floor_rem(x: i64, y: i64) -> Option<i64> {
    let r = x.checked_rem(y)?;
    Some(if r != 0 && ((r < 0) != (y < 0)) { r + y } else { r })
}

/// Evaluates a condition, which must be a boolean.
pub fn eval_bool(value: &Value, env: &Env) -> Result<bool, Error> {
    match eval(value, env)? {
        Const::Bool(b) => Ok(b),
        other => Err(Error::new(
            Code::ConstExpr,
            format!("a condition must be a boolean, but this is {}", describe(other)),
            value.span,
            "not a boolean",
        )
        .with_help("compare it: `stride != 1`")),
    }
}

/// Evaluates a loop bound, which must be an integer.
pub fn eval_int(value: &Value, env: &Env, what: &str) -> Result<i64, Error> {
    match eval(value, env)? {
        Const::Int(n) => Ok(n),
        other => Err(Error::new(
            Code::ConstExpr,
            format!("{what} must be an integer, but this is {}", describe(other)),
            value.span,
            "not an integer",
        )),
    }
}

/// The types of the constants in scope, by name.
pub type Types = HashMap<String, ConstType>;

/// Resolves a checked constant expression into its typed form, with the types of the constants
/// in scope. The rules are those of [`eval`]: arithmetic on an integer and a float is done in
/// floats, comparisons compare numbers of one type, and the branches of an `if` unify.
pub fn resolve(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Int(n) => typed(K::Literal(Const::Int(*n)), ConstType::Int),
        ValueKind::Float(x) => typed(K::Literal(Const::Float(*x)), ConstType::Float),
        ValueKind::Bool(b) => typed(K::Literal(Const::Bool(*b)), ConstType::Bool),
        ValueKind::Name(name) => {
            typed(K::Name(name.clone()), types.get(name).copied().unwrap_or(ConstType::Int))
        }
        ValueKind::Unary { op, operand } => {
            let operand = resolve(operand, types);
            let ty = if *op == UnaryOp::Not { ConstType::Bool } else { operand.ty };
            typed(K::Unary { op: *op, operand: Box::new(operand) }, ty)
        }
        ValueKind::Binary { op, lhs, rhs } => {
            let (lhs, rhs) = (resolve(lhs, types), resolve(rhs, types));
            let operands = match (op, lhs.ty.unify(rhs.ty)) {
                (ConstOp::And | ConstOp::Or, _) | (_, None) => ConstType::Bool,
                (_, Some(ty)) => ty,
            };
            let ty = match op {
                ConstOp::Add | ConstOp::Sub | ConstOp::Mul | ConstOp::Div | ConstOp::Rem => {
                    operands
                }
                _ => ConstType::Bool,
            };
            let (lhs, rhs) = (lhs.converted(operands), rhs.converted(operands));
            typed(K::Binary { op: *op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, ty)
        }
        ValueKind::Call { name, args } => {
            let args: Vec<ConstExpr> = args.iter().map(|a| resolve(a, types)).collect();
            // The checker has rejected unknown functions.
            let func = ConstFn::lookup(&name.name).unwrap_or(ConstFn::Int);
            let arg_types: Vec<ConstType> = args.iter().map(|a| a.ty).collect();
            let (ty, arg_ty) = func.types(&arg_types);
            let args = args.into_iter().map(|a| a.converted(arg_ty)).collect();
            typed(K::Call { func, args }, ty)
        }
        ValueKind::Cond { cond, then, otherwise } => {
            let (then, otherwise) = (resolve(then, types), resolve(otherwise, types));
            let ty = then.ty.unify(otherwise.ty).unwrap_or(then.ty);
            typed(
                K::Cond {
                    cond: Box::new(resolve(cond, types)),
                    then: Box::new(then.converted(ty)),
                    otherwise: Box::new(otherwise.converted(ty)),
                },
                ty,
            )
        }
        // The checker rejects tuples, strings, `_` and `None` where a constant is expected.
        ValueKind::Tuple(_) | ValueKind::Str(_) | ValueKind::Infer | ValueKind::None => {
            typed(K::Literal(Const::Int(0)), ConstType::Int)
        }
    }
}

/// Resolves a layer argument that depends on constants: one value or a tuple.
pub fn resolve_arg(value: &Value, types: &Types) -> ArgExpr {
    match &value.kind {
        ValueKind::Tuple(items) => {
            ArgExpr::Tuple(items.iter().map(|i| resolve(i, types)).collect())
        }
        _ => ArgExpr::One(resolve(value, types)),
    }
}
