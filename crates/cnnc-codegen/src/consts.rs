//! The code of constant expressions: block parameters, `let` constants and loop variables with
//! the arithmetic over them, as Rust expressions of `i64`, `f64` and `bool`.

use cnnc_check::consts::{Const, ConstType};
use cnnc_check::functions::ConstFn;
use cnnc_check::ir::{ConstExpr, ConstExprKind, ConstOp, Over, UnaryOp};
use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

use crate::names::field_ident;
use crate::{float, int};

/// Prints resolved constant expressions ([`ConstExpr`]), whose every node the checker typed.
pub(crate) struct ConstCode {
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

impl ConstCode {
    /// A printer; `on_self` reads constants as fields.
    pub fn new(on_self: bool) -> Self {
        ConstCode { on_self }
    }

    /// The code of an expression.
    pub fn tokens(&self, expr: &ConstExpr) -> TokenStream {
        self.code(expr).0
    }

    /// The code of an expression converted to `ty` (integers widen to floats).
    pub fn tokens_as(&self, expr: &ConstExpr, ty: ConstType) -> TokenStream {
        self.tokens(&expr.clone().converted(&ty))
    }

    /// The code of the constant `name` of type `have`, converted to `ty`.
    pub fn name_as(&self, name: &str, have: ConstType, ty: ConstType) -> TokenStream {
        let expr = ConstExpr { kind: ConstExprKind::Name(name.to_string()), ty: have };
        self.tokens_as(&expr, ty)
    }

    /// The code of an expression and how tightly it binds, visiting each node once.
    fn code(&self, expr: &ConstExpr) -> (TokenStream, u8) {
        match &expr.kind {
            ConstExprKind::Literal(Const::Int(n)) => (int(*n), if *n < 0 { UNARY } else { ATOM }),
            ConstExprKind::Literal(Const::Float(x)) => {
                (float(*x), if *x < 0.0 { UNARY } else { ATOM })
            }
            ConstExprKind::Literal(Const::Bool(b)) => (quote! { #b }, ATOM),
            ConstExprKind::Literal(Const::Str(text)) => {
                let text: &str = text;
                (quote! { #text }, ATOM)
            }
            ConstExprKind::Literal(c @ Const::Tuple(_)) => (const_value(c, &expr.ty), ATOM),
            ConstExprKind::Literal(c @ Const::List(_)) => (const_value(c, &expr.ty), UNARY),
            ConstExprKind::UserCall { name, args } => {
                let name = field_ident(name);
                let args = args.iter().map(|a| self.tokens(a));
                (quote! { #name(#(#args),*) }, ATOM)
            }
            ConstExprKind::Tuple(items) => {
                let items: Vec<TokenStream> = items.iter().map(|i| self.tokens(i)).collect();
                (tuple(&items), ATOM)
            }
            ConstExprKind::List(items) => {
                let items = items.iter().map(|i| self.tokens(i));
                (quote! { &[#(#items),*] }, UNARY)
            }
            ConstExprKind::Index { base, index } => {
                let (code, prec) = self.code(base);
                let base = wrap(code, prec, ATOM);
                match &index.kind {
                    ConstExprKind::Literal(Const::Int(n)) if *n >= 0 => {
                        let n = usize_literal(*n as usize);
                        (quote! { #base[#n] }, ATOM)
                    }
                    _ => {
                        let index = self.tokens(index);
                        (quote! { ::cnnc::expr::at(#base, #index) }, ATOM)
                    }
                }
            }
            ConstExprKind::Field { base, index } => {
                let (code, prec) = self.code(base);
                let base = wrap(code, prec, ATOM);
                let index = syn::Index::from(*index);
                (quote! { #base.#index }, ATOM)
            }
            ConstExprKind::Sum(list) => {
                let ty = rust_type(&expr.ty);
                match &list.kind {
                    // Summed as it is computed, without a list in between.
                    ConstExprKind::Comprehension { item, vars, unpack, over, filter } => {
                        let source =
                            self.comprehension(item, vars, *unpack, over, filter.as_deref());
                        (quote! { #source.sum::<#ty>() }, ATOM)
                    }
                    _ => {
                        let list = self.receiver(list);
                        (quote! { #list.iter().sum::<#ty>() }, ATOM)
                    }
                }
            }
            ConstExprKind::Comprehension { item, vars, unpack, over, filter } => {
                let item_ty = rust_type(&item.ty);
                let source = self.comprehension(item, vars, *unpack, over, filter.as_deref());
                (quote! { &#source.collect::<Vec<#item_ty>>() }, UNARY)
            }
            ConstExprKind::Len(list) => {
                let list = self.receiver(list);
                (quote! { #list.len() as i64 }, CAST)
            }
            ConstExprKind::Name(name) => {
                let ident = field_ident(name);
                let tokens = if self.on_self {
                    quote! { self.#ident }
                } else {
                    ident.into_token_stream()
                };
                (tokens, ATOM)
            }
            ConstExprKind::ToFloat(operand) => {
                let (code, prec) = self.code(operand);
                let code = wrap(code, prec, UNARY);
                (quote! { #code as f64 }, CAST)
            }
            ConstExprKind::Unary { op, operand } => {
                let (code, prec) = self.code(operand);
                let code = wrap(code, prec, UNARY);
                match op {
                    UnaryOp::Neg => (quote! { -#code }, UNARY),
                    UnaryOp::Not => (quote! { !#code }, UNARY),
                }
            }
            ConstExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            ConstExprKind::Call { func, args } => self.call(*func, args),
            ConstExprKind::Cond { cond, then, otherwise } => {
                let (cond, then, otherwise) =
                    (self.tokens(cond), self.tokens(then), self.tokens(otherwise));
                (quote! { if #cond { #then } else { #otherwise } }, CONDITIONAL)
            }
        }
    }

    /// A list as the receiver of a method call: a literal is an array and a comprehension a
    /// `Vec` there, since Rust borrows a receiver itself.
    fn receiver(&self, list: &ConstExpr) -> TokenStream {
        match &list.kind {
            ConstExprKind::List(items) => {
                let items = items.iter().map(|i| self.tokens(i));
                quote! { [#(#items),*] }
            }
            ConstExprKind::Comprehension { item, vars, unpack, over, filter } => {
                let item_ty = rust_type(&item.ty);
                let source = self.comprehension(item, vars, *unpack, over, filter.as_deref());
                quote! { #source.collect::<Vec<#item_ty>>() }
            }
            _ => {
                let (code, prec) = self.code(list);
                wrap(code, prec, ATOM)
            }
        }
    }

    /// The iterator of a list comprehension: `config.iter().map(|&(_, cout, _)| cout * 2)`.
    fn comprehension(
        &self,
        item: &ConstExpr,
        vars: &[String],
        unpack: bool,
        over: &Over,
        filter: Option<&ConstExpr>,
    ) -> TokenStream {
        let mut used = Vec::new();
        item.names(&mut used);
        if let Some(cond) = filter {
            cond.names(&mut used);
        }
        let pattern = loop_pattern(vars, unpack, &used);
        let item = self.tokens(item);
        let filter = |pattern: &TokenStream| {
            filter.map(|cond| {
                let cond = self.tokens(cond);
                quote! { .filter(|&#pattern| #cond) }
            })
        };
        match over {
            Over::Range(start, end) => {
                let (start, end) = (self.tokens(start), self.tokens(end));
                // A counter is an `i64`, not a reference.
                let var = loop_var(&vars[0], &used);
                let filter = filter(&var);
                quote! { (#start..#end)#filter.map(|#var| #item) }
            }
            Over::Items(list) => {
                let list = self.receiver(list);
                let filter = filter(&pattern);
                quote! { #list.iter()#filter.map(|#pattern| #item) }
            }
        }
    }

    /// A number function, with Python's meaning (the checker converted the arguments).
    fn call(&self, func: ConstFn, args: &[ConstExpr]) -> (TokenStream, u8) {
        let floats = args.first().is_some_and(|a| a.ty == ConstType::Float);
        let ty = if floats {
            quote! { f64 }
        } else {
            quote! { i64 }
        };
        let code: Vec<TokenStream> = args.iter().map(|a| self.tokens(a)).collect();
        let to_int = |method: &str| {
            let method = proc_macro2::Ident::new(method, proc_macro2::Span::call_site());
            let x = &code[0];
            (quote! { f64::#method(#x) as i64 }, CAST)
        };
        match func {
            // Of an integer, or `float` of a widened one: the argument itself.
            ConstFn::Int | ConstFn::Round | ConstFn::Floor | ConstFn::Ceil if !floats => {
                self.code(&args[0])
            }
            ConstFn::Float => self.code(&args[0]),
            ConstFn::Int => to_int("trunc"),
            ConstFn::Round => to_int("round_ties_even"),
            ConstFn::Floor => to_int("floor"),
            ConstFn::Ceil => to_int("ceil"),
            ConstFn::Min | ConstFn::Max => {
                let name = if func == ConstFn::Min {
                    quote! { min }
                } else {
                    quote! { max }
                };
                let mut acc = code[0].clone();
                for next in &code[1..] {
                    acc = quote! { #ty::#name(#acc, #next) };
                }
                (acc, ATOM)
            }
            ConstFn::Abs => {
                let x = &code[0];
                (quote! { #ty::abs(#x) }, ATOM)
            }
            ConstFn::Pow if floats => {
                let (a, b) = (&code[0], &code[1]);
                (quote! { f64::powf(#a, #b) }, ATOM)
            }
            ConstFn::Pow => {
                let (a, b) = (&code[0], &code[1]);
                (quote! { ::cnnc::expr::int_pow(#a, #b) }, ATOM)
            }
            ConstFn::Sqrt => {
                let x = &code[0];
                (quote! { f64::sqrt(#x) }, ATOM)
            }
            ConstFn::Log => match code.as_slice() {
                [x, base] => (quote! { f64::log(#x, #base) }, ATOM),
                _ => {
                    let x = &code[0];
                    (quote! { f64::ln(#x) }, ATOM)
                }
            },
        }
    }

    fn binary(&self, op: ConstOp, lhs: &ConstExpr, rhs: &ConstExpr) -> (TokenStream, u8) {
        let integers = lhs.ty == ConstType::Int;
        let helper = |name: &str| {
            let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            let (l, r) = (self.tokens(lhs), self.tokens(rhs));
            (quote! { ::cnnc::expr::#name(#l, #r) }, ATOM)
        };
        let (symbol, prec) = match op {
            ConstOp::Or => (quote! { || }, OR),
            ConstOp::And => (quote! { && }, AND),
            ConstOp::Eq => (quote! { == }, CMP),
            ConstOp::Ne => (quote! { != }, CMP),
            ConstOp::Lt => (quote! { < }, CMP),
            ConstOp::Le => (quote! { <= }, CMP),
            ConstOp::Gt => (quote! { > }, CMP),
            ConstOp::Ge => (quote! { >= }, CMP),
            ConstOp::Add => (quote! { + }, SUM),
            ConstOp::Sub => (quote! { - }, SUM),
            ConstOp::Mul => (quote! { * }, PRODUCT),
            ConstOp::Div if integers => return helper("floor_div"),
            ConstOp::Rem if integers => return helper("floor_rem"),
            ConstOp::Rem => return helper("float_rem"),
            ConstOp::Div => (quote! { / }, PRODUCT),
        };
        // Comparisons do not chain in Rust, so both sides of one bind tighter; and `a as f64 < b`
        // would read `<` as the start of generic arguments, so a cast there gets parentheses.
        let (left_min, right_min) = if prec == CMP { (UNARY, UNARY) } else { (prec, prec + 1) };
        let (l, lp) = self.code(lhs);
        let (r, rp) = self.code(rhs);
        let (l, r) = (wrap(l, lp, left_min), wrap(r, rp, right_min));
        (quote! { #l #symbol #r }, prec)
    }
}

/// The pattern that binds the variables of a loop over a list to each item (a reference):
/// `&x`, or `&(a, b)` to unpack a tuple; a variable that `used` does not name is `_`.
pub(crate) fn loop_pattern(vars: &[String], unpack: bool, used: &[String]) -> TokenStream {
    let vars: Vec<TokenStream> = vars.iter().map(|v| loop_var(v, used)).collect();
    match (unpack, vars.as_slice()) {
        (false, [var]) => quote! { &#var },
        (_, [var]) => quote! { &(#var,) },
        _ => quote! { &(#(#vars),*) },
    }
}

/// A loop variable, or `_` where `used` does not name it.
fn loop_var(var: &str, used: &[String]) -> TokenStream {
    if used.iter().any(|u| u == var) {
        field_ident(var).into_token_stream()
    } else {
        quote! { _ }
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

/// The Rust type of a constant: a list is a slice.
pub(crate) fn rust_type(ty: &ConstType) -> TokenStream {
    match ty {
        ConstType::Int => quote! { i64 },
        ConstType::Float => quote! { f64 },
        ConstType::Bool => quote! { bool },
        ConstType::Str => quote! { &'static str },
        ConstType::Tuple(items) => {
            let items: Vec<TokenStream> = items.iter().map(rust_type).collect();
            tuple(&items)
        }
        ConstType::List(item) => {
            let item = rust_type(item);
            quote! { &[#item] }
        }
    }
}

/// A tuple of items: `(a, b)`, or `(a,)` for one.
fn tuple(items: &[TokenStream]) -> TokenStream {
    match items {
        [one] => quote! { (#one,) },
        _ => quote! { (#(#items),*) },
    }
}

/// The code of a constant's value, of type `ty` (an integer may be widened to a float).
pub(crate) fn const_value(value: &Const, ty: &ConstType) -> TokenStream {
    match (value, ty) {
        (Const::Int(n), ConstType::Float) => float(*n as f64),
        (Const::Int(n), _) => int(*n),
        (Const::Float(x), _) => float(*x),
        (Const::Bool(b), _) => quote! { #b },
        (Const::Str(text), _) => {
            let text: &str = text;
            quote! { #text }
        }
        (Const::Tuple(items), ty) => {
            let items: Vec<TokenStream> = items
                .iter()
                .enumerate()
                .map(|(i, c)| match ty {
                    ConstType::Tuple(types) if i < types.len() => const_value(c, &types[i]),
                    _ => const_value(c, &c.ty()),
                })
                .collect();
            tuple(&items)
        }
        (Const::List(items), ty) => {
            let item = ty.item();
            let items = items.iter().map(|c| const_value(c, &item));
            quote! { &[#(#items),*] }
        }
    }
}

/// A function of constants as a Rust function.
pub(crate) fn function(function: &cnnc_check::ir::Function) -> TokenStream {
    let consts = ConstCode::new(false);
    let mut used = Vec::new();
    function.result.names(&mut used);
    function.lets.iter().for_each(|(_, value)| value.names(&mut used));
    let local = |name: &str| {
        let ident = field_ident(name);
        if used.iter().any(|u| u == name) {
            ident
        } else {
            quote::format_ident!("_{}", ident)
        }
    };
    let params = function.params.iter().map(|(name, ty)| {
        let (ident, ty) = (local(name), rust_type(ty));
        quote! { #ident: #ty }
    });
    let lets = function.lets.iter().map(|(name, value)| {
        let (ident, ty, value) = (local(name), rust_type(&value.ty), consts.tokens(value));
        quote! { let #ident: #ty = #value; }
    });
    let name = field_ident(&function.name);
    let result_ty = rust_type(&function.result.ty);
    let result = consts.tokens(&function.result);
    let doc = format!(" The function `{}` of the source.", function.name);
    let many =
        (function.params.len() >= 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    quote! {
        #[doc = #doc]
        #many
        fn #name(#(#params),*) -> #result_ty {
            #(#lets)*
            #result
        }
    }
}

/// An unsuffixed `usize` literal.
pub(crate) fn usize_literal(n: usize) -> TokenStream {
    Literal::usize_unsuffixed(n).into_token_stream()
}
