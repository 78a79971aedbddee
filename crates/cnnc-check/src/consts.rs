//! Compile-time constants: block parameters, `let` constants and loop variables, and the
//! constant expressions over them that layer arguments, conditions and loop bounds are written
//! in.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use cnnc_syntax::{self as ast, ConstOp, UnaryOp, Value, ValueKind};

use crate::args::suggest;
use crate::diagnostic::{Code, Error};
use crate::functions::{ConstFn, FUNCTIONS};
use crate::ir::{ArgExpr, ConstExpr};

/// The value of a constant expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string, such as `"HS"`: compared with `==` and `!=`.
    Str(Rc<str>),
    /// A tuple, such as `(1, 7)`.
    Tuple(Rc<[Const]>),
    /// A list, such as `[(1, 16, 1), (6, 24, 2)]`: at least one item, all of one type.
    List(Rc<[Const]>),
}

impl Const {
    /// The type of the value.
    pub fn ty(&self) -> ConstType {
        match self {
            Const::Int(_) => ConstType::Int,
            Const::Float(_) => ConstType::Float,
            Const::Bool(_) => ConstType::Bool,
            Const::Str(_) => ConstType::Str,
            Const::Tuple(items) => ConstType::Tuple(items.iter().map(Const::ty).collect()),
            Const::List(items) => {
                ConstType::List(Rc::new(items.first().map_or(ConstType::Int, Const::ty)))
            }
        }
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, items: &[Const]| {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        };
        match self {
            Const::Int(n) => write!(f, "{n}"),
            Const::Float(x) => write!(f, "{x:?}"),
            Const::Bool(b) => write!(f, "{b}"),
            Const::Str(text) => write!(f, "{text:?}"),
            Const::Tuple(items) => {
                f.write_str("(")?;
                join(f, items)?;
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            Const::List(items) => {
                f.write_str("[")?;
                join(f, items)?;
                f.write_str("]")
            }
        }
    }
}

/// The type of a constant: what a block parameter becomes in generated code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstType {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `&str`.
    Str,
    /// A tuple of these types.
    Tuple(Rc<[ConstType]>),
    /// A list of items of this type (a slice in Rust).
    List(Rc<ConstType>),
}

impl ConstType {
    /// The type that holds values of both types, if any: an integer widens to a float, also
    /// inside tuples and lists.
    pub fn unify(&self, other: &ConstType) -> Option<ConstType> {
        match (self, other) {
            (a, b) if a == b => Some(a.clone()),
            (ConstType::Int, ConstType::Float) | (ConstType::Float, ConstType::Int) => {
                Some(ConstType::Float)
            }
            (ConstType::Tuple(a), ConstType::Tuple(b)) if a.len() == b.len() => a
                .iter()
                .zip(b.iter())
                .map(|(a, b)| a.unify(b))
                .collect::<Option<_>>()
                .map(ConstType::Tuple),
            (ConstType::List(a), ConstType::List(b)) => {
                a.unify(b).map(|t| ConstType::List(Rc::new(t)))
            }
            _ => None,
        }
    }

    /// The type of a list's items (the type itself for others).
    pub fn item(&self) -> ConstType {
        match self {
            ConstType::List(item) => (**item).clone(),
            other => other.clone(),
        }
    }

    /// Whether the type is a number, a boolean or a string.
    pub fn is_scalar(&self) -> bool {
        matches!(self, ConstType::Int | ConstType::Float | ConstType::Bool | ConstType::Str)
    }

    /// Whether a value of the type contains a list.
    pub fn has_list(&self) -> bool {
        match self {
            ConstType::List(_) => true,
            ConstType::Tuple(items) => items.iter().any(ConstType::has_list),
            _ => false,
        }
    }
}

impl fmt::Display for ConstType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstType::Int => f.write_str("integer"),
            ConstType::Float => f.write_str("float"),
            ConstType::Bool => f.write_str("boolean"),
            ConstType::Str => f.write_str("string"),
            ConstType::Tuple(items) => {
                let items: Vec<String> = items.iter().map(|t| t.to_string()).collect();
                write!(f, "({})", items.join(", "))
            }
            ConstType::List(item) => match &**item {
                ConstType::Tuple(_) => write!(f, "list of tuples {item}"),
                ConstType::List(_) => write!(f, "list of lists"),
                scalar => write!(f, "list of {scalar}s"),
            },
        }
    }
}

/// The most user-function calls one evaluation may make, so that functions calling each other
/// twice over still end quickly.
pub const MAX_CALLS: u64 = 1_000_000;

/// The functions of a file, as calls see them: a function sees those defined above it.
#[derive(Debug, Clone, Default)]
pub struct Functions {
    defs: Rc<[cnnc_syntax::Function]>,
    visible: usize,
    calls: Rc<Cell<u64>>,
    calls_deep: Rc<Cell<usize>>,
    instances: Rc<RefCell<Instances>>,
}

impl Functions {
    /// The functions of a file, all visible.
    pub fn new(defs: &[cnnc_syntax::Function]) -> Self {
        Functions { defs: defs.into(), visible: defs.len(), ..Functions::default() }
    }

    /// The typed functions that resolved block code calls, in the order of their first call.
    pub fn typed(&self) -> Vec<crate::ir::Function> {
        self.instances.borrow().list.clone()
    }

    /// The visible function named `name`, with its index.
    pub fn get(&self, name: &str) -> Option<(usize, &cnnc_syntax::Function)> {
        self.defs[..self.visible].iter().enumerate().find(|(_, f)| f.name.name == name)
    }

    /// A function defined below the visible ones, named `name`.
    fn later(&self, name: &str) -> Option<&cnnc_syntax::Function> {
        self.defs[self.visible..].iter().find(|f| f.name.name == name)
    }

    /// What the body of function `index` sees.
    fn inside(&self, index: usize) -> Functions {
        Functions { visible: index, ..self.clone() }
    }
}

impl<'n> FromIterator<(&'n str, Const)> for Env<'n> {
    fn from_iter<I: IntoIterator<Item = (&'n str, Const)>>(iter: I) -> Self {
        Env { values: iter.into_iter().collect(), ..Env::default() }
    }
}

/// The constants in scope, by name, and the functions calls reach. The names are those of the
/// syntax tree, which outlives the checking.
#[derive(Debug, Clone, Default)]
pub struct Env<'n> {
    values: HashMap<&'n str, Const>,
    /// Constants whose definition failed (and was reported).
    failed: Vec<&'n str>,
    /// The functions in scope.
    pub functions: Functions,
}

impl<'n> Env<'n> {
    /// No constants and no functions.
    pub fn new() -> Self {
        Env::default()
    }

    /// No constants, with `functions`.
    pub fn with_functions(functions: Functions) -> Self {
        Env::with_capacity(0, functions)
    }

    /// No constants yet, room for `n`, with `functions`.
    pub fn with_capacity(n: usize, functions: Functions) -> Self {
        let values = HashMap::with_capacity_and_hasher(n, Default::default());
        Env { values, failed: Vec::new(), functions }
    }

    /// The constant `name`.
    pub fn get(&self, name: &str) -> Option<&Const> {
        self.values.get(name)
    }

    /// Defines (or redefines) a constant.
    pub fn insert(&mut self, name: &'n str, value: Const) {
        self.values.insert(name, value);
    }

    /// Marks `name` as a constant whose definition failed, so that its uses add no errors.
    pub fn fail(&mut self, name: &'n str) {
        self.values.remove(name);
        self.failed.push(name);
    }

    /// The names of the constants.
    pub fn keys(&self) -> impl Iterator<Item = &'n str> + '_ {
        self.values.keys().copied()
    }

    /// The types of the constants, with the same functions.
    pub fn types(&self) -> Types {
        let mut types = Types::new(self.functions.clone());
        for (name, value) in &self.values {
            types.insert(name.to_string(), value.ty());
        }
        types
    }
}

/// Whether a value mentions a constant by name (and so differs between block instances).
pub fn is_dynamic(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Name(_)
        | ValueKind::Unary { .. }
        | ValueKind::Binary { .. }
        | ValueKind::Call { .. }
        | ValueKind::Index { .. }
        | ValueKind::Cond { .. } => true,
        ValueKind::Tuple(items) | ValueKind::List(items) => items.iter().any(is_dynamic),
        ValueKind::Comprehension(_) => true,
        _ => false,
    }
}

/// The names a value mentions, in order of first use.
pub fn names(value: &Value, out: &mut Vec<String>) {
    match &value.kind {
        ValueKind::Name(name) if !out.contains(name) => out.push(name.clone()),
        ValueKind::Unary { operand, .. } => names(operand, out),
        ValueKind::Binary { lhs: a, rhs: b, .. } | ValueKind::Index { base: a, index: b } => {
            names(a, out);
            names(b, out);
        }
        ValueKind::Cond { cond, then, otherwise } => {
            names(cond, out);
            names(then, out);
            names(otherwise, out);
        }
        ValueKind::Tuple(items) | ValueKind::List(items) | ValueKind::Call { args: items, .. } => {
            items.iter().for_each(|i| names(i, out))
        }
        ValueKind::Comprehension(comprehension) => {
            let ast::Comprehension { item, vars, over, filter, .. } = &**comprehension;
            match over {
                cnnc_syntax::Iteration::Range { start, end } => {
                    names(start, out);
                    names(end, out);
                }
                cnnc_syntax::Iteration::Items(list) => names(list, out),
            }
            let mut inside = Vec::new();
            names(item, &mut inside);
            if let Some(cond) = filter {
                names(cond, &mut inside);
            }
            for name in inside {
                if !vars.iter().any(|v| v.name == name) && !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        _ => {}
    }
}

/// Replaces every constant expression in a layer argument by its value, keeping spans, so the
/// argument can be bound like a literal; a literal is borrowed as it is.
pub fn substitute<'v>(value: &'v Value, env: &Env) -> Result<Cow<'v, Value>, Error> {
    let kind = match &value.kind {
        ValueKind::Tuple(items) => {
            let items: Vec<Cow<'v, Value>> =
                items.iter().map(|i| substitute(i, env)).collect::<Result<_, _>>()?;
            if items.iter().all(|i| matches!(i, Cow::Borrowed(_))) {
                return Ok(Cow::Borrowed(value));
            }
            ValueKind::Tuple(items.into_iter().map(Cow::into_owned).collect())
        }
        ValueKind::Name(_)
        | ValueKind::Unary { .. }
        | ValueKind::Binary { .. }
        | ValueKind::Call { .. }
        | ValueKind::Index { .. }
        | ValueKind::List(_)
        | ValueKind::Comprehension(_)
        | ValueKind::Cond { .. } => return Ok(Cow::Owned(literal(&eval(value, env)?, value.span))),
        _ => return Ok(Cow::Borrowed(value)),
    };
    Ok(Cow::Owned(Value { kind, span: value.span }))
}

/// A constant written as a literal at `span`.
fn literal(c: &Const, span: cnnc_syntax::Span) -> Value {
    let kind = match c {
        Const::Int(n) => ValueKind::Int(*n),
        Const::Float(x) => ValueKind::Float(*x),
        Const::Bool(b) => ValueKind::Bool(*b),
        Const::Str(text) => ValueKind::Str(text.to_string()),
        Const::Tuple(items) => ValueKind::Tuple(items.iter().map(|i| literal(i, span)).collect()),
        Const::List(items) => ValueKind::List(items.iter().map(|i| literal(i, span)).collect()),
    };
    Value { kind, span }
}

/// Evaluates a constant expression.
pub fn eval(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Int(n) => Ok(Const::Int(*n)),
        ValueKind::Float(x) => Ok(Const::Float(*x)),
        ValueKind::Bool(b) => Ok(Const::Bool(*b)),
        ValueKind::Name(_) => eval_name(value, env),
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
                    describe(&c)
                ),
                "wrong type",
            )),
        },
        ValueKind::Cond { .. } => eval_cond(value, env),
        ValueKind::Comprehension(_) => eval_comprehension(value, env),
        ValueKind::Call { name, .. } if name.name == "sum" => eval_sum(value, env),
        ValueKind::Call { name, .. } if name.name == "len" => eval_len(value, env),
        ValueKind::Call { name, .. } if ConstFn::lookup(&name.name).is_none() => {
            eval_function_call(value, env)
        }
        ValueKind::Call { .. } => eval_number_function(value, env),
        ValueKind::Binary { .. } => eval_binary_op(value, env),
        ValueKind::Tuple(items) => {
            Ok(Const::Tuple(items.iter().map(|i| eval(i, env)).collect::<Result<_, _>>()?))
        }
        ValueKind::List(_) => eval_list(value, env),
        ValueKind::Index { .. } => eval_index(value, env),
        ValueKind::Str(text) => Ok(Const::Str(text.as_str().into())),
        ValueKind::Infer | ValueKind::None => Err(error(
            format!("{} is not a constant value", value.kind.type_name()),
            "not a constant",
        )),
    }
}

/// [`eval`] of a name, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_name(value: &Value, env: &Env) -> Result<Const, Error> {
    match &value.kind {
        ValueKind::Name(name) => env.get(name).cloned().ok_or_else(|| {
            if env.failed.contains(&name.as_str()) {
                return Error::follow_on(value.span);
            }
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
            let names: Vec<&str> = env.keys().collect();
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
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a cond, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_cond(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Cond { cond, then, otherwise } => {
            // Only the chosen branch must evaluate, as in Python (`xs[k + 1]` under `k + 1 <
            // len(xs)`); the other one, where it evaluates, sets the type with it.
            let holds = eval_bool(cond, env)?;
            let (chosen, other) = if holds { (then, otherwise) } else { (otherwise, then) };
            let value = eval(chosen, env)?;
            let Ok(other) = eval(other, env) else { return Ok(value) };
            let Some(ty) = value.ty().unify(&other.ty()) else {
                let (a, b) = if holds { (&value, &other) } else { (&other, &value) };
                return Err(error(
                    format!("the branches give {} and {}", describe(a), describe(b)),
                    "branches of different types",
                )
                .with_help("both branches of a constant `if` give values of one type"));
            };
            // An integer branch next to a float one is a float, as in the generated code.
            Ok(widen(value, &ty))
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a comprehension, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_comprehension(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Comprehension(comprehension) => {
            let ast::Comprehension { item, vars, unpack, over, filter } = &**comprehension;
            let mut inner = env.clone();
            let mut values = Vec::new();
            for value in iteration_values(over, env)? {
                bind_vars(&mut inner, vars, *unpack, value)?;
                if let Some(cond) = filter {
                    if !eval_bool(cond, &inner)? {
                        continue;
                    }
                }
                values.push(eval(item, &inner)?);
            }
            let mut ty = values.first().map(Const::ty);
            for c in &values {
                ty = ty.and_then(|t| t.unify(&c.ty()));
            }
            match ty {
                Some(ty) => Ok(Const::List(values.into_iter().map(|c| widen(c, &ty)).collect())),
                None if values.is_empty() => Ok(Const::List(Rc::from([]))),
                None => Err(error(
                    "the items of a list have one type, but these differ".into(),
                    "items of several types",
                )),
            }
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a sum, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_sum(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Call { name, args } if name.name == "sum" => match args.as_slice() {
            [arg] => match eval(arg, env)? {
                Const::List(items) => {
                    let mut total = Const::Int(0);
                    for item in items.iter() {
                        if !matches!(item, Const::Int(_) | Const::Float(_)) {
                            return Err(Error::new(
                                Code::ConstExpr,
                                format!("`sum` adds numbers, but an item is {}", describe(item)),
                                arg.span,
                                "not numbers",
                            ));
                        }
                        total = binary(ConstOp::Add, total, item.clone())
                            .map_err(|reason| error(format!("`sum`: {reason}"), &reason))?;
                    }
                    Ok(total)
                }
                other => Err(Error::new(
                    Code::ConstExpr,
                    format!("`sum` takes a list, but this is {}", describe(&other)),
                    arg.span,
                    "not a list",
                )),
            },
            _ => Err(error(
                format!("`sum` takes 1 argument, not {}", args.len()),
                "wrong number of arguments",
            )
            .with_help("call it as `sum(list)`")),
        },
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a len, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_len(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Call { name, args } if name.name == "len" => match args.as_slice() {
            [arg] => match eval(arg, env)? {
                Const::List(items) | Const::Tuple(items) => Ok(Const::Int(items.len() as i64)),
                other => Err(Error::new(
                    Code::ConstExpr,
                    format!("`len` takes a list or a tuple, but this is {}", describe(&other)),
                    arg.span,
                    "not a list",
                )),
            },
            _ => Err(error(
                format!("`len` takes 1 argument, not {}", args.len()),
                "wrong number of arguments",
            )
            .with_help("call it as `len(list)`")),
        },
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a function call, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_function_call(value: &Value, env: &Env) -> Result<Const, Error> {
    match &value.kind {
        ValueKind::Call { name, args } if ConstFn::lookup(&name.name).is_none() => {
            match env.functions.get(&name.name) {
                Some((index, def)) => call_function(index, def, args, value.span, env),
                None => Err(unknown_function(name, &env.functions)),
            }
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a number function, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_number_function(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Call { name, args } => {
            let Some(func) = ConstFn::lookup(&name.name) else {
                return Err(unknown_function(name, &env.functions));
            };
            check_arity(func, args.len(), value.span)?;
            let values = args.iter().map(|a| eval(a, env)).collect::<Result<Vec<_>, _>>()?;
            if let Some((arg, c)) = args
                .iter()
                .zip(values.iter())
                .find(|(_, c)| !matches!(c.ty(), ConstType::Int | ConstType::Float))
            {
                return Err(Error::new(
                    Code::ConstExpr,
                    format!("`{}` takes numbers, but this is {}", func.name(), describe(c)),
                    arg.span,
                    "not a number",
                ));
            }
            let types: Vec<ConstType> = values.iter().map(|c| c.ty()).collect();
            let arg_ty = func.types(&types).1;
            let values: Vec<Const> = values.into_iter().map(|c| widen(c, &arg_ty)).collect();
            let shown: Vec<String> = values.iter().map(|c| c.to_string()).collect();
            func.apply(&values).map_err(|reason| {
                error(format!("`{}({})`: {reason}", func.name(), shown.join(", ")), &reason)
            })
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a binary op, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_binary_op(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::Binary { op, lhs, rhs } => {
            let (a, b) = (eval(lhs, env)?, eval(rhs, env)?);
            if !a.ty().is_scalar() || !b.ty().is_scalar() {
                let which = if a.ty().is_scalar() { &b } else { &a };
                return Err(error(
                    format!("`{}` does not apply to {}", op.symbol(), describe(which)),
                    "not a number or boolean",
                )
                .with_help("index a list or tuple for one of its items: `config[0]`"));
            }
            binary(*op, a.clone(), b.clone()).map_err(|reason| {
                error(format!("`{a} {} {b}`: {reason}", op.symbol()), &reason)
                    .with_help(binary_help(*op))
            })
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of a list, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_list(value: &Value, env: &Env) -> Result<Const, Error> {
    let error =
        |message: String, label: &str| Error::new(Code::ConstExpr, message, value.span, label);
    match &value.kind {
        ValueKind::List(items) => {
            let values = items.iter().map(|i| eval(i, env)).collect::<Result<Vec<_>, _>>()?;
            let Some(first) = values.first() else {
                return Err(error("an empty list has no item type".into(), "empty list")
                    .with_help("a list has at least one item"));
            };
            let mut ty = first.ty();
            for (item, c) in items.iter().zip(values.iter()).skip(1) {
                ty = ty.unify(&c.ty()).ok_or_else(|| {
                    Error::new(
                        Code::ConstExpr,
                        format!(
                            "the items of a list have one type, but this is {} after {}",
                            describe(c),
                            describe(first)
                        ),
                        item.span,
                        "another type",
                    )
                    .with_related(items[0].span, "the first item")
                    .with_help("write every item alike, such as tuples of the same length")
                })?;
            }
            Ok(Const::List(values.into_iter().map(|c| widen(c, &ty)).collect()))
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// [`eval`] of an index, in a function of its own so that the recursion of
/// [`eval`] keeps a small stack frame.
fn eval_index(value: &Value, env: &Env) -> Result<Const, Error> {
    match &value.kind {
        ValueKind::Index { base, index } => {
            let (items, tuple) = match eval(base, env)? {
                Const::List(items) => (items, false),
                Const::Tuple(items) => (items, true),
                other => {
                    return Err(Error::new(
                        Code::ConstExpr,
                        format!(
                            "only lists and tuples are indexed, but this is {}",
                            describe(&other)
                        ),
                        base.span,
                        "not a list",
                    ))
                }
            };
            if tuple && !matches!(index.kind, ValueKind::Int(_)) {
                return Err(Error::new(
                    Code::ConstExpr,
                    "a tuple is indexed by an integer literal",
                    index.span,
                    "not a literal",
                )
                .with_help("the items of a tuple may differ in type, so which one is read must be fixed: `pair[0]`"));
            }
            let i = eval_int(index, env, "an index")?;
            let n = items.len() as i64;
            let at = if i < 0 { i.checked_add(n) } else { Some(i) };
            match at {
                Some(at) if (0..n).contains(&at) => Ok(items[at as usize].clone()),
                _ => Err(Error::new(
                    Code::ConstExpr,
                    format!("index {i} is out of range for {n} items"),
                    index.span,
                    "out of range",
                )
                .with_help(format!("the indices are 0 to {} (or -{n} to -1 from the end)", n - 1))),
            }
        }
        _ => unreachable!("dispatched by `eval`"),
    }
}

/// Binds loop variables to one item: the item itself, or the items of a tuple unpacked into
/// `vars` (`_` binds nothing).
pub fn bind_vars<'n>(
    env: &mut Env<'n>,
    vars: &'n [cnnc_syntax::Ident],
    unpack: bool,
    value: Const,
) -> Result<(), Error> {
    if !unpack {
        if vars[0].name != "_" {
            env.insert(&vars[0].name, value);
        }
        return Ok(());
    }
    match value {
        Const::Tuple(items) if items.len() == vars.len() => {
            for (var, item) in vars.iter().zip(items.iter()) {
                if var.name != "_" {
                    env.insert(&var.name, item.clone());
                }
            }
            Ok(())
        }
        other => {
            let span = vars[0].span.to(vars[vars.len() - 1].span);
            Err(Error::new(
                Code::ConstExpr,
                format!("{} names cannot unpack {}", vars.len(), describe(&other)),
                span,
                format!("{} names", vars.len()),
            )
            .with_help("each item of the list is a tuple with one value per name"))
        }
    }
}

/// The most items a list comprehension over a range makes.
pub const MAX_ITEMS: i64 = 1_000_000;

/// The items a loop goes over: the integers of a range, or the items of a list.
pub fn iteration_values(over: &cnnc_syntax::Iteration, env: &Env) -> Result<Vec<Const>, Error> {
    match over {
        cnnc_syntax::Iteration::Range { start, end } => {
            let (a, b) =
                (eval_int(start, env, "a range's start")?, eval_int(end, env, "a range's end")?);
            if b.saturating_sub(a) > MAX_ITEMS {
                return Err(Error::new(
                    Code::ConstExpr,
                    format!("the range {a}..{b} has more than {MAX_ITEMS} items"),
                    start.span.to(end.span),
                    "too long",
                ));
            }
            Ok((a..b).map(Const::Int).collect())
        }
        cnnc_syntax::Iteration::Items(list) => match eval(list, env)? {
            Const::List(items) => Ok(items.to_vec()),
            other => Err(Error::new(
                Code::ConstExpr,
                format!("a loop goes over a range or a list, but this is {}", describe(&other)),
                list.span,
                "not a list",
            )
            .with_help("write `for i in 0..n` to count, or `for (a, b) in config` over a list")),
        },
    }
}

/// The deepest chain of function calls one evaluation may make.
const MAX_CALL_DEPTH: usize = 200;

/// Calls the function `def` (index `index` in the file) with `args` evaluated in `env`.
fn call_function(
    index: usize,
    def: &cnnc_syntax::Function,
    args: &[Value],
    span: cnnc_syntax::Span,
    env: &Env,
) -> Result<Const, Error> {
    let functions = &env.functions;
    let calls = functions.calls.get() + 1;
    functions.calls.set(calls);
    if calls > MAX_CALLS {
        return Err(Error::new(
            Code::ConstExpr,
            format!("evaluating functions takes more than {MAX_CALLS} calls"),
            span,
            "too many calls",
        )
        .with_help("a function that calls another several times, at each level, grows exponentially: compute a value once with `let`"));
    }
    let name = &def.name.name;
    if args.len() > def.params.len() {
        return Err(Error::new(
            Code::ConstExpr,
            format!(
                "`{name}` takes at most {} arguments, but {} are given",
                def.params.len(),
                args.len()
            ),
            span,
            "too many arguments",
        )
        .with_related(def.name.span, "defined here"));
    }
    let mut inner = Env::with_functions(functions.inside(index));
    for (i, param) in def.params.iter().enumerate() {
        let value = match (args.get(i), &param.default) {
            (Some(arg), _) => eval(arg, env)?,
            (None, Some(default)) => eval(default, &inner)?,
            (None, None) => {
                return Err(Error::new(
                    Code::ConstExpr,
                    format!("`{name}` needs `{}`", param.name),
                    span,
                    "missing argument",
                )
                .with_related(param.span, "the parameter")
                .with_help(format!("call it as `{name}({})`", signature(def))))
            }
        };
        inner.insert(&param.name.name, value);
    }
    let depth = functions.calls_deep.get();
    if depth >= MAX_CALL_DEPTH {
        return Err(Error::new(
            Code::ConstExpr,
            format!("functions call each other more than {MAX_CALL_DEPTH} deep"),
            span,
            "too deep",
        ));
    }
    functions.calls_deep.set(depth + 1);
    let result = (|| {
        for stmt in &def.lets {
            let value = eval(&stmt.value, &inner)?;
            inner.insert(&stmt.name.name, value);
        }
        eval(&def.result, &inner)
    })();
    functions.calls_deep.set(depth);
    let result = result.map_err(|e| e.with_related(span, format!("in this call of `{name}`")))?;
    if result.ty().has_list() {
        return Err(Error::new(
            Code::ConstExpr,
            format!("`{name}` returns {}", describe(&result)),
            def.result.span,
            "a list",
        )
        .with_help("a function returns a number, a boolean or a tuple of them"));
    }
    Ok(result)
}

/// The parameters of a function as a call lists them: `v, divisor=8`.
fn signature(def: &cnnc_syntax::Function) -> String {
    let params: Vec<String> = def
        .params
        .iter()
        .map(|p| match &p.default {
            Some(default) if !is_dynamic(default) => match eval(default, &Env::new()) {
                Ok(value) => format!("{}={value}", p.name),
                Err(_) => p.name.name.to_string(),
            },
            _ => p.name.name.to_string(),
        })
        .collect();
    params.join(", ")
}

/// The error for a call of a function that is neither built in nor defined above the call.
fn unknown_function(name: &cnnc_syntax::Ident, functions: &Functions) -> Error {
    if let Some(later) = functions.later(&name.name) {
        return Error::new(
            Code::UndefinedName,
            format!("`{}` is defined below this call", name.name),
            name.span,
            "not defined yet",
        )
        .with_related(later.name.span, "defined here")
        .with_help("a function calls only functions defined above it (and never itself)");
    }
    let mut names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name()).collect();
    names.extend(["len", "sum"]);
    names.extend(functions.defs[..functions.visible].iter().map(|f| f.name.name.as_str()));
    let help = match suggest(&name.name, &names) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the functions of constants are {}", names.join(", ")),
    };
    Error::new(
        Code::UndefinedName,
        format!("no function `{}` in constant expressions", name.name),
        name.span,
        "not a function",
    )
    .with_help(help)
}

/// Reports a number function called with a number of arguments it does not take.
fn check_arity(func: ConstFn, arity: usize, span: cnnc_syntax::Span) -> Result<(), Error> {
    if func.takes(arity) {
        return Ok(());
    }
    Err(Error::new(
        Code::ConstExpr,
        format!(
            "`{}` does not take {arity} argument{}",
            func.name(),
            if arity == 1 { "" } else { "s" }
        ),
        span,
        "wrong number of arguments",
    )
    .with_help(format!("call it as `{}`", func.signature())))
}

/// An integer widened to a float where `ty` is float.
fn widen(c: Const, ty: &ConstType) -> Const {
    match (c, ty) {
        (Const::Int(n), ConstType::Float) => Const::Float(n as f64),
        (Const::Tuple(items), ConstType::Tuple(types)) if items.len() == types.len() => {
            Const::Tuple(items.iter().zip(types.iter()).map(|(c, t)| widen(c.clone(), t)).collect())
        }
        (Const::List(items), ConstType::List(ty)) => {
            Const::List(items.iter().map(|c| widen(c.clone(), ty)).collect())
        }
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

/// A value with its kind, for messages: "the integer 3".
pub fn describe(c: &Const) -> String {
    match c {
        Const::Int(n) => format!("the integer {n}"),
        Const::Float(x) => format!("the float {x:?}"),
        Const::Bool(b) => format!("the boolean {b}"),
        Const::Str(text) => format!("the string {text:?}"),
        Const::Tuple(_) => format!("the tuple {c}"),
        Const::List(items) if items.len() > 4 => {
            format!("a list of {} items of type {}", items.len(), c.ty().item())
        }
        Const::List(_) => format!("the list {c}"),
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
        _ => None,
    };
    let overflow = || "the result overflows 64 bits".to_string();
    Ok(match (op, a, b) {
        (ConstOp::And, Bool(x), Bool(y)) => Bool(x && y),
        (ConstOp::Or, Bool(x), Bool(y)) => Bool(x || y),
        (ConstOp::And | ConstOp::Or, _, _) => return Err("needs two booleans".into()),
        (ConstOp::Eq, Bool(x), Bool(y)) => Bool(x == y),
        (ConstOp::Ne, Bool(x), Bool(y)) => Bool(x != y),
        (ConstOp::Eq, Const::Str(x), Const::Str(y)) => Bool(x == y),
        (ConstOp::Ne, Const::Str(x), Const::Str(y)) => Bool(x != y),
        (_, Const::Str(_), _) | (_, _, Const::Str(_)) => {
            return Err("strings are compared with `==` and `!=` only".into())
        }
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
            format!("a condition must be a boolean, but this is {}", describe(&other)),
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
            format!("{what} must be an integer, but this is {}", describe(&other)),
            value.span,
            "not an integer",
        )),
    }
}

/// The functions of constants that block code calls, one per function and argument types, in
/// the order they are first called; shared by all the [`Functions`] of a file.
#[derive(Debug, Default)]
pub struct Instances {
    /// The typed functions.
    pub list: Vec<crate::ir::Function>,
    /// For each, the index of its source function and its parameter types.
    keys: Vec<(usize, Vec<ConstType>)>,
}

/// The types of the constants in scope, by name, with the functions that calls reach.
#[derive(Debug, Clone, Default)]
pub struct Types {
    values: HashMap<String, ConstType>,
    functions: Functions,
}

impl Types {
    /// No constants; calls reach `functions` and record their typed forms there.
    pub fn new(functions: Functions) -> Self {
        Types { values: HashMap::default(), functions }
    }

    /// The type of constant `name`.
    pub fn get(&self, name: &str) -> Option<&ConstType> {
        self.values.get(name)
    }

    /// Defines (or redefines) a constant.
    pub fn insert(&mut self, name: String, ty: ConstType) {
        self.values.insert(name, ty);
    }

    /// The typed function for a call of function `index` with arguments of `types`, typed on
    /// its first call: its name in generated code and its result type.
    fn instance(
        &self,
        index: usize,
        def: &cnnc_syntax::Function,
        types: Vec<ConstType>,
    ) -> (String, ConstType) {
        let key = (index, types);
        if let Some(i) = self.functions.instances.borrow().keys.iter().position(|k| *k == key) {
            let f = &self.functions.instances.borrow().list[i];
            return (f.name.clone(), f.result.ty.clone());
        }
        let mut inner = Types::new(self.functions.inside(index));
        let params: Vec<(String, ConstType)> =
            def.params.iter().map(|p| p.name.name.to_string()).zip(key.1.iter().cloned()).collect();
        for (name, ty) in &params {
            inner.insert(name.clone(), ty.clone());
        }
        let mut lets = Vec::new();
        for stmt in &def.lets {
            let value = resolve(&stmt.value, &inner);
            inner.insert(stmt.name.name.to_string(), value.ty.clone());
            lets.push((stmt.name.name.to_string(), value));
        }
        let result = resolve(&def.result, &inner);
        let mut instances = self.functions.instances.borrow_mut();
        // A function called with other argument types gets a name of its own: `f`, `f_2`, ...
        let mut name = def.name.name.to_string();
        let mut n = 1;
        while instances.list.iter().any(|f| f.name == name)
            || (n > 1 && self.functions.defs.iter().any(|f| f.name.name == name))
        {
            n += 1;
            name = format!("{}_{n}", def.name.name);
        }
        let ty = result.ty.clone();
        instances.list.push(crate::ir::Function { name: name.clone(), params, lets, result });
        instances.keys.push(key);
        (name, ty)
    }
}

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
            typed(K::Name(name.clone()), types.get(name).cloned().unwrap_or(ConstType::Int))
        }
        ValueKind::Unary { op, operand } => {
            let operand = resolve(operand, types);
            let ty = if *op == UnaryOp::Not { ConstType::Bool } else { operand.ty.clone() };
            typed(K::Unary { op: *op, operand: Box::new(operand) }, ty)
        }
        ValueKind::Binary { .. } => resolve_binary(value, types),
        ValueKind::Comprehension(_) => resolve_comprehension(value, types),
        ValueKind::Call { name, .. } if name.name == "sum" => resolve_sum(value, types),
        ValueKind::Call { name, .. } if name.name == "len" => resolve_len(value, types),
        ValueKind::Call { name, .. } if ConstFn::lookup(&name.name).is_none() => {
            resolve_function_call(value, types)
        }
        ValueKind::Call { .. } => resolve_number_function(value, types),
        ValueKind::Cond { .. } => resolve_cond(value, types),
        ValueKind::Tuple(items) => {
            let items: Vec<ConstExpr> = items.iter().map(|i| resolve(i, types)).collect();
            let ty = ConstType::Tuple(items.iter().map(|i| i.ty.clone()).collect());
            typed(K::Tuple(items), ty)
        }
        ValueKind::List(_) => resolve_list(value, types),
        ValueKind::Index { .. } => resolve_index(value, types),
        ValueKind::Str(text) => typed(K::Literal(Const::Str(text.as_str().into())), ConstType::Str),
        // The checker rejects `_` and `None` where a constant is expected.
        ValueKind::Infer | ValueKind::None => typed(K::Literal(Const::Int(0)), ConstType::Int),
    }
}

/// [`resolve`] of a binary, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_binary(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Binary { op, lhs, rhs } => {
            let (lhs, rhs) = (resolve(lhs, types), resolve(rhs, types));
            let operands = match (op, lhs.ty.unify(&rhs.ty)) {
                (ConstOp::And | ConstOp::Or, _) | (_, None) => ConstType::Bool,
                (_, Some(ty)) => ty,
            };
            let ty = match op {
                ConstOp::Add | ConstOp::Sub | ConstOp::Mul | ConstOp::Div | ConstOp::Rem => {
                    operands.clone()
                }
                _ => ConstType::Bool,
            };
            let (lhs, rhs) = (lhs.converted(&operands), rhs.converted(&operands));
            typed(K::Binary { op: *op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, ty)
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a comprehension, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_comprehension(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Comprehension(comprehension) => {
            let ast::Comprehension { item, vars, unpack, over, filter } = &**comprehension;
            let mut inner = types.clone();
            let over = match over {
                cnnc_syntax::Iteration::Range { start, end } => {
                    inner.insert(vars[0].name.to_string(), ConstType::Int);
                    crate::ir::Over::Range(resolve(start, types), resolve(end, types))
                }
                cnnc_syntax::Iteration::Items(list) => {
                    let list = resolve(list, types);
                    match (unpack, list.ty.item()) {
                        (true, ConstType::Tuple(items)) => {
                            for (var, ty) in vars.iter().zip(items.iter()) {
                                inner.insert(var.name.to_string(), ty.clone());
                            }
                        }
                        (_, ty) => inner.insert(vars[0].name.to_string(), ty),
                    }
                    crate::ir::Over::Items(list)
                }
            };
            let item = Box::new(resolve(item, &inner));
            let filter = filter.as_ref().map(|cond| Box::new(resolve(cond, &inner)));
            let ty = ConstType::List(Rc::new(item.ty.clone()));
            let vars = vars.iter().map(|v| v.name.to_string()).collect();
            let (unpack, over) = (*unpack, Box::new(over));
            typed(K::Comprehension { item, vars, unpack, over, filter }, ty)
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a sum, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_sum(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Call { name, args } if name.name == "sum" => {
            match args.first().map(|a| resolve(a, types)) {
                Some(list) => {
                    let ty = match list.ty.item() {
                        ConstType::Float => ConstType::Float,
                        _ => ConstType::Int,
                    };
                    typed(K::Sum(Box::new(list)), ty)
                }
                None => typed(K::Literal(Const::Int(0)), ConstType::Int),
            }
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a len, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_len(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Call { name, args } if name.name == "len" => {
            let arg = args.first().map(|a| resolve(a, types));
            match arg {
                Some(ConstExpr { ty: ConstType::Tuple(items), .. }) => {
                    typed(K::Literal(Const::Int(items.len() as i64)), ConstType::Int)
                }
                Some(arg) => typed(K::Len(Box::new(arg)), ConstType::Int),
                None => typed(K::Literal(Const::Int(0)), ConstType::Int),
            }
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a function call, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_function_call(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Call { name, args } if ConstFn::lookup(&name.name).is_none() => {
            // The checker has rejected calls of functions that are not in scope.
            let Some((index, def)) = types.functions.get(&name.name) else {
                return typed(K::Literal(Const::Int(0)), ConstType::Int);
            };
            let mut inner = Types::new(types.functions.inside(index));
            let mut bound: HashMap<String, ConstExpr> = HashMap::default();
            let mut all = Vec::new();
            for (i, param) in def.params.iter().enumerate() {
                let expr = match (args.get(i), &param.default) {
                    (Some(arg), _) => resolve(arg, types),
                    (None, Some(default)) => resolve(default, &inner).substituted(&bound),
                    (None, None) => typed(K::Literal(Const::Int(0)), ConstType::Int),
                };
                inner.insert(param.name.name.to_string(), expr.ty.clone());
                bound.insert(param.name.name.to_string(), expr.clone());
                all.push(expr);
            }
            let signature = all.iter().map(|a| a.ty.clone()).collect();
            let (name, ty) = types.instance(index, def, signature);
            typed(K::UserCall { name, args: all }, ty)
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a number function, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_number_function(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Call { name, args } => {
            let args: Vec<ConstExpr> = args.iter().map(|a| resolve(a, types)).collect();
            let func = ConstFn::lookup(&name.name).unwrap_or(ConstFn::Int);
            let arg_types: Vec<ConstType> = args.iter().map(|a| a.ty.clone()).collect();
            let (ty, arg_ty) = func.types(&arg_types);
            let args = args.into_iter().map(|a| a.converted(&arg_ty)).collect();
            typed(K::Call { func, args }, ty)
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a cond, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_cond(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Cond { cond, then, otherwise } => {
            let (then, otherwise) = (resolve(then, types), resolve(otherwise, types));
            let ty = then.ty.unify(&otherwise.ty).unwrap_or_else(|| then.ty.clone());
            typed(
                K::Cond {
                    cond: Box::new(resolve(cond, types)),
                    then: Box::new(then.converted(&ty)),
                    otherwise: Box::new(otherwise.converted(&ty)),
                },
                ty,
            )
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of a list, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_list(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::List(items) => {
            let items: Vec<ConstExpr> = items.iter().map(|i| resolve(i, types)).collect();
            let item = items
                .iter()
                .skip(1)
                .fold(items.first().map_or(ConstType::Int, |i| i.ty.clone()), |ty, i| {
                    ty.unify(&i.ty).unwrap_or(ty)
                });
            let items = items.into_iter().map(|i| i.converted(&item)).collect();
            typed(K::List(items), ConstType::List(Rc::new(item)))
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// [`resolve`] of an index, in a function of its own so that the recursion of
/// [`resolve`] keeps a small stack frame.
fn resolve_index(value: &Value, types: &Types) -> ConstExpr {
    use crate::ir::ConstExprKind as K;
    let typed = |kind, ty| ConstExpr { kind, ty };
    match &value.kind {
        ValueKind::Index { base, index } => {
            let base = resolve(base, types);
            match (&base.ty, &index.kind) {
                (ConstType::Tuple(items), ValueKind::Int(i)) => {
                    let n = items.len() as i64;
                    let at = if *i < 0 { i + n } else { *i }.clamp(0, (n - 1).max(0)) as usize;
                    let ty = items.get(at).cloned().unwrap_or(ConstType::Int);
                    typed(K::Field { base: Box::new(base), index: at }, ty)
                }
                (ConstType::List(item), _) => {
                    let ty = (**item).clone();
                    let index = resolve(index, types);
                    typed(K::Index { base: Box::new(base), index: Box::new(index) }, ty)
                }
                // The checker has rejected indexing anything else.
                _ => typed(K::Literal(Const::Int(0)), ConstType::Int),
            }
        }
        _ => unreachable!("dispatched by `resolve`"),
    }
}

/// Resolves a layer argument that depends on constants: one value or a tuple (written as one,
/// or a constant that holds one).
pub fn resolve_arg(value: &Value, types: &Types) -> ArgExpr {
    match &value.kind {
        ValueKind::Tuple(items) => {
            ArgExpr::Tuple(items.iter().map(|i| resolve(i, types)).collect())
        }
        _ => {
            let expr = resolve(value, types);
            match &expr.ty {
                ConstType::Tuple(items) => ArgExpr::Tuple(
                    (0..items.len()).map(|index| ConstExpr::field(expr.clone(), index)).collect(),
                ),
                _ => ArgExpr::One(expr),
            }
        }
    }
}
