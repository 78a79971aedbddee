//! The code of constant expressions: block parameters, `let` constants and loop variables with
//! the arithmetic over them, as Rust expressions of `i64`, `f64` and `bool`.

use std::collections::HashMap;

use cnnc_check::consts::ConstType;
use cnnc_syntax::{ConstOp, UnaryOp, Value, ValueKind};
use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

use crate::names::field_ident;
use crate::{float, int};

/// Translates constant expressions, knowing the type of every constant in scope.
pub(crate) struct ConstCode<'a> {
    types: HashMap<&'a str, ConstType>,
    /// Whether names are read as fields (`self.stride`), as in forward code.
    on_self: bool,
}

/// Binding strength of Rust operators, loosest first; literals and calls bind tightest.
const CONDITIONAL: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const CMP: u8 = 3;
const SUM: u8 = 4;
const PRODUCT: u8 = 5;
const CAST: u8 = 6;
const UNARY: u8 = 7;
const ATOM: u8 = 8;

impl<'a> ConstCode<'a> {
    /// Constants named with their types; `on_self` reads them as fields.
    pub fn new(types: impl IntoIterator<Item = (&'a str, ConstType)>, on_self: bool) -> Self {
        ConstCode { types: types.into_iter().collect(), on_self }
    }

    /// Adds a constant (a `let` or loop variable) to the scope.
    pub fn declare(&mut self, name: &'a str, ty: ConstType) {
        self.types.insert(name, ty);
    }

    /// The code of an expression.
    pub fn tokens(&self, value: &Value) -> TokenStream {
        self.code(value).0
    }

    /// The code of an expression converted to `ty` (integers widen to floats).
    pub fn tokens_as(&self, value: &Value, ty: ConstType) -> TokenStream {
        let (code, have, prec) = self.code(value);
        if have == ConstType::Int && ty == ConstType::Float {
            match &value.kind {
                ValueKind::Int(n) => float(*n as f64),
                _ => {
                    let code = wrap(code, prec, UNARY);
                    quote! { #code as f64 }
                }
            }
        } else {
            code
        }
    }

    /// The type of an expression.
    pub fn ty(&self, value: &Value) -> ConstType {
        self.code(value).1
    }

    fn code(&self, value: &Value) -> (TokenStream, ConstType, u8) {
        match &value.kind {
            ValueKind::Int(n) => {
                let code = int(*n);
                (code, ConstType::Int, if *n < 0 { UNARY } else { ATOM })
            }
            ValueKind::Float(x) => {
                (float(*x), ConstType::Float, if *x < 0.0 { UNARY } else { ATOM })
            }
            ValueKind::Bool(b) => (quote! { #b }, ConstType::Bool, ATOM),
            ValueKind::Name(name) => {
                let ident = field_ident(name);
                let code = if self.on_self {
                    quote! { self.#ident }
                } else {
                    ident.into_token_stream()
                };
                let ty = self.types.get(name.as_str()).copied().unwrap_or(ConstType::Int);
                (code, ty, ATOM)
            }
            ValueKind::Unary { op, operand } => {
                let (code, ty, prec) = self.code(operand);
                let code = wrap(code, prec, UNARY);
                match op {
                    UnaryOp::Neg => (quote! { -#code }, ty, UNARY),
                    UnaryOp::Not => (quote! { !#code }, ty, UNARY),
                }
            }
            ValueKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            ValueKind::Cond { cond, then, otherwise } => {
                let ty = match (self.ty(then), self.ty(otherwise)) {
                    (a, b) if a == b => a,
                    _ => ConstType::Float,
                };
                let cond = self.tokens(cond);
                let (then, otherwise) = (self.tokens_as(then, ty), self.tokens_as(otherwise, ty));
                (quote! { if #cond { #then } else { #otherwise } }, ty, CONDITIONAL)
            }
            // Tuples, strings, `_` and `None` are not constants; the checker rejects them.
            _ => (quote! { compile_error!("not a constant") }, ConstType::Int, ATOM),
        }
    }

    fn binary(&self, op: ConstOp, lhs: &Value, rhs: &Value) -> (TokenStream, ConstType, u8) {
        let (lt, rt) = (self.ty(lhs), self.ty(rhs));
        let numeric =
            if lt == ConstType::Float || rt == ConstType::Float { ConstType::Float } else { lt };
        let side = |v: &Value, min: u8| {
            let ty = if numeric == ConstType::Float { ConstType::Float } else { self.ty(v) };
            let code = self.tokens_as(v, ty);
            let prec = if self.ty(v) != ty && !matches!(v.kind, ValueKind::Int(_)) {
                CAST
            } else {
                self.code(v).2
            };
            wrap(code, prec, min)
        };
        let helper = |name: &str| {
            let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            let (l, r) = (side(lhs, OR), side(rhs, OR));
            (quote! { ::cnnc::expr::#name(#l, #r) }, numeric, ATOM)
        };
        let (symbol, prec, ty) = match op {
            ConstOp::Or => (quote! { || }, OR, ConstType::Bool),
            ConstOp::And => (quote! { && }, AND, ConstType::Bool),
            ConstOp::Eq => (quote! { == }, CMP, ConstType::Bool),
            ConstOp::Ne => (quote! { != }, CMP, ConstType::Bool),
            ConstOp::Lt => (quote! { < }, CMP, ConstType::Bool),
            ConstOp::Le => (quote! { <= }, CMP, ConstType::Bool),
            ConstOp::Gt => (quote! { > }, CMP, ConstType::Bool),
            ConstOp::Ge => (quote! { >= }, CMP, ConstType::Bool),
            ConstOp::Add => (quote! { + }, SUM, numeric),
            ConstOp::Sub => (quote! { - }, SUM, numeric),
            ConstOp::Mul => (quote! { * }, PRODUCT, numeric),
            ConstOp::Div if numeric == ConstType::Int => return helper("floor_div"),
            ConstOp::Rem if numeric == ConstType::Int => return helper("floor_rem"),
            ConstOp::Rem => return helper("float_rem"),
            ConstOp::Div => (quote! { / }, PRODUCT, numeric),
        };
        // Comparisons do not chain in Rust, so both sides of one bind tighter; and `a as f64 < b`
        // would read `<` as the start of generic arguments, so a cast there gets parentheses.
        let (left_min, right_min) = if prec == CMP { (UNARY, UNARY) } else { (prec, prec + 1) };
        let (l, r) = (side(lhs, left_min), side(rhs, right_min));
        (quote! { #l #symbol #r }, ty, prec)
    }
}

/// Parenthesises `code` when it binds looser than `min`.
fn wrap(code: TokenStream, prec: u8, min: u8) -> TokenStream {
    if prec < min {
        quote! { (#code) }
    } else {
        code
    }
}

/// The Rust type of a constant.
pub(crate) fn rust_type(ty: ConstType) -> TokenStream {
    match ty {
        ConstType::Int => quote! { i64 },
        ConstType::Float => quote! { f64 },
        ConstType::Bool => quote! { bool },
    }
}

/// The code of a constant's value.
pub(crate) fn const_value(value: cnnc_check::consts::Const, ty: ConstType) -> TokenStream {
    use cnnc_check::consts::Const;
    match (value, ty) {
        (Const::Int(n), ConstType::Float) => float(n as f64),
        (Const::Int(n), _) => int(n),
        (Const::Float(x), _) => float(x),
        (Const::Bool(b), _) => quote! { #b },
    }
}

/// An unsuffixed `usize` literal.
pub(crate) fn usize_literal(n: usize) -> TokenStream {
    Literal::usize_unsuffixed(n).into_token_stream()
}
