//! Checking one model: names, arguments, shapes along the forward computation, init rules.

use std::collections::HashMap;

use cnnc_syntax as ast;
use cnnc_syntax::{CallArgValue, Span};

use crate::args::{bind, suggest, ArgType, ArgValue, BoundArgs, DefaultValue, Param};
use crate::blocks::{self, Blocks, Uses};
use crate::consts::{self, Const, Env};
use crate::diagnostic::{Code, Error};
use crate::init;
use crate::ir;
use crate::layers::{self, simple_flatten, Flow, LayerSpec, ShapeCtx, TensorKind};
use crate::shape::{Dim, Shape};

/// The tensor functions of the forward language and their signatures (after the tensor
/// argument).
const OPS: &[(&str, &[Param])] = &[
    (
        "flatten",
        &[
            Param::optional("start_dim", ArgType::Int, DefaultValue::Int(0)),
            Param::optional("end_dim", ArgType::Int, DefaultValue::Int(-1)),
        ],
    ),
    ("reshape", &[Param::required("shape", ArgType::IntList)]),
    ("view", &[Param::required("shape", ArgType::IntList)]),
    ("permute", &[Param::required("dims", ArgType::IntList)]),
    ("transpose", &[Param::required("dim0", ArgType::Int), Param::required("dim1", ArgType::Int)]),
    (
        "mean",
        &[
            Param::required("dim", ArgType::IntList),
            Param::optional("keepdim", ArgType::Bool, DefaultValue::Bool(false)),
        ],
    ),
    ("cat", &[Param::optional("dim", ArgType::Int, DefaultValue::Int(0))]),
];

/// Functions that are parameter-free layers (`sigmoid(x)` is `Sigmoid()(x)`); they take the
/// layer's arguments.
const LAYER_FUNCTIONS: &[(&str, &str)] = &[
    ("relu", "ReLU"),
    ("relu6", "ReLU6"),
    ("leaky_relu", "LeakyReLU"),
    ("elu", "ELU"),
    ("gelu", "GELU"),
    ("silu", "SiLU"),
    ("mish", "Mish"),
    ("sigmoid", "Sigmoid"),
    ("tanh", "Tanh"),
    ("hardswish", "Hardswish"),
    ("hardsigmoid", "Hardsigmoid"),
    ("softmax", "Softmax"),
    ("log_softmax", "LogSoftmax"),
    ("dropout", "Dropout"),
    ("dropout2d", "Dropout2d"),
    ("max_pool1d", "MaxPool1d"),
    ("max_pool2d", "MaxPool2d"),
    ("max_pool3d", "MaxPool3d"),
    ("avg_pool1d", "AvgPool1d"),
    ("avg_pool2d", "AvgPool2d"),
    ("avg_pool3d", "AvgPool3d"),
    ("adaptive_avg_pool1d", "AdaptiveAvgPool1d"),
    ("adaptive_avg_pool2d", "AdaptiveAvgPool2d"),
    ("adaptive_avg_pool3d", "AdaptiveAvgPool3d"),
    ("adaptive_max_pool1d", "AdaptiveMaxPool1d"),
    ("adaptive_max_pool2d", "AdaptiveMaxPool2d"),
    ("interpolate", "Upsample"),
    ("pixel_shuffle", "PixelShuffle"),
    ("channel_shuffle", "ChannelShuffle"),
    ("zero_pad2d", "ZeroPad2d"),
];

/// A child while checking: layers keep their arguments mutable until `_` is inferred.
struct NodeState<'a> {
    name: String,
    path: String,
    span: Span,
    body: BodyState<'a>,
    called: bool,
    /// For a layer declared in a block, the span of its call, under which its uses are recorded.
    origin: Option<Span>,
}

enum BodyState<'a> {
    /// A layer; `args` is `None` when its arguments were wrong (already reported).
    Layer {
        spec: &'static LayerSpec,
        args: Option<BoundArgs>,
    },
    Sequential(Vec<NodeState<'a>>),
    /// A use of a block.
    Block(Box<BlockState<'a>>),
    /// An unknown layer kind or a broken block use (already reported).
    Unknown,
}

/// A use of a block while checking: its constants and its children after conditions and loops.
struct BlockState<'a> {
    def: &'a ast::Block,
    args: Vec<Const>,
    env: Env,
    children: Vec<NodeState<'a>>,
    /// The use as written, such as `BasicBlock(64, 128, 2)`.
    call_span: Span,
}

/// The most modules one model may expand to, so that a loop cannot exhaust memory.
const MAX_MODULES: usize = 100_000;

/// The most children a body without `forward` chains in one expression.
const CHAIN_LENGTH: usize = 32;

pub(crate) struct ModelChecker<'a, 'e> {
    blocks: &'e Blocks<'a>,
    uses: &'e mut Uses,
    errors: &'e mut Vec<Error>,
    input_shape: Shape,
    /// The children of the model or block whose forward is being checked.
    children: Vec<NodeState<'a>>,
    /// The constants in scope.
    env: Env,
    /// Children the current block declares under conditions that do not hold: identity.
    absent: Vec<String>,
    trace: Vec<ir::TraceRow>,
    /// The blocks being expanded, innermost last, to reject a block that contains itself.
    stack: Vec<&'a str>,
    /// Modules declared so far.
    modules: usize,
    /// How many `Sequential`s enclose the children being declared.
    in_sequential: usize,
}

pub(crate) fn check_model<'a>(
    model: &'a ast::Model,
    blocks: &Blocks<'a>,
    uses: &mut Uses,
    errors: &mut Vec<Error>,
) -> Option<ir::Model> {
    let before = errors.len();
    let input = declared_input(model, errors);
    let mut checker = ModelChecker {
        blocks,
        uses,
        errors,
        input_shape: input.as_ref().map_or(Shape(Vec::new()), |i| i.0.clone()),
        children: Vec::new(),
        env: Env::new(),
        absent: Vec::new(),
        trace: Vec::new(),
        stack: Vec::new(),
        modules: 0,
        in_sequential: 0,
    };
    // The body: the model's own, or that of the block it is an instance of.
    let (items, forwards, ok) = match &model.base {
        None => (model.items.as_slice(), model.forwards.as_slice(), true),
        Some(call) => checker.base_block(model, call),
    };
    let mut seen = HashMap::new();
    let mut children = Vec::new();
    checker.declare_items(items, "", false, &mut seen, &mut children);
    checker.children = children;
    checker.absent = blocks::declared_names(items)
        .into_iter()
        .filter(|n| !checker.children.iter().any(|c| &c.name == n))
        .collect();
    let forward = match input {
        Some((shape, span)) if ok => {
            let input_name = forwards
                .first()
                .and_then(|f| f.params.first())
                .or(model.inputs.first().map(|i| &i.name))
                .map_or("x".to_string(), |n| n.name.clone());
            let note = format!("input `{input_name}` is {shape}");
            checker.forward(&model.name.name, forwards, &input_name, Flow { shape, span, note })
        }
        _ => None,
    };
    checker.require_inferred();
    let children = checker.finish_nodes();
    let trace = checker.trace;
    let (children, forward) = (children?, forward?);
    let mut result = ir::Model {
        name: model.name.name.clone(),
        input: checker.input_shape,
        children,
        forward: forward.1,
        trace,
        blocks: Vec::new(),
    };
    apply_init_rules(model, &mut result, errors);
    let counts: Vec<Option<i64>> = result
        .trace
        .iter()
        .map(|row| match result.node(&row.name) {
            Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) => Some(layer.num_parameters()),
            _ => None,
        })
        .collect();
    for (row, count) in result.trace.iter_mut().zip(counts) {
        row.parameters = count.unwrap_or(0);
    }
    (errors.len() == before).then_some(result)
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
    let dims = first
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
            ast::Dim::Symbolic(ident) => Dim::Symbolic(ident.name.clone()),
        })
        .collect();
    ok.then_some((Shape(dims), first.shape_span))
}

impl<'a> ModelChecker<'a, '_> {
    /// For `model Name = Block(args)`: binds the arguments and makes the block's parameters the
    /// constants in scope. Returns the block's body and whether the arguments were right.
    fn base_block(
        &mut self,
        model: &'a ast::Model,
        call: &'a ast::LayerCall,
    ) -> (&'a [ast::Item], &'a [ast::Forward], bool) {
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
            return (&[], &[], false);
        }
        let Some(block) = self.blocks.get(&call.kind.name) else {
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
            return (&[], &[], false);
        };
        match Blocks::bind(block, call, &self.env, self.errors) {
            Some(args) => {
                self.env = block.params.iter().map(|p| p.name.name.clone()).zip(args).collect();
                self.stack.push(&block.name.name);
                (&block.items, &block.forwards, true)
            }
            None => (&[], &[], false),
        }
    }

    /// Declares the children of a body under `prefix`, evaluating constants, conditions and
    /// loops. `in_block` records layer uses for the block's generated code; `seen` holds the
    /// names declared so far in this scope.
    fn declare_items(
        &mut self,
        items: &'a [ast::Item],
        prefix: &str,
        in_block: bool,
        seen: &mut HashMap<String, Span>,
        out: &mut Vec<NodeState<'a>>,
    ) {
        for item in items {
            if self.modules > MAX_MODULES {
                return;
            }
            self.uses.reached.insert(item_span(item));
            match item {
                ast::Item::Child(child) => {
                    if let Some(node) = self.declare_child(child, prefix, in_block, seen, out.len())
                    {
                        out.push(node);
                    }
                }
                ast::Item::Let(stmt) => match consts::eval(&stmt.value, &self.env) {
                    Ok(value) => {
                        if in_block {
                            self.uses.record_let(stmt, value, self.errors);
                        }
                        self.env.insert(stmt.name.name.clone(), value);
                    }
                    Err(e) => self.errors.push(e),
                },
                ast::Item::If(cond) => match consts::eval_bool(&cond.cond, &self.env) {
                    Ok(holds) => {
                        // Constants declared in a branch are local to it.
                        let outer = self.env.clone();
                        let branch = if holds { &cond.then } else { &cond.otherwise };
                        self.declare_items(branch, prefix, in_block, seen, out);
                        self.env = outer;
                    }
                    Err(e) => self.errors.push(e),
                },
                ast::Item::For(repeat) => self.declare_loop(repeat, prefix, in_block, seen, out),
            }
        }
    }

    fn declare_loop(
        &mut self,
        repeat: &'a ast::ForItems,
        prefix: &str,
        in_block: bool,
        seen: &mut HashMap<String, Span>,
        out: &mut Vec<NodeState<'a>>,
    ) {
        let bounds = (
            consts::eval_int(&repeat.start, &self.env, "a loop's start"),
            consts::eval_int(&repeat.end, &self.env, "a loop's end"),
        );
        let (start, end) = match bounds {
            (Ok(start), Ok(end)) => (start, end),
            (a, b) => {
                self.errors.extend(a.err().into_iter().chain(b.err()));
                return;
            }
        };
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
                .with_related(Span::new(repeat.span.start, repeat.span.start + 3), "this loop")
                .with_help(
                    "children of a loop are unnamed and numbered 0, 1, ... as in `Sequential`",
                ),
            );
            return;
        }
        let var = &repeat.var.name;
        // The loop variable and constants declared in the body are local to each iteration.
        let outer = self.env.clone();
        for i in start..end {
            // Iterations count towards the limit too, so that empty loops end.
            if self.count_module(repeat.span) {
                break;
            }
            if var != "_" {
                self.env.insert(var.clone(), Const::Int(i));
            }
            self.declare_items(&repeat.body, prefix, in_block, seen, out);
            self.env = outer.clone();
        }
    }

    fn declare_child(
        &mut self,
        child: &'a ast::Child,
        prefix: &str,
        in_block: bool,
        seen: &mut HashMap<String, Span>,
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
        let name = match &child.name {
            Some(ident) => {
                let name = match &child.name_index {
                    None => ident.name.clone(),
                    Some(value) => match consts::eval_int(value, &self.env, "a name's number") {
                        Ok(n) => format!("{}{n}", ident.name),
                        Err(e) => {
                            self.errors.push(e);
                            return None;
                        }
                    },
                };
                let span = child.name_index.as_ref().map_or(ident.span, |v| ident.span.to(v.span));
                if let Some(first) = seen.get(&name) {
                    self.errors.push(
                        Error::new(
                            Code::DuplicateName,
                            format!("`{}` is declared twice", join(prefix, &name)),
                            span,
                            "declared again here",
                        )
                        .with_related(*first, "first declared here")
                        .with_help("rename one of them"),
                    );
                }
                seen.insert(name.clone(), span);
                name
            }
            None => index.to_string(),
        };
        let path = join(prefix, &name);
        let mut origin = None;
        let body = match &child.module {
            ast::Module::Sequential(seq) => {
                let mut children = Vec::new();
                self.in_sequential += 1;
                self.declare_items(&seq.items, &path, in_block, &mut HashMap::new(), &mut children);
                self.in_sequential -= 1;
                BodyState::Sequential(children)
            }
            ast::Module::Layer(call) => match self.blocks.get(&call.kind.name) {
                Some(block) => self.instantiate(block, call, &path),
                None if call.kind.name == "Parameter"
                    && (self.in_sequential > 0
                        || child.name_index.is_some()
                        || child.name.is_none()) =>
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
                None => {
                    origin = in_block.then_some(call.span);
                    self.declare_layer(call)
                }
            },
        };
        Some(NodeState { name, path, span: child.module.span(), body, called: false, origin })
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
        block: &'a ast::Block,
        call: &ast::LayerCall,
        path: &str,
    ) -> BodyState<'a> {
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
        self.uses.record_params(block, &args, call.span, self.errors);
        let env: Env =
            block.params.iter().map(|p| p.name.name.clone()).zip(args.iter().copied()).collect();
        let outer_env = std::mem::replace(&mut self.env, env);
        self.stack.push(&block.name.name);
        let before = self.errors.len();
        let mut children = Vec::new();
        let in_sequential = std::mem::take(&mut self.in_sequential);
        self.declare_items(&block.items, path, true, &mut HashMap::new(), &mut children);
        self.in_sequential = in_sequential;
        self.locate_errors(before, call.span, path);
        self.stack.pop();
        let env = std::mem::replace(&mut self.env, outer_env);
        BodyState::Block(Box::new(BlockState {
            def: block,
            args,
            env,
            children,
            call_span: call.span,
        }))
    }

    /// Points the errors found since `before` inside a block at the use they come from, and
    /// drops repeats of errors another use of the block already reported.
    fn locate_errors(&mut self, before: usize, use_span: Span, path: &str) {
        let new: Vec<Error> = self.errors.drain(before..).collect();
        for error in new {
            if self.errors[..before].iter().any(|e| e.same_problem(&error)) {
                continue;
            }
            if error.span() != use_span {
                self.errors.push(error.with_related(use_span, format!("in `{path}`")));
            } else {
                self.errors.push(error);
            }
        }
    }

    fn declare_layer(&mut self, call: &ast::LayerCall) -> BodyState<'a> {
        let Some(spec) = layers::lookup(&call.kind.name) else {
            let mut names: Vec<&str> = layers::CATALOGUE.iter().map(|s| s.name).collect();
            names.extend(self.blocks.names());
            let help = if call.kind.name == "Sequential" {
                "write a Sequential with braces: `Sequential { Conv2d(3, 8, 3); ReLU() }`"
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
            return BodyState::Unknown;
        };
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            match consts::substitute(&arg.value, &self.env) {
                Ok(value) => args.push(ast::Arg { value, ..arg.clone() }),
                Err(e) => {
                    self.errors.push(e);
                    return BodyState::Layer { spec, args: None };
                }
            }
        }
        let args = bind(spec.name, spec.params, &args, call.span, self.errors);
        BodyState::Layer { spec, args }
    }

    /// Checks a forward computation (or the children in order, without one) on `input`, over
    /// the current children and constants.
    fn forward(
        &mut self,
        owner: &str,
        forwards: &'a [ast::Forward],
        input_name: &str,
        input: Flow,
    ) -> Option<(Flow, ir::Forward)> {
        let Some(forward) = forwards.first() else {
            // The children in order. Long bodies are cut into named values every
            // `CHAIN_LENGTH` children, so that no expression nests deeper than that.
            let input_name = input_name.to_string();
            let mut flow = Some(input);
            let value = |name: &str| ir::Expr {
                kind: ir::ExprKind::Value(name.to_string()),
                shape: Shape(Vec::new()),
            };
            let mut expr = value(&input_name);
            let mut lets = Vec::new();
            for i in 0..self.children.len() {
                if self.modules > MAX_MODULES {
                    return None;
                }
                if i > 0 && i % CHAIN_LENGTH == 0 {
                    let name = format!("{input_name}_{}", i / CHAIN_LENGTH);
                    lets.push((name.clone(), std::mem::replace(&mut expr, value(&name))));
                }
                let stage_span = self.children[i].span;
                let name = self.children[i].name.clone();
                flow = flow.and_then(|f| self.apply_child(i, &f, stage_span));
                expr = ir::Expr {
                    kind: ir::ExprKind::Child { name, input: Box::new(expr) },
                    shape: flow.as_ref().map_or(Shape(Vec::new()), |f| f.shape.clone()),
                };
            }
            let forward =
                ir::Forward { input: input_name, lets, result: expr, more_results: Vec::new() };
            return Some((flow?, forward));
        };
        for extra in forwards.iter().skip(1) {
            self.errors.push(
                Error::new(
                    Code::ModelStructure,
                    format!("`{owner}` has more than one `forward`"),
                    extra.span,
                    "second forward",
                )
                .with_related(forward.span, "first forward"),
            );
        }
        if forward.params.len() != 1 {
            self.errors.push(
                Error::new(
                    Code::ModelStructure,
                    format!("`forward` takes one input, but declares {}", forward.params.len()),
                    forward.params.get(1).map_or(forward.span, |p| p.span),
                    "one input expected",
                )
                .with_help("a model has one `input`; name it once: `forward(x) { ... }`"),
            );
            return None;
        }
        let param = &forward.params[0];
        let names = std::iter::once(param)
            .chain(forward.lets.iter().flat_map(|l| std::iter::once(&l.name).chain(&l.more_names)));
        for name in names.filter(|n| matches!(n.name.as_str(), "train" | "_train")) {
            self.errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!("`{}` is the name of the generated forward's train flag", name.name),
                    name.span,
                    "reserved in `forward`",
                )
                .with_help("give the value another name"),
            );
        }
        let mut env: HashMap<String, (Option<Flow>, Span)> = HashMap::new();
        env.insert(param.name.clone(), (Some(input), param.span));
        let mut lets = Vec::new();
        let mut ok = true;
        for stmt in &forward.lets {
            for name in std::iter::once(&stmt.name).chain(&stmt.more_names) {
                if let Some((_, first)) = env.get(&name.name) {
                    self.errors.push(
                        Error::new(
                            Code::DuplicateName,
                            format!("value `{}` is defined twice", name.name),
                            name.span,
                            "defined again here",
                        )
                        .with_related(*first, "first defined here")
                        .with_help("give each intermediate value its own name"),
                    );
                }
            }
            if !stmt.more_names.is_empty() {
                ok &= self.eval_chunk_let(stmt, &mut env, &mut lets);
                continue;
            }
            let value = self.eval(&stmt.value, &env);
            ok &= value.is_some();
            let flow = value.map(|(flow, expr)| {
                lets.push((stmt.name.name.clone(), expr));
                flow
            });
            env.insert(stmt.name.name.clone(), (flow, stmt.name.span));
        }
        let result = self.eval(&forward.result, &env);
        let mut more_results = Vec::new();
        for extra in &forward.more_results {
            match self.eval(extra, &env) {
                Some((_, expr)) => more_results.push(expr),
                None => ok = false,
            }
        }
        let (flow, result) = result?;
        let forward = ir::Forward { input: param.name.clone(), lets, result, more_results };
        ok.then_some((flow, forward))
    }

    /// `a, b = chunk(x, 2, dim=1)`: the pieces of `torch.chunk`, one name each.
    fn eval_chunk_let(
        &mut self,
        stmt: &ast::Let,
        env: &mut HashMap<String, (Option<Flow>, Span)>,
        lets: &mut Vec<(String, ir::Expr)>,
    ) -> bool {
        let names: Vec<&ast::Ident> = std::iter::once(&stmt.name).chain(&stmt.more_names).collect();
        let mut pieces = None;
        if let ast::Expr::Call(call) = &stmt.value {
            if call.callee.name == "chunk" {
                pieces = self.eval_chunk(call, env, names.len());
            }
        }
        if !matches!(&stmt.value, ast::Expr::Call(call) if call.callee.name == "chunk") {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("{} names, but only `chunk` gives several values", names.len()),
                    stmt.value.span(),
                    "gives one value",
                )
                .with_help("name one value, or split a tensor with `chunk(x, 2, dim=1)`"),
            );
        }
        let Some((input, chunks, dim, shapes)) = pieces else {
            for name in names {
                env.insert(name.name.clone(), (None, name.span));
            }
            return false;
        };
        let mut source: String =
            names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join("_");
        source.push_str("_chunks");
        while env.contains_key(&source) {
            source.push('_');
        }
        let kind = ir::ExprKind::Chunk { input: Box::new(input), chunks, dim };
        lets.push((source.clone(), ir::Expr { kind, shape: Shape(Vec::new()) }));
        for (index, (name, shape)) in names.iter().zip(shapes).enumerate() {
            let kind = ir::ExprKind::Piece { source: source.clone(), index };
            lets.push((name.name.clone(), ir::Expr { kind, shape: shape.clone() }));
            let note = format!("piece {index} of `chunk` is {shape}");
            env.insert(name.name.clone(), (Some(Flow { shape, span: name.span, note }), name.span));
        }
        true
    }

    /// `chunk(x, chunks, dim)`: the input, the arguments and the shape of each piece, which must
    /// be `expected` pieces.
    fn eval_chunk(
        &mut self,
        call: &ast::Call,
        env: &HashMap<String, (Option<Flow>, Span)>,
        expected: usize,
    ) -> Option<(ir::Expr, i64, i64, Vec<Shape>)> {
        let mut rest = call.args.as_slice();
        let input = match &call.piped {
            Some(piped) => self.eval(piped, env),
            None => match rest.first() {
                Some(ast::CallArg { keyword: None, value: CallArgValue::Expr(e), .. }) => {
                    rest = &rest[1..];
                    self.eval(e, env)
                }
                _ => return self.missing_input(call),
            },
        };
        const PARAMS: &[Param] = &[
            Param::required("chunks", ArgType::Int),
            Param::optional("dim", ArgType::Int, DefaultValue::Int(0)),
        ];
        let const_args = self.const_args("chunk", PARAMS, rest)?;
        let args = bind("chunk", PARAMS, &const_args, call.span, self.errors)?;
        let (flow, input) = input?;
        let (chunks, dim) = (args.int("chunks").unwrap_or(1), args.int("dim").unwrap_or(0));
        let shapes = crate::ops::chunk(&flow.shape, chunks, dim).and_then(|shapes| {
            if shapes.len() == expected {
                Ok(shapes)
            } else {
                let d = crate::layers::normalize_dim(dim, flow.shape.rank()).unwrap_or(0);
                let sizes: Vec<String> = shapes.iter().map(|s| s.0[d].to_string()).collect();
                Err(format!(
                    "gives {} piece{} here (sizes {}), but {expected} names receive them",
                    shapes.len(),
                    if shapes.len() == 1 { "" } else { "s" },
                    sizes.join(", ")
                ))
            }
        });
        match shapes {
            Ok(shapes) => {
                let d = crate::layers::normalize_dim(dim, flow.shape.rank()).unwrap_or(0);
                self.trace.push(ir::TraceRow {
                    name: format!("chunk({chunks}, dim={dim})"),
                    detail: String::new(),
                    output: shapes[0].clone(),
                    parameters: 0,
                });
                Some((input, chunks, d as i64, shapes))
            }
            Err(message) => {
                self.errors.push(
                    Error::new(Code::ForwardCall, format!("`chunk`: {message}"), call.span, message)
                        .with_related(flow.span, flow.note.clone())
                        .with_help("like torch.chunk, pieces have size ceil(size / chunks), the last one may be smaller and there may be fewer pieces than chunks"),
                );
                None
            }
        }
    }

    fn eval(
        &mut self,
        expr: &ast::Expr,
        env: &HashMap<String, (Option<Flow>, Span)>,
    ) -> Option<(Flow, ir::Expr)> {
        match expr {
            ast::Expr::Name(ident) => match env.get(&ident.name) {
                Some((flow, _)) => {
                    let flow = flow.clone()?;
                    let expr = ir::Expr {
                        kind: ir::ExprKind::Value(ident.name.clone()),
                        shape: flow.shape.clone(),
                    };
                    Some((flow, expr))
                }
                None if self.parameter(&ident.name).is_some() => {
                    let (shape, path) = self.parameter(&ident.name)?;
                    let note = format!("parameter `{path}` is {shape}");
                    let flow = Flow { shape: shape.clone(), span: ident.span, note };
                    Some((flow, ir::Expr { kind: ir::ExprKind::Param(ident.name.clone()), shape }))
                }
                None => {
                    let names: Vec<&str> = env.keys().map(String::as_str).collect();
                    let mut error = Error::new(
                        Code::UndefinedName,
                        format!("undefined value `{}`", ident.name),
                        ident.span,
                        "not defined",
                    );
                    if let Some(s) = suggest(&ident.name, &names) {
                        error = error.with_help(format!("did you mean `{s}`?"));
                    } else if self.children.iter().any(|c| c.name == ident.name) {
                        error = error.with_help(format!(
                            "`{}` is a child; apply it to a value: `x -> {}`",
                            ident.name, ident.name
                        ));
                    }
                    self.errors.push(error);
                    None
                }
            },
            ast::Expr::Call(call) => self.eval_call(call, env),
            ast::Expr::Binary { op, lhs, rhs, span } => self.eval_binary(*op, lhs, rhs, *span, env),
            ast::Expr::If { cond, then, otherwise, .. } => {
                let holds = match consts::eval_bool(cond, &self.env) {
                    Ok(holds) => holds,
                    Err(e) => {
                        self.errors.push(e);
                        return None;
                    }
                };
                let (flow, expr) = self.eval(if holds { then } else { otherwise }, env)?;
                let shape = expr.shape.clone();
                let taken = Some(Box::new(expr));
                let (then, otherwise) = if holds { (taken, None) } else { (None, taken) };
                let kind = ir::ExprKind::If { cond: cond.clone(), then, otherwise };
                Some((flow, ir::Expr { kind, shape }))
            }
            ast::Expr::Number(value) => {
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        "a number is not a tensor",
                        value.span,
                        "expected a tensor",
                    )
                    .with_help("numbers can scale or shift a tensor: `x * 0.5`, `x + 1`"),
                );
                None
            }
            ast::Expr::List(_, span) => {
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        "a list of tensors is only the first argument of `cat`",
                        *span,
                        "not a tensor",
                    )
                    .with_help("join them: `cat([a, b], dim=1)`"),
                );
                None
            }
        }
    }

    /// `lhs + rhs` or `lhs * rhs`; a number operand broadcasts as a scalar.
    fn eval_binary(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        env: &HashMap<String, (Option<Flow>, Span)>,
    ) -> Option<(Flow, ir::Expr)> {
        let operand = |e: &ast::Expr, this: &mut Self| match e {
            ast::Expr::Number(value) => {
                let x = match value.kind {
                    cnnc_syntax::ValueKind::Int(n) => n as f64,
                    cnnc_syntax::ValueKind::Float(x) => x,
                    _ => unreachable!("numbers are ints or floats"),
                };
                let flow = Flow {
                    shape: Shape(Vec::new()),
                    span: value.span,
                    note: format!("the number {x:?}"),
                };
                Some((flow, ir::Expr { kind: ir::ExprKind::Scalar(x), shape: Shape(Vec::new()) }))
            }
            ast::Expr::Name(ident) if !env.contains_key(&ident.name) => {
                match this.env.get(&ident.name).copied() {
                    Some(value @ (Const::Int(_) | Const::Float(_))) => {
                        let flow = Flow {
                            shape: Shape(Vec::new()),
                            span: ident.span,
                            note: format!("the constant `{}` = {value}", ident.name),
                        };
                        let kind = ir::ExprKind::Constant { name: ident.name.clone(), value };
                        Some((flow, ir::Expr { kind, shape: Shape(Vec::new()) }))
                    }
                    _ => this.eval(e, env),
                }
            }
            _ => this.eval(e, env),
        };
        let left = operand(lhs, self);
        let right = operand(rhs, self);
        let ((lflow, lexpr), (rflow, rexpr)) = (left?, right?);
        let symbol = if op == ast::BinOp::Add { "+" } else { "*" };
        if lexpr.kind.is_number() && rexpr.kind.is_number() {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{symbol}` of two numbers is not a tensor"),
                    span,
                    "no tensor operand",
                )
                .with_help("compute the number yourself"),
            );
            return None;
        }
        let shape = match crate::ops::broadcast(&lflow.shape, &rflow.shape) {
            Ok(shape) => shape,
            Err(reason) => {
                self.errors.push(
                    Error::new(
                        Code::Broadcast,
                        format!(
                            "`{symbol}` needs shapes that broadcast, but gets {} and {}",
                            lflow.shape, rflow.shape
                        ),
                        span,
                        reason,
                    )
                    .with_related(lflow.span, format!("left: {}", lflow.note))
                    .with_related(rflow.span, format!("right: {}", rflow.note))
                    .with_help("make the sizes equal, or 1 where one side should repeat"),
                );
                return None;
            }
        };
        let note = format!("`{symbol}` gives {shape}");
        let expr = ir::Expr {
            kind: ir::ExprKind::Binary { op, lhs: Box::new(lexpr), rhs: Box::new(rexpr) },
            shape: shape.clone(),
        };
        Some((Flow { shape, span, note }, expr))
    }

    fn eval_call(
        &mut self,
        call: &ast::Call,
        env: &HashMap<String, (Option<Flow>, Span)>,
    ) -> Option<(Flow, ir::Expr)> {
        if call.callee.name == "cat" && !self.children.iter().any(|c| c.name == "cat") {
            return self.eval_cat(call, env);
        }
        if call.callee.name == "chunk" && !self.children.iter().any(|c| c.name == "chunk") {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    "`chunk` gives several tensors",
                    call.span,
                    "several tensors",
                )
                .with_help("name the pieces: `a, b = chunk(x, 2, dim=1)`"),
            );
            return None;
        }
        // The tensor argument: the piped value, or the first positional argument.
        let mut rest = call.args.as_slice();
        let input = match &call.piped {
            Some(piped) => Some(self.eval(piped, env)),
            None => match rest.first() {
                Some(ast::CallArg { keyword: None, value: CallArgValue::Expr(e), .. }) => {
                    rest = &rest[1..];
                    Some(self.eval(e, env))
                }
                _ => None,
            },
        };
        let callee = &call.callee;
        if self.absent.contains(&callee.name) && rest.is_empty() {
            // A child whose condition does not hold here is the identity.
            let Some(input) = input else { return self.missing_input(call) };
            let (flow, input_expr) = input?;
            let shape = input_expr.shape.clone();
            let kind =
                ir::ExprKind::Child { name: callee.name.clone(), input: Box::new(input_expr) };
            return Some((flow, ir::Expr { kind, shape }));
        }
        let parameter = self.children.iter().find(|c| {
            c.name == callee.name
                && matches!(&c.body, BodyState::Layer { spec, .. } if spec.name == "Parameter")
        });
        if let Some(parameter) = parameter {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{}` is a parameter, not a layer", callee.name),
                    call.span,
                    "applied like a layer",
                )
                .with_related(parameter.span, "a tensor")
                .with_help(format!("use it as a value, such as `{} * x`", callee.name)),
            );
            return None;
        }
        if let Some(index) = self.children.iter().position(|c| c.name == callee.name) {
            if let Some(extra) = rest.first() {
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        format!("child `{}` takes only its input", callee.name),
                        extra.span,
                        "unexpected argument",
                    )
                    .with_help(format!("configure `{}` where it is declared", callee.name)),
                );
                return None;
            }
            let Some(input) = input else { return self.missing_input(call) };
            let (flow, input_expr) = input?;
            let out = self.apply_child(index, &flow, call.span)?;
            let expr = ir::Expr {
                kind: ir::ExprKind::Child {
                    name: callee.name.clone(),
                    input: Box::new(input_expr),
                },
                shape: out.shape.clone(),
            };
            return Some((out, expr));
        }
        let layer_function = LAYER_FUNCTIONS.iter().find(|(n, _)| *n == callee.name);
        let op = OPS.iter().find(|(n, _)| *n == callee.name);
        let params: &'static [Param] = match (layer_function, op) {
            (Some((_, layer)), _) => {
                layers::lookup(layer).expect("layer functions name layers").params
            }
            (None, Some((_, params))) => params,
            (None, None) => {
                let mut names: Vec<&str> = self.children.iter().map(|c| c.name.as_str()).collect();
                names.extend(OPS.iter().map(|(n, _)| *n));
                names.extend(LAYER_FUNCTIONS.iter().map(|(n, _)| *n));
                let help = match suggest(&callee.name, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "see the forward functions in docs/language.md".to_string(),
                };
                self.errors.push(
                    Error::new(
                        Code::UndefinedName,
                        format!("no child or function named `{}`", callee.name),
                        callee.span,
                        "not defined",
                    )
                    .with_help(help),
                );
                return None;
            }
        };
        let op_name = callee.name.as_str();
        let const_args = self.const_args(op_name, params, rest)?;
        let args = bind(op_name, params, &const_args, call.span, self.errors);
        let Some(input) = input else { return self.missing_input(call) };
        let (flow, input_expr) = input?;
        let mut args = args?;
        let written: Vec<String> =
            args.values.iter().filter(|b| b.span.is_some()).map(|b| b.value.to_string()).collect();
        let name = format!("{op_name}({})", written.join(", "));
        let result = match layer_function {
            Some((_, layer)) => {
                let spec = layers::lookup(layer).expect("layer functions name layers");
                let mut ctx = ShapeCtx {
                    path: op_name,
                    spec,
                    args: &mut args,
                    input: &flow,
                    model_input: &self.input_shape,
                    errors: self.errors,
                };
                let shape = (spec.infer)(&mut ctx)?;
                let layer = ir::Layer { spec, args, tensors: Vec::new() };
                Ok((ir::Op::Layer(layer), shape))
            }
            None => self.tensor_function(op_name, &args, &flow.shape),
        };
        let (op, shape) = match result {
            Ok(result) => result,
            Err((code, message)) => {
                let help = if code == Code::Reshape {
                    "the sizes must multiply to the number of elements; one size may be -1 to take the rest"
                } else {
                    "dimensions count from 0 at the front, or from -1 at the back"
                };
                self.errors.push(
                    Error::new(code, format!("`{op_name}`: {message}"), call.span, message)
                        .with_related(flow.span, flow.note.clone())
                        .with_help(help),
                );
                return None;
            }
        };
        let note = match &op {
            ir::Op::Flatten { start_dim, end_dim } => {
                let arithmetic = simple_flatten(&flow.shape, *start_dim, *end_dim)
                    .map(|(_, a)| a)
                    .unwrap_or_default();
                format!("flatten turns {} into {shape}  ({arithmetic})", flow.shape)
            }
            _ => format!("{name} turns {} into {shape}", flow.shape),
        };
        self.trace.push(ir::TraceRow {
            name,
            detail: String::new(),
            output: shape.clone(),
            parameters: 0,
        });
        let expr = ir::Expr {
            kind: ir::ExprKind::Op { op, input: Box::new(input_expr) },
            shape: shape.clone(),
        };
        Some((Flow { shape, span: call.span, note }, expr))
    }

    /// `cat([a, b, ...], dim)`, or `[a, b] -> cat(dim)`.
    fn eval_cat(
        &mut self,
        call: &ast::Call,
        env: &HashMap<String, (Option<Flow>, Span)>,
    ) -> Option<(Flow, ir::Expr)> {
        let mut rest = call.args.as_slice();
        let list = match (&call.piped, rest.first()) {
            (Some(piped), _) => piped.as_ref(),
            (None, Some(ast::CallArg { keyword: None, value: CallArgValue::Expr(e), .. })) => {
                rest = &rest[1..];
                e
            }
            _ => return self.missing_input(call),
        };
        let ast::Expr::List(items, list_span) = list else {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    "`cat` takes a list of tensors",
                    list.span(),
                    "not a list",
                )
                .with_help("write `cat([a, b], dim=1)`"),
            );
            return None;
        };
        let evaluated: Vec<_> = items.iter().map(|item| self.eval(item, env)).collect();
        let params = OPS.iter().find(|(n, _)| *n == "cat").map(|(_, p)| *p).expect("cat is an op");
        let const_args = self.const_args("cat", params, rest)?;
        let args = bind("cat", params, &const_args, call.span, self.errors)?;
        let evaluated: Vec<(Flow, ir::Expr)> = evaluated.into_iter().collect::<Option<_>>()?;
        let dim = args.int("dim").unwrap_or(0);
        let shapes: Vec<Shape> = evaluated.iter().map(|(f, _)| f.shape.clone()).collect();
        let (shape, d) = match crate::ops::cat(&shapes, dim) {
            Ok(result) => result,
            Err(reason) => {
                let mut error = Error::new(
                    Code::Cat,
                    format!(
                        "`cat` along dimension {dim} cannot join {}",
                        shapes.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
                    ),
                    *list_span,
                    reason,
                );
                for (flow, _) in &evaluated {
                    error = error.with_related(flow.span, flow.note.clone());
                }
                self.errors.push(
                    error.with_help("all sizes must match except along the joined dimension"),
                );
                return None;
            }
        };
        let inputs = evaluated.into_iter().map(|(_, e)| e).collect();
        let note = format!("cat along dimension {d} gives {shape}");
        self.trace.push(ir::TraceRow {
            name: format!("cat(dim={dim})"),
            detail: String::new(),
            output: shape.clone(),
            parameters: 0,
        });
        let expr =
            ir::Expr { kind: ir::ExprKind::Cat { inputs, dim: d as i64 }, shape: shape.clone() };
        Some((Flow { shape, span: call.span, note }, expr))
    }

    /// The constant arguments of a function call, as layer arguments. Several positional
    /// integers of `reshape`, `view` and `permute` form one tuple, as in PyTorch.
    fn const_args(
        &mut self,
        op_name: &str,
        params: &[Param],
        rest: &[ast::CallArg],
    ) -> Option<Vec<ast::Arg>> {
        let mut const_args = Vec::new();
        for arg in rest {
            match &arg.value {
                CallArgValue::Const(value) => const_args.push(ast::Arg {
                    keyword: arg.keyword.clone(),
                    value: value.clone(),
                    span: arg.span,
                }),
                CallArgValue::Expr(e) => {
                    self.errors.push(
                        Error::new(
                            Code::ForwardCall,
                            format!("`{op_name}` takes one tensor argument"),
                            e.span(),
                            "unexpected tensor argument",
                        )
                        .with_help(format!(
                            "the signature is `{op_name}(input{})`",
                            op_signature(params)
                        )),
                    );
                    return None;
                }
            }
        }
        let varargs = matches!(op_name, "reshape" | "view" | "permute");
        if varargs && const_args.len() > 1 && const_args.iter().all(|a| a.keyword.is_none()) {
            let span = const_args[0].span.to(const_args[const_args.len() - 1].span);
            let items = const_args.into_iter().map(|a| a.value).collect();
            let value = cnnc_syntax::Value { kind: cnnc_syntax::ValueKind::Tuple(items), span };
            const_args = vec![ast::Arg { keyword: None, value, span }];
        }
        Some(const_args)
    }

    /// The shape rules of the tensor functions.
    fn tensor_function(
        &self,
        op_name: &str,
        args: &BoundArgs,
        shape: &Shape,
    ) -> Result<(ir::Op, Shape), (Code, String)> {
        let arg_error = |message: String| (Code::ForwardCall, message);
        match op_name {
            "flatten" => {
                let (start_dim, end_dim) =
                    (args.int("start_dim").unwrap_or(0), args.int("end_dim").unwrap_or(-1));
                let (out, _) = simple_flatten(shape, start_dim, end_dim).map_err(arg_error)?;
                Ok((ir::Op::Flatten { start_dim, end_dim }, out))
            }
            "reshape" | "view" => {
                let sizes = args.ints("shape").to_vec();
                let out = crate::ops::reshape(shape, &sizes).map_err(|m| (Code::Reshape, m))?;
                Ok((ir::Op::Reshape(sizes), out))
            }
            "permute" => {
                let dims = args.ints("dims").to_vec();
                let out = crate::ops::permute(shape, &dims).map_err(arg_error)?;
                Ok((ir::Op::Permute(dims), out))
            }
            "transpose" => {
                let (a, b) = (args.int("dim0").unwrap_or(0), args.int("dim1").unwrap_or(0));
                let out = crate::ops::transpose(shape, a, b).map_err(arg_error)?;
                Ok((ir::Op::Transpose(a, b), out))
            }
            "mean" => {
                let dims = args.ints("dim").to_vec();
                let keepdim = args.bool("keepdim");
                let out = crate::ops::mean(shape, &dims, keepdim).map_err(arg_error)?;
                Ok((ir::Op::Mean { dims, keepdim }, out))
            }
            other => unreachable!("function {other} has no shape rule"),
        }
    }

    fn missing_input<T>(&mut self, call: &ast::Call) -> Option<T> {
        self.errors.push(
            Error::new(
                Code::ForwardCall,
                format!("`{}` is called without an input", call.callee.name),
                call.span,
                "no input",
            )
            .with_help(format!("pipe a value into it: `x -> {}`", call.callee.name)),
        );
        None
    }

    /// The shape and path of the `Parameter` child `name` of the current scope.
    fn parameter(&mut self, name: &str) -> Option<(Shape, String)> {
        let node = self.children.iter_mut().find(|c| c.name == name)?;
        match &node.body {
            BodyState::Layer { spec, args: Some(args) } if spec.name == "Parameter" => {
                node.called = true;
                let dims = args.ints("shape").iter().map(|&n| Dim::Known(n)).collect();
                Some((Shape(dims), node.path.clone()))
            }
            _ => None,
        }
    }

    /// Runs child `index` of the current scope on `flow`; `stage_span` is where the forward
    /// calls it.
    fn apply_child(&mut self, index: usize, flow: &Flow, stage_span: Span) -> Option<Flow> {
        let placeholder = NodeState {
            name: String::new(),
            path: String::new(),
            span: stage_span,
            body: BodyState::Unknown,
            called: false,
            origin: None,
        };
        let mut node = std::mem::replace(&mut self.children[index], placeholder);
        let out = self.apply_node(&mut node, flow);
        let note = out.as_ref().map(|out| format!("`{}` outputs {}", node.name, out.shape));
        self.children[index] = node;
        Some(Flow { shape: out?.shape, span: stage_span, note: note.unwrap_or_default() })
    }

    /// Runs a child on `flow`: a layer's shape rule, a `Sequential`'s children in order, or a
    /// block's forward computation. Each layer call is added to the trace.
    fn apply_node(&mut self, node: &mut NodeState<'a>, flow: &Flow) -> Option<Flow> {
        node.called = true;
        match &mut node.body {
            BodyState::Unknown => None,
            BodyState::Sequential(children) => {
                let mut flow = flow.clone();
                for child in children.iter_mut() {
                    flow = self.apply_node(child, &flow)?;
                }
                Some(flow)
            }
            BodyState::Block(state) => {
                let out = self.apply_block(state, flow, &node.path)?;
                let note = format!("`{}` outputs {}", node.path, out.shape);
                Some(Flow { shape: out.shape, span: node.span, note })
            }
            BodyState::Layer { spec, args } => {
                let args = args.as_mut()?;
                let mut ctx = ShapeCtx {
                    path: &node.path,
                    spec,
                    args,
                    input: flow,
                    model_input: &self.input_shape,
                    errors: self.errors,
                };
                let shape = (spec.infer)(&mut ctx)?;
                self.trace.push(ir::TraceRow {
                    name: node.path.clone(),
                    detail: args.call_text(spec.name, None),
                    output: shape.clone(),
                    parameters: 0,
                });
                let note = format!("`{}` outputs {shape}", node.path);
                Some(Flow { shape, span: node.span, note })
            }
        }
    }

    /// Checks the forward computation of one use of a block, with the block's children and
    /// constants in scope, and records it for the block's generated code.
    fn apply_block(&mut self, state: &mut BlockState<'a>, flow: &Flow, path: &str) -> Option<Flow> {
        let def = state.def;
        let absent = blocks::declared_names(&def.items)
            .into_iter()
            .filter(|n| !state.children.iter().any(|c| &c.name == n))
            .collect();
        let outer = (
            std::mem::replace(&mut self.children, std::mem::take(&mut state.children)),
            std::mem::replace(&mut self.env, state.env.clone()),
            std::mem::replace(&mut self.absent, absent),
        );
        let before = self.errors.len();
        let input =
            Flow { note: format!("the input of `{path}` is {}", flow.shape), ..flow.clone() };
        let result = self.forward(&def.name.name, &def.forwards, "xs", input);
        self.locate_errors(before, state.call_span, path);
        state.children = std::mem::replace(&mut self.children, outer.0);
        self.env = outer.1;
        self.absent = outer.2;
        let (out, forward) = result?;
        self.uses.record_forward(&def.name.name, &forward);
        Some(out)
    }

    /// Reports every `_` left uninferred (in children the forward never calls).
    fn require_inferred(&mut self) {
        fn walk(nodes: &[NodeState], errors: &mut Vec<Error>) {
            for node in nodes {
                match &node.body {
                    BodyState::Sequential(children) => walk(children, errors),
                    BodyState::Block(state) => walk(&state.children, errors),
                    BodyState::Layer { spec, args: Some(args), .. } => {
                        for (param, bound) in spec.params.iter().zip(&args.values) {
                            if bound.value == ArgValue::Infer && !node.called {
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

    /// Turns the checked children into IR nodes; `None` if any was broken. Layers of blocks
    /// are recorded for the blocks' generated code.
    fn finish_nodes(&mut self) -> Option<Vec<ir::Node>> {
        fn convert(nodes: &[NodeState], uses: &mut Uses) -> Option<Vec<ir::Node>> {
            nodes
                .iter()
                .map(|node| {
                    let body = match &node.body {
                        BodyState::Unknown => return None,
                        BodyState::Sequential(children) => {
                            ir::NodeBody::Sequential(convert(children, uses)?)
                        }
                        BodyState::Block(state) => ir::NodeBody::Block(ir::BlockInstance {
                            block: state.def.name.name.clone(),
                            args: state.args.clone(),
                            children: convert(&state.children, uses)?,
                        }),
                        BodyState::Layer { spec, args, .. } => {
                            let args = args.clone()?;
                            if args.values.iter().any(|b| b.value == ArgValue::Infer) {
                                return None;
                            }
                            if let Some(origin) = node.origin {
                                let entry = uses.layers.entry(origin).or_default();
                                entry.push((node.path.clone(), args.clone()));
                            }
                            let tensors = (spec.tensors)(&args)
                                .into_iter()
                                .map(|def| ir::Tensor { def, init: None })
                                .collect();
                            ir::NodeBody::Layer(ir::Layer { spec, args, tensors })
                        }
                    };
                    Some(ir::Node { name: node.name.clone(), path: node.path.clone(), body })
                })
                .collect()
        }
        convert(&self.children, self.uses)
    }
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
            ast::Item::Child(ast::Child { name: Some(name), name_index: None, .. }) => {
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

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn op_signature(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| match p.default {
            crate::args::Default::Value(DefaultValue::Int(n)) => format!(", {}={n}", p.name),
            _ => format!(", {}", p.name),
        })
        .collect()
}

/// Resolves the `init` rules onto the parameters of the checked model. Path rules take
/// precedence over kind rules; among rules of one kind, the last one wins.
fn apply_init_rules(model: &ast::Model, result: &mut ir::Model, errors: &mut Vec<Error>) {
    let mut by_path: Vec<(String, &str, init::Initializer, &ast::InitRule)> = Vec::new();
    let mut by_kind: Vec<(&str, &str, init::Initializer, &ast::InitRule)> = Vec::new();
    for rule in &model.init {
        let (param, owner) = rule.target.split_last().expect("a target has at least two segments");
        let Some(initializer) = init::resolve(rule, errors) else { continue };
        let first = &owner[0];
        let is_child = result.children.iter().any(|c| c.name == first.name);
        if owner.len() == 1 && !is_child {
            if layers::lookup(&first.name).is_none() {
                let mut names: Vec<&str> =
                    result.children.iter().map(|c| c.name.as_str()).collect();
                names.extend(layers::CATALOGUE.iter().map(|s| s.name));
                let help = match suggest(&first.name, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a rule targets a layer kind (`Conv2d.weight`) or a layer path (`layer1.conv1.weight`)".into(),
                };
                errors.push(
                    Error::new(
                        Code::InitTarget,
                        format!(
                            "`{}` is neither a child of `{}` nor a layer kind",
                            first.name, model.name.name
                        ),
                        first.span,
                        "unknown target",
                    )
                    .with_help(help),
                );
                continue;
            }
            by_kind.push((first.name.as_str(), param.name.as_str(), initializer, rule));
            continue;
        }
        let path: Vec<&str> = owner.iter().map(|s| s.name.as_str()).collect();
        let path = path.join(".");
        match result.node(&path) {
            Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) => {
                if !layer.tensors.iter().any(|t| t.def.name == param.name && t.def.kind == TensorKind::Parameter) {
                    let names: Vec<&str> = layer
                        .tensors
                        .iter()
                        .filter(|t| t.def.kind == TensorKind::Parameter)
                        .map(|t| t.def.name)
                        .collect();
                    errors.push(
                        Error::new(
                            Code::InitTarget,
                            format!("`{path}` has no parameter `{}`", param.name),
                            param.span,
                            "no such parameter",
                        )
                        .with_help(if names.is_empty() {
                            format!("`{path}` ({}) has no parameters", layer.spec.name)
                        } else {
                            format!("the parameters of `{path}` are {}", names.join(", "))
                        }),
                    );
                    continue;
                }
                by_path.push((path, param.name.as_str(), initializer, rule));
            }
            Some(node) => errors.push(
                Error::new(
                    Code::InitTarget,
                    match &node.body {
                        ir::NodeBody::Block(b) => format!("`{path}` is a `{}` block, not a layer", b.block),
                        _ => format!("`{path}` is a Sequential, not a layer"),
                    },
                    rule.target_span,
                    "has no parameters of its own",
                )
                .with_help(format!("name one of its layers, such as `{path}.0.{}`", param.name)),
            ),
            None => errors.push(
                Error::new(
                    Code::InitTarget,
                    format!("no child `{path}` in `{}`", model.name.name),
                    rule.target_span,
                    "not found",
                )
                .with_help("a rule targets a layer kind (`Conv2d.weight`) or a layer path (`layer1.conv1.weight`)"),
            ),
        }
    }

    let mut kind_used = vec![false; by_kind.len()];
    let mut kind_seen = vec![false; by_kind.len()];
    visit_layers_mut(&mut result.children, &mut |path, layer| {
        for tensor in &mut layer.tensors {
            if tensor.def.kind != TensorKind::Parameter {
                continue;
            }
            let path_rule =
                by_path.iter().rev().find(|(p, name, ..)| p == path && *name == tensor.def.name);
            let kind_rule =
                by_kind.iter().enumerate().rev().find(|(_, (kind, name, ..))| {
                    *kind == layer.spec.name && *name == tensor.def.name
                });
            let chosen = match (path_rule, kind_rule) {
                (Some((_, _, init, _)), _) => Some(init),
                (None, Some((i, (_, _, init, _)))) => {
                    kind_used[i] = true;
                    Some(init)
                }
                (None, None) => None,
            };
            if let Some(init) = chosen {
                match init.lower(&tensor.def.dims, &format!("{path}.{}", tensor.def.name)) {
                    Ok(dist) => tensor.init = Some(dist),
                    Err(e) => {
                        if !errors.contains(&e) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        for (i, (kind, ..)) in by_kind.iter().enumerate() {
            kind_seen[i] |= *kind == layer.spec.name;
        }
    });
    for (i, (kind, param, _, rule)) in by_kind.iter().enumerate() {
        if kind_seen[i] && !kind_used[i] {
            let overridden = by_kind.iter().skip(i + 1).any(|(k, p, ..)| k == kind && p == param);
            if !overridden {
                errors.push(
                    Error::new(
                        Code::InitTarget,
                        format!("no `{kind}` in `{}` has a parameter `{param}`", model.name.name),
                        rule.target.last().map_or(rule.target_span, |s| s.span),
                        "no such parameter",
                    )
                    .with_help(format!("check the parameter name, or whether the `{kind}` layers have it (bias=false removes `bias`)")),
                );
            }
        }
    }
}

fn visit_layers_mut(nodes: &mut [ir::Node], f: &mut impl FnMut(&str, &mut ir::Layer)) {
    for node in nodes {
        match &mut node.body {
            ir::NodeBody::Layer(layer) => f(&node.path, layer),
            body => visit_layers_mut(body.children_mut(), f),
        }
    }
}
