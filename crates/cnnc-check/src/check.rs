//! Checking one model: names, arguments, shapes along the forward computation, init rules.

use std::collections::HashMap;

use cnnc_syntax as ast;
use cnnc_syntax::{CallArgValue, Span};

use crate::args::{bind, suggest, ArgType, ArgValue, BoundArgs, DefaultValue, Param};
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
    ("zero_pad2d", "ZeroPad2d"),
];

/// A child while checking: layers keep their arguments mutable until `_` is inferred.
struct NodeState {
    name: String,
    path: String,
    span: Span,
    body: BodyState,
    called: bool,
}

enum BodyState {
    /// A layer; `args` is `None` when its arguments were wrong (already reported).
    Layer {
        spec: &'static LayerSpec,
        args: Option<BoundArgs>,
    },
    Sequential(Vec<NodeState>),
    /// An unknown layer kind (already reported).
    Unknown,
}

pub(crate) struct ModelChecker<'a> {
    model: &'a ast::Model,
    errors: &'a mut Vec<Error>,
    input_shape: Shape,
    children: Vec<NodeState>,
    trace: Vec<ir::TraceRow>,
}

pub(crate) fn check_model(model: &ast::Model, errors: &mut Vec<Error>) -> Option<ir::Model> {
    let before = errors.len();
    let input = declared_input(model, errors);
    let mut checker = ModelChecker {
        model,
        errors,
        input_shape: input.as_ref().map_or(Shape(Vec::new()), |i| i.0.clone()),
        children: Vec::new(),
        trace: Vec::new(),
    };
    checker.children = checker.declare_children(&model.children, "");
    let forward = match input {
        Some((shape, span)) => checker.forward(shape, span),
        None => None,
    };
    checker.require_inferred();
    let children = checker.finish_nodes();
    let trace = checker.trace;
    let (children, forward) = (children?, forward?);
    let mut result = ir::Model {
        name: model.name.name.clone(),
        input: checker.input_shape,
        children,
        forward,
        trace,
    };
    apply_init_rules(model, &mut result, errors);
    for row in &mut result.trace {
        if let Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) =
            result_node(&result.children, &row.name)
        {
            row.parameters = layer.num_parameters();
        }
    }
    (errors.len() == before).then_some(result)
}

fn result_node<'n>(nodes: &'n [ir::Node], path: &str) -> Option<&'n ir::Node> {
    let mut nodes = nodes;
    let mut found = None;
    for segment in path.split('.') {
        let node = nodes.iter().find(|n| n.name == segment)?;
        if let ir::NodeBody::Sequential(children) = &node.body {
            nodes = children;
        }
        found = Some(node);
    }
    found
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

impl ModelChecker<'_> {
    fn declare_children(&mut self, children: &[ast::Child], prefix: &str) -> Vec<NodeState> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut nodes = Vec::new();
        for (index, child) in children.iter().enumerate() {
            let name = match &child.name {
                Some(ident) => {
                    if let Some(first) = seen.get(ident.name.as_str()) {
                        self.errors.push(
                            Error::new(
                                Code::DuplicateName,
                                format!("`{}` is declared twice", join(prefix, &ident.name)),
                                ident.span,
                                "declared again here",
                            )
                            .with_related(*first, "first declared here")
                            .with_help("rename one of them"),
                        );
                    }
                    seen.insert(&ident.name, ident.span);
                    ident.name.clone()
                }
                None => index.to_string(),
            };
            let path = join(prefix, &name);
            let body = match &child.module {
                ast::Module::Sequential(seq) => {
                    BodyState::Sequential(self.declare_children(&seq.children, &path))
                }
                ast::Module::Layer(call) => self.declare_layer(call),
            };
            nodes.push(NodeState { name, path, span: child.module.span(), body, called: false });
        }
        nodes
    }

    fn declare_layer(&mut self, call: &ast::LayerCall) -> BodyState {
        let Some(spec) = layers::lookup(&call.kind.name) else {
            let names: Vec<&str> = layers::CATALOGUE.iter().map(|s| s.name).collect();
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
        let args = bind(spec.name, spec.params, &call.args, call.span, self.errors);
        BodyState::Layer { spec, args }
    }

    /// Evaluates `forward` (or the children in order) starting from the input.
    fn forward(&mut self, shape: Shape, span: Span) -> Option<ir::Forward> {
        let model = self.model;
        for extra in model.forwards.iter().skip(1) {
            self.errors.push(
                Error::new(
                    Code::ModelStructure,
                    format!("model `{}` has more than one `forward`", model.name.name),
                    extra.span,
                    "second forward",
                )
                .with_related(model.forwards[0].span, "first forward"),
            );
        }
        let Some(forward) = model.forwards.first() else {
            let input_name = model.inputs.first().map_or("x".to_string(), |i| i.name.name.clone());
            let note = format!("input `{input_name}` is {shape}");
            let mut flow = Some(Flow { shape, span, note });
            let mut expr = ir::Expr {
                kind: ir::ExprKind::Value(input_name.clone()),
                shape: Shape(Vec::new()),
            };
            for i in 0..self.children.len() {
                let stage_span = self.children[i].span;
                let name = self.children[i].name.clone();
                flow = flow.and_then(|f| self.apply_child(i, &f, stage_span));
                expr = ir::Expr {
                    kind: ir::ExprKind::Child { name, input: Box::new(expr) },
                    shape: flow.as_ref().map_or(Shape(Vec::new()), |f| f.shape.clone()),
                };
            }
            flow?;
            return Some(ir::Forward { input: input_name, lets: Vec::new(), result: expr });
        };
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
        let note = format!("input `{}` is {shape}", param.name);
        let mut env: HashMap<String, (Option<Flow>, Span)> = HashMap::new();
        env.insert(param.name.clone(), (Some(Flow { shape, span, note }), param.span));
        let mut lets = Vec::new();
        let mut ok = true;
        for stmt in &forward.lets {
            if let Some((_, first)) = env.get(&stmt.name.name) {
                self.errors.push(
                    Error::new(
                        Code::DuplicateName,
                        format!("value `{}` is defined twice", stmt.name.name),
                        stmt.name.span,
                        "defined again here",
                    )
                    .with_related(*first, "first defined here")
                    .with_help("give each intermediate value its own name"),
                );
            }
            let value = self.eval(&stmt.value, &env);
            ok &= value.is_some();
            let flow = value.map(|(flow, expr)| {
                lets.push((stmt.name.name.clone(), expr));
                flow
            });
            env.insert(stmt.name.name.clone(), (flow, stmt.name.span));
        }
        let (_, result) = self.eval(&forward.result, &env)?;
        ok.then_some(ir::Forward { input: param.name.clone(), lets, result })
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
            _ => this.eval(e, env),
        };
        let left = operand(lhs, self);
        let right = operand(rhs, self);
        let ((lflow, lexpr), (rflow, rexpr)) = (left?, right?);
        let symbol = if op == ast::BinOp::Add { "+" } else { "*" };
        if matches!(lexpr.kind, ir::ExprKind::Scalar(_))
            && matches!(rexpr.kind, ir::ExprKind::Scalar(_))
        {
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

    /// Runs top-level child `index` on `flow`; `stage_span` is where the forward calls it.
    fn apply_child(&mut self, index: usize, flow: &Flow, stage_span: Span) -> Option<Flow> {
        let node = &mut self.children[index];
        let out = apply_node(node, flow, &self.input_shape, self.errors, &mut self.trace)?;
        let note = format!("`{}` outputs {}", node.name, out.shape);
        Some(Flow { shape: out.shape, span: stage_span, note })
    }

    /// Reports every `_` left uninferred (in children the forward never calls).
    fn require_inferred(&mut self) {
        fn walk(nodes: &[NodeState], errors: &mut Vec<Error>) {
            for node in nodes {
                match &node.body {
                    BodyState::Sequential(children) => walk(children, errors),
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

    /// Turns the checked children into IR nodes; `None` if any was broken.
    fn finish_nodes(&mut self) -> Option<Vec<ir::Node>> {
        fn convert(nodes: &[NodeState]) -> Option<Vec<ir::Node>> {
            nodes
                .iter()
                .map(|node| {
                    let body = match &node.body {
                        BodyState::Unknown => return None,
                        BodyState::Sequential(children) => {
                            ir::NodeBody::Sequential(convert(children)?)
                        }
                        BodyState::Layer { spec, args, .. } => {
                            let args = args.clone()?;
                            if args.values.iter().any(|b| b.value == ArgValue::Infer) {
                                return None;
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
        convert(&self.children)
    }
}

/// Runs a child on `flow`: a layer's shape rule, or a `Sequential`'s children in order. Each
/// layer call is added to `trace`.
fn apply_node(
    node: &mut NodeState,
    flow: &Flow,
    model_input: &Shape,
    errors: &mut Vec<Error>,
    trace: &mut Vec<ir::TraceRow>,
) -> Option<Flow> {
    node.called = true;
    match &mut node.body {
        BodyState::Unknown => None,
        BodyState::Sequential(children) => {
            let mut flow = flow.clone();
            for child in children.iter_mut() {
                flow = apply_node(child, &flow, model_input, errors, trace)?;
            }
            Some(flow)
        }
        BodyState::Layer { spec, args } => {
            let args = args.as_mut()?;
            let mut ctx =
                ShapeCtx { path: &node.path, spec, args, input: flow, model_input, errors };
            let shape = (spec.infer)(&mut ctx)?;
            trace.push(ir::TraceRow {
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
            Some(_) => errors.push(
                Error::new(
                    Code::InitTarget,
                    format!("`{path}` is a Sequential, not a layer"),
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
            ir::NodeBody::Sequential(children) => visit_layers_mut(children, f),
        }
    }
}
