//! Signatures in `torch.nn` style and the binding of written arguments to them, with Python's
//! rules: positionals first, in order, then keywords.

use std::borrow::Cow;
use std::rc::Rc;

use cnnc_syntax::{Arg, Ident, Span, Value, ValueKind};
use smallvec::{smallvec, SmallVec};

use crate::diagnostic::{Code, Error};

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArgType {
    /// An integer.
    Int,
    /// A tuple of this many integers; an integer `n` stands for `(n, n, …)`.
    Ints(usize),
    /// A tuple of any number of integers, or one integer.
    IntList,
    /// A tuple of this many entries, each an integer or `None`; a single entry stands for all.
    OptInts(usize),
    /// `None`, an integer, or a tuple of integers.
    OptIntList,
    /// `None`, a number, or a tuple of numbers.
    OptFloatList,
    /// A boolean or `None`.
    OptBool,
    /// Convolution padding: an integer, a tuple of this many integers, `"valid"` (no padding) or
    /// `"same"` (the output keeps the input's size).
    ConvPadding(usize),
    /// A boolean.
    Bool,
    /// A float (an integer is accepted).
    Float,
    /// A float or `None`.
    OptFloat,
    /// An integer or `None`.
    OptInt,
    /// One of a fixed set of strings; generated code names the variant of `rust_enum` whose
    /// name is the string in UpperCamelCase (`"reflect"` → `PaddingMode::Reflect`).
    Choice {
        /// The runtime enum, such as `PaddingMode`.
        rust_enum: &'static str,
        /// The accepted strings.
        options: &'static [&'static str],
    },
}

impl ArgType {
    fn describe(self) -> String {
        match self {
            ArgType::Int => "an integer".into(),
            ArgType::Ints(1) => "an integer".into(),
            ArgType::Ints(n) => format!("an integer or a tuple of {n} integers"),
            ArgType::IntList => "an integer or a tuple of integers".into(),
            ArgType::OptInts(n) => format!("an integer, `None`, or a tuple of {n} of them"),
            ArgType::OptIntList => "`None`, an integer or a tuple of integers".into(),
            ArgType::OptFloatList => "`None`, a number or a tuple of numbers".into(),
            ArgType::OptBool => "a boolean or `None`".into(),
            ArgType::ConvPadding(n) => {
                format!("an integer, a tuple of {n} integers, \"same\" or \"valid\"")
            }
            ArgType::Bool => "a boolean".into(),
            ArgType::Float => "a number".into(),
            ArgType::OptFloat => "a number or `None`".into(),
            ArgType::OptInt => "an integer or `None`".into(),
            ArgType::Choice { options, .. } => {
                let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }
}

/// The default of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// The argument must be written.
    Required,
    /// A fixed value.
    Value(DefaultValue),
    /// The value of another argument, such as a pool's `stride` defaulting to `kernel_size`.
    SameAs(&'static str),
}

/// A fixed default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// An integer, or a tuple of equal integers for [`ArgType::Ints`].
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A float.
    Float(f64),
    /// `None`.
    None,
    /// A string.
    Str(&'static str),
}

/// One parameter of a signature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The name, as in `torch.nn`.
    pub name: &'static str,
    /// The type.
    pub ty: ArgType,
    /// The default.
    pub default: Default,
    /// The smallest allowed value of a number (each element of a pair).
    pub min: Option<f64>,
    /// The largest allowed value of a number.
    pub max: Option<f64>,
    /// Whether `_` may be written, for the checker to infer from the input shape.
    pub inferable: bool,
}

impl Param {
    /// A required parameter.
    pub const fn required(name: &'static str, ty: ArgType) -> Param {
        Param { name, ty, default: Default::Required, min: None, max: None, inferable: false }
    }

    /// A parameter with a default.
    pub const fn optional(name: &'static str, ty: ArgType, default: DefaultValue) -> Param {
        Param { name, ty, default: Default::Value(default), min: None, max: None, inferable: false }
    }

    /// A parameter that defaults to another parameter's value.
    pub const fn same_as(name: &'static str, ty: ArgType, other: &'static str) -> Param {
        Param { name, ty, default: Default::SameAs(other), min: None, max: None, inferable: false }
    }

    /// Sets the smallest allowed value.
    pub const fn min(mut self, min: f64) -> Param {
        self.min = Some(min);
        self
    }

    /// Sets the largest allowed value.
    pub const fn max(mut self, max: f64) -> Param {
        self.max = Some(max);
        self
    }

    /// Allows `_`.
    pub const fn inferable(mut self) -> Param {
        self.inferable = true;
        self
    }
}

/// The integers of a tuple argument; a kernel size, stride or padding of up to three
/// dimensions is stored inline.
pub type Ints = SmallVec<[i64; 3]>;

/// A bound argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// An integer.
    Int(i64),
    /// A tuple of integers.
    Ints(Ints),
    /// A tuple of integers or `None`s.
    OptInts(Vec<Option<i64>>),
    /// A tuple of floats.
    Floats(Vec<f64>),
    /// A boolean.
    Bool(bool),
    /// A float.
    Float(f64),
    /// `None`.
    None,
    /// A string: a choice from the signature, which needs no allocation.
    Str(Cow<'static, str>),
    /// `_`, not inferred yet.
    Infer,
}

impl std::fmt::Display for ArgValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgValue::Int(n) => write!(f, "{n}"),
            ArgValue::Ints(v)
                if v.len() == 1 || v.windows(2).all(|w| w[0] == w[1]) && !v.is_empty() =>
            {
                write!(f, "{}", v[0])
            }
            ArgValue::Ints(v) => write!(f, "({})", join(v.iter().map(ToString::to_string))),
            ArgValue::OptInts(v) if !v.is_empty() && v.windows(2).all(|w| w[0] == w[1]) => {
                write!(f, "{}", v[0].map_or("None".to_string(), |n| n.to_string()))
            }
            ArgValue::OptInts(v) => {
                let items = v.iter().map(|x| x.map_or("None".to_string(), |n| n.to_string()));
                write!(f, "({})", join(items))
            }
            ArgValue::Floats(v) if v.len() == 1 => write!(f, "{:?}", v[0]),
            ArgValue::Floats(v) => write!(f, "({})", join(v.iter().map(|x| format!("{x:?}")))),
            ArgValue::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            ArgValue::Float(x) => write!(f, "{x:?}"),
            ArgValue::None => f.write_str("None"),
            ArgValue::Str(s) => write!(f, "\"{s}\""),
            ArgValue::Infer => f.write_str("_"),
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// One argument after binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The value (a default when not written).
    pub value: ArgValue,
    /// Where the value was written, or `None` for defaults.
    pub span: Option<Span>,
}

/// The arguments of a call, bound to a signature: one entry for each parameter, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundArgs {
    /// The signature.
    pub params: &'static [Param],
    /// The values, aligned with `params`; the layers that repeated uses of a block declare with
    /// the same values share them.
    pub values: Rc<[Bound]>,
    /// The whole call, for diagnostics about the call as a whole.
    pub call_span: Span,
}

impl BoundArgs {
    fn index(&self, name: &str) -> usize {
        self.params
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_else(|| panic!("no parameter `{name}` in this signature"))
    }

    /// The bound value of a parameter.
    pub fn get(&self, name: &str) -> &ArgValue {
        &self.values[self.index(name)].value
    }

    /// Where the parameter's value was written, or the call when it was not.
    pub fn span(&self, name: &str) -> Span {
        self.values[self.index(name)].span.unwrap_or(self.call_span)
    }

    /// Whether the parameter was written.
    pub fn written(&self, name: &str) -> bool {
        self.values[self.index(name)].span.is_some()
    }

    /// Replaces a value, such as a `_` that was inferred.
    pub fn set(&mut self, name: &str, value: ArgValue) {
        let i = self.index(name);
        Rc::make_mut(&mut self.values)[i].value = value;
    }

    /// An integer parameter's value, or `None` for `_`.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            ArgValue::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A tuple parameter's values.
    pub fn ints(&self, name: &str) -> &[i64] {
        match self.get(name) {
            ArgValue::Ints(v) => v,
            other => panic!("`{name}` is not a tuple of integers: {other:?}"),
        }
    }

    /// A tuple parameter whose entries may be `None`.
    pub fn opt_ints(&self, name: &str) -> &[Option<i64>] {
        match self.get(name) {
            ArgValue::OptInts(v) => v,
            other => panic!("`{name}` is not a tuple of optional integers: {other:?}"),
        }
    }

    /// A boolean parameter's value.
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), ArgValue::Bool(true))
    }

    /// A float parameter's value, or `None` for `None`.
    pub fn float(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            ArgValue::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The call as written, with inferred values filled in: written arguments only, leading
    /// ones positional (`Conv2d(3, 32, 3, padding=1)`). `replace` substitutes one argument's
    /// text, as in a suggested fix.
    pub fn call_text(&self, callee: &str, replace: Option<(&str, &str)>) -> String {
        let mut parts = Vec::new();
        let mut positional = true;
        for (param, bound) in self.params.iter().zip(self.values.iter()) {
            let value = match replace {
                Some((name, text)) if name == param.name => text.to_string(),
                _ if bound.span.is_some() => bound.value.to_string(),
                _ => {
                    positional = false;
                    continue;
                }
            };
            parts.push(if positional { value } else { format!("{}={value}", param.name) });
        }
        format!("{callee}({})", parts.join(", "))
    }

    /// A string parameter's value.
    pub fn str(&self, name: &str) -> &str {
        match self.get(name) {
            ArgValue::Str(s) => s,
            other => panic!("`{name}` is not a string: {other:?}"),
        }
    }
}

/// Binds written arguments to a signature. `callee` names the callee in messages, such as
/// `Conv2d`. All problems are reported, not only the first.
pub fn bind<A: WrittenArg>(
    callee: &str,
    params: &'static [Param],
    args: &[A],
    call_span: Span,
    errors: &mut Vec<Error>,
) -> Option<BoundArgs> {
    let signature = || signature(callee, params);
    let mut slots = Slots::new();
    let mut ok = assign(callee, params, &signature, args, call_span, errors, &mut slots);
    // One allocation holds the values: the iterator's length is known.
    let unset = || Bound { value: ArgValue::None, span: None };
    let mut values: Rc<[Bound]> = params
        .iter()
        .zip(&slots)
        .map(|(param, slot)| match slot {
            Some(arg) => match convert(callee, param, *arg, errors) {
                Some(value) => Bound { value, span: Some(arg.value().span) },
                None => {
                    ok = false;
                    unset()
                }
            },
            None => match param.default {
                Default::Required => {
                    ok = false; // reported by `assign`
                    unset()
                }
                Default::Value(v) => Bound { value: default_value(param.ty, v), span: None },
                Default::SameAs(_) => unset(),
            },
        })
        .collect();
    if !ok {
        return None;
    }
    // Resolve defaults that follow another argument; the values are not shared yet.
    if let Some(values) = Rc::get_mut(&mut values) {
        for i in 0..params.len() {
            if let (Default::SameAs(other), None) = (params[i].default, values[i].span) {
                let j =
                    params.iter().position(|p| p.name == other).expect("SameAs names a parameter");
                values[i].value = values[j].value.clone();
            }
        }
    }
    Some(BoundArgs { params, values, call_span })
}

/// The argument of each parameter, as [`assign`] gives them; a signature's worth fits without a
/// heap allocation.
pub type Slots<'a, A = Arg> = SmallVec<[Option<&'a A>; 16]>;

/// A written argument, as binding reads it: one of the source, or one whose value a block's
/// constants replaced.
pub trait WrittenArg {
    /// The keyword, in `name=value`.
    fn keyword(&self) -> Option<&Ident>;
    /// The value.
    fn value(&self) -> &Value;
    /// The whole argument.
    fn span(&self) -> Span;
}

impl WrittenArg for Arg {
    fn keyword(&self) -> Option<&Ident> {
        self.keyword.as_ref()
    }
    fn value(&self) -> &Value {
        &self.value
    }
    fn span(&self) -> Span {
        self.span
    }
}

/// An argument of the source with its value after substituting constants
/// ([`crate::consts::substitute`]); a literal stays borrowed.
pub struct SubstitutedArg<'a> {
    /// The argument as written.
    pub written: &'a Arg,
    /// Its value.
    pub value: Cow<'a, Value>,
}

impl WrittenArg for SubstitutedArg<'_> {
    fn keyword(&self) -> Option<&Ident> {
        self.written.keyword.as_ref()
    }
    fn value(&self) -> &Value {
        &self.value
    }
    fn span(&self) -> Span {
        self.written.span
    }
}

/// The parameters that [`assign`] gives written arguments to, read in place: a layer's
/// signature or a block's parameters.
pub trait Params {
    /// How many there are.
    fn count(&self) -> usize;
    /// The name of parameter `i`.
    fn name(&self, i: usize) -> &str;
    /// Whether parameter `i` has no default.
    fn required(&self, i: usize) -> bool;
}

impl Params for [Param] {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> &str {
        self[i].name
    }
    fn required(&self, i: usize) -> bool {
        self[i].default == Default::Required
    }
}

/// Assigns written arguments to `params` by position and keyword: fills `slots` with the
/// argument of each parameter, or `None` where the default applies. Reports misplaced, unknown,
/// duplicate and missing arguments, and returns whether there were none; `signature` gives the
/// signature as messages show it (computed only for a message).
pub fn assign<'a, P: Params + ?Sized, A: WrittenArg>(
    callee: &str,
    params: &P,
    signature: &dyn Fn() -> String,
    args: &'a [A],
    call_span: Span,
    errors: &mut Vec<Error>,
    slots: &mut Slots<'a, A>,
) -> bool {
    let count = params.count();
    slots.clear();
    slots.resize(count, None);
    let mut ok = true;
    let mut seen_keyword: Option<Span> = None;
    // Parameters that a misspelled keyword was suggested for: not reported as missing too.
    let mut meant: Vec<usize> = Vec::new();
    for (position, arg) in args.iter().enumerate() {
        let index = match arg.keyword() {
            None => {
                if let Some(keyword_span) = seen_keyword {
                    errors.push(
                        Error::new(
                            Code::ArgumentOrder,
                            format!("positional argument after a keyword argument in `{callee}`"),
                            arg.span(),
                            "positional argument",
                        )
                        .with_related(keyword_span, "keyword argument before it")
                        .with_help(
                            "write positional arguments first, or give this one its keyword",
                        ),
                    );
                    ok = false;
                    continue;
                }
                if position >= count {
                    errors.push(
                        Error::new(
                            Code::TooManyArguments,
                            format!(
                                "`{callee}` takes at most {} positional argument{}, but {} were given",
                                count,
                                if count == 1 { "" } else { "s" },
                                args.iter().filter(|a| a.keyword().is_none()).count()
                            ),
                            arg.span(),
                            "unexpected argument",
                        )
                        .with_help(format!("the signature is {}", signature())),
                    );
                    ok = false;
                    break;
                }
                position
            }
            Some(keyword) => {
                seen_keyword.get_or_insert(keyword.span);
                match (0..count).find(|&i| params.name(i) == keyword.name) {
                    Some(i) => i,
                    None => {
                        let names: Vec<&str> = (0..count).map(|i| params.name(i)).collect();
                        let suggestion = suggest(&keyword.name, &names);
                        let help = match suggestion {
                            Some(s) => {
                                meant.extend(names.iter().position(|n| *n == s));
                                format!("did you mean `{s}`? the signature is {}", signature())
                            }
                            None => format!("the signature is {}", signature()),
                        };
                        let mut error = Error::new(
                            Code::UnknownArgument,
                            format!("`{callee}` has no argument `{}`", keyword.name),
                            keyword.span,
                            "unknown argument",
                        )
                        .with_help(help);
                        if let Some(s) = suggestion {
                            error = error.with_fix(keyword.span, s);
                        }
                        errors.push(error);
                        ok = false;
                        continue;
                    }
                }
            }
        };
        if let Some(first) = slots[index] {
            let span = arg.keyword().map_or(arg.span(), |k| k.span);
            errors.push(
                Error::new(
                    Code::DuplicateArgument,
                    format!("argument `{}` of `{callee}` is given twice", params.name(index)),
                    span,
                    "given again here",
                )
                .with_related(first.span(), "first given here")
                .with_help("remove one of them"),
            );
            ok = false;
            continue;
        }
        slots[index] = Some(arg);
    }
    let missing: Vec<String> = (0..count)
        .filter(|&i| params.required(i) && slots[i].is_none() && !meant.contains(&i))
        .map(|i| format!("`{}`", params.name(i)))
        .collect();
    if !missing.is_empty() {
        errors.push(
            Error::new(
                Code::MissingArgument,
                format!(
                    "`{callee}` is missing required argument{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
                call_span,
                format!("missing {}", missing.join(", ")),
            )
            .with_help(format!("the signature is {}", signature())),
        );
        ok = false;
    }
    ok
}

/// The value a default stands for, given the parameter's type.
pub fn default_value(ty: ArgType, v: DefaultValue) -> ArgValue {
    match (ty, v) {
        (ArgType::Ints(len) | ArgType::ConvPadding(len), DefaultValue::Int(n)) => {
            ArgValue::Ints(smallvec![n; len])
        }
        (_, DefaultValue::Int(n)) => ArgValue::Int(n),
        (_, DefaultValue::Bool(b)) => ArgValue::Bool(b),
        (_, DefaultValue::Float(x)) => ArgValue::Float(x),
        (_, DefaultValue::None) => ArgValue::None,
        (_, DefaultValue::Str(s)) => ArgValue::Str(Cow::Borrowed(s)),
    }
}

/// The signature as written in messages, such as `Linear(in_features, out_features, bias=true)`.
pub fn signature(callee: &str, params: &[Param]) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|p| match p.default {
            Default::Required => p.name.to_string(),
            Default::SameAs(_) => format!("{}=None", p.name),
            Default::Value(v) => format!("{}={}", p.name, default_value(p.ty, v)),
        })
        .collect();
    format!("`{callee}({})`", parts.join(", "))
}

fn convert(
    callee: &str,
    param: &Param,
    arg: &impl WrittenArg,
    errors: &mut Vec<Error>,
) -> Option<ArgValue> {
    let value = arg.value();
    let converted = match (&value.kind, param.ty) {
        (ValueKind::Infer, _) if param.inferable => return Some(ArgValue::Infer),
        (ValueKind::Infer, _) => {
            errors.push(
                Error::new(
                    Code::ArgumentType,
                    format!("`{}` of `{callee}` cannot be inferred", param.name),
                    value.span,
                    "`_` not allowed here",
                )
                .with_help(format!(
                    "write {} for `{}`",
                    param.ty.describe(),
                    param.name
                )),
            );
            return None;
        }
        (ValueKind::Int(n), ArgType::Int | ArgType::OptInt) => ArgValue::Int(*n),
        (ValueKind::Int(n), ArgType::Ints(len) | ArgType::ConvPadding(len)) => {
            ArgValue::Ints(smallvec![*n; len])
        }
        (ValueKind::Str(s), ArgType::ConvPadding(len)) if s == "valid" => {
            ArgValue::Ints(smallvec![0; len])
        }
        (ValueKind::Str(s), ArgType::ConvPadding(_)) if s == "same" => {
            ArgValue::Str(Cow::Borrowed("same"))
        }
        (ValueKind::Int(n), ArgType::IntList | ArgType::OptIntList) => {
            ArgValue::Ints(smallvec![*n])
        }
        (ValueKind::Tuple(items), ArgType::Ints(len) | ArgType::ConvPadding(len))
            if items.len() == len =>
        {
            match int_items(items) {
                Some(ints) => ArgValue::Ints(ints),
                None => return type_error(callee, param, value, errors),
            }
        }
        (ValueKind::Tuple(items), ArgType::IntList | ArgType::OptIntList) => match int_items(items)
        {
            Some(ints) => ArgValue::Ints(ints),
            None => return type_error(callee, param, value, errors),
        },
        (ValueKind::Int(n), ArgType::OptInts(len)) => ArgValue::OptInts(vec![Some(*n); len]),
        (ValueKind::None, ArgType::OptInts(len)) => ArgValue::OptInts(vec![None; len]),
        (ValueKind::Tuple(items), ArgType::OptInts(len)) if items.len() == len => {
            let entries: Option<Vec<Option<i64>>> = items
                .iter()
                .map(|item| match item.kind {
                    ValueKind::Int(n) => Some(Some(n)),
                    ValueKind::None => Some(None),
                    _ => None,
                })
                .collect();
            match entries {
                Some(entries) => ArgValue::OptInts(entries),
                None => return type_error(callee, param, value, errors),
            }
        }
        (ValueKind::Int(n), ArgType::OptFloatList) => ArgValue::Floats(vec![*n as f64]),
        (ValueKind::Float(x), ArgType::OptFloatList) => ArgValue::Floats(vec![*x]),
        (ValueKind::Tuple(items), ArgType::OptFloatList) => {
            let numbers: Option<Vec<f64>> = items
                .iter()
                .map(|item| match item.kind {
                    ValueKind::Int(n) => Some(n as f64),
                    ValueKind::Float(x) => Some(x),
                    _ => None,
                })
                .collect();
            match numbers {
                Some(numbers) => ArgValue::Floats(numbers),
                None => return type_error(callee, param, value, errors),
            }
        }
        (ValueKind::Bool(b), ArgType::Bool | ArgType::OptBool) => ArgValue::Bool(*b),
        (ValueKind::Int(n), ArgType::Float | ArgType::OptFloat) => ArgValue::Float(*n as f64),
        (ValueKind::Float(x), ArgType::Float | ArgType::OptFloat) => ArgValue::Float(*x),
        (
            ValueKind::None,
            ArgType::OptFloat
            | ArgType::OptInt
            | ArgType::OptBool
            | ArgType::OptIntList
            | ArgType::OptFloatList,
        ) => ArgValue::None,
        (ValueKind::Str(s), ArgType::Choice { options, .. }) => {
            match options.iter().find(|o| **o == s.as_str()) {
                Some(option) => ArgValue::Str(Cow::Borrowed(option)),
                None => return type_error(callee, param, value, errors),
            }
        }
        _ => return type_error(callee, param, value, errors),
    };
    check_range(callee, param, &converted, value.span, errors).then_some(converted)
}

fn int_items(items: &[cnnc_syntax::Value]) -> Option<Ints> {
    items
        .iter()
        .map(|item| match item.kind {
            ValueKind::Int(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn type_error(
    callee: &str,
    param: &Param,
    value: &cnnc_syntax::Value,
    errors: &mut Vec<Error>,
) -> Option<ArgValue> {
    let expected = param.ty.describe();
    if let ValueKind::List(items) = &value.kind {
        // Python takes `[3, 3]` where a pair is expected; cnnc writes a tuple.
        let shown: Option<Vec<String>> = items
            .iter()
            .map(|item| match &item.kind {
                ValueKind::Int(n) => Some(n.to_string()),
                ValueKind::Float(x) => Some(format!("{x:?}")),
                ValueKind::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect();
        let mut error = Error::new(
            Code::ArgumentType,
            format!("`{}` of `{callee}` must be {expected}, found a list", param.name),
            value.span,
            "a list, not a tuple",
        );
        if let Some(shown) = shown {
            let tuple = match shown.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", shown.join(", ")),
            };
            error = error
                .with_help(format!("layer arguments take tuples: write `{tuple}`"))
                .with_fix(value.span, tuple);
        }
        errors.push(error);
        return None;
    }
    let found = match &value.kind {
        ValueKind::Str(s) => format!("\"{s}\""),
        ValueKind::Tuple(items) => format!("a tuple of {} values", items.len()),
        other => other.type_name().to_string(),
    };
    errors.push(
        Error::new(
            Code::ArgumentType,
            format!("`{}` of `{callee}` must be {expected}, found {found}", param.name),
            value.span,
            format!("expected {expected}"),
        )
        .with_help(match param.ty {
            ArgType::Ints(2) => format!("write `{}=3` or `{}=(3, 5)`", param.name, param.name),
            ArgType::Bool => format!("write `{}=true` or `{}=false`", param.name, param.name),
            _ => format!("write {expected}"),
        }),
    );
    None
}

fn check_range(
    callee: &str,
    param: &Param,
    value: &ArgValue,
    span: Span,
    errors: &mut Vec<Error>,
) -> bool {
    if param.min.is_none() && param.max.is_none() {
        return true;
    }
    let numbers: SmallVec<[f64; 4]> = match value {
        ArgValue::Int(n) => smallvec![*n as f64],
        ArgValue::Ints(v) => v.iter().map(|&n| n as f64).collect(),
        ArgValue::OptInts(v) => v.iter().flatten().map(|&n| n as f64).collect(),
        ArgValue::Floats(v) => SmallVec::from_slice(v),
        ArgValue::Float(x) => smallvec![*x],
        _ => return true,
    };
    let fmt = |x: f64| {
        if param.ty == ArgType::Float || param.ty == ArgType::OptFloat {
            format!("{x:?}")
        } else {
            format!("{x}")
        }
    };
    for x in numbers {
        let problem = match (param.min, param.max) {
            (Some(min), _) if x < min || x.is_nan() => Some(format!("at least {}", fmt(min))),
            (_, Some(max)) if x > max || x.is_nan() => Some(format!("at most {}", fmt(max))),
            _ => None,
        };
        if let Some(bound) = problem {
            let range = match (param.min, param.max) {
                (Some(min), Some(max)) => format!("between {} and {}", fmt(min), fmt(max)),
                (Some(min), None) => format!("at least {}", fmt(min)),
                (None, Some(max)) => format!("at most {}", fmt(max)),
                (None, None) => unreachable!(),
            };
            errors.push(
                Error::new(
                    Code::ArgumentValue,
                    format!("`{}` of `{callee}` must be {range}, found {value}", param.name),
                    span,
                    format!("must be {bound}"),
                )
                .with_help(if range.starts_with("between") {
                    format!("write a value {range}")
                } else {
                    format!("write a value of {range}")
                }),
            );
            return false;
        }
    }
    true
}

pub use cnnc_syntax::suggest;
