//! Blocks: the rules for `block` definitions, binding the arguments of a use, and merging what
//! the uses in a file checked into one parametric definition ([`ir::BlockDef`]) per block.
//!
//! Every use of a block is expanded and checked with its own argument values (shapes differ
//! between uses). Generated code has one struct per block, so the checker also records, for
//! every layer, condition and forward branch of a block, what its uses resolved it to.

use std::rc::Rc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use cnnc_syntax as ast;
use cnnc_syntax::{Span, Value, ValueKind};

use crate::args::{assign, ArgValue, BoundArgs, Default, Params, Slots};
use crate::consts::{self, Const, ConstType, Env};
use crate::diagnostic::{Code, Error};
use crate::ir;
use crate::layers::{self, LayerSpec};
use crate::resolve::{self, BlockId, Item, ItemId, Module, Resolved, ResolvedBlock};

/// The blocks of a file, resolved, and the resolved bodies of its models.
pub(crate) struct Blocks<'a> {
    resolved: Resolved<'a>,
    /// The functions of constants of the file.
    pub functions: consts::Functions,
}

impl<'a> Blocks<'a> {
    /// Collects the blocks of a file and reports definitions that break the rules for blocks.
    pub fn new(file: &'a ast::File, errors: &mut Vec<Error>) -> Self {
        let mut by_name: HashMap<&str, &ast::Block> = HashMap::default();
        for block in &file.blocks {
            let name = &block.name;
            if let Some(first) = by_name.get(name.name.as_str()) {
                errors.push(duplicate(&format!("block `{name}`"), name.span, first.name.span));
                continue;
            }
            if let Some(model) = file.models.iter().find(|m| m.name.name == name.name) {
                errors.push(duplicate(&format!("`{name}`"), name.span, model.name.span));
            }
            if layers::lookup(&name.name).is_some()
                || matches!(name.name.as_str(), "Sequential" | "ModuleList")
            {
                errors.push(
                    Error::new(
                        Code::DuplicateName,
                        format!("`{name}` is a layer of the catalogue"),
                        name.span,
                        "already a layer",
                    )
                    .with_help("give the block a name of its own"),
                );
            }
            check_definition(block, errors);
            by_name.insert(&name.name, block);
        }
        check_functions(&file.functions, errors);
        Blocks {
            resolved: resolve::resolve(file),
            functions: consts::Functions::new(&file.functions),
        }
    }

    /// The names of the blocks, in source order.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.resolved.blocks.iter().map(|b| b.ast.name.name.as_str())
    }

    /// The block named `name`.
    pub fn get(&self, name: &str) -> Option<&ResolvedBlock<'a>> {
        self.resolved.block(name)
    }

    /// The block with id `id`.
    pub fn by_id(&self, id: BlockId) -> &ResolvedBlock<'a> {
        &self.resolved.blocks[id.0]
    }

    /// The resolved body of model `index` of the file.
    pub fn model_body(&self, index: usize) -> &[Item<'a>] {
        &self.resolved.models[index]
    }

    /// How many body items the file has.
    pub fn item_count(&self) -> usize {
        self.resolved.items
    }

    /// The argument values of a use of `block`, evaluated in `env`, in parameter order.
    pub fn bind(
        block: &ast::Block,
        call: &ast::LayerCall,
        env: &Env,
        errors: &mut Vec<Error>,
    ) -> Option<Vec<Const>> {
        let signature = || block_signature(block);
        let callee = &block.name.name;
        let mut slots = Slots::new();
        let params = block.params.as_slice();
        let mut ok = assign(callee, params, &signature, &call.args, call.span, errors, &mut slots);
        let mut values = Vec::new();
        for (param, slot) in block.params.iter().zip(slots) {
            let value = match (slot, &param.default) {
                (Some(arg), _) => &arg.value,
                (None, Some(default)) => default,
                (None, None) => continue,
            };
            match consts::eval(value, env) {
                Ok(c) => values.push(c),
                Err(e) => {
                    errors.push(e);
                    ok = false;
                }
            }
        }
        ok.then_some(values)
    }
}

impl Params for [ast::BlockParam] {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> &str {
        &self[i].name.name
    }
    fn required(&self, i: usize) -> bool {
        self[i].default.is_none()
    }
}

fn duplicate(what: &str, span: Span, first: Span) -> Error {
    Error::new(
        Code::DuplicateName,
        format!("{what} is declared twice"),
        span,
        "declared again here",
    )
    .with_related(first, "first declared here")
    .with_help("rename one of them")
}

/// The signature as messages show it, such as `BasicBlock(inplanes, planes, stride=1)`.
fn block_signature(block: &ast::Block) -> String {
    let params: Vec<String> = block
        .params
        .iter()
        .map(|p| match &p.default {
            Some(Value { kind: ValueKind::Int(n), .. }) => format!("{}={n}", p.name),
            Some(Value { kind: ValueKind::Float(x), .. }) => format!("{}={x:?}", p.name),
            Some(Value { kind: ValueKind::Bool(b), .. }) => format!("{}={b}", p.name),
            _ => p.name.name.to_string(),
        })
        .collect();
    format!("`{}({})`", block.name, params.join(", "))
}

/// The rules for `fn` definitions: one definition per name, not a built-in's name, parameters
/// named once, and those with defaults last.
fn check_functions(functions: &[ast::Function], errors: &mut Vec<Error>) {
    let mut seen: HashMap<&str, Span> = HashMap::default();
    for function in functions {
        let name = &function.name;
        if let Some(first) = seen.insert(&name.name, name.span) {
            errors.push(duplicate(&format!("function `{name}`"), name.span, first));
        }
        if crate::functions::ConstFn::lookup(&name.name).is_some()
            || matches!(name.name.as_str(), "len" | "sum")
        {
            errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!("`{name}` is a built-in function"),
                    name.span,
                    "already a function",
                )
                .with_help("give the function a name of its own"),
            );
        }
        check_params(&function.params, errors);
    }
}

/// Parameters are named once, and those with defaults come last.
fn check_params(params: &[ast::BlockParam], errors: &mut Vec<Error>) {
    let mut seen: HashMap<&str, Span> = HashMap::default();
    let mut defaulted: Option<Span> = None;
    for param in params {
        if let Some(first) = seen.insert(&param.name.name, param.name.span) {
            errors.push(duplicate(&format!("parameter `{}`", param.name), param.name.span, first));
        }
        match (&param.default, defaulted) {
            (Some(_), _) => defaulted = Some(param.span),
            (None, Some(first)) => errors.push(
                Error::new(
                    Code::BlockStructure,
                    format!("parameter `{}` has no default but follows one that has", param.name),
                    param.span,
                    "needs a default",
                )
                .with_related(first, "has a default")
                .with_help("put parameters without defaults first"),
            ),
            (None, None) => {}
        }
    }
}

/// The rules a block definition must follow on its own, whatever its uses.
fn check_definition(block: &ast::Block, errors: &mut Vec<Error>) {
    let name = &block.name.name;
    for input in &block.inputs {
        errors.push(
            Error::new(
                Code::BlockStructure,
                format!("block `{name}` declares an input"),
                input.span,
                "not allowed in a block",
            )
            .with_help(
                "a block takes its input from where it is used; the model declares the input shape",
            ),
        );
    }
    if let Some(rule) = block.init.first() {
        errors.push(
            Error::new(
                Code::BlockStructure,
                format!("block `{name}` has init rules"),
                rule.span,
                "not allowed in a block",
            )
            .with_help("write init rules in the model; a kind rule such as `Conv2d.weight = zeros` reaches into blocks"),
        );
    }
    for extra in block.forwards.iter().skip(1) {
        errors.push(
            Error::new(
                Code::BlockStructure,
                format!("block `{name}` has more than one `forward`"),
                extra.span,
                "second forward",
            )
            .with_related(block.forwards[0].span, "first forward"),
        );
    }
    for param in &block.params {
        match &param.default {
            Some(value)
                if consts::is_dynamic(value) || consts::eval(value, &Env::new()).is_err() =>
            {
                errors.push(
                    Error::new(
                        Code::BlockStructure,
                        format!("the default of `{}` is not a literal", param.name),
                        value.span,
                        "not a literal",
                    )
                    .with_help("write a literal, such as `stride = 1` or `kernel = (1, 7)`"),
                )
            }
            _ => {}
        }
    }
    check_params(&block.params, errors);
    let (mut named, mut unnamed) = (Vec::new(), Vec::new());
    collect_children(&block.items, &mut named, &mut unnamed);
    // Constants and named children share the constructor's scope in the generated code.
    let mut constants: Vec<&ast::Ident> = block.params.iter().map(|p| &p.name).collect();
    collect_constants(&block.items, &mut constants);
    for constant in &constants {
        if RESERVED_CONSTANTS.contains(&constant.name.as_str()) {
            errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!("`{constant}` is a name the generated constructor uses"),
                    constant.span,
                    "reserved in blocks",
                )
                .with_help(format!(
                    "rename it; {} are taken",
                    RESERVED_CONSTANTS.map(|n| format!("`{n}`")).join(", ")
                )),
            );
        }
    }
    for (child, span) in &named {
        if let Some(constant) = constants.iter().find(|c| c.name == *child) {
            errors.push(duplicate(&format!("`{child}`"), *span, constant.span));
        }
    }
    if let (Some((_, named)), Some(unnamed)) = (named.first(), unnamed.first()) {
        errors.push(
            Error::new(
                Code::BlockStructure,
                format!("block `{name}` mixes named and unnamed children"),
                *unnamed,
                "unnamed child",
            )
            .with_related(*named, "named child")
            .with_help(
                "name every child and call them in `forward`, or name none and they run in order \
                 (or with `children(x)` in `forward`)",
            ),
        );
    }
}

/// The named and unnamed children of a body, looking through conditions and loops.
fn collect_children<'a>(
    items: &'a [ast::Item],
    named: &mut Vec<(&'a str, Span)>,
    unnamed: &mut Vec<Span>,
) {
    for item in items {
        match item {
            // Children with computed names are listed in order, like numbered ones.
            ast::Item::Child(child) => match &child.name {
                Some(name) if child.name_holes.is_empty() => named.push((&name.name, name.span)),
                _ => unnamed.push(child.span),
            },
            ast::Item::If(cond) => {
                collect_children(&cond.then, named, unnamed);
                collect_children(&cond.otherwise, named, unnamed);
            }
            ast::Item::For(repeat) => collect_children(&repeat.body, named, unnamed),
            ast::Item::Let(_) => {}
        }
    }
}

/// Names the generated constructor of a block uses for itself.
const RESERVED_CONSTANTS: [&str; 3] = ["vs", "seq", "name"];

/// The `let` constants and loop variables of a body, looking through conditions and loops
/// (not into `Sequential`, whose entries cannot declare constants the block reads later).
fn collect_constants<'a>(items: &'a [ast::Item], out: &mut Vec<&'a ast::Ident>) {
    for item in items {
        match item {
            ast::Item::Let(stmt) => out.push(&stmt.name),
            ast::Item::If(cond) => {
                collect_constants(&cond.then, out);
                collect_constants(&cond.otherwise, out);
            }
            ast::Item::For(repeat) => {
                out.extend(repeat.vars.iter().filter(|v| v.name != "_"));
                collect_constants(&repeat.body, out);
            }
            ast::Item::Child(child) => {
                if let ast::Module::Sequential(seq) = &child.module {
                    collect_constants(&seq.items, out);
                }
            }
        }
    }
}

/// The names of the children a body may declare, in every branch.
pub(crate) fn declared_names(items: &[ast::Item]) -> Vec<&str> {
    let (mut named, mut unnamed) = (Vec::new(), Vec::new());
    collect_children(items, &mut named, &mut unnamed);
    named.into_iter().map(|(n, _)| n).collect()
}

/// What the uses of blocks in a file resolved, recorded by item and block id while checking
/// each use.
pub(crate) struct Uses {
    /// Whether some use reached each body item.
    pub reached: Vec<bool>,
    /// For each layer of a block, its first use and the first use where each argument differs.
    pub layers: HashMap<ItemId, LayerUses>,
    /// For each block used as a child, the types of its parameters over all uses.
    pub params: HashMap<BlockId, Vec<ConstType>>,
    /// The type of each `let` constant over all uses.
    pub lets: HashMap<ItemId, ConstType>,
    /// For each block with a `forward`, or with named children that run in order, the forward
    /// computation merged over all uses.
    pub forwards: HashMap<BlockId, ir::Forward>,
}

/// The uses of one layer of a block, each a path and bound arguments: the first, and for each
/// argument the first use where it differs from the first. Differences in arguments computed
/// from the block's constants are expected; any other difference is reported.
pub(crate) struct LayerUses {
    first: (Rc<str>, BoundArgs),
    differs: Vec<Option<(Rc<str>, BoundArgs)>>,
}

impl Uses {
    /// Records one use of the layer `id`, at `path`.
    pub fn record_layer(&mut self, id: ItemId, path: &Rc<str>, args: &BoundArgs) {
        let Some(uses) = self.layers.get_mut(&id) else {
            let differs = vec![None; args.values.len()];
            self.layers.insert(id, LayerUses { first: (path.clone(), args.clone()), differs });
            return;
        };
        let first = &uses.first.1.values;
        // Uses that share their values (copies of one declaration) cannot differ.
        if Rc::ptr_eq(first, &args.values) {
            return;
        }
        for (i, (a, b)) in first.iter().zip(args.values.iter()).enumerate() {
            if a.value != b.value && uses.differs[i].is_none() {
                uses.differs[i] = Some((path.clone(), args.clone()));
            }
        }
    }

    /// Empty tables for a file of `items` body items.
    pub fn new(items: usize) -> Self {
        Uses {
            reached: vec![false; items],
            layers: HashMap::default(),
            params: HashMap::default(),
            lets: HashMap::default(),
            forwards: HashMap::default(),
        }
    }

    /// Records the parameter types of one use of `block`; reports a parameter that is a number in
    /// one use and a boolean in another.
    pub fn record_params(
        &mut self,
        id: BlockId,
        block: &ast::Block,
        args: &[Const],
        call: Span,
        errors: &mut Vec<Error>,
    ) {
        let types: Vec<ConstType> = args.iter().map(|c| c.ty()).collect();
        let entry = self.params.entry(id).or_insert_with(|| types.clone());
        for ((have, new), param) in entry.iter_mut().zip(&types).zip(&block.params) {
            match have.unify(new) {
                // A list is passed as it is, so its item type is the same in every use.
                Some(ty) if !(ty.has_list() && (ty != *have || ty != *new)) => *have = ty,
                _ => errors.push(
                    Error::new(
                        Code::ConstExpr,
                        format!(
                            "parameter `{}` of `{}` is {} in one use and {} in another",
                            param.name,
                            block.name,
                            with_article(have),
                            with_article(new)
                        ),
                        call,
                        "this use",
                    )
                    .with_related(param.span, "the parameter")
                    .with_help("each parameter takes one type: an integer, a float, a boolean, or a tuple or list of one kind of item"),
                ),
            }
        }
    }

    /// Records the type of a `let` constant in one use.
    pub fn record_let(
        &mut self,
        id: ItemId,
        stmt: &ast::ConstLet,
        value: &Const,
        errors: &mut Vec<Error>,
    ) {
        let ty = value.ty();
        let have = self.lets.entry(id).or_insert(ty.clone()).clone();
        match have.unify(&ty) {
            Some(unified) if !(unified.has_list() && (unified != have || unified != ty)) => {
                self.lets.insert(id, unified);
            }
            _ => errors.push(
                Error::new(
                    Code::ConstExpr,
                    format!(
                        "`{}` is {} in one use of the block and {} in another",
                        stmt.name,
                        with_article(&have),
                        with_article(&ty)
                    ),
                    stmt.value.span,
                    "changes type",
                )
                .with_help("a constant takes one type in every use"),
            ),
        }
    }

    /// Merges the checked forward computation of one use of `block`.
    pub fn record_forward(&mut self, block: &ResolvedBlock, forward: ir::Forward) {
        let Some(merged) = self.forwards.get_mut(&block.id) else {
            self.forwards.insert(block.id, forward);
            return;
        };
        match (merged.chain_links(), forward.chain_links()) {
            // Without `forward`, each use runs the children it declares, in order: the
            // definition runs every child some use declares, in the order of the body (a child
            // a use lacks is the identity there).
            (Some(mut links), Some(more)) if block.ast.forwards.is_empty() => {
                let same = |(a, b): (&ir::Link, &ir::Link)| a.name == b.name;
                if links.len() == more.len() && links.iter().zip(&more).all(same) {
                    return;
                }
                let have: HashSet<Rc<str>> = links.iter().map(|l| l.name.clone()).collect();
                let before = links.len();
                links.extend(more.into_iter().filter(|link| !have.contains(&link.name)));
                if links.len() == before {
                    return;
                }
                let position: HashMap<&str, usize> =
                    block.declared.iter().enumerate().map(|(i, name)| (*name, i)).collect();
                links.sort_by_key(|link| position.get(&*link.name).copied());
                let input = merged.input.clone();
                *merged = ir::Forward::chain(input, links, crate::check::CHAIN_LENGTH);
            }
            _ => merged.merge(&forward),
        }
    }
}

/// A type with its article, for messages: "an integer", "a list of integer".
fn with_article(ty: &ConstType) -> String {
    match ty {
        ConstType::Int => "an integer".into(),
        ConstType::Tuple(_) => format!("the tuple type {ty}"),
        other => format!("a {other}"),
    }
}

/// Builds the definition of every block used as a child, in source order.
pub(crate) fn build_defs(
    blocks: &Blocks<'_>,
    uses: &mut Uses,
    functions: &consts::Functions,
    errors: &mut Vec<Error>,
) -> Vec<ir::BlockDef> {
    let mut defs = Vec::new();
    for resolved in &blocks.resolved.blocks {
        let block = resolved.ast;
        let Some(types) = uses.params.get(&resolved.id) else { continue };
        let params: Vec<(String, ConstType)> = block
            .params
            .iter()
            .map(|p| p.name.name.to_string())
            .zip(types.iter().cloned())
            .collect();
        let mut types = consts::Types::new(functions.clone());
        for (name, ty) in &params {
            types.insert(name.clone(), ty.clone());
        }
        let mut builder = DefBuilder { blocks, uses, errors, kinds: HashMap::default(), types };
        let items = builder.items(&resolved.body, false);
        let mut consts: Vec<(String, ConstType)> = params.clone();
        collect_lets(&resolved.body, uses, &mut consts);
        let mut read = Vec::new();
        if let Some(forward) = block.forwards.first() {
            for stmt in &forward.lets {
                condition_names(&stmt.value, &mut read);
            }
            condition_names(&forward.result, &mut read);
            read.retain(|name| {
                !forward
                    .params
                    .iter()
                    .chain(forward.lets.iter().map(|l| &l.name))
                    .any(|v| v.name == *name)
            });
        }
        let forward_consts =
            consts.iter().filter(|(name, _)| read.contains(name)).cloned().collect();
        let (mut named, mut unnamed) = (Vec::new(), Vec::new());
        collect_children(&block.items, &mut named, &mut unnamed);
        defs.push(ir::BlockDef {
            name: block.name.name.to_string(),
            params,
            items,
            forward: uses.forwards.remove(&resolved.id),
            forward_consts,
            sequential: block.forwards.is_empty() && named.is_empty(),
            children_in_forward: !block.forwards.is_empty()
                && named.is_empty()
                && !unnamed.is_empty(),
        });
    }
    defs
}

fn collect_lets(items: &[Item], uses: &Uses, out: &mut Vec<(String, ConstType)>) {
    for item in items {
        match item {
            Item::Let { id, stmt } => {
                if let Some(ty) = uses.lets.get(id) {
                    out.push((stmt.name.name.to_string(), ty.clone()));
                }
            }
            Item::If { then, otherwise, .. } => {
                collect_lets(then, uses, out);
                collect_lets(otherwise, uses, out);
            }
            Item::For { body, .. } => collect_lets(body, uses, out),
            Item::Child { .. } => {}
        }
    }
}

/// The constants that a forward expression reads, in conditions and as numbers.
fn condition_names(expr: &ast::Expr, out: &mut Vec<String>) {
    match expr {
        ast::Expr::If { cond, then, otherwise, .. } => {
            consts::names(cond, out);
            condition_names(then, out);
            condition_names(otherwise, out);
        }
        ast::Expr::Call(call) => {
            if let Some(piped) = &call.piped {
                condition_names(piped, out);
            }
            for arg in &call.args {
                match &arg.value {
                    ast::CallArgValue::Expr(e) => condition_names(e, out),
                    ast::CallArgValue::Tuple(items) => {
                        items.iter().for_each(|e| condition_names(e, out))
                    }
                    _ => {}
                }
            }
        }
        ast::Expr::Binary { lhs, rhs, .. } => {
            condition_names(lhs, out);
            condition_names(rhs, out);
        }
        ast::Expr::Neg { operand, .. } | ast::Expr::Index { input: operand, .. } => {
            condition_names(operand, out)
        }
        ast::Expr::List(items, _) => items.iter().for_each(|i| condition_names(i, out)),
        ast::Expr::Name(name) => {
            // A constant used as a number; value names are filtered out by the caller.
            if !out.iter().any(|n| *n == name.name) {
                out.push(name.name.to_string());
            }
        }
        ast::Expr::Number(_) => {}
    }
}

struct DefBuilder<'b, 'a> {
    blocks: &'b Blocks<'a>,
    uses: &'b Uses,
    errors: &'b mut Vec<Error>,
    /// The kind of each named child, to reject one name for two kinds of module.
    kinds: HashMap<String, (String, Span)>,
    /// The types of the constants in scope.
    types: consts::Types,
}

impl DefBuilder<'_, '_> {
    fn items(&mut self, items: &[Item], optional: bool) -> Vec<ir::BlockItem> {
        let mut out = Vec::new();
        for item in items {
            if !self.uses.reached[item.id().0] {
                if !matches!(out.last(), Some(ir::BlockItem::Unreached)) {
                    out.push(ir::BlockItem::Unreached);
                }
                continue;
            }
            out.push(match item {
                Item::Child { id, child, module } => ir::BlockItem::Child {
                    name: child.name.as_ref().map(|n| n.name.to_string()),
                    name_holes: child
                        .name_holes
                        .iter()
                        .map(|(value, after)| (consts::resolve(value, &self.types), after.clone()))
                        .collect(),
                    optional,
                    module: match self.module(*id, child, module) {
                        Some(module) => module,
                        None => continue,
                    },
                },
                Item::Let { id, stmt } => {
                    let ty = self.uses.lets.get(id).cloned().unwrap_or(ConstType::Int);
                    let value = consts::resolve(&stmt.value, &self.types).converted(&ty);
                    self.types.insert(stmt.name.name.to_string(), ty);
                    ir::BlockItem::Let { name: stmt.name.name.to_string(), value }
                }
                Item::If { cond, then, otherwise, .. } => {
                    let resolved = consts::resolve(&cond.cond, &self.types);
                    // Constants declared in a branch are local to it.
                    let outer = self.types.clone();
                    let then = self.items(then, true);
                    self.types = outer.clone();
                    let otherwise = self.items(otherwise, true);
                    self.types = outer;
                    ir::BlockItem::If { cond: resolved, then, otherwise }
                }
                Item::For { repeat, body, .. } => {
                    let outer = self.types.clone();
                    let vars: Vec<String> =
                        repeat.vars.iter().map(|v| v.name.to_string()).collect();
                    let item = match &repeat.over {
                        ast::Iteration::Range { start, end } => {
                            let start = consts::resolve(start, &self.types);
                            let end = consts::resolve(end, &self.types);
                            self.types.insert(vars[0].clone(), ConstType::Int);
                            let body = self.items(body, optional);
                            let var = vars[0].clone();
                            ir::BlockItem::For { var, start, end, body }
                        }
                        ast::Iteration::Items(list) => {
                            let items = consts::resolve(list, &self.types);
                            match (repeat.unpack, items.ty.item()) {
                                (true, ConstType::Tuple(types)) => {
                                    for (var, ty) in vars.iter().zip(types.iter()) {
                                        self.types.insert(var.clone(), ty.clone());
                                    }
                                }
                                (_, ty) => self.types.insert(vars[0].clone(), ty),
                            }
                            let body = self.items(body, optional);
                            ir::BlockItem::ForEach { vars, unpack: repeat.unpack, items, body }
                        }
                    };
                    self.types = outer;
                    item
                }
            });
        }
        out
    }

    fn module(
        &mut self,
        id: ItemId,
        child: &ast::Child,
        module: &Module,
    ) -> Option<ir::BlockModule> {
        let (kind, module) = match module {
            Module::Sequential { items, list: false } => {
                ("Sequential".to_string(), ir::BlockModule::Sequential(self.items(items, false)))
            }
            Module::Sequential { items, list: true } => {
                ("ModuleList".to_string(), ir::BlockModule::ModuleList(self.items(items, false)))
            }
            Module::Block { block, call } => {
                let block = self.blocks.by_id(*block);
                let module = block_call(block, call, self.uses, &self.types)?;
                (block.ast.name.name.to_string(), module)
            }
            Module::Layer { spec, call } => {
                (call.kind.name.to_string(), self.layer(id, spec, call)?)
            }
            Module::Unknown(_) => return None,
        };
        if let (Some(name), true) = (&child.name, child.name_holes.is_empty()) {
            match self.kinds.get(name.name.as_str()) {
                Some((first, span)) if *first != kind => self.errors.push(
                    Error::new(
                        Code::BlockStructure,
                        format!("`{name}` is a `{first}` in one branch and a `{kind}` in another"),
                        name.span,
                        format!("a `{kind}`"),
                    )
                    .with_related(*span, format!("a `{first}`"))
                    .with_help("a child name stands for one kind of module; use two names"),
                ),
                _ => {
                    self.kinds.insert(name.name.to_string(), (kind, name.span));
                }
            }
        }
        Some(module)
    }

    /// A layer of a block: the arguments of its first use, with the expressions of those that
    /// depend on constants. Arguments inferred from shapes must agree across uses.
    fn layer(
        &mut self,
        id: ItemId,
        spec: &'static LayerSpec,
        call: &ast::LayerCall,
    ) -> Option<ir::BlockModule> {
        let uses = self.uses.layers.get(&id)?;
        let (first_path, first) = &uses.first;
        let mut dynamic: Vec<Option<ir::ArgExpr>> = first
            .values
            .iter()
            .map(|bound| {
                let span = bound.span?;
                let arg = call.args.iter().find(|a| a.value.span == span)?;
                consts::is_dynamic(&arg.value).then(|| consts::resolve_arg(&arg.value, &self.types))
            })
            .collect();
        // Generated code computes numbers, booleans and tuples of them; a layer's string options
        // (`mode="bilinear"`) are written in the block.
        if let Some(span) =
            dynamic.iter().zip(first.values.iter()).find_map(|(arg, bound)| match arg {
                Some(ir::ArgExpr::One(e)) if e.ty == ConstType::Str => {
                    Some(bound.span.unwrap_or(call.span))
                }
                _ => None,
            })
        {
            self.errors.push(
                Error::new(
                    Code::ConstExpr,
                    format!("a string option of `{}` is computed from constants", call.kind),
                    span,
                    "computed string",
                )
                .with_help("write the option literally, with an `if` on the constant to choose between layers"),
            );
            return None;
        }
        for (i, param) in first.params.iter().enumerate() {
            if let (Default::SameAs(other), None) = (param.default, first.values[i].span) {
                if let Some(j) = first.params.iter().position(|p| p.name == other) {
                    dynamic[i] = dynamic[j].clone();
                }
            }
        }
        for (i, param) in first.params.iter().enumerate() {
            if dynamic[i].is_some() {
                continue;
            }
            if let Some((path, other)) = &uses.differs[i] {
                let span = first.values[i].span.unwrap_or(call.span);
                self.errors.push(
                    Error::new(
                        Code::Infer,
                        format!(
                            "`{}` of this `{}` is {} in `{first_path}` but {} in `{path}`",
                            param.name, call.kind, first.values[i].value, other.values[i].value
                        ),
                        span,
                        "differs between uses of the block",
                    )
                    .with_help(format!(
                        "the block's code is shared by its uses: write `{}` in terms of the block's parameters",
                        param.name
                    )),
                );
                return None;
            }
        }
        let layer = ir::Layer { spec, args: first.clone(), tensors: Vec::new() };
        debug_assert!(layer.args.values.iter().all(|b| b.value != ArgValue::Infer));
        Some(ir::BlockModule::Layer { layer, dynamic })
    }
}

/// A use of a block inside a block: its argument expressions in parameter order; `None` when
/// they do not bind (the checked use has reported why).
fn block_call(
    resolved: &ResolvedBlock,
    call: &ast::LayerCall,
    uses: &Uses,
    types: &consts::Types,
) -> Option<ir::BlockModule> {
    let block = resolved.ast;
    let param_types = uses.params.get(&resolved.id)?;
    let mut slots = Slots::new();
    assign(
        &block.name.name,
        block.params.as_slice(),
        &String::new,
        &call.args,
        call.span,
        &mut Vec::new(),
        &mut slots,
    );
    let args = block
        .params
        .iter()
        .zip(slots)
        .zip(param_types)
        .map(|((param, slot), ty)| {
            let value = match slot {
                Some(arg) => &arg.value,
                None => param.default.as_ref()?,
            };
            Some(consts::resolve(value, types).converted(ty))
        })
        .collect::<Option<_>>()?;
    Some(ir::BlockModule::Block { name: block.name.name.to_string(), args })
}
