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
        self.code(value).tokens
    }

    /// The code of an expression converted to `ty` (integers widen to floats).
    pub fn tokens_as(&self, value: &Value, ty: ConstType) -> TokenStream {
        self.code(value).convert(ty).tokens
    }

    /// Translates an expression bottom-up, visiting each subexpression once, so the cost is
    /// linear in the expression's size.
    fn code(&self, value: &Value) -> Code {
        match &value.kind {
            ValueKind::Int(n) => Code {
                tokens: int(*n),
                ty: ConstType::Int,
                prec: if *n < 0 { UNARY } else { ATOM },
                literal: Some(*n),
            },
            ValueKind::Float(x) => {
                Code::new(float(*x), ConstType::Float, if *x < 0.0 { UNARY } else { ATOM })
            }
            ValueKind::Bool(b) => Code::new(quote! { #b }, ConstType::Bool, ATOM),
            ValueKind::Name(name) => {
                let ident = field_ident(name);
                let tokens = if self.on_self {
                    quote! { self.#ident }
                } else {
                    ident.into_token_stream()
                };
                let ty = self.types.get(name.as_str()).copied().unwrap_or(ConstType::Int);
                Code::new(tokens, ty, ATOM)
            }
            ValueKind::Unary { op, operand } => {
                let operand = self.code(operand);
                let ty = operand.ty;
                let code = wrap(operand.tokens, operand.prec, UNARY);
                match op {
                    UnaryOp::Neg => Code::new(quote! { -#code }, ty, UNARY),
                    UnaryOp::Not => Code::new(quote! { !#code }, ty, UNARY),
                }
            }
            ValueKind::Binary { op, lhs, rhs } => self.binary(*op, self.code(lhs), self.code(rhs)),
            ValueKind::Cond { cond, then, otherwise } => {
                let (then, otherwise) = (self.code(then), self.code(otherwise));
                let ty = if then.ty == otherwise.ty { then.ty } else { ConstType::Float };
                let cond = self.code(cond).tokens;
                let (then, otherwise) = (then.convert(ty).tokens, otherwise.convert(ty).tokens);
                Code::new(quote! { if #cond { #then } else { #otherwise } }, ty, CONDITIONAL)
            }
            // Tuples, strings, `_` and `None` are not constants; the checker rejects them.
            _ => Code::new(quote! { compile_error!("not a constant") }, ConstType::Int, ATOM),
        }
    }

    fn binary(&self, op: ConstOp, lhs: Code, rhs: Code) -> Code {
        let numeric = if lhs.ty == ConstType::Float || rhs.ty == ConstType::Float {
            ConstType::Float
        } else {
            lhs.ty
        };
        let side = |code: Code, min: u8| {
            let code =
                if numeric == ConstType::Float { code.convert(ConstType::Float) } else { code };
            wrap(code.tokens, code.prec, min)
        };
        let helper = |name: &str, lhs: Code, rhs: Code| {
            let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            let (l, r) = (side(lhs, OR), side(rhs, OR));
            Code::new(quote! { ::cnnc::expr::#name(#l, #r) }, numeric, ATOM)
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
            ConstOp::Div if numeric == ConstType::Int => return helper("floor_div", lhs, rhs),
            ConstOp::Rem if numeric == ConstType::Int => return helper("floor_rem", lhs, rhs),
            ConstOp::Rem => return helper("float_rem", lhs, rhs),
            ConstOp::Div => (quote! { / }, PRODUCT, numeric),
        };
        // Comparisons do not chain in Rust, so both sides of one bind tighter; and `a as f64 < b`
        // would read `<` as the start of generic arguments, so a cast there gets parentheses.
        let (left_min, right_min) = if prec == CMP { (UNARY, UNARY) } else { (prec, prec + 1) };
        let (l, r) = (side(lhs, left_min), side(rhs, right_min));
        Code::new(quote! { #l #symbol #r }, ty, prec)
    }
}

/// The translation of one constant expression.
struct Code {
    tokens: TokenStream,
    ty: ConstType,
    /// How tightly the code binds (see the constants above).
    prec: u8,
    /// The value, for an integer literal (which widens to a float literal, not a cast).
    literal: Option<i64>,
}

impl Code {
    fn new(tokens: TokenStream, ty: ConstType, prec: u8) -> Self {
        Code { tokens, ty, prec, literal: None }
    }

    /// The code converted to `ty`: an integer widens to a float by a cast.
    fn convert(self, ty: ConstType) -> Code {
        if self.ty != ConstType::Int || ty != ConstType::Float {
            return self;
        }
        match self.literal {
            Some(n) => {
                Code::new(float(n as f64), ConstType::Float, if n < 0 { UNARY } else { ATOM })
            }
            None => {
                let code = wrap(self.tokens, self.prec, UNARY);
                Code::new(quote! { #code as f64 }, ConstType::Float, CAST)
            }
        }
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
