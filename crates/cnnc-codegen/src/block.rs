//! The code of blocks: one parametric struct per block, whose constructor takes the block's
//! parameters and computes layer arguments, conditions and loops from them.

use cnnc_check::args::ArgType;
use cnnc_check::consts::ConstType;
use cnnc_check::ir::{ArgExpr, BlockDef, BlockItem, BlockModule, ConstExpr};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::consts::{rust_type, ConstCode};
use crate::forward::{ChildCode, ForwardGen};
use crate::layer_constructor;
use crate::names::{field_ident, type_ident};

/// The struct of a block, its constructor, `ModuleT` and `ModuleTree`.
pub(crate) fn generate_block(def: &BlockDef, defs: &[BlockDef]) -> TokenStream {
    let ty = format_ident!("{}", type_ident(&def.name));
    let mut mentioned = Vec::new();
    mentions(&def.items, &mut mentioned);
    mentioned.extend(def.forward_consts.iter().map(|(n, _)| n.clone()));
    let params = def.params.iter().map(|(name, ty)| {
        let ident = if mentioned.contains(name) {
            field_ident(name)
        } else {
            format_ident!("_{}", field_ident(name))
        };
        let ty = rust_type(ty);
        quote! { #ident: #ty }
    });
    // Configuration tables are slices of tuples (`&[(i64, i64, bool)]`).
    let tables = tables(def).then(|| quote! { #[allow(clippy::type_complexity)] });
    let signature: Vec<&str> = def.params.iter().map(|(n, _)| n.as_str()).collect();
    let doc = format!(" The block `{}({})`.", def.name, signature.join(", "));
    let many = (def.params.len() >= 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    let kind = &def.name;
    let mut consts = ConstCode::new(false);
    let mut body = Body { block: &def.name, complete_literal: false };

    if def.sequential {
        let statements = body.items(&def.items, &mut consts, Target::Seq);
        let allow = crate::allow_lints(body.complete_literal, &statements);
        return quote! {
            #[doc = #doc]
            #[derive(Debug)]
            pub struct #ty(pub ::cnnc::nn::Sequential);
            impl #ty {
                /// Creates the block's variables under `vs`, named like PyTorch's `state_dict`.
                #many
                #allow
                #tables
                pub fn new(vs: &::tch::nn::Path, #(#params),*) -> Self {
                    let mut seq = ::cnnc::nn::Sequential::new();
                    #statements
                    Self(seq)
                }
            }
            impl ::tch::nn::ModuleT for #ty {
                fn forward_t(&self, xs: &::tch::Tensor, train: bool) -> ::tch::Tensor {
                    self.0.forward_t(xs, train)
                }
            }
            impl ::cnnc::ModuleTree for #ty {
                fn kind(&self) -> &'static str {
                    #kind
                }
                fn children(&self) -> Vec<(&str, &dyn ::cnnc::ModuleTree)> {
                    self.0.children()
                }
            }
        };
    }

    let mut fields: Vec<Field> = Vec::new();
    named_children(&def.items, &mut fields);
    let optional_decls = fields.iter().filter(|f| f.optional).map(|f| {
        let name = field_ident(&f.name);
        quote! { let mut #name = None; }
    });
    let optional_decls: Vec<TokenStream> = optional_decls.collect();
    let statements = body.items(&def.items, &mut consts, Target::Fields);
    let allow = crate::allow_lints(body.complete_literal, &statements);
    let field_names: Vec<Ident> = fields.iter().map(|f| field_ident(&f.name)).collect();
    let field_types = fields.iter().map(|f| {
        let ty = &f.ty;
        if f.optional {
            quote! { Option<#ty> }
        } else {
            ty.clone()
        }
    });
    let const_fields: Vec<Ident> = def.forward_consts.iter().map(|(n, _)| field_ident(n)).collect();
    // A list the forward pass reads is kept as a `Vec`.
    let const_types = def.forward_consts.iter().map(|(_, t)| match t {
        ConstType::List(item) => {
            let item = rust_type(item);
            quote! { Vec<#item> }
        }
        t => rust_type(t),
    });
    let const_inits: Vec<TokenStream> = def
        .forward_consts
        .iter()
        .map(|(n, t)| {
            let ident = field_ident(n);
            match t {
                ConstType::List(_) => quote! { #ident: #ident.to_vec() },
                _ => ident.into_token_stream(),
            }
        })
        .collect();
    let entry = |f: &&Field| {
        let (name, member) = (&f.name, field_ident(&f.name));
        quote! { (#name, &self.#member) }
    };
    let local_parameters = local_parameters(fields.iter().filter(|f| f.parameter));
    let modules: Vec<&Field> = fields.iter().filter(|f| !f.parameter).collect();
    // The children before the first optional one start the list; the rest are added in order.
    let leading = modules.iter().take_while(|f| !f.optional).count();
    let first_entries = modules[..leading].iter().map(entry);
    let tree = if leading == modules.len() {
        let len = crate::consts::usize_literal(modules.len());
        quote! {
            let children: [(&str, &dyn ::cnnc::ModuleTree); #len] = [#(#first_entries),*];
            children.into()
        }
    } else {
        let rest = modules[leading..].iter().map(|f| {
            let (name, member) = (&f.name, field_ident(&f.name));
            if f.optional {
                quote! { if let Some(module) = &self.#member { children.push((#name, module)); } }
            } else {
                quote! { children.push((#name, &self.#member)); }
            }
        });
        let len = crate::consts::usize_literal(leading);
        quote! {
            let first: [(&str, &dyn ::cnnc::ModuleTree); #len] = [#(#first_entries),*];
            let mut children = Vec::from(first);
            #(#rest)*
            children
        }
    };

    let forward_consts = ConstCode::new(true);
    let mut multi = None;
    let forward_fn = match &def.forward {
        Some(forward) => {
            let lookup = |name: &str| -> Option<ChildCode> {
                // `convs.0`: an entry of a run-time `Sequential`.
                let (name, entry) = match name.split_once('.') {
                    Some((name, entry)) => (name, Some(entry.to_string())),
                    None => (name, None),
                };
                let field = fields.iter().find(|f| f.name == name)?;
                let member = field_ident(name);
                let mut member = quote! { self.#member };
                if entry.is_some() && !field.sequential {
                    // An entry of a block whose unnamed children run in order: the
                    // `cnnc::nn::Sequential` inside its tuple struct.
                    let block = field.block.as_deref()?;
                    defs.iter().find(|d| d.name == block && d.sequential)?;
                    member = quote! { #member.0 };
                }
                let (uses_train, optional) = (field.uses_train, field.optional);
                Some(ChildCode { member, uses_train, optional, entry })
            };
            let mut gen = ForwardGen::new(forward, &lookup, Some((&forward_consts, def)));
            let several = !forward.more_inputs.is_empty() || !forward.more_results.is_empty();
            let body = if several { gen.body_all() } else { gen.body() };
            let train = gen.train_ident();
            let allow = crate::allow_lints(gen.needs.complete_literal, &body);
            if several {
                // Not a `ModuleT`: a method of its own, typed by its inputs and outputs.
                let inputs = std::iter::once(&forward.input).chain(&forward.more_inputs).map(|i| {
                    let i = field_ident(i);
                    quote! { #i: &::tch::Tensor }
                });
                let output = match forward.more_results.len() {
                    0 => quote! { ::tch::Tensor },
                    n => {
                        let tensors = (0..=n).map(|_| quote! { ::tch::Tensor });
                        quote! { (#(#tensors),*) }
                    }
                };
                let names: Vec<&str> = std::iter::once(&forward.input)
                    .chain(&forward.more_inputs)
                    .map(String::as_str)
                    .collect();
                let doc = format!(
                    " The forward pass on `{}`, giving {}.",
                    names.join("`, `"),
                    match forward.more_results.len() {
                        0 => "one tensor".to_string(),
                        n => format!("{} tensors", n + 1),
                    }
                );
                multi = Some(quote! {
                    #[doc = #doc]
                    #allow
                    pub fn forward_t(&self, #(#inputs,)* #train: bool) -> #output {
                        #body
                    }
                });
                None
            } else {
                let input = field_ident(&forward.input);
                Some(quote! {
                    #allow
                    fn forward_t(&self, #input: &::tch::Tensor, #train: bool) -> ::tch::Tensor {
                        #body
                    }
                })
            }
        }
        None => {
            let message = format!(
                "`{}`: no checked forward pass calls this block, so its forward was not generated",
                def.name
            );
            Some(quote! {
                fn forward_t(&self, _xs: &::tch::Tensor, _train: bool) -> ::tch::Tensor {
                    panic!(#message)
                }
            })
        }
    };
    let module_t = forward_fn.map(|forward_fn| {
        quote! {
            impl ::tch::nn::ModuleT for #ty {
                #forward_fn
            }
        }
    });
    // Unnamed children that the block's own forward runs with `children(x)` are a
    // `Sequential` field, `seq`.
    let (seq_field, seq_decl, seq_init, tree) = if def.children_in_forward {
        (
            quote! { pub seq: ::cnnc::nn::Sequential, },
            quote! { let mut seq = ::cnnc::nn::Sequential::new(); },
            quote! { seq, },
            quote! { self.seq.children() },
        )
    } else {
        (TokenStream::new(), TokenStream::new(), TokenStream::new(), tree)
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub struct #ty {
            #seq_field
            #(pub #field_names: #field_types,)*
            #(#const_fields: #const_types,)*
        }
        impl #ty {
            /// Creates the block's variables under `vs`, named like PyTorch's `state_dict`.
            #many
            #allow
            #tables
            pub fn new(vs: &::tch::nn::Path, #(#params),*) -> Self {
                #seq_decl
                #(#optional_decls)*
                #statements
                Self { #seq_init #(#field_names,)* #(#const_inits,)* }
            }
            #multi
        }
        #module_t
        impl ::cnnc::ModuleTree for #ty {
            fn kind(&self) -> &'static str {
                #kind
            }
            fn children(&self) -> Vec<(&str, &dyn ::cnnc::ModuleTree)> {
                #tree
            }
            #local_parameters
        }
    }
}

/// Where the children of a body go.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// Named children become variables, later the struct's fields.
    Fields,
    /// Children are pushed onto `seq`, a `cnnc::nn::Sequential`.
    Seq,
}

struct Body<'a> {
    block: &'a str,
    complete_literal: bool,
}

impl Body<'_> {
    fn items(
        &mut self,
        items: &[BlockItem],
        consts: &mut ConstCode,
        target: Target,
    ) -> TokenStream {
        let mut out = TokenStream::new();
        for item in items {
            out.extend(match item {
                BlockItem::Child { name: Some(name), name_holes, module, .. }
                    if !name_holes.is_empty() =>
                {
                    let numbers: Vec<TokenStream> =
                        name_holes.iter().map(|(number, _)| consts.tokens(number)).collect();
                    let code = self.module(module, quote! { vs / &name }, consts);
                    let mut format = name.replace('{', "{{").replace('}', "}}");
                    for (_, after) in name_holes {
                        format.push_str("{}");
                        format.push_str(&after.replace('{', "{{").replace('}', "}}"));
                    }
                    quote! {
                        let name = format!(#format, #(#numbers),*);
                        seq.push_named(&name, #code);
                    }
                }
                BlockItem::Child { name, optional, module, .. } => match (name, target) {
                        (Some(name), Target::Fields) => {
                            let ident = field_ident(name);
                            let code = match module {
                                BlockModule::Layer { layer, dynamic }
                                    if crate::is_parameter(layer) =>
                                {
                                    parameter_code(consts, layer, dynamic, name)
                                }
                                _ => self.module(module, quote! { vs / #name }, consts),
                            };
                            if *optional {
                                quote! { #ident = Some(#code); }
                            } else {
                                quote! { let #ident = #code; }
                            }
                        }
                        (Some(name), Target::Seq) => {
                            let code = self.module(module, quote! { vs / #name }, consts);
                            quote! { seq.push_named(#name, #code); }
                        }
                    (None, _) => {
                        let code = self.module(module, quote! { vs / seq.len() }, consts);
                        quote! { seq.push(#code); }
                    }
                },
                BlockItem::Let { name, value } => {
                    let code = consts.tokens(value);
                    let ident = field_ident(name);
                    if value.ty.has_list() {
                        // Lists of different lengths in the branches of an `if` are one slice.
                        let ty = crate::consts::rust_type(&value.ty);
                        quote! { let #ident: #ty = #code; }
                    } else {
                        quote! { let #ident = #code; }
                    }
                }
                BlockItem::If { cond, then, otherwise } => {
                    let cond = consts.tokens(cond);
                    let then = self.items(then, consts, target);
                    if otherwise.is_empty() {
                        quote! { if #cond { #then } }
                    } else {
                        let otherwise = self.items(otherwise, consts, target);
                        quote! { if #cond { #then } else { #otherwise } }
                    }
                }
                BlockItem::For { var, start, end, body } => {
                    let (start, end) = (consts.tokens(start), consts.tokens(end));
                    let mut used = Vec::new();
                    mentions(body, &mut used);
                    let var = if used.contains(var) {
                        field_ident(var).into_token_stream()
                    } else {
                        quote! { _ }
                    };
                    let body = self.items(body, consts, target);
                    quote! { for #var in #start..#end { #body } }
                }
                BlockItem::ForEach { vars, unpack, items, body } => {
                    let items = consts.tokens(items);
                    let mut used = Vec::new();
                    mentions(body, &mut used);
                    let pattern = crate::consts::loop_pattern(vars, *unpack, &used);
                    let body = self.items(body, consts, target);
                    quote! { for #pattern in #items { #body } }
                }
                BlockItem::Unreached => {
                    let message = format!(
                        "`{}`: no checked use reaches this part of the block, so it was not generated",
                        self.block
                    );
                    quote! { panic!(#message); }
                }
            });
        }
        out
    }

    /// The constructor of a child, whose variables go under `path`.
    fn module(
        &mut self,
        module: &BlockModule,
        path: TokenStream,
        consts: &mut ConstCode,
    ) -> TokenStream {
        match module {
            BlockModule::Layer { layer, dynamic } => {
                let dynamic: Vec<Option<TokenStream>> = layer
                    .args
                    .params
                    .iter()
                    .zip(dynamic)
                    .map(|(param, value)| {
                        let code = arg_code(consts, param.ty, value.as_ref()?);
                        // A required list of a layer built from a config is passed as a slice.
                        let positional = layer.spec.config.is_some()
                            && matches!(param.default, cnnc_check::args::Default::Required);
                        Some(match (param.ty, value) {
                            (ArgType::IntList, Some(ArgExpr::One(v))) if positional => {
                                let v = consts.tokens(v);
                                quote! { [#v] }
                            }
                            (ArgType::IntList, Some(ArgExpr::Tuple(items))) if positional => {
                                let items = items.iter().map(|v| consts.tokens(v));
                                quote! { [#(#items),*] }
                            }
                            _ => code,
                        })
                    })
                    .collect();
                let (_, code, complete) = layer_constructor(layer, path, &dynamic);
                self.complete_literal |= complete;
                code
            }
            BlockModule::Block { name, args } => {
                let ty = format_ident!("{}", type_ident(name));
                let args = args.iter().map(|value| consts.tokens(value));
                quote! { #ty::new(&(#path), #(#args),*) }
            }
            BlockModule::Sequential(items) | BlockModule::ModuleList(items) => {
                let statements = self.items(items, consts, Target::Seq);
                let ty = match module {
                    BlockModule::ModuleList(_) => quote! { ::cnnc::nn::ModuleList },
                    _ => quote! { ::cnnc::nn::Sequential },
                };
                quote! {
                    {
                        let vs = &(#path);
                        let mut seq = #ty::new();
                        #statements
                        seq
                    }
                }
            }
        }
    }
}

/// `vs.var(name, &[shape], Init::Const(fill))` for a bare `Parameter`, with its shape and fill
/// computed from constants where they depend on them.
fn parameter_code(
    consts: &ConstCode,
    layer: &cnnc_check::ir::Layer,
    dynamic: &[Option<ArgExpr>],
    name: &str,
) -> TokenStream {
    let shape: Vec<TokenStream> = match dynamic.first().and_then(Option::as_ref) {
        Some(ArgExpr::Tuple(items)) => {
            items.iter().map(|i| consts.tokens_as(i, ConstType::Int)).collect()
        }
        Some(ArgExpr::One(value)) => vec![consts.tokens_as(value, ConstType::Int)],
        None => layer.args.ints("shape").iter().map(|&n| crate::int(n)).collect(),
    };
    let fill = match dynamic.get(1).and_then(Option::as_ref) {
        Some(ArgExpr::One(value)) => consts.tokens_as(value, ConstType::Float),
        _ => crate::float(layer.args.float("fill").unwrap_or(0.0)),
    };
    crate::parameter_var(name, quote! { [#(#shape),*] }, fill)
}

/// The code of a layer argument computed from constants, in the form its config field takes.
pub(crate) fn arg_code(consts: &ConstCode, ty: ArgType, arg: &ArgExpr) -> TokenStream {
    let items = |n: usize, ty: ConstType| -> Vec<TokenStream> {
        match arg {
            ArgExpr::Tuple(items) => {
                items.iter().map(|i| consts.tokens_as(i, ty.clone())).collect()
            }
            ArgExpr::One(value) => vec![consts.tokens_as(value, ty); n],
        }
    };
    // A tuple where one value is expected has been rejected by the checker.
    let one = || match arg {
        ArgExpr::One(value) => Ok(value),
        ArgExpr::Tuple(_) => Err(quote! { compile_error!("a tuple where one value is expected") }),
    };
    match ty {
        ArgType::Int | ArgType::Bool => one().map_or_else(|e| e, |v| consts.tokens(v)),
        ArgType::OptInt | ArgType::OptBool => one().map_or_else(
            |e| e,
            |v| {
                let code = consts.tokens(v);
                quote! { Some(#code) }
            },
        ),
        ArgType::Float => one().map_or_else(|e| e, |v| consts.tokens_as(v, ConstType::Float)),
        ArgType::OptFloat => one().map_or_else(
            |e| e,
            |v| {
                let code = consts.tokens_as(v, ConstType::Float);
                quote! { Some(#code) }
            },
        ),
        ArgType::Ints(n) | ArgType::ConvPadding(n) => {
            let items = items(n, ConstType::Int);
            quote! { [#(#items),*] }
        }
        ArgType::OptInts(n) => {
            let items = items(n, ConstType::Int);
            quote! { [#(Some(#items)),*] }
        }
        ArgType::IntList => {
            let items = items(1, ConstType::Int);
            quote! { vec![#(#items),*] }
        }
        ArgType::OptIntList => {
            let items = items(1, ConstType::Int);
            quote! { Some(vec![#(#items),*]) }
        }
        ArgType::OptFloatList => {
            let items = items(1, ConstType::Float);
            quote! { Some(vec![#(#items),*]) }
        }
        ArgType::Choice { .. } => quote! { compile_error!("a choice cannot be computed") },
    }
}

/// A named child of a block: a field of its struct.
struct Field {
    name: String,
    ty: TokenStream,
    optional: bool,
    uses_train: bool,
    /// A bare `Parameter`: a tensor of the block, not a child module.
    parameter: bool,
    /// A run-time `cnnc::nn::Sequential`, whose entries a forward may call by name.
    sequential: bool,
    /// The block it is a use of, if any.
    block: Option<String>,
}

/// `local_parameters` of a block with bare parameters, in declaration order.
fn local_parameters<'f>(parameters: impl Iterator<Item = &'f Field>) -> Option<TokenStream> {
    let (mut fixed, mut optional) = (Vec::new(), Vec::new());
    for f in parameters {
        let (name, member) = (&f.name, field_ident(&f.name));
        if f.optional {
            optional.push(
                quote! { if let Some(tensor) = &self.#member { tensors.push((#name, tensor)); } },
            );
        } else {
            fixed.push(quote! { (#name, &self.#member) });
        }
    }
    if fixed.is_empty() && optional.is_empty() {
        return None;
    }
    let body = if optional.is_empty() {
        let len = crate::consts::usize_literal(fixed.len());
        quote! {
            let tensors: [(&'static str, &::tch::Tensor); #len] = [#(#fixed),*];
            tensors.into()
        }
    } else {
        let len = crate::consts::usize_literal(fixed.len());
        quote! {
            let fixed: [(&'static str, &::tch::Tensor); #len] = [#(#fixed),*];
            let mut tensors = Vec::from(fixed);
            #(#optional)*
            tensors
        }
    };
    Some(quote! {
        fn local_parameters(&self) -> Vec<(&'static str, &::tch::Tensor)> {
            #body
        }
    })
}

/// The named children of a block body and their types, looking through conditions; a child
/// under a condition is optional.
fn named_children(items: &[BlockItem], out: &mut Vec<Field>) {
    for item in items {
        match item {
            BlockItem::Child { name: Some(name), name_holes, optional, module }
                if name_holes.is_empty() =>
            {
                if out.iter().any(|f| &f.name == name) {
                    continue;
                }
                let parameter = matches!(module, BlockModule::Layer { layer, .. } if crate::is_parameter(layer));
                let ty = match module {
                    BlockModule::Layer { .. } if parameter => quote! { ::tch::Tensor },
                    BlockModule::Layer { layer, .. } => {
                        let kind = format_ident!("{}", layer.spec.name);
                        quote! { ::cnnc::nn::#kind }
                    }
                    BlockModule::Block { name, .. } => {
                        format_ident!("{}", type_ident(name)).into_token_stream()
                    }
                    BlockModule::Sequential(_) => quote! { ::cnnc::nn::Sequential },
                    BlockModule::ModuleList(_) => quote! { ::cnnc::nn::ModuleList },
                };
                let uses_train = match module {
                    BlockModule::Layer { layer, .. } => layer.spec.uses_train,
                    _ => true,
                };
                out.push(Field {
                    name: name.clone(),
                    ty,
                    optional: *optional,
                    uses_train,
                    parameter,
                    sequential: matches!(
                        module,
                        BlockModule::Sequential(_) | BlockModule::ModuleList(_)
                    ),
                    block: match module {
                        BlockModule::Block { name, .. } => Some(name.clone()),
                        _ => None,
                    },
                });
            }
            BlockItem::If { then, otherwise, .. } => {
                named_children(then, out);
                named_children(otherwise, out);
            }
            BlockItem::For { body, .. } | BlockItem::ForEach { body, .. } => {
                named_children(body, out)
            }
            _ => {}
        }
    }
}

/// Whether a parameter or `let` constant of the block is a table: a list of tuples.
fn tables(def: &BlockDef) -> bool {
    fn table(ty: &ConstType) -> bool {
        match ty {
            ConstType::List(item) => matches!(**item, ConstType::Tuple(_)) || table(item),
            ConstType::Tuple(items) => items.iter().any(table),
            _ => false,
        }
    }
    fn in_items(items: &[BlockItem]) -> bool {
        items.iter().any(|item| match item {
            BlockItem::Let { value, .. } => table(&value.ty),
            BlockItem::If { then, otherwise, .. } => in_items(then) || in_items(otherwise),
            BlockItem::For { body, .. } | BlockItem::ForEach { body, .. } => in_items(body),
            BlockItem::Child {
                module: BlockModule::Sequential(items) | BlockModule::ModuleList(items),
                ..
            } => in_items(items),
            _ => false,
        })
    }
    def.params.iter().any(|(_, ty)| table(ty)) || in_items(&def.items)
}

/// The constants that the entries of a body mention.
fn mentions(items: &[BlockItem], out: &mut Vec<String>) {
    let value = |v: &ConstExpr, out: &mut Vec<String>| v.names(out);
    let arg = |a: &ArgExpr, out: &mut Vec<String>| match a {
        ArgExpr::One(v) => v.names(out),
        ArgExpr::Tuple(items) => items.iter().for_each(|v| v.names(out)),
    };
    for item in items {
        match item {
            BlockItem::Child { module, name_holes, .. } => {
                name_holes.iter().for_each(|(number, _)| value(number, out));
                match module {
                    BlockModule::Layer { dynamic, .. } => {
                        dynamic.iter().flatten().for_each(|a| arg(a, out))
                    }
                    BlockModule::Block { args, .. } => args.iter().for_each(|v| value(v, out)),
                    BlockModule::Sequential(items) | BlockModule::ModuleList(items) => {
                        mentions(items, out)
                    }
                }
            }
            BlockItem::Let { value: v, .. } => value(v, out),
            BlockItem::If { cond, then, otherwise } => {
                value(cond, out);
                mentions(then, out);
                mentions(otherwise, out);
            }
            BlockItem::For { start, end, body, .. } => {
                value(start, out);
                value(end, out);
                mentions(body, out);
            }
            BlockItem::ForEach { items, body, .. } => {
                value(items, out);
                mentions(body, out);
            }
            BlockItem::Unreached => {}
        }
    }
}
