//! The code of forward computations, shared by models and blocks.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use cnnc_check::args::ArgValue;
use cnnc_check::consts::{Const, ConstType};
use cnnc_check::ir::{self, ArgExpr, BlockDef};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::consts::ConstCode;
use crate::names::field_ident;
use crate::{float, int, layer_constructor};

/// How forward code reaches a child.
pub(crate) struct ChildCode {
    /// `self.conv1`, `self.0`, ...
    pub member: TokenStream,
    /// Whether the child's forward takes the train flag.
    pub uses_train: bool,
    /// Whether the child is an `Option` (a block child declared under a condition).
    pub optional: bool,
    /// For an entry of a block's run-time `cnnc::nn::Sequential` (`convs.0`): the entry's name;
    /// `member` is then the `Sequential`, and the entry is called through `ModuleT::forward_t`.
    pub entry: Option<String>,
}

/// What an expression's code needs from the function around it.
#[derive(Default)]
pub(crate) struct ExprNeeds {
    /// The `train` flag.
    pub train: bool,
    /// `#[allow(clippy::needless_update)]`, for a layer literal that names every field.
    pub complete_literal: bool,
}

/// Generates the body of `forward_t`.
pub(crate) struct ForwardGen<'a> {
    pub forward: &'a ir::Forward,
    /// The child of a name, or `None` for a child that does not exist here (the identity).
    pub child: &'a dyn Fn(&str) -> Option<ChildCode>,
    /// In a block, how conditions read constants (`self.stride`) and what the block is called;
    /// `None` in a model, whose conditions were decided when it was checked.
    pub block: Option<(&'a ConstCode, &'a BlockDef)>,
    pub needs: ExprNeeds,
    /// The values that are the borrowed input under another name.
    borrowed: HashSet<&'a str>,
}

impl<'a> ForwardGen<'a> {
    /// A generator for `forward`, reaching children through `child`.
    pub fn new(
        forward: &'a ir::Forward,
        child: &'a dyn Fn(&str) -> Option<ChildCode>,
        block: Option<(&'a ConstCode, &'a BlockDef)>,
    ) -> Self {
        let mut borrowed: HashSet<&str> = std::iter::once(&forward.input)
            .chain(&forward.more_inputs)
            .map(String::as_str)
            .collect();
        for (name, value) in &forward.lets {
            let alias = match &value.kind {
                ir::ExprKind::Value(other) => borrowed.contains(&**other),
                ir::ExprKind::Piece { .. } => true,
                _ => false,
            };
            if alias {
                borrowed.insert(&**name);
            } else {
                // A later `let` of the same name shadows an alias.
                borrowed.remove(&**name);
            }
        }
        ForwardGen { forward, child, block, needs: ExprNeeds::default(), borrowed }
    }

    /// The statements and result of `forward_t`.
    pub fn body(&mut self) -> TokenStream {
        self.body_for(&[&self.forward.result])
    }

    /// The statements and results of all outputs, as a tuple.
    pub fn body_all(&mut self) -> TokenStream {
        let forward = self.forward;
        let results: Vec<&ir::Expr> =
            std::iter::once(&forward.result).chain(&forward.more_results).collect();
        self.body_for(&results)
    }

    /// The statements that `results` need, and the results (a tuple for several).
    fn body_for(&mut self, results: &[&ir::Expr]) -> TokenStream {
        let forward = self.forward;
        // The values the results need, directly or through other values.
        let mut needed = HashSet::new();
        for result in results {
            values_read(result, &mut needed);
        }
        for (name, value) in forward.lets.iter().rev() {
            if needed.contains(&**name) {
                values_read(value, &mut needed);
            }
        }
        let mut lets: Vec<&(Rc<str>, ir::Expr)> =
            forward.lets.iter().filter(|(name, _)| needed.contains(&**name)).collect();
        // `let y = ...; y` returns the expression itself.
        let mut results: Vec<&ir::Expr> = results.to_vec();
        if let ([result], Some((name, value))) = (results.as_slice(), lets.last()) {
            let read_elsewhere = lets[..lets.len() - 1].iter().any(|(_, v)| {
                let mut read = HashSet::new();
                values_read(v, &mut read);
                read.contains(&**name)
            });
            if matches!(&result.kind, ir::ExprKind::Value(n) if n == name)
                && !read_elsewhere
                && !matches!(
                    value.kind,
                    ir::ExprKind::Chunk { .. }
                        | ir::ExprKind::Output { .. }
                        | ir::ExprKind::Child { outputs: 2.., .. }
                )
            {
                results = vec![value];
                lets.pop();
            }
        }
        // The outputs of a block with several are bound by one destructuring `let`.
        let mut outputs: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
        for (name, value) in &lets {
            if let ir::ExprKind::Output { source, index } = &value.kind {
                if let Some(names) = outputs.get_mut(&**source) {
                    names[*index] = Some(&**name);
                } else if let Some((
                    _,
                    ir::Expr { kind: ir::ExprKind::Child { outputs: n, .. }, .. },
                )) = lets.iter().find(|(n, _)| n == source)
                {
                    let mut names = vec![None; *n];
                    names[*index] = Some(&**name);
                    outputs.insert(&**source, names);
                }
            }
        }
        let lets: Vec<TokenStream> = lets
            .into_iter()
            .filter(|(_, value)| !matches!(value.kind, ir::ExprKind::Output { .. }))
            .map(|(name, value)| {
                let code = self.expr(value);
                match outputs.get(&**name) {
                    Some(names) => {
                        let names = names.iter().map(|n| match n {
                            Some(n) => value_ident(n).into_token_stream(),
                            None => quote! { _ },
                        });
                        quote! { let (#(#names),*) = #code; }
                    }
                    None => {
                        let name = value_ident(name);
                        quote! { let #name = #code; }
                    }
                }
            })
            .collect();
        // A tuple element that moves a value another element still reads copies it instead.
        let reads: Vec<HashSet<&str>> = results
            .iter()
            .map(|r| {
                let mut read = HashSet::new();
                values_read(r, &mut read);
                read
            })
            .collect();
        let results: Vec<TokenStream> = results
            .iter()
            .enumerate()
            .map(|(i, r)| match &self.taken(r).kind {
                ir::ExprKind::Value(name)
                    if !self.is_borrowed(name)
                        && reads
                            .iter()
                            .enumerate()
                            .any(|(j, read)| j != i && read.contains(&**name)) =>
                {
                    let name = value_ident(name);
                    quote! { #name.shallow_clone() }
                }
                _ => self.owned(r),
            })
            .collect();
        match results.as_slice() {
            [one] => quote! { #(#lets)* #one },
            many => quote! { #(#lets)* (#(#many),*) },
        }
    }

    /// The train flag's parameter name: `_train` when unused.
    pub fn train_ident(&self) -> Ident {
        train_ident(self.needs.train)
    }

    /// Whether a value name refers to the borrowed input (directly or through aliases).
    fn is_borrowed(&self, name: &str) -> bool {
        self.borrowed.contains(name)
    }

    /// In a model, the branch an `if` took; otherwise the expression itself.
    fn taken<'e>(&self, e: &'e ir::Expr) -> &'e ir::Expr {
        match (&e.kind, self.block) {
            (ir::ExprKind::If { then, otherwise, .. }, None) => {
                self.taken(then.as_deref().or(otherwise.as_deref()).expect("a taken branch"))
            }
            _ => e,
        }
    }

    /// The code of an expression as an owned `Tensor`.
    fn owned(&mut self, e: &ir::Expr) -> TokenStream {
        let e = self.taken(e);
        match &e.kind {
            ir::ExprKind::Value(name) if self.is_borrowed(name) => {
                let name = value_ident(name);
                quote! { #name.shallow_clone() }
            }
            ir::ExprKind::Piece { source, index } => {
                let source = value_ident(source);
                let index = crate::consts::usize_literal(*index);
                quote! { #source[#index].shallow_clone() }
            }
            ir::ExprKind::Param(name) => {
                let name = field_ident(name);
                quote! { self.#name.shallow_clone() }
            }
            _ => self.expr(e),
        }
    }

    /// The code of a forward expression, of type `Tensor` (or `&Tensor` for a borrowed value).
    pub fn expr(&mut self, e: &ir::Expr) -> TokenStream {
        let e = self.taken(e);
        match &e.kind {
            ir::ExprKind::Value(name) => value_ident(name).into_token_stream(),
            ir::ExprKind::Param(name) => {
                let name = field_ident(name);
                quote! { &self.#name }
            }
            ir::ExprKind::Scalar(x) => float(*x),
            ir::ExprKind::Constant { name, value } => match self.block {
                // A field of the block, of the type it was declared with.
                Some((consts, def)) => {
                    let have = def
                        .forward_consts
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or(value.ty(), |(_, ty)| ty.clone());
                    consts.name_as(name, have, ConstType::Float)
                }
                None => match value {
                    Const::Int(n) => float(*n as f64),
                    Const::Float(x) => float(*x),
                    _ => unreachable!("the checker takes only numbers as operands"),
                },
            },
            ir::ExprKind::Chain { input, links } => self.expr(&ir::chain_calls(input, links)),
            ir::ExprKind::Child { name, input, more_inputs, outputs } => {
                if more_inputs.is_empty() && *outputs == 1 {
                    self.child_call(name, input)
                } else {
                    self.block_call(name, input, more_inputs)
                }
            }
            ir::ExprKind::Output { source, index } => {
                // Bound by a destructuring `let`; a field of the tuple otherwise.
                let source = value_ident(source);
                let index = proc_macro2::Literal::usize_unsuffixed(*index);
                quote! { #source.#index }
            }
            ir::ExprKind::If { cond, then, otherwise } => {
                let (consts, def) = self.block.expect("models resolve their conditions");
                let block = &def.name;
                let cond = consts.tokens(cond);
                let branch = |b: &Option<Box<ir::Expr>>, this: &mut Self| match b {
                    Some(e) => this.owned(e),
                    None => {
                        let message = format!(
                            "`{block}`: no checked use takes this branch, so it was not generated"
                        );
                        quote! { panic!(#message) }
                    }
                };
                let (then, otherwise) = (branch(then, self), branch(otherwise, self));
                quote! { if #cond { #then } else { #otherwise } }
            }
            ir::ExprKind::Binary { op, lhs, rhs } => {
                // Rust's precedence and associativity are the source's, so an operand is
                // parenthesised where the source had to be: a looser operator on the left, a
                // looser or equal one on the right (floating-point `a + (b + c)` is not
                // `a + b + c`).
                let side = |e: &ir::Expr, right: bool, this: &mut Self| {
                    let e = this.taken(e);
                    let code = this.operand(e);
                    let loose = match &e.kind {
                        ir::ExprKind::Binary { op: inner, .. } => {
                            let (inner, outer) = (precedence(*inner), precedence(*op));
                            inner < outer || (right && inner == outer)
                        }
                        ir::ExprKind::If { .. } => true,
                        _ => false,
                    };
                    if loose {
                        quote! { (#code) }
                    } else {
                        code
                    }
                };
                // `2 / x` is `x.reciprocal() * 2` in PyTorch, which this repeats exactly.
                if *op == ir::BinOp::Div && lhs.kind.is_number() {
                    let (number, tensor) = (self.expr(lhs), self.receiver(rhs));
                    return quote! { #tensor.reciprocal() * #number };
                }
                let (l, r) = (side(lhs, false, self), side(rhs, true, self));
                match op {
                    ir::BinOp::Add => quote! { #l + #r },
                    ir::BinOp::Sub => quote! { #l - #r },
                    ir::BinOp::Mul => quote! { #l * #r },
                    ir::BinOp::Div => quote! { #l / #r },
                }
            }
            ir::ExprKind::Neg(operand) => match &operand.kind {
                ir::ExprKind::Scalar(x) => float(-x),
                _ => {
                    let code = self.operand(operand);
                    if matches!(operand.kind, ir::ExprKind::Binary { .. } | ir::ExprKind::If { .. })
                    {
                        quote! { -(#code) }
                    } else {
                        quote! { -#code }
                    }
                }
            },
            ir::ExprKind::Cat { inputs, dim, dynamic } => {
                let refs: Vec<TokenStream> = inputs
                    .iter()
                    .map(|i| match &self.taken(i).kind {
                        ir::ExprKind::Value(_) | ir::ExprKind::Param(_) => self.operand(i),
                        // `&` binds tighter than an operator: `&(a + b)`, not `&a + b`.
                        ir::ExprKind::Binary { .. } => {
                            let code = self.expr(i);
                            quote! { &(#code) }
                        }
                        _ => {
                            let code = self.expr(i);
                            quote! { &#code }
                        }
                    })
                    .collect();
                let dim = self.computed_int(&dynamic_refs(dynamic), 0).unwrap_or_else(|| int(*dim));
                quote! { ::tch::Tensor::cat(&[#(#refs),*], #dim) }
            }
            ir::ExprKind::Op { op, input, dynamic } => {
                let input = self.receiver(input);
                self.op(op, input, dynamic)
            }
            ir::ExprKind::Resize { layer, input, like, start, end } => {
                let input = match &self.taken(input).kind {
                    ir::ExprKind::Value(_) | ir::ExprKind::Param(_) => self.operand(input),
                    _ => {
                        let code = self.receiver(input);
                        quote! { &#code }
                    }
                };
                let like = self.receiver(like);
                let (start, end) =
                    (crate::consts::usize_literal(*start), crate::consts::usize_literal(*end));
                let (_, literal, complete) = layer_constructor(layer, quote! { vs }, &[]);
                self.needs.complete_literal |= complete;
                quote! { #literal.resize(#input, &#like.size()[#start..#end]) }
            }
            ir::ExprKind::Children(input) => {
                self.needs.train = true;
                let input = self.receiver(input);
                quote! { #input.apply_t(&self.seq, train) }
            }
            ir::ExprKind::Expand { input, sizes } => {
                let input = self.receiver(input);
                let sizes: Vec<TokenStream> = sizes
                    .iter()
                    .map(|size| match size {
                        ir::ExpandSize::Fixed(n) => int(*n),
                        ir::ExpandSize::Of(like, d) => {
                            let like = self.receiver(like);
                            let d = crate::consts::usize_literal(*d);
                            quote! { #like.size()[#d] }
                        }
                    })
                    .collect();
                quote! { #input.expand([#(#sizes),*], false) }
            }
            ir::ExprKind::Chunk { input, chunks, dim, dynamic } => {
                let input = self.receiver(input);
                let dynamic = dynamic_refs(dynamic);
                let chunks = self.computed_int(&dynamic, 0).unwrap_or_else(|| int(*chunks));
                let dim = self.computed_int(&dynamic, 1).unwrap_or_else(|| int(*dim));
                quote! { #input.chunk(#chunks, #dim) }
            }
            ir::ExprKind::Piece { source, index } => {
                let source = value_ident(source);
                let index = crate::consts::usize_literal(*index);
                quote! { &#source[#index] }
            }
        }
    }

    /// Argument `i` as computed from the block's constants (`self.d`), where it is; in a model,
    /// the values were computed when it was checked.
    fn computed_int(&self, dynamic: &[Option<&ArgExpr>], i: usize) -> Option<TokenStream> {
        let (consts, _) = self.block?;
        match dynamic.get(i).copied().flatten()? {
            ArgExpr::One(e) => Some(consts.tokens_as(e, ConstType::Int)),
            ArgExpr::Tuple(_) => None,
        }
    }

    fn op(&mut self, op: &ir::Op, input: TokenStream, dynamic: &[Option<ArgExpr>]) -> TokenStream {
        // In a block, arguments computed from its constants read its fields (`self.c`); in a
        // model, they were computed when it was checked.
        let consts = self.block.map(|(consts, _)| consts);
        let dynamic: Vec<Option<&ArgExpr>> = match consts {
            Some(_) => dynamic.iter().map(Option::as_ref).collect(),
            None => Vec::new(),
        };
        let ints = |v: &[i64]| v.iter().map(|&n| int(n)).collect::<Vec<_>>();
        let sizes = |fixed: &[i64]| match (consts, dynamic.first().copied().flatten()) {
            (Some(consts), Some(ArgExpr::Tuple(items))) => {
                items.iter().map(|i| consts.tokens_as(i, ConstType::Int)).collect()
            }
            (Some(consts), Some(ArgExpr::One(e))) => vec![consts.tokens_as(e, ConstType::Int)],
            _ => ints(fixed),
        };
        let number =
            |i: usize, fixed: i64| self.computed_int(&dynamic, i).unwrap_or_else(|| int(fixed));
        match op {
            ir::Op::Flatten { start_dim, end_dim } => {
                let (s, e) = (number(0, *start_dim), number(1, *end_dim));
                quote! { #input.flatten(#s, #e) }
            }
            ir::Op::Reshape(fixed) => {
                let sizes = sizes(fixed);
                quote! { #input.reshape([#(#sizes),*]) }
            }
            ir::Op::Permute(fixed) => {
                let dims = sizes(fixed);
                quote! { #input.permute([#(#dims),*]) }
            }
            ir::Op::Roll { shifts, dims } => {
                let shifts = sizes(shifts);
                let dims = match (consts, dynamic.get(1).copied().flatten()) {
                    (Some(consts), Some(ArgExpr::Tuple(items))) => {
                        items.iter().map(|i| consts.tokens_as(i, ConstType::Int)).collect()
                    }
                    (Some(consts), Some(ArgExpr::One(e))) => {
                        vec![consts.tokens_as(e, ConstType::Int)]
                    }
                    _ => ints(dims),
                };
                quote! { #input.roll([#(#shifts),*], [#(#dims),*]) }
            }
            ir::Op::Transpose(a, b) => {
                let (a, b) = (number(0, *a), number(1, *b));
                quote! { #input.transpose(#a, #b) }
            }
            ir::Op::Mean { dims, keepdim } => {
                let dims = sizes(dims);
                let keepdim = match (consts, dynamic.get(1).copied().flatten()) {
                    (Some(consts), Some(ArgExpr::One(e))) => consts.tokens_as(e, ConstType::Bool),
                    _ => quote! { #keepdim },
                };
                quote! { #input.mean_dim([#(#dims),*].as_slice(), #keepdim, None) }
            }
            ir::Op::Index(items) => {
                // `select` removes its dimension; `slice` keeps it.
                let (mut code, mut dim, mut changed) = (input, 0i64, false);
                for item in items {
                    let d = int(dim);
                    match *item {
                        ir::IndexItem::At(i) => {
                            let i = int(i);
                            code = quote! { #code.select(#d, #i) };
                            changed = true;
                        }
                        ir::IndexItem::ALL => dim += 1,
                        ir::IndexItem::Slice { start, end, step } => {
                            let bound = |v: Option<i64>| match v {
                                Some(n) => int(n),
                                None => quote! { None::<i64> },
                            };
                            let (a, b, step) = (bound(start), bound(end), int(step));
                            code = quote! { #code.slice(#d, #a, #b, #step) };
                            (dim, changed) = (dim + 1, true);
                        }
                    }
                }
                if changed {
                    code
                } else {
                    quote! { #code.shallow_clone() }
                }
            }
            ir::Op::Layer(layer) => match tensor_method(layer) {
                Some(method) => {
                    let method = format_ident!("{method}");
                    quote! { #input.#method() }
                }
                None => {
                    let computed: Vec<Option<TokenStream>> = match consts {
                        Some(consts) => layer
                            .args
                            .params
                            .iter()
                            .enumerate()
                            .map(|(i, param)| {
                                let arg = dynamic.get(i).copied().flatten()?;
                                Some(crate::block::arg_code(consts, param.ty, arg))
                            })
                            .collect(),
                        None => Vec::new(),
                    };
                    let (_, literal, complete) = layer_constructor(layer, quote! { vs }, &computed);
                    self.needs.complete_literal |= complete;
                    if layer.spec.uses_train {
                        self.needs.train = true;
                        quote! { #input.apply_t(&#literal, train) }
                    } else {
                        quote! { #input.apply(&#literal) }
                    }
                }
            },
        }
    }

    /// A child applied to `input`; an absent child is the identity, and an optional one is the
    /// identity when it is `None`.
    fn child_call(&mut self, name: &str, input: &ir::Expr) -> TokenStream {
        let Some(child) = (self.child)(name) else { return self.owned(input) };
        let member = &child.member;
        // `features[0..5](x)`: consecutive entries, each on the result of the one before, run as
        // one range of the `Sequential`.
        if child.entry.is_some() && !child.optional {
            if let Some((first, last, base)) = ir::entry_run(name, input) {
                self.needs.train = true;
                let input_code = self.borrowed(base);
                let (first, end) =
                    (crate::consts::usize_literal(first), crate::consts::usize_literal(last + 1));
                return quote! { #member.forward_range_t(#input_code, #first..#end, train) };
            }
        }
        if let Some(entry) = &child.entry {
            self.needs.train = true;
            let input_code = self.borrowed(input);
            let call = |seq: TokenStream, input: &TokenStream| {
                quote! { ::tch::nn::ModuleT::forward_t(#seq.entry(#entry), #input, train) }
            };
            let simple =
                matches!(self.taken(input).kind, ir::ExprKind::Value(_) | ir::ExprKind::Param(_));
            return if child.optional {
                let some = call(quote! { seq }, &quote! { input });
                quote! {
                    {
                        let input = #input_code;
                        match &#member {
                            Some(seq) => #some,
                            None => input.shallow_clone(),
                        }
                    }
                }
            } else if simple {
                call(member.clone(), &input_code)
            } else {
                let entry_call = call(member.clone(), &quote! { input });
                quote! { { let input = #input_code; #entry_call } }
            };
        }
        let train = child.uses_train || child.optional;
        self.needs.train |= train;
        let apply = |input: &TokenStream, module: &TokenStream| {
            if train {
                quote! { #input.apply_t(#module, train) }
            } else {
                quote! { #input.apply(#module) }
            }
        };
        if !child.optional {
            let input = self.receiver(input);
            return apply(&input, &quote! { &#member });
        }
        let module = quote! { module };
        let borrowed = match &self.taken(input).kind {
            ir::ExprKind::Value(value) => Some(value_ident(value).into_token_stream()),
            ir::ExprKind::Param(name) => {
                let name = field_ident(name);
                Some(quote! { self.#name })
            }
            _ => None,
        };
        match borrowed {
            Some(value) => {
                let some = apply(&value, &module);
                quote! {
                    match &#member {
                        Some(module) => #some,
                        None => #value.shallow_clone(),
                    }
                }
            }
            None => {
                let code = self.expr(input);
                let some = apply(&quote! { input }, &module);
                quote! {
                    {
                        let input = #code;
                        match &#member {
                            Some(module) => #some,
                            None => input,
                        }
                    }
                }
            }
        }
    }

    /// A call of a block with several inputs or outputs, through its own `forward_t`.
    fn block_call(&mut self, name: &str, input: &ir::Expr, more: &[ir::Expr]) -> TokenStream {
        let args: Vec<TokenStream> =
            std::iter::once(input).chain(more).map(|e| self.borrowed(e)).collect();
        self.needs.train = true;
        let Some(child) = (self.child)(name) else {
            unreachable!("the checker rejects absent blocks with several inputs or outputs")
        };
        let member = &child.member;
        if child.optional {
            let block = self.block.map_or("the model", |(_, def)| def.name.as_str());
            let message = format!("`{block}`: `{name}` is absent in this use");
            quote! { #member.as_ref().expect(#message).forward_t(#(#args,)* train) }
        } else {
            quote! { #member.forward_t(#(#args,)* train) }
        }
    }

    /// An expression as a `&Tensor` argument.
    fn borrowed(&mut self, e: &ir::Expr) -> TokenStream {
        let e = self.taken(e);
        match &e.kind {
            ir::ExprKind::Value(_) | ir::ExprKind::Param(_) => self.operand(e),
            ir::ExprKind::Binary { .. } | ir::ExprKind::Neg(_) | ir::ExprKind::If { .. } => {
                let code = self.expr(e);
                quote! { &(#code) }
            }
            _ => {
                let code = self.expr(e);
                quote! { &#code }
            }
        }
    }

    /// An operand of an arithmetic operator: a borrowed value, an owned result or a number.
    fn operand(&mut self, e: &ir::Expr) -> TokenStream {
        match &e.kind {
            ir::ExprKind::Value(name) if !self.is_borrowed(name) => {
                let name = value_ident(name);
                quote! { &#name }
            }
            _ => self.expr(e),
        }
    }

    /// The receiver of a method call, parenthesised when it is an operator or `if` expression.
    fn receiver(&mut self, e: &ir::Expr) -> TokenStream {
        let e = self.taken(e);
        if let ir::ExprKind::Param(name) = &e.kind {
            let name = field_ident(name);
            return quote! { self.#name };
        }
        let code = self.expr(e);
        if matches!(
            e.kind,
            ir::ExprKind::Binary { .. } | ir::ExprKind::Neg(_) | ir::ExprKind::If { .. }
        ) {
            quote! { (#code) }
        } else {
            code
        }
    }
}

/// Adds the value names an expression reads to `out`.
fn values_read<'e>(e: &'e ir::Expr, out: &mut HashSet<&'e str>) {
    let mut add = |name: &'e Rc<str>| {
        out.insert(name);
    };
    match &e.kind {
        ir::ExprKind::Value(name)
        | ir::ExprKind::Piece { source: name, .. }
        | ir::ExprKind::Output { source: name, .. } => add(name),
        ir::ExprKind::Child { input, more_inputs, .. } => {
            values_read(input, out);
            more_inputs.iter().for_each(|i| values_read(i, out));
        }
        ir::ExprKind::Neg(input)
        | ir::ExprKind::Op { input, .. }
        | ir::ExprKind::Children(input)
        | ir::ExprKind::Chain { input, .. }
        | ir::ExprKind::Chunk { input, .. } => values_read(input, out),
        ir::ExprKind::Expand { input, sizes } => {
            values_read(input, out);
            for size in sizes {
                if let ir::ExpandSize::Of(like, _) = size {
                    values_read(like, out);
                }
            }
        }
        ir::ExprKind::Binary { lhs, rhs, .. } => {
            values_read(lhs, out);
            values_read(rhs, out);
        }
        ir::ExprKind::Cat { inputs, .. } => inputs.iter().for_each(|i| values_read(i, out)),
        ir::ExprKind::Resize { input, like, .. } => {
            values_read(input, out);
            values_read(like, out);
        }
        ir::ExprKind::If { then, otherwise, .. } => {
            then.iter().chain(otherwise).for_each(|b| values_read(b, out));
        }
        ir::ExprKind::Scalar(_) | ir::ExprKind::Constant { .. } | ir::ExprKind::Param(_) => {}
    }
}

/// The Rust name of a forward value. A rebound name (`x#1` in the IR, for `x = f(x)`) is
/// written as a shadowing `let x`: every read of the earlier value comes before it.
fn value_ident(name: &str) -> Ident {
    field_ident(name.split('#').next().unwrap_or(name))
}

/// How tightly an operator binds: `* /` over `+ -`.
fn precedence(op: ir::BinOp) -> u8 {
    if op.is_multiplicative() {
        2
    } else {
        1
    }
}

pub(crate) fn train_ident(used: bool) -> Ident {
    if used {
        format_ident!("train")
    } else {
        format_ident!("_train")
    }
}

/// The tch method that computes a parameter-free layer with its default arguments, such as
/// `relu` for `ReLU()`.
fn tensor_method(layer: &ir::Layer) -> Option<&'static str> {
    let defaults =
        layer.args.values.iter().all(|b| b.span.is_none() || b.value == ArgValue::Bool(false));
    let method = match layer.spec.name {
        "ReLU" => "relu",
        "Sigmoid" => "sigmoid",
        "Tanh" => "tanh",
        "SiLU" => "silu",
        "Mish" => "mish",
        "Hardswish" => "hardswish",
        "Hardsigmoid" => "hardsigmoid",
        _ => return None,
    };
    defaults.then_some(method)
}

/// Each argument's expression computed from constants, borrowed.
fn dynamic_refs(dynamic: &[Option<ArgExpr>]) -> Vec<Option<&ArgExpr>> {
    dynamic.iter().map(Option::as_ref).collect()
}
