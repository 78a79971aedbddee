//! Checking one model: its children (with every use of a block expanded), the shapes along its
//! forward computation (`forward.rs`) and its init rules (`init_rules.rs`).

mod forward;
mod init_rules;
mod memo;

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ptr;
use std::rc::Rc;

use forward::Chain;
use init_rules::apply_init_rules;
use memo::Memo;

use hashbrown::hash_table::{Entry as HashEntry, HashTable};
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet as HashSet};
use smallvec::SmallVec;

use cnnc_syntax as ast;
use cnnc_syntax::{CallArgValue, Span};

use crate::args::{
    bind, suggest, ArgType, ArgValue, Bound, BoundArgs, DefaultValue, Param, SubstitutedArg,
};
use crate::blocks::{self, Blocks, Uses};
use crate::consts::{self, Const, Env};
use crate::diagnostic::{Code, Error};
use crate::init;
use crate::ir;
use crate::layers::{self, simple_flatten, Flow, LayerSpec, Note, ShapeCtx, TensorKind};
use crate::resolve::{Item, ItemId, Module, ResolvedBlock};
use crate::rust_names;
use crate::shape::{Dim, Shape, SizeRule};

/// The child names declared in one scope and the Rust fields they become. Two children with one
/// field are found when the scope ends ([`Declared::finish`]): the table of a scope is then built
/// in one go, while it stays in cache. Probed between the declarations, one child at a time, it
/// cost 6.5–9 ms more for 100,000 children (BENCHMARKS.md).
struct Declared<'a> {
    fields: Vec<Field<'a>>,
}

/// A Rust field of a scope, with the name it was declared under (`None`: the field's own), where,
/// and how many messages came before it: a message about it goes there. A field that is its own
/// name as written borrows it.
struct Field<'a> {
    field: Cow<'a, str>,
    other: Option<String>,
    span: Span,
    errors_before: usize,
}

impl Field<'_> {
    /// The child's name as declared.
    fn name(&self) -> &str {
        self.other.as_deref().unwrap_or(&self.field)
    }
}

impl<'a> Declared<'a> {
    /// Room for the children of `items`, as declared outside loops.
    fn for_items(items: &[Item]) -> Self {
        Declared { fields: Vec::with_capacity(items.len()) }
    }

    /// Declares `field` for the child `name` at `span`, after `errors_before` messages.
    fn declare(&mut self, field: Cow<'a, str>, name: &str, span: Span, errors_before: usize) {
        // Most names are their own field: their name is not kept twice.
        let other = (*field != *name).then(|| name.to_string());
        self.fields.push(Field { field, other, span, errors_before });
    }

    /// Reports each child whose field an earlier child of the scope `prefix` already has, at
    /// the place among `errors` where it was declared.
    fn finish(self, prefix: &str, errors: &mut Vec<Error>) {
        let hash_of = |text: &str| FxBuildHasher.hash_one(text);
        let fields = &self.fields;
        // A scope declares at most `MAX_MODULES` children, far fewer than 2^32.
        let mut table = HashTable::<u32>::with_capacity(fields.len());
        let mut found = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            let slot = table.entry(
                hash_of(&field.field),
                |&j| fields[j as usize].field == field.field,
                |&j| hash_of(&fields[j as usize].field),
            );
            match slot {
                HashEntry::Occupied(first) => {
                    let first = &fields[*first.get() as usize];
                    found.push((field.errors_before, duplicate(first, field, prefix)));
                }
                HashEntry::Vacant(slot) => {
                    slot.insert(i as u32);
                }
            }
        }
        if found.is_empty() {
            return;
        }
        let mut found = found.into_iter().peekable();
        for (at, error) in std::mem::take(errors).into_iter().enumerate() {
            while let Some((_, duplicate)) = found.next_if(|(before, _)| *before <= at) {
                errors.push(duplicate);
            }
            errors.push(error);
        }
        errors.extend(found.map(|(_, duplicate)| duplicate));
    }
}

/// The message for `again`, which becomes the same Rust field as `first` in the scope `prefix`.
fn duplicate(first: &Field, again: &Field, prefix: &str) -> Error {
    let (field, name) = (&again.field, again.name());
    if first.name() != name {
        let other = first.name();
        return Error::new(
            Code::DuplicateName,
            format!("`{other}` and `{name}` would both become the Rust field `{field}`"),
            again.span,
            format!("also `{field}`"),
        )
        .with_related(first.span, format!("becomes `{field}`"))
        .with_help("rename one of them so that their snake_case forms differ");
    }
    let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
    Error::new(
        Code::DuplicateName,
        format!("`{path}` is declared twice"),
        again.span,
        "declared again here",
    )
    .with_related(first.span, "first declared here")
    .with_help("rename one of them")
}

/// A child while checking: layers keep their arguments mutable until `_` is inferred.
struct NodeState<'a> {
    name: Rc<str>,
    path: Rc<str>,
    span: Span,
    body: BodyState<'a>,
    called: bool,
    /// For a layer declared in a block, the item under which its uses are recorded.
    origin: Option<ItemId>,
}

enum BodyState<'a> {
    /// A layer; `args` is `None` when its arguments were wrong (already reported).
    Layer { spec: &'static LayerSpec, args: Option<BoundArgs> },
    /// A `Sequential`, or with `list` a `ModuleList`.
    Sequential { children: Vec<NodeState<'a>>, list: bool },
    /// A use of a block.
    Block(Box<BlockState<'a>>),
    /// An unknown layer kind or a broken block use (already reported).
    Unknown,
}

/// A use of a block while checking: its constants and its children after conditions and loops.
struct BlockState<'a> {
    def: &'a ResolvedBlock<'a>,
    args: Vec<Const>,
    env: Env<'a>,
    children: Vec<NodeState<'a>>,
    /// The use as written, such as `BasicBlock(64, 128, 2)`.
    call_span: Span,
}

/// The most modules one model may expand to, so that a loop cannot exhaust memory.
const MAX_MODULES: usize = 300_000;

/// The most rules on run-time sizes that are compared pairwise to drop the implied ones.
const MAX_PRUNED_RULES: usize = 64;

/// The deepest nesting of `Sequential`s and block uses, so that checking, which recurses along
/// it, cannot exhaust the stack. Real networks nest a handful of levels.
const MAX_DEPTH: usize = 48;

/// The most uses of blocks that an error inside nested blocks names ("in `layer1.0`"),
/// innermost first.
const MAX_USE_LABELS: usize = 3;

/// The most children a body without `forward` chains in one expression: the generated code names
/// the value after every stretch of this many.
pub(crate) const CHAIN_LENGTH: usize = 32;

pub(crate) struct ModelChecker<'a, 'e> {
    blocks: &'a Blocks<'a>,
    uses: &'e mut Uses,
    errors: &'e mut Vec<Error>,
    input_shape: Shape,
    /// The children of the model or block whose forward is being checked.
    children: Vec<NodeState<'a>>,
    /// How `forward` finds the children in `children` by name.
    child_index: ChildIndex,
    /// The constants in scope.
    env: Env<'a>,
    /// Children the current block declares under conditions that do not hold: identity.
    absent: HashSet<&'a str>,
    trace: Vec<ir::TraceRow>,
    /// The blocks being expanded, innermost last, to reject a block that contains itself.
    stack: Vec<&'a str>,
    /// Modules declared so far.
    modules: usize,
    /// How many `Sequential`s enclose the children being declared.
    in_sequential: usize,
    /// How many `Sequential`s and block uses enclose the children being declared.
    depth: usize,
    /// The rules on run-time input sizes that the layers and operations checked so far need.
    requirements: Vec<ir::Requirement>,
    /// Where names and paths are put together before they are shared.
    scratch: String,
    /// The names of the children of blocks declared without computed numbers, by item: every
    /// use of a block shares them.
    names: HashMap<ItemId, Rc<str>>,
    /// The names of numbered entries, `0`, `1`, ...
    numbers: Vec<Rc<str>>,
    /// The declarations and runs of blocks checked so far, which later ones with the same values
    /// copy.
    memo: Memo<'a>,
    /// The bound arguments of the repeated calls whose arguments are all literals, by call.
    literal_calls: HashMap<*const ast::LayerCall, BoundArgs>,
    /// The values of calls without arguments (`ReLU()`), by layer kind: every default.
    defaults: Vec<(&'static LayerSpec, Rc<[Bound]>)>,
    /// How many loops enclose the children being declared.
    loops: usize,
    /// Whether a layer declared so far has a `_` to infer.
    infers: bool,
}

pub(crate) fn check_model<'a>(
    model: &'a ast::Model,
    body: &'a [Item<'a>],
    blocks: &'a Blocks<'a>,
    uses: &mut Uses,
    errors: &mut Vec<Error>,
) -> Option<ir::Model> {
    let before = errors.len();
    let input = declared_input(model, errors);
    let mut checker = ModelChecker {
        blocks,
        uses,
        errors,
        input_shape: input.as_ref().map_or(Shape::scalar(), |i| i.0.clone()),
        children: Vec::new(),
        child_index: ChildIndex::Unnamed,
        env: Env::with_functions(blocks.functions.clone()),
        absent: HashSet::default(),
        trace: Vec::new(),
        stack: Vec::new(),
        modules: 0,
        in_sequential: 0,
        depth: 0,
        requirements: Vec::new(),
        scratch: String::new(),
        names: HashMap::default(),
        numbers: Vec::new(),
        memo: Memo::default(),
        literal_calls: HashMap::default(),
        defaults: Vec::new(),
        loops: 0,
        infers: false,
    };
    // The body: the model's own, or that of the block it is an instance of.
    let (items, declared, forwards, ok) = match &model.base {
        // The declared names serve only to tell a `forward` which names are absent.
        None if model.forwards.is_empty() => (body, Vec::new(), &[][..], true),
        None => (body, blocks::declared_names(&model.items), model.forwards.as_slice(), true),
        Some(call) => checker.base_block(model, call),
    };
    let mut seen = Declared::for_items(items);
    let mut children = Vec::with_capacity(items.len());
    checker.declare_items(items, "", false, &mut seen, &mut children);
    seen.finish("", checker.errors);
    // Children are found by name only from a `forward`; without one they run in order.
    if !forwards.is_empty() {
        checker.child_index = ChildIndex::new(&children);
        checker.absent = checker.child_index.absent(&children, &declared);
    }
    checker.children = children;
    // About one trace row for each module declared.
    checker.trace.reserve(checker.modules.min(MAX_MODULES));
    let before_forward = checker.errors.len();
    let forward = match input {
        Some((shape, span)) if ok => {
            let input_name = forwards
                .first()
                .and_then(|f| f.params.first())
                .or(model.inputs.first().map(|i| &i.name))
                .map_or("x".to_string(), |n| n.name.to_string());
            let note = Note::Is(format!("input `{input_name}`"));
            let flow = Flow { shape, span, note };
            let forward = checker
                .forward(&model.name.name, forwards, &input_name, vec![flow], Chain::Kept)
                .and_then(|(mut flows, forward)| Some((flows.swap_remove(0), forward?)));
            if !forwards.is_empty() {
                checker.warn_unused_children();
            }
            forward
        }
        _ => None,
    };
    // After an error in the forward pass, children it did not reach are not reported again.
    if checker.errors[before_forward..].iter().all(|e| e.code.is_warning()) {
        checker.require_inferred();
    }
    if forward.is_some() {
        checker.require_some_input();
    }
    // The parameter count of each layer, in the order of the nodes, with the address of its
    // path, which its trace rows share.
    let mut counts = Vec::with_capacity(checker.modules.min(MAX_MODULES));
    let children = checker.finish_nodes(&mut counts);
    let mut trace = checker.trace;
    let requirements = checker.requirements;
    let (children, mut forward) = (children?, forward?);
    // Sizes in their simplest form for the input sizes the model takes, each form worked out once.
    let rules: Vec<SizeRule> = requirements.iter().map(|r| r.rule.clone()).collect();
    if !rules.is_empty() {
        let mut simplest: HashMap<Dim, Dim> = HashMap::default();
        let mut simplify = |shape: &mut Shape| {
            if shape.0.iter().all(|dim| matches!(dim, Dim::Known(_))) {
                return;
            }
            *shape = shape
                .0
                .iter()
                .map(|dim| match dim {
                    Dim::Known(_) => *dim,
                    Dim::Symbolic(_) => *simplest
                        .entry(*dim)
                        .or_insert_with(|| crate::shape::simplified(dim, &rules)),
                })
                .collect();
        };
        trace.iter_mut().for_each(|row| simplify(&mut row.output));
        simplify(&mut forward.1.result.shape);
        forward.1.more_results.iter_mut().for_each(|e| simplify(&mut e.shape));
    }
    let mut result = ir::Model {
        name: model.name.name.to_string(),
        name_span: model.name.span,
        input: checker.input_shape,
        children,
        forward: forward.1,
        trace,
        requirements,
        blocks: Vec::new(),
        functions: Vec::new(),
        warnings: Vec::new(),
    };
    let total = counts.iter().try_fold(0i64, |total, &(_, count)| total.checked_add(count));
    if total.is_none() {
        errors.push(too_many_parameters(&model.name.name, model.name.span));
        return None;
    }
    // Rows mostly come in the order the layers were declared, so each is first compared with the
    // next layer; only a model whose rows do not (ops, layers called twice) needs a table.
    let (mut next, mut by_path) = (0, None::<HashMap<*const u8, i64>>);
    for row in &mut result.trace {
        let key = row.name.as_ptr();
        row.parameters = match counts.get(next) {
            Some(&(path, count)) if path == key => {
                next += 1;
                count
            }
            _ => {
                let by_path = by_path.get_or_insert_with(|| counts.iter().copied().collect());
                by_path.get(&key).copied().unwrap_or(0)
            }
        };
    }
    apply_init_rules(model, &mut result, errors);
    let found: Vec<Error> = errors.drain(before..).collect();
    let (warnings, found): (Vec<Error>, Vec<Error>) =
        found.into_iter().partition(|e| e.code.is_warning());
    result.warnings = warnings;
    let ok = found.is_empty();
    errors.extend(found);
    ok.then_some(result)
}

/// The single `input` declaration, as a shape and the span of that shape.
fn declared_input(model: &ast::Model, errors: &mut Vec<Error>) -> Option<(Shape, Span)> {
    let name = &model.name.name;
    let Some(first) = model.inputs.first() else {
        errors.push(
            Error::new(
                Code::ModelStructure,
                format!("model `{name}` has no `input` declaration"),
                model.name.span,
                "needs an input shape",
            )
            .with_help("declare the input's shape, such as `input x: [N, 3, 32, 32]`"),
        );
        return None;
    };
    for extra in &model.inputs[1..] {
        errors.push(
            Error::new(
                Code::ModelStructure,
                format!("model `{name}` declares more than one input"),
                extra.span,
                "second input",
            )
            .with_related(first.span, "first input")
            .with_help("a model takes one input tensor"),
        );
    }
    let mut ok = true;
    let dims: Vec<Dim> = first
        .dims
        .iter()
        .map(|d| match d {
            ast::Dim::Known(n, span) => {
                if *n < 1 {
                    ok = false;
                    errors.push(
                        Error::new(
                            Code::ArgumentValue,
                            format!("input sizes must be at least 1, found {n}"),
                            *span,
                            "not a valid size",
                        )
                        .with_help("write a positive size, or a name such as `N` for a size known at run time"),
                    );
                }
                Dim::Known(*n)
            }
            ast::Dim::Symbolic(ident) => Dim::named(&ident.name),
        })
        .collect();
    ok.then_some((Shape::from(dims), first.shape_span))
}

impl<'a> ModelChecker<'a, '_> {
    /// For `model Name = Block(args)`: binds the arguments and makes the block's parameters the
    /// constants in scope. Returns the block's body and whether the arguments were right.
    fn base_block(
        &mut self,
        model: &'a ast::Model,
        call: &'a ast::LayerCall,
    ) -> (&'a [Item<'a>], Vec<&'a str>, &'a [ast::Forward], bool) {
        if let Some(extra) =
            model.items.first().map(item_span).or(model.forwards.first().map(|f| f.span))
        {
            self.errors.push(
                Error::new(
                    Code::ModelStructure,
                    format!("model `{}` is an instance of `{}` and cannot add to it", model.name, call.kind),
                    extra,
                    "not allowed here",
                )
                .with_related(call.span, "the block it is an instance of")
                .with_help("a model defined as `= Block(...)` takes only `input` and `init`; add children in the block"),
            );
            return (&[], Vec::new(), &[], false);
        }
        let blocks = self.blocks;
        let Some(block) = blocks.get(&call.kind.name) else {
            let mut error = Error::new(
                Code::UndefinedName,
                format!("no block named `{}`", call.kind),
                call.kind.span,
                "not a block",
            );
            if layers::lookup(&call.kind.name).is_some() {
                error = error.with_help(
                    "a model is an instance of a block; wrap the layer in a model body instead",
                );
            }
            self.errors.push(error);
            return (&[], Vec::new(), &[], false);
        };
        let ast = block.ast;
        match Blocks::bind(ast, call, &self.env, self.errors) {
            Some(args) => {
                self.env = self.block_env(ast, args);
                self.stack.push(&ast.name.name);
                (&block.body, block.declared.clone(), &ast.forwards, true)
            }
            None => (&[], Vec::new(), &[], false),
        }
    }

    /// Declares the children of a body under `prefix`, evaluating constants, conditions and
    /// loops. `in_block` records layer uses for the block's generated code; `seen` holds the
    /// names declared so far in this scope.
    fn declare_items(
        &mut self,
        items: &'a [Item<'a>],
        prefix: &str,
        in_block: bool,
        seen: &mut Declared<'a>,
        out: &mut Vec<NodeState<'a>>,
    ) {
        for item in items {
            if self.modules > MAX_MODULES {
                return;
            }
            self.uses.reached[item.id().0] = true;
            match item {
                Item::Child { id, child, module } => {
                    let index = out.len();
                    if let Some(node) =
                        self.declare_child(*id, child, module, prefix, in_block, seen, index)
                    {
                        out.push(node);
                    }
                }
                Item::Let { id, stmt } => match consts::eval(&stmt.value, &self.env) {
                    Ok(value) => {
                        if in_block {
                            self.uses.record_let(*id, stmt, &value, self.errors);
                        }
                        self.env.insert(&stmt.name.name, value);
                    }
                    Err(e) => {
                        self.env.fail(&stmt.name.name);
                        self.errors.push(e);
                    }
                },
                Item::If { cond, then, otherwise, .. } => {
                    match consts::eval_bool(&cond.cond, &self.env) {
                        Ok(holds) => {
                            let branch = if holds { then } else { otherwise };
                            // Constants declared in a branch are local to it (nested branches
                            // and loops restore their own).
                            if branch.iter().any(|item| matches!(item, Item::Let { .. })) {
                                let outer = self.env.clone();
                                self.declare_items(branch, prefix, in_block, seen, out);
                                self.env = outer;
                            } else {
                                self.declare_items(branch, prefix, in_block, seen, out);
                            }
                        }
                        Err(e) => self.errors.push(e),
                    }
                }
                Item::For { repeat, body, .. } => {
                    self.declare_loop(repeat, body, prefix, in_block, seen, out)
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn declare_loop(
        &mut self,
        repeat: &'a ast::ForItems,
        body: &'a [Item<'a>],
        prefix: &str,
        in_block: bool,
        seen: &mut Declared<'a>,
        out: &mut Vec<NodeState<'a>>,
    ) {
        let values: Vec<Const> = match &repeat.over {
            ast::Iteration::Range { start, end } => {
                let bounds = (
                    consts::eval_int(start, &self.env, "a loop's start"),
                    consts::eval_int(end, &self.env, "a loop's end"),
                );
                match bounds {
                    // The values are made as the loop runs, so that a long range counts
                    // towards the module limit before it takes memory.
                    (Ok(start), Ok(end)) => {
                        return self.run_loop(
                            repeat,
                            body,
                            prefix,
                            in_block,
                            seen,
                            out,
                            (start..end).map(Const::Int),
                        )
                    }
                    (a, b) => {
                        self.errors.extend(a.err().into_iter().chain(b.err()));
                        return;
                    }
                }
            }
            ast::Iteration::Items(list) => {
                match consts::eval(list, &self.env) {
                    Ok(Const::List(items)) => items.to_vec(),
                    Ok(other) => {
                        self.errors.push(
                        Error::new(
                            Code::ConstExpr,
                            format!("a loop goes over a range or a list, but this is {}", consts::describe(&other)),
                            list.span,
                            "not a list",
                        )
                        .with_help("write `for i in 0..n` to count, or `for (a, b) in config` over a list"),
                    );
                        return;
                    }
                    Err(e) => {
                        self.errors.push(e);
                        return;
                    }
                }
            }
        };
        self.run_loop(repeat, body, prefix, in_block, seen, out, values.into_iter())
    }

    /// Declares the body of a loop once for each value, binding its variables.
    #[allow(clippy::too_many_arguments)]
    fn run_loop(
        &mut self,
        repeat: &'a ast::ForItems,
        body: &'a [Item<'a>],
        prefix: &str,
        in_block: bool,
        seen: &mut Declared<'a>,
        out: &mut Vec<NodeState<'a>>,
        values: impl Iterator<Item = Const>,
    ) {
        let mut named = Vec::new();
        collect_named(&repeat.body, &mut named);
        if let Some(name) = named.first() {
            self.errors.push(
                Error::new(
                    Code::BlockStructure,
                    format!("child `{}` is declared in a loop", name.name),
                    name.span,
                    "named child in a loop",
                )
                .with_related(
                    Span { start: repeat.span.start, end: repeat.span.start + 3 },
                    "this loop",
                )
                .with_help(
                    "children of a loop are unnamed and numbered 0, 1, ... as in `Sequential`",
                ),
            );
            return;
        }
        // The loop variables and constants declared in the body are local to each iteration.
        // Without `let`s in the body, binding the variables again is all a new iteration needs.
        let outer = self.env.clone();
        let lets = body.iter().any(|item| matches!(item, Item::Let { .. }));
        // Room for the children the iterations declare, as far as they are known and within the
        // module limit: a long loop then fills its list without copying it as it grows.
        let children = body.iter().filter(|item| matches!(item, Item::Child { .. })).count();
        let room = MAX_MODULES.saturating_sub(self.modules);
        out.reserve(values.size_hint().0.saturating_mul(children).min(room));
        self.loops += 1;
        for value in values {
            // Iterations count towards the limit too, so that empty loops end.
            if self.count_module(repeat.span) {
                break;
            }
            if !self.bind_loop_vars(repeat, value) {
                break;
            }
            self.declare_items(body, prefix, in_block, seen, out);
            if lets {
                self.env = outer.clone();
            }
        }
        self.loops -= 1;
        self.env = outer;
    }

    /// Binds the variables of a loop to one of its values; reports an item that does not
    /// unpack into them.
    fn bind_loop_vars(&mut self, repeat: &'a ast::ForItems, value: Const) -> bool {
        match consts::bind_vars(&mut self.env, &repeat.vars, repeat.unpack, value) {
            Ok(()) => true,
            Err(e) => {
                self.errors.push(e);
                false
            }
        }
    }

    /// The constants of a use of `block`: its parameters bound to `args`.
    fn block_env(&self, block: &'a ast::Block, args: impl IntoIterator<Item = Const>) -> Env<'a> {
        let mut env = Env::with_capacity(block.params.len(), self.blocks.functions.clone());
        for (param, value) in block.params.iter().zip(args) {
            env.insert(&param.name.name, value);
        }
        env
    }

    #[allow(clippy::too_many_arguments)]
    fn declare_child(
        &mut self,
        id: ItemId,
        child: &'a ast::Child,
        module: &'a Module<'a>,
        prefix: &str,
        in_block: bool,
        seen: &mut Declared<'a>,
        index: usize,
    ) -> Option<NodeState<'a>> {
        self.modules += 1;
        if self.modules > MAX_MODULES {
            self.errors.push(
                Error::new(
                    Code::BlockStructure,
                    format!(
                        "the model expands to more than {} modules",
                        ir::thousands(MAX_MODULES as i64)
                    ),
                    child.span,
                    "the limit is reached here",
                )
                .with_help("check the bounds of the loops around this child"),
            );
            return None;
        }
        let name: Rc<str> = match &child.name {
            Some(ident) => {
                let mut name = Cow::Borrowed(ident.name.as_str());
                for (value, after) in &child.name_holes {
                    match consts::eval_int(value, &self.env, "a name's number") {
                        Ok(n) => {
                            let name = name.to_mut();
                            name.push_str(&n.to_string());
                            name.push_str(after);
                        }
                        Err(e) => {
                            self.errors.push(e);
                            return None;
                        }
                    }
                }
                let span = match child.name_holes.last() {
                    Some((value, _)) if !child.quoted => ident.span.to(value.span),
                    _ => ident.span,
                };
                if name.is_empty() || name.contains('.') {
                    self.errors.push(
                        Error::new(
                            Code::ModelStructure,
                            format!("`{name}` is not a module name"),
                            span,
                            if name.is_empty() { "empty" } else { "contains `.`" },
                        )
                        .with_help(
                            "PyTorch separates the names of a path with `.`, so a child's name is \
                             not empty and has no `.`",
                        ),
                    );
                    return None;
                }
                // Equal names become equal fields, so one table finds both mistakes.
                let field = if child.name_holes.is_empty() {
                    rust_names::field_name_borrowed(&ident.name)
                } else {
                    Cow::Owned(rust_names::field_name(&name))
                };
                seen.declare(field, &name, span, self.errors.len());
                if in_block && child.name_holes.is_empty() {
                    self.names.entry(id).or_insert_with(|| Rc::from(&*name)).clone()
                } else {
                    Rc::from(&*name)
                }
            }
            None => self.number(index),
        };
        let path = self.child_path(prefix, &name);
        let mut origin = None;
        let blocks = self.blocks;
        let nests = matches!(module, Module::Sequential { .. } | Module::Block { .. });
        if nests && self.depth >= MAX_DEPTH {
            self.errors.push(
                Error::new(
                    Code::BlockStructure,
                    format!("modules are nested more than {MAX_DEPTH} deep"),
                    child.module.span(),
                    "nested too deep",
                )
                .with_help("Sequentials and blocks may contain each other up to this depth; no network needs more"),
            );
            return None;
        }
        self.depth += usize::from(nests);
        // An entry of a run-time container: a `Sequential`'s, or one with a computed name.
        let entry = self.in_sequential > 0 || !child.name_holes.is_empty() || child.name.is_none();
        let body = match module {
            Module::Sequential { items, list } => {
                let mut children = Vec::with_capacity(items.len());
                self.in_sequential += 1;
                let mut seen = Declared::for_items(items);
                self.declare_items(items, &path, in_block, &mut seen, &mut children);
                seen.finish(&path, self.errors);
                self.in_sequential -= 1;
                BodyState::Sequential { children, list: *list }
            }
            Module::Block { block, call } => self.instantiate(blocks.by_id(*block), call, &path),
            Module::Layer { call, .. } | Module::Unknown(call)
                if call.kind.name == "Parameter" && entry =>
            {
                self.errors.push(
                    Error::new(
                        Code::BlockStructure,
                        "a `Parameter` belongs to a model or block, under a name of its own",
                        call.span,
                        "not allowed here",
                    )
                    .with_help("declare it as a named child of the model or block, such as `layer_scale = Parameter((96, 1, 1), 1e-6)`"),
                );
                BodyState::Unknown
            }
            Module::Layer { spec, call } if spec.inputs > 1 && entry => {
                self.errors.push(
                    Error::new(
                        Code::BlockStructure,
                        format!(
                            "`{}` takes {} tensors, so it belongs to a model or block, under a name of its own",
                            spec.name, spec.inputs
                        ),
                        call.span,
                        "not allowed here",
                    )
                    .with_help("declare it as a named child, such as `pair = Bilinear(16, 8, 4)`, and call it from `forward`: `pair(x1, x2)`; a `Sequential` passes one tensor from entry to entry"),
                );
                BodyState::Unknown
            }
            Module::Layer { spec, call } => {
                origin = in_block.then_some(id);
                self.declare_layer(spec, call, in_block || self.loops > 0)
            }
            Module::Unknown(call) => {
                self.unknown_layer(call);
                BodyState::Unknown
            }
        };
        self.depth -= usize::from(nests);
        Some(NodeState { name, path, span: child.module.span(), body, called: false, origin })
    }

    /// The path of the child `name` of the scope at `prefix`. A child of the model is its own
    /// path: one allocation holds both.
    fn child_path(&mut self, prefix: &str, name: &Rc<str>) -> Rc<str> {
        if prefix.is_empty() {
            name.clone()
        } else {
            self.shared(format_args!("{prefix}.{name}"))
        }
    }

    /// A shared copy of `text`, put together without another allocation.
    fn shared(&mut self, text: std::fmt::Arguments) -> Rc<str> {
        use std::fmt::Write as _;
        self.scratch.clear();
        // Writing to a `String` cannot fail.
        let _ = self.scratch.write_fmt(text);
        Rc::from(self.scratch.as_str())
    }

    /// The name of entry `index` of a `Sequential`.
    fn number(&mut self, index: usize) -> Rc<str> {
        while self.numbers.len() <= index {
            let name = self.shared(format_args!("{}", self.numbers.len()));
            self.numbers.push(name);
        }
        self.numbers[index].clone()
    }

    /// Counts one module or loop iteration; reports (once) and returns `true` past the limit.
    fn count_module(&mut self, span: Span) -> bool {
        self.modules += 1;
        if self.modules == MAX_MODULES + 1 {
            self.errors.push(expansion_limit(span));
        }
        self.modules > MAX_MODULES
    }

    /// Expands one use of a block at `path`.
    fn instantiate(
        &mut self,
        resolved: &'a ResolvedBlock<'a>,
        call: &ast::LayerCall,
        path: &str,
    ) -> BodyState<'a> {
        let block = resolved.ast;
        if let Some(outer) = self.stack.iter().position(|b| *b == block.name.name) {
            let chain: Vec<&str> = self.stack[outer..].to_vec();
            self.errors.push(
                Error::new(
                    Code::Recursion,
                    format!("block `{}` contains itself", block.name),
                    call.span,
                    "used inside itself",
                )
                .with_related(block.name.span, "the block")
                .with_help(format!(
                    "the chain is {} -> {}; repeat a block with a `for` loop instead",
                    chain.join(" -> "),
                    block.name
                )),
            );
            return BodyState::Unknown;
        }
        let Some(args) = Blocks::bind(block, call, &self.env, self.errors) else {
            return BodyState::Unknown;
        };
        self.uses.record_params(resolved.id, block, &args, call.span, self.errors);
        let env = self.block_env(block, args.iter().cloned());
        let (children, env) = match self.repeat_declaration(resolved.id, &args, path) {
            Some(children) => (children, env),
            None => self.declare_block(resolved, &args, env, call.span, path),
        };
        BodyState::Block(Box::new(BlockState {
            def: resolved,
            args,
            env,
            children,
            call_span: call.span,
        }))
    }

    /// Declares the children of a use of `resolved` with argument values `args` (constants
    /// `env`) at `path`; gives them back with `env`, and remembers them for later uses with the
    /// same values when declaring them added no message.
    fn declare_block(
        &mut self,
        resolved: &'a ResolvedBlock<'a>,
        args: &[Const],
        env: Env<'a>,
        use_span: Span,
        path: &str,
    ) -> (Vec<NodeState<'a>>, Env<'a>) {
        let outer_env = std::mem::replace(&mut self.env, env);
        self.stack.push(&resolved.ast.name.name);
        let (before, modules) = (self.errors.len(), self.modules);
        let mut children = Vec::with_capacity(resolved.body.len());
        let in_sequential = std::mem::take(&mut self.in_sequential);
        let mut seen = Declared::for_items(&resolved.body);
        self.declare_items(&resolved.body, path, true, &mut seen, &mut children);
        seen.finish(path, self.errors);
        self.in_sequential = in_sequential;
        if self.errors.len() == before {
            self.remember_declaration(resolved.id, args, &children, self.modules - modules);
        }
        self.locate_errors(before, use_span, path);
        self.stack.pop();
        (children, std::mem::replace(&mut self.env, outer_env))
    }

    /// Points the errors found since `before` inside a block at the use they come from, and
    /// drops repeats of errors another use of the block already reported.
    fn locate_errors(&mut self, before: usize, use_span: Span, path: &str) {
        if self.errors.len() == before {
            return;
        }
        let new: Vec<Error> = self.errors.drain(before..).collect();
        for error in new {
            if self.errors[..before].iter().any(|e| e.same_problem(&error)) {
                continue;
            }
            let uses_named = error.related.iter().filter(|(_, l)| l.starts_with("in `")).count();
            if error.span() != use_span && uses_named < MAX_USE_LABELS {
                self.errors.push(error.with_related(use_span, format!("in `{path}`")));
            } else {
                self.errors.push(error);
            }
        }
    }

    /// Reports a call of a name that is neither a layer nor a block.
    fn unknown_layer(&mut self, call: &ast::LayerCall) {
        let mut names: Vec<&str> = layers::CATALOGUE.iter().map(|s| s.name).collect();
        names.extend(self.blocks.names());
        let help = if call.kind.name == "Sequential" {
            "write a Sequential with braces: `Sequential { Conv2d(3, 8, 3); ReLU() }`".to_string()
        } else if call.kind.name == "ModuleList" {
            "write a ModuleList with braces: `ModuleList { Conv2d(3, 8, 1); Conv2d(3, 8, 3) }`"
                .to_string()
        } else {
            match suggest(&call.kind.name, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the layers are {}", names.join(", ")),
            }
        };
        self.errors.push(
            Error::new(
                Code::UnknownLayer,
                format!("unknown layer `{}`", call.kind.name),
                call.kind.span,
                "not a known layer",
            )
            .with_help(help),
        );
    }

    /// Declares a layer; `repeated` when its call may be declared again (in a block or a loop).
    fn declare_layer(
        &mut self,
        spec: &'static LayerSpec,
        call: &ast::LayerCall,
        repeated: bool,
    ) -> BodyState<'a> {
        // A call of literals binds to the same values each time it is declared (in a loop,
        // once per iteration): it is bound once, and its layers share the values.
        let literal = repeated && call.args.iter().all(|arg| is_literal(&arg.value));
        let key: *const ast::LayerCall = call;
        if let Some(args) = literal.then(|| self.literal_calls.get(&key)).flatten() {
            return BodyState::Layer { spec, args: Some(args.clone()) };
        }
        // A call without arguments binds every parameter to its default, wherever it is: its
        // values are shared by every such call of its kind.
        let defaults = call.args.is_empty();
        if let Some((_, values)) = self.defaults.iter().find(|d| defaults && ptr::eq(d.0, spec)) {
            let values = values.clone();
            return BodyState::Layer {
                spec,
                args: Some(BoundArgs { params: spec.params, values, call_span: call.span }),
            };
        }
        let mut args: SmallVec<[SubstitutedArg<'_>; 8]> = SmallVec::new();
        for written in &call.args {
            match consts::substitute(&written.value, &self.env) {
                Ok(value) => args.push(SubstitutedArg { written, value }),
                Err(e) => {
                    self.errors.push(e);
                    return BodyState::Layer { spec, args: None };
                }
            }
        }
        let before = self.errors.len();
        let args = bind(spec.name, spec.params, &args, call.span, self.errors);
        if let Some(bound) = &args {
            self.infers |= bound.values.iter().any(|b| b.value == ArgValue::Infer);
        }
        // Only a call that binds without a message is shared, so that each use reports its own.
        if let Some(bound) = args.as_ref().filter(|_| literal && self.errors.len() == before) {
            self.literal_calls.insert(key, bound.clone());
        }
        if let Some(bound) = args.as_ref().filter(|_| defaults && self.errors.len() == before) {
            self.defaults.push((spec, bound.values.clone()));
        }
        BodyState::Layer { spec, args }
    }

    /// The position of the child `name` of the current scope, for its `forward`.
    fn child_named(&self, name: &str) -> Option<usize> {
        self.child_index.get(&self.children, name)
    }

    /// Runs child `index` of the current scope on `flow`; `stage_span` is where the forward
    /// calls it.
    fn apply_child(&mut self, index: usize, flow: &Flow, stage_span: Span) -> Option<Flow> {
        if let BodyState::Sequential { list: true, .. } = self.children[index].body {
            let node = &mut self.children[index];
            node.called = true;
            let error = module_list_run(&node.path, stage_span, "runs it in order")
                .with_related(node.span, "declared as a `ModuleList` here");
            self.errors.push(error);
            return None;
        }
        let mut node = self.take_child(index, stage_span);
        let out = self.apply_node(&mut node, flow);
        self.children[index] = node;
        let out = out?;
        // The value is named as the forward calls the child, by its name in this scope.
        let note = match out.note {
            Note::Outputs(path) if *path == *self.children[index].name => Note::Outputs(path),
            _ => Note::Outputs(self.children[index].name.clone()),
        };
        Some(Flow { shape: out.shape, span: stage_span, note })
    }

    /// Takes child `index` out of the current scope to run it, leaving a placeholder under its
    /// names (no lookup by name happens in a scope while one of its children runs) that the
    /// caller replaces with it again.
    fn take_child(&mut self, index: usize, span: Span) -> NodeState<'a> {
        let child = &self.children[index];
        let placeholder = NodeState {
            name: child.name.clone(),
            path: child.path.clone(),
            span,
            body: BodyState::Unknown,
            called: false,
            origin: None,
        };
        std::mem::replace(&mut self.children[index], placeholder)
    }

    /// Runs a child on `flow`: a layer's shape rule, a `Sequential`'s children in order, or a
    /// block's forward computation. Each layer call is added to the trace.
    fn apply_node(&mut self, node: &mut NodeState<'a>, flow: &Flow) -> Option<Flow> {
        node.called = true;
        match &mut node.body {
            BodyState::Unknown => None,
            BodyState::Sequential { list: true, .. } => {
                self.errors.push(module_list_run(&node.path, node.span, "run in order here"));
                None
            }
            BodyState::Sequential { children, list: false } => {
                let mut flow = flow.clone();
                for child in children.iter_mut() {
                    flow = self.apply_node(child, &flow)?;
                }
                Some(flow)
            }
            BodyState::Block(state) => {
                let (inputs, outputs) = forward::block_signature(state.def.ast);
                if (inputs, outputs) != (1, 1) {
                    // Only `forward` can pass several tensors or name several results.
                    let block = &state.def.ast.name;
                    let name = rust_names::snake_case(&block.name);
                    let (what, call) = if inputs != 1 {
                        (format!("takes {inputs} tensors"), format!("{name}(x, ...)"))
                    } else {
                        (format!("gives {outputs} tensors"), format!("a, b = {name}(x)"))
                    };
                    self.errors.push(
                        Error::new(
                            Code::ForwardCall,
                            format!("block `{block}` {what}, so it cannot run in a sequence"),
                            node.span,
                            "runs in order here",
                        )
                        .with_help(format!(
                            "name it as a child of a model or block and call it from `forward`, \
                             as in `{call}`"
                        )),
                    );
                    return None;
                }
                let out = self.apply_block(state, vec![flow.clone()], &node.path)?.swap_remove(0);
                let note = Note::Outputs(node.path.clone());
                Some(Flow { shape: out.shape, span: node.span, note })
            }
            BodyState::Layer { spec, .. } if spec.inputs > 1 => {
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        format!(
                            "`{}` ({}) takes {} tensors, so it cannot run in a sequence",
                            node.path, spec.name, spec.inputs
                        ),
                        node.span,
                        "runs in order here",
                    )
                    .with_help(format!(
                        "name it as a child of a model or block and call it from `forward`, as in \
                         `{}(x1, x2)`",
                        node.name
                    )),
                );
                None
            }
            BodyState::Layer { spec, args } => {
                let (spec, args) = (*spec, args.as_mut()?);
                self.run_layer(&node.path, node.span, spec, args, std::slice::from_ref(flow))
            }
        }
    }

    /// Runs a layer's shape rule on its inputs (one, or two for `Bilinear`), and adds its row
    /// to the trace.
    fn run_layer(
        &mut self,
        path: &Rc<str>,
        span: Span,
        spec: &'static LayerSpec,
        args: &mut BoundArgs,
        inputs: &[Flow],
    ) -> Option<Flow> {
        let (input, more_inputs) = inputs.split_first()?;
        let mut ctx = ShapeCtx {
            path,
            spec,
            args,
            input,
            more_inputs,
            model_input: &self.input_shape,
            errors: self.errors,
            rules: Vec::new(),
        };
        let shape = (spec.infer)(&mut ctx);
        let rules = ctx.rules;
        let shape = shape?;
        self.require(rules, || format!("`{path}` ({})", spec.name), span);
        self.require_elements(&shape, path, span)?;
        self.trace.push(ir::TraceRow { name: path.clone(), output: shape.clone(), parameters: 0 });
        let note = Note::Outputs(path.clone());
        Some(Flow { shape, span, note })
    }

    /// Checks the forward computation of one use of a block, with the block's children and
    /// constants in scope, and records it for the block's generated code.
    fn apply_block(
        &mut self,
        state: &mut BlockState<'a>,
        inputs: Vec<Flow>,
        path: &Rc<str>,
    ) -> Option<Vec<Flow>> {
        let def = state.def;
        if let Some(out) = self.repeat_run(state, &inputs, path) {
            return Some(out);
        }
        let shapes: Option<Vec<Shape>> = self
            .memo
            .may_remember(state)
            .then(|| inputs.iter().map(|flow| flow.shape.clone()).collect());
        let (first_row, rules) = (self.trace.len(), self.requirements.len());
        // Children are found by name only from a `forward`; without one they run in order.
        let (present, absent) = if def.ast.forwards.is_empty() {
            (ChildIndex::Unnamed, HashSet::default())
        } else {
            let present = ChildIndex::new(&state.children);
            let absent = present.absent(&state.children, &def.declared);
            (present, absent)
        };
        // The block's constants are in scope while it runs; `state.env` holds the outer ones.
        std::mem::swap(&mut self.env, &mut state.env);
        let outer = (
            std::mem::replace(&mut self.children, std::mem::take(&mut state.children)),
            std::mem::replace(&mut self.absent, absent),
            std::mem::replace(&mut self.child_index, present),
        );
        let before = self.errors.len();
        let params = def.ast.forwards.first().map(|f| f.params.as_slice()).unwrap_or_default();
        let inputs = inputs
            .into_iter()
            .enumerate()
            .map(|(i, flow)| {
                let note = match params.get(i) {
                    Some(param) if params.len() > 1 => {
                        Note::Is(format!("input `{param}` of `{path}`"))
                    }
                    _ => Note::InputOf(path.clone()),
                };
                Flow { note, ..flow }
            })
            .collect();
        // A block of numbered children runs them as a `Sequential`: no chain to keep.
        let chain = if def.ast.forwards.is_empty() && def.declared.is_empty() {
            Chain::Unused
        } else {
            Chain::Kept
        };
        let result = self.forward(&def.ast.name.name, &def.ast.forwards, "xs", inputs, chain);
        if !def.ast.forwards.is_empty() {
            self.warn_unused_children();
        }
        let clean = self.errors.len() == before && self.requirements.len() == rules;
        self.locate_errors(before, state.call_span, path);
        state.children = std::mem::replace(&mut self.children, outer.0);
        std::mem::swap(&mut self.env, &mut state.env);
        self.absent = outer.1;
        self.child_index = outer.2;
        let (out, forward) = result?;
        if let Some(forward) = forward {
            self.uses.record_forward(def, forward);
        }
        if let Some(shapes) = shapes.filter(|_| clean) {
            self.remember_run(state, shapes, first_row, &out);
        }
        Some(out)
    }

    /// Records the input-size rules that `what` (a layer's path and kind, or an operation) at
    /// `span` needs; a rule already recorded keeps its first reason.
    pub(super) fn require(&mut self, rules: Vec<SizeRule>, what: impl Fn() -> String, span: Span) {
        for rule in rules {
            if !self.requirements.iter().any(|r| r.rule == rule) {
                self.requirements.push(ir::Requirement { rule, needed_by: what(), span });
            }
        }
    }

    /// Keeps the recorded rules that no other implies (the first of equal ones), and reports
    /// run-time input sizes for which no value meets every rule.
    fn require_some_input(&mut self) {
        let all = std::mem::take(&mut self.requirements);
        // Comparing every pair is quadratic: a model with more rules keeps them all.
        let prune = all.len() <= MAX_PRUNED_RULES;
        for (i, r) in all.iter().enumerate() {
            let implied = prune
                && all.iter().enumerate().any(|(j, other)| {
                    j != i
                        && other.rule.name() == r.rule.name()
                        && other.rule.implies(&r.rule)
                        && (!r.rule.implies(&other.rule) || j < i)
                });
            if !implied {
                self.requirements.push(r.clone());
            }
        }
        let mut names: Vec<&str> = self.requirements.iter().map(|r| r.rule.name()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let rules: Vec<&ir::Requirement> =
                self.requirements.iter().filter(|r| r.rule.name() == name).collect();
            if crate::shape::least_allowed(rules.iter().map(|r| &r.rule)).is_some() {
                continue;
            }
            let mut error = Error::new(
                Code::SymbolicSize,
                format!("no input size `{name}` meets what the model needs"),
                rules[0].span,
                format!("needs {}", rules[0].rule),
            );
            for r in &rules[1..] {
                error = error.with_related(r.span, format!("needs {}", r.rule));
            }
            self.errors.push(error.with_help(format!(
                "declare a fixed size for `{name}`, or make the layers agree on which sizes they take"
            )));
        }
    }

    /// Reports an output of `what` whose element count does not fit in 64 bits.
    pub(super) fn require_elements(&mut self, shape: &Shape, what: &str, span: Span) -> Option<()> {
        if shape.elements().is_some() {
            return Some(());
        }
        self.errors.push(
            Error::new(
                Code::Overflow,
                format!("the output of `{what}` has more elements than 64 bits can count"),
                span,
                format!("outputs {shape}"),
            )
            .with_help("element counts must fit in 64 bits; check the sizes that lead here"),
        );
        None
    }

    /// Warns about the children of the current scope that its `forward` never calls and that
    /// hold parameters, which count in the total although no row of the table shows them.
    fn warn_unused_children(&mut self) {
        fn has_parameters(node: &NodeState) -> bool {
            match &node.body {
                BodyState::Layer { spec, args: Some(args) } => {
                    (spec.tensors)(args).iter().any(|t| {
                        t.def.kind == TensorKind::Parameter && t.def.checked_numel() != Some(0)
                    })
                }
                BodyState::Sequential { children, .. } => children.iter().any(has_parameters),
                BodyState::Block(state) => state.children.iter().any(has_parameters),
                BodyState::Layer { args: None, .. } | BodyState::Unknown => false,
            }
        }
        for child in &self.children {
            if child.called || !has_parameters(child) {
                continue;
            }
            self.errors.push(
                Error::new(
                    Code::UnusedChild,
                    format!("`{}` is never called in `forward`", child.path),
                    child.span,
                    "never called",
                )
                .with_help(
                    "call it in `forward`, or remove it; as in PyTorch, its parameters still \
                     count in the total and are in the state_dict",
                ),
            );
        }
    }

    /// Reports every `_` left uninferred (in children the forward never calls).
    fn require_inferred(&mut self) {
        if !self.infers {
            return;
        }
        fn walk(nodes: &[NodeState], errors: &mut Vec<Error>) {
            for node in nodes {
                match &node.body {
                    BodyState::Sequential { children, .. } => walk(children, errors),
                    BodyState::Block(state) => walk(&state.children, errors),
                    // A called layer had its `_` inferred or reported by the forward pass.
                    BodyState::Layer { spec, args: Some(args), .. } if !node.called => {
                        for (param, bound) in spec.params.iter().zip(args.values.iter()) {
                            if bound.value == ArgValue::Infer {
                                errors.push(
                                    Error::new(
                                        Code::Infer,
                                        format!("cannot infer `{}` of `{}`: the forward pass never calls it", param.name, node.path),
                                        bound.span.unwrap_or(node.span),
                                        "nothing to infer from",
                                    )
                                    .with_help(format!("call `{}` in `forward`, or write the value", node.path)),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        walk(&self.children, self.errors);
    }

    /// Turns the checked children into IR nodes, moving them out; `None` if any was broken.
    /// Layers of blocks are recorded for the blocks' generated code, and the parameter count of
    /// each layer in `counts`, by the address of its path.
    fn finish_nodes(&mut self, counts: &mut Vec<(*const u8, i64)>) -> Option<Vec<ir::Node>> {
        fn convert(
            nodes: Vec<NodeState>,
            uses: &mut Uses,
            errors: &mut Vec<Error>,
            counts: &mut Vec<(*const u8, i64)>,
        ) -> Option<Vec<ir::Node>> {
            nodes
                .into_iter()
                .map(|node| {
                    let body = match node.body {
                        BodyState::Unknown => return None,
                        BodyState::Sequential { children, list: false } => {
                            ir::NodeBody::Sequential(convert(children, uses, errors, counts)?)
                        }
                        BodyState::Sequential { children, list: true } => {
                            ir::NodeBody::ModuleList(convert(children, uses, errors, counts)?)
                        }
                        BodyState::Block(state) => ir::NodeBody::Block(ir::BlockInstance {
                            block: state.def.ast.name.name.to_string(),
                            args: state.args,
                            children: convert(state.children, uses, errors, counts)?,
                        }),
                        BodyState::Layer { spec, args, .. } => {
                            let args = args?;
                            if args.values.iter().any(|b| b.value == ArgValue::Infer) {
                                return None;
                            }
                            if let Some(origin) = node.origin {
                                uses.record_layer(origin, &node.path, &args);
                            }
                            let tensors = (spec.tensors)(&args);
                            let mut count = Some(0i64);
                            for tensor in &tensors {
                                count =
                                    tensor.def.checked_numel().and_then(|n| count?.checked_add(n));
                            }
                            if count.is_none() {
                                errors.push(too_many_parameters(&node.path, node.span));
                                return None;
                            }
                            let layer = ir::Layer { spec, args, tensors };
                            // Within the count of all its tensors, which fits.
                            let parameters = layer.checked_parameters().unwrap_or(i64::MAX);
                            counts.push((node.path.as_ptr(), parameters));
                            ir::NodeBody::Layer(layer)
                        }
                    };
                    Some(ir::Node { name: node.name, path: node.path, span: node.span, body })
                })
                .collect()
        }
        convert(std::mem::take(&mut self.children), self.uses, self.errors, counts)
    }
}

/// The error for a layer or model whose parameter count does not fit in 64 bits.
fn too_many_parameters(what: &str, span: Span) -> Error {
    Error::new(
        Code::Overflow,
        format!("`{what}` has more parameter elements than 64 bits can count"),
        span,
        "too many parameters",
    )
    .with_help("parameter counts must fit in 64 bits; check the sizes of this layer")
}

/// The error for a model whose loops and blocks expand past [`MAX_MODULES`].
fn expansion_limit(span: Span) -> Error {
    Error::new(
        Code::BlockStructure,
        format!(
            "the model expands to more than {} modules and loop iterations",
            ir::thousands(MAX_MODULES as i64)
        ),
        span,
        "the limit is reached here",
    )
    .with_help("check the bounds of the loops, and blocks that use other blocks many times")
}

/// Whether a written value is a literal, which needs no constants to be evaluated.
fn is_literal(value: &ast::Value) -> bool {
    use ast::ValueKind as V;
    match &value.kind {
        V::Int(_) | V::Float(_) | V::Bool(_) | V::Str(_) | V::Infer | V::None => true,
        V::Tuple(items) => items.iter().all(is_literal),
        _ => false,
    }
}

/// The span of a body entry.
fn item_span(item: &ast::Item) -> Span {
    match item {
        ast::Item::Child(c) => c.span,
        ast::Item::Let(l) => l.span,
        ast::Item::If(i) => i.span,
        ast::Item::For(f) => f.span,
    }
}

/// The named children a loop body declares, looking through conditions.
fn collect_named<'i>(items: &'i [ast::Item], out: &mut Vec<&'i ast::Ident>) {
    for item in items {
        match item {
            ast::Item::Child(ast::Child { name: Some(name), name_holes, .. })
                if name_holes.is_empty() =>
            {
                out.push(name)
            }
            ast::Item::If(cond) => {
                collect_named(&cond.then, out);
                collect_named(&cond.otherwise, out);
            }
            ast::Item::For(repeat) => collect_named(&repeat.body, out),
            _ => {}
        }
    }
}

/// How the `forward` of a scope finds its children by name.
enum ChildIndex {
    /// The scope has no `forward`: its children run in order and are not found by name.
    Unnamed,
    /// A handful of children, as most scopes have: compared one by one.
    Scan,
    /// Many children: the position of each, by name.
    Table(HashMap<Rc<str>, usize>),
}

/// The most children a scope's names are compared one by one, rather than hashed.
const SCANNED_CHILDREN: usize = 16;

impl ChildIndex {
    fn new(children: &[NodeState]) -> ChildIndex {
        if children.len() <= SCANNED_CHILDREN {
            return ChildIndex::Scan;
        }
        let mut index = HashMap::with_capacity_and_hasher(children.len(), Default::default());
        for (i, child) in children.iter().enumerate() {
            index.entry(child.name.clone()).or_insert(i);
        }
        ChildIndex::Table(index)
    }

    /// The position in `children` (those the index was made for) of the child `name`: the
    /// first, where a name is declared twice.
    fn get(&self, children: &[NodeState], name: &str) -> Option<usize> {
        match self {
            ChildIndex::Unnamed => None,
            ChildIndex::Scan => children.iter().position(|c| *c.name == *name),
            ChildIndex::Table(index) => index.get(name).copied(),
        }
    }

    /// The names of `declared` that none of `children` has: children declared under conditions
    /// that do not hold.
    fn absent<'n>(&self, children: &[NodeState], declared: &[&'n str]) -> HashSet<&'n str> {
        declared.iter().copied().filter(|n| self.get(children, n).is_none()).collect()
    }
}

/// The error for running the `ModuleList` at `path` as a whole, which PyTorch cannot do either.
fn module_list_run(path: &str, span: Span, label: &str) -> Error {
    Error::new(
        Code::ForwardCall,
        format!("`{path}` is a `ModuleList`, which does not run its entries in order"),
        span,
        label,
    )
    .with_help(format!(
        "call its entries one by one, such as `{path}.0(x)`, or a run of them, `{path}[0..2](x)`; \
         a `Sequential` runs its entries in order"
    ))
}
