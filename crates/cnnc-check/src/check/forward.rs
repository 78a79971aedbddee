//! The forward computation of a model or block: named values, calls of children and functions,
//! arithmetic, `cat`, `chunk`, conditions, with the shape of every value.

use super::*;

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
    (
        "roll",
        &[Param::required("shifts", ArgType::IntList), Param::required("dims", ArgType::IntList)],
    ),
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

/// A tensor value and its expression, or `None` after an error in it.
type Evaluated = Option<(Flow, ir::Expr)>;

/// The values a `forward` has bound so far, by their names in the syntax tree.
#[derive(Default)]
struct Env<'n> {
    /// The latest binding of each name.
    bound: HashMap<&'n str, Bound>,
    /// Every value name the IR uses.
    taken: HashSet<Rc<str>>,
}

struct Bound {
    /// The value, or `None` after an error in it.
    flow: Option<Flow>,
    /// Its name in the IR: the name itself, or `name#k` for the k-th rebinding, which the
    /// generated code writes as a shadowing `let name`.
    ir_name: Rc<str>,
}

impl<'n> Env<'n> {
    /// Binds `name` to a value (or to `None` after an error); returns its name in the IR.
    fn bind(&mut self, name: &'n str, flow: Option<Flow>) -> Rc<str> {
        let ir_name = self.fresh(name);
        self.bound.insert(name, Bound { flow, ir_name: ir_name.clone() });
        ir_name
    }

    /// An IR name not used yet: `base`, or `base#1`, `base#2`, ...
    fn fresh(&mut self, base: &str) -> Rc<str> {
        let mut name: Rc<str> = base.into();
        let mut k = 0;
        while self.taken.contains(&name) {
            k += 1;
            name = format!("{base}#{k}").into();
        }
        self.taken.insert(name.clone());
        name
    }

    fn get(&self, name: &str) -> Option<&Bound> {
        self.bound.get(name)
    }

    /// The bound names, for suggestions.
    fn names(&self) -> Vec<&'n str> {
        self.bound.keys().copied().collect()
    }
}

/// Whether a forward computation's checked expression is kept: a body without a `forward`
/// builds one that chains its children, which only a body of numbered children (a `Sequential`
/// at run time) does without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chain {
    /// Kept, for the code of the model or block.
    Kept,
    /// Not built: the children run in order at run time.
    Unused,
}

impl<'a> ModelChecker<'a, '_> {
    /// Checks a forward computation (or the children in order, without one) on `inputs`, over
    /// the current children and constants; gives the value of each output, and the checked
    /// computation unless `chain` is `Chain::Unused`.
    pub(super) fn forward(
        &mut self,
        owner: &str,
        forwards: &'a [ast::Forward],
        input_name: &str,
        mut inputs: Vec<Flow>,
        chain: Chain,
    ) -> Option<(Vec<Flow>, Option<ir::Forward>)> {
        let Some(forward) = forwards.first() else {
            let input = inputs.swap_remove(0);
            // The children in order, as a list of links: long bodies are cut into named values
            // every `CHAIN_LENGTH` children.
            let mut flow = Some(input);
            let mut links = Vec::new();
            if chain == Chain::Kept {
                links.reserve_exact(self.children.len());
            }
            for i in 0..self.children.len() {
                if self.modules > MAX_MODULES {
                    return None;
                }
                let stage_span = self.children[i].span;
                flow = flow.and_then(|f| self.apply_child(i, &f, stage_span));
                if chain == Chain::Kept {
                    links.push(ir::Link {
                        name: self.children[i].name.clone(),
                        shape: flow.as_ref().map_or(Shape::scalar(), |f| f.shape.clone()),
                    });
                }
            }
            let forward = (chain == Chain::Kept)
                .then(|| ir::Forward::chain(input_name.to_string(), links, CHAIN_LENGTH));
            return Some((vec![flow?], forward));
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
        if forward.params.len() != inputs.len() {
            // A block's inputs are counted where it is called; a model has one.
            self.errors.push(
                Error::new(
                    Code::ModelStructure,
                    format!("`forward` takes one input, but declares {}", forward.params.len()),
                    forward.params.get(1).map_or(forward.span, |p| p.span),
                    "one input expected",
                )
                .with_help(
                    "a model has one `input`; name it once: `forward(x) { ... }`; a block may \
                     take several: `block Up(c) { ... forward(x, skip) { ... } }`",
                ),
            );
            return None;
        }
        let names = forward
            .params
            .iter()
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
        let params: Vec<&ast::Ident> = forward.params.iter().collect();
        let message = |n: &str| format!("input `{n}` is named twice");
        if !self.named_once(&params, message, "give each input its own name") {
            return None;
        }
        let mut env = Env::default();
        for (param, input) in forward.params.iter().zip(inputs) {
            env.bind(&param.name, Some(input));
        }
        let mut lets = Vec::new();
        let mut ok = true;
        for stmt in &forward.lets {
            // `x = f(x)` rebinds `x`; one statement names each value once.
            let names: Vec<&ast::Ident> =
                std::iter::once(&stmt.name).chain(&stmt.more_names).collect();
            let message = |n: &str| format!("value `{n}` is named twice in one statement");
            ok &= self.named_once(&names, message, "give each piece its own name");
            if !stmt.more_names.is_empty() {
                ok &= self.eval_several_names(stmt, &mut env, &mut lets);
                continue;
            }
            let value = self.eval(&stmt.value, &env);
            ok &= value.is_some();
            let (flow, expr) = value.unzip();
            let ir_name = env.bind(&stmt.name.name, flow);
            if let Some(expr) = expr {
                lets.push((ir_name, expr));
            }
        }
        let result = self.eval(&forward.result, &env);
        let mut flows = Vec::new();
        let mut more_results = Vec::new();
        for extra in &forward.more_results {
            match self.eval(extra, &env) {
                Some((flow, expr)) => {
                    flows.push(flow);
                    more_results.push(expr);
                }
                None => ok = false,
            }
        }
        let (flow, result) = result?;
        flows.insert(0, flow);
        let forward = ir::Forward {
            input: forward.params[0].name.to_string(),
            more_inputs: forward.params[1..].iter().map(|p| p.name.to_string()).collect(),
            lets,
            result,
            more_results,
        };
        ok.then_some((flows, Some(forward)))
    }

    /// Reports each name of `names` (the inputs of a `forward`, or the names of one statement)
    /// that repeats an earlier one; whether there was none.
    fn named_once(
        &mut self,
        names: &[&ast::Ident],
        message: impl Fn(&str) -> String,
        help: &str,
    ) -> bool {
        let mut once = true;
        for (i, name) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|n| n.name == name.name) {
                let message = message(&name.name);
                self.errors.push(
                    Error::new(Code::DuplicateName, message, name.span, "named again here")
                        .with_related(first.span, "first named here")
                        .with_help(help),
                );
                once = false;
            }
        }
        once
    }

    /// `a, b = chunk(x, 2, dim=1)` or `p, q = split(x)`: the pieces of `torch.chunk`, or the
    /// outputs of a block, one name each.
    fn eval_several_names(
        &mut self,
        stmt: &'a ast::Let,
        env: &mut Env<'a>,
        lets: &mut Vec<(Rc<str>, ir::Expr)>,
    ) -> bool {
        let names: Vec<&'a ast::Ident> =
            std::iter::once(&stmt.name).chain(&stmt.more_names).collect();
        let mut pieces = None;
        if let ast::Expr::Call(call) = &stmt.value {
            let child = self.child_named(&call.callee.name);
            if let Some(index) = child.filter(|&i| self.signature(i).1 > 1) {
                return self.eval_outputs_let(call, index, &names, env, lets);
            }
            if call.callee.name == "chunk" && child.is_none() {
                pieces = self.eval_chunk(call, env, names.len());
            }
        }
        if !matches!(&stmt.value, ast::Expr::Call(call) if call.callee.name == "chunk") {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!(
                        "{} names, but only `chunk` and blocks with several outputs give several \
                         values",
                        names.len()
                    ),
                    stmt.value.span(),
                    "gives one value",
                )
                .with_help("name one value, or split a tensor with `chunk(x, 2, dim=1)`"),
            );
        }
        let Some(ChunkPieces { input, chunks, dim, dynamic, shapes }) = pieces else {
            for name in names {
                env.bind(&name.name, None);
            }
            return false;
        };
        let mut source: String =
            names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join("_");
        source.push_str("_chunks");
        let source = env.fresh(&source);
        let kind = ir::ExprKind::Chunk { input: Box::new(input), chunks, dim, dynamic };
        lets.push((source.clone(), ir::Expr { kind, shape: Shape::scalar() }));
        for (index, (name, shape)) in names.iter().zip(shapes).enumerate() {
            let kind = ir::ExprKind::Piece { source: source.clone(), index };
            let expr = ir::Expr { kind, shape: shape.clone() };
            let note = Note::Is(format!("piece {index} of `chunk`"));
            let flow = Flow { shape, span: name.span, note };
            lets.push((env.bind(&name.name, Some(flow)), expr));
        }
        true
    }

    /// `c2, c3 = body(x)`: the outputs of a block, one name each.
    fn eval_outputs_let(
        &mut self,
        call: &ast::Call,
        index: usize,
        names: &[&'a ast::Ident],
        env: &mut Env<'a>,
        lets: &mut Vec<(Rc<str>, ir::Expr)>,
    ) -> bool {
        let callee = &call.callee.name;
        let outputs = self.signature(index).1;
        let result = if names.len() != outputs {
            let span = names[0].span.to(names[names.len() - 1].span);
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!(
                        "`{callee}` gives {outputs} tensors, but {} names receive them",
                        names.len()
                    ),
                    span,
                    format!("{} names", names.len()),
                )
                .with_related(call.span, format!("{outputs} tensors"))
                .with_help("name each output once"),
            );
            None
        } else {
            let (input, rest) = self.tensor_input(call, env);
            match input {
                None => self.missing_input(call),
                Some(input) => {
                    self.child_inputs(call, index, input, rest, env).and_then(|(flows, exprs)| {
                        Some((self.apply_child_inputs(index, flows, call.span)?, exprs))
                    })
                }
            }
        };
        let Some((outs, mut exprs)) = result else {
            for name in names {
                env.bind(&name.name, None);
            }
            return false;
        };
        let joined: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
        let source = env.fresh(&format!("{}_outputs", joined.join("_")));
        let input = Box::new(exprs.remove(0));
        let name = self.children[index].name.clone();
        let kind = ir::ExprKind::Child { name, input, more_inputs: exprs, outputs };
        lets.push((source.clone(), ir::Expr { kind, shape: Shape::scalar() }));
        for (index, (name, out)) in names.iter().zip(outs).enumerate() {
            let shape = out.shape;
            let kind = ir::ExprKind::Output { source: source.clone(), index };
            let expr = ir::Expr { kind, shape: shape.clone() };
            let note = Note::Is(format!("output {index} of `{callee}`"));
            let flow = Flow { shape, span: name.span, note };
            lets.push((env.bind(&name.name, Some(flow)), expr));
        }
        true
    }

    /// The tensor a call applies to (the piped value, or its first positional argument, if it
    /// is a tensor), evaluated, and the arguments after it.
    fn tensor_input<'c>(
        &mut self,
        call: &'c ast::Call,
        env: &Env,
    ) -> (Option<Evaluated>, &'c [ast::CallArg]) {
        let rest = call.args.as_slice();
        match &call.piped {
            Some(piped) => (Some(self.eval(piped, env)), rest),
            None => match rest.first() {
                Some(ast::CallArg { keyword: None, value: CallArgValue::Expr(e), .. }) => {
                    (Some(self.eval(e, env)), &rest[1..])
                }
                _ => (None, rest),
            },
        }
    }

    /// `chunk(x, chunks, dim)`: the input, the arguments and the shape of each piece, which must
    /// be `expected` pieces.
    fn eval_chunk(&mut self, call: &ast::Call, env: &Env, expected: usize) -> Option<ChunkPieces> {
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
        let (const_args, computed) = self.const_args("chunk", PARAMS, rest, env)?;
        let args = bind("chunk", PARAMS, &const_args, call.span, self.errors)?;
        let dynamic = self.dynamic_args("chunk", &args, &computed, call.span)?;
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
                    name: format!("chunk({chunks}, dim={dim})").into(),
                    output: shapes[0].clone(),
                    parameters: 0,
                });
                Some(ChunkPieces { input, chunks, dim: d as i64, dynamic, shapes })
            }
            Err(message) => {
                self.errors.push(
                    Error::new(Code::ForwardCall, format!("`chunk`: {message}"), call.span, message)
                        .with_related(flow.span, flow.note())
                        .with_help("like torch.chunk, pieces have size ceil(size / chunks), the last one may be smaller and there may be fewer pieces than chunks"),
                );
                None
            }
        }
    }

    fn eval(&mut self, expr: &ast::Expr, env: &Env) -> Option<(Flow, ir::Expr)> {
        match expr {
            ast::Expr::Name(ident) => match env.get(&ident.name) {
                Some(bound) => {
                    let flow = bound.flow.clone()?;
                    let expr = ir::Expr {
                        kind: ir::ExprKind::Value(bound.ir_name.clone()),
                        shape: flow.shape.clone(),
                    };
                    Some((flow, expr))
                }
                None if self.parameter(&ident.name).is_some() => {
                    let (shape, path) = self.parameter(&ident.name)?;
                    let note = Note::Is(format!("parameter `{path}`"));
                    let flow = Flow { shape: shape.clone(), span: ident.span, note };
                    Some((
                        flow,
                        ir::Expr { kind: ir::ExprKind::Param(ident.name.to_string()), shape },
                    ))
                }
                None => {
                    let names = env.names();
                    let mut error = Error::new(
                        Code::UndefinedName,
                        format!("undefined value `{}`", ident.name),
                        ident.span,
                        "not defined",
                    );
                    if let Some(s) = suggest(&ident.name, &names) {
                        error = error.with_help(format!("did you mean `{s}`?"));
                    } else if self.child_named(&ident.name).is_some() {
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
            ast::Expr::Neg { span, .. } => {
                let (flow, expr) = self.eval_operand(expr, env)?;
                if expr.kind.is_number() {
                    return self.number_alone(*span);
                }
                Some((flow, expr))
            }
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
                let cond = consts::resolve(cond, &self.env.types());
                let kind = ir::ExprKind::If { cond, then, otherwise };
                Some((flow, ir::Expr { kind, shape }))
            }
            ast::Expr::Index { input, items, span } => self.eval_index(input, items, *span, env),
            ast::Expr::Number(value) => self.number_alone(value.span),
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

    /// A number where a tensor is expected.
    fn number_alone(&mut self, span: Span) -> Option<(Flow, ir::Expr)> {
        self.errors.push(
            Error::new(Code::ForwardCall, "a number is not a tensor", span, "expected a tensor")
                .with_help("numbers can scale or shift a tensor: `x * 0.5`, `x + 1`, `1 - x`"),
        );
        None
    }

    /// An operand of an arithmetic operator: a tensor, or a number (a literal, a constant, or
    /// one negated).
    fn eval_operand(&mut self, e: &ast::Expr, env: &Env) -> Option<(Flow, ir::Expr)> {
        match e {
            ast::Expr::Number(value) => {
                let x = match value.kind {
                    cnnc_syntax::ValueKind::Int(n) => n as f64,
                    cnnc_syntax::ValueKind::Float(x) => x,
                    _ => unreachable!("numbers are ints or floats"),
                };
                let flow = Flow {
                    shape: Shape::scalar(),
                    span: value.span,
                    note: Note::Text(format!("the number {x:?}")),
                };
                Some((flow, ir::Expr { kind: ir::ExprKind::Scalar(x), shape: Shape::scalar() }))
            }
            ast::Expr::Name(ident) if env.get(&ident.name).is_none() => {
                match self.env.get(&ident.name).cloned() {
                    Some(value @ (Const::Int(_) | Const::Float(_))) => {
                        let flow = Flow {
                            shape: Shape::scalar(),
                            span: ident.span,
                            note: Note::Text(format!("the constant `{}` = {value}", ident.name)),
                        };
                        let kind = ir::ExprKind::Constant { name: ident.name.to_string(), value };
                        Some((flow, ir::Expr { kind, shape: Shape::scalar() }))
                    }
                    _ => self.eval(e, env),
                }
            }
            ast::Expr::Neg { operand, span } => {
                let (flow, operand) = self.eval_operand(operand, env)?;
                let shape = operand.shape.clone();
                let note = if operand.kind.is_number() {
                    Note::Text(format!("minus {}", flow.note()))
                } else {
                    Note::Gives("`-`".to_string())
                };
                let expr = ir::Expr { kind: ir::ExprKind::Neg(Box::new(operand)), shape };
                Some((Flow { note, span: *span, ..flow }, expr))
            }
            _ => self.eval(e, env),
        }
    }

    /// `lhs op rhs` for `+ - * /`; a number operand broadcasts as a scalar.
    fn eval_binary(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        env: &Env,
    ) -> Option<(Flow, ir::Expr)> {
        let left = self.eval_operand(lhs, env);
        let right = self.eval_operand(rhs, env);
        let ((lflow, lexpr), (rflow, rexpr)) = (left?, right?);
        let symbol = op.symbol();
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
        let mut rules = Vec::new();
        let shape = match crate::ops::broadcast(&lflow.shape, &rflow.shape, &mut rules) {
            Ok(shape) => {
                let what = || format!("`{symbol}` of {} and {}", lflow.shape, rflow.shape);
                self.require(rules, what, span);
                shape
            }
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
                    .with_related(lflow.span, format!("left: {}", lflow.note()))
                    .with_related(rflow.span, format!("right: {}", rflow.note()))
                    .with_help("make the sizes equal, or 1 where one side should repeat"),
                );
                return None;
            }
        };
        self.require_elements(&shape, symbol, span)?;
        let note = Note::Gives(format!("`{symbol}`"));
        let expr = ir::Expr {
            kind: ir::ExprKind::Binary { op, lhs: Box::new(lexpr), rhs: Box::new(rexpr) },
            shape: shape.clone(),
        };
        Some((Flow { shape, span, note }, expr))
    }

    fn eval_call(&mut self, call: &ast::Call, env: &Env) -> Option<(Flow, ir::Expr)> {
        if call.callee.name == "cat" && self.child_named("cat").is_none() {
            return self.eval_cat(call, env);
        }
        if call.callee.name == "chunk" && self.child_named("chunk").is_none() {
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
        let (input, rest) = self.tensor_input(call, env);
        let callee = &call.callee;
        if callee.name == "children" && self.child_named("children").is_none() {
            let Some(input) = input else { return self.missing_input(call) };
            return self.eval_children(call, input?, rest);
        }
        if callee.name == "expand" && self.child_named("expand").is_none() {
            let Some(input) = input else { return self.missing_input(call) };
            return self.eval_expand(call, input?, rest, env);
        }
        if callee.name.contains('.') {
            return self.eval_path_call(call, input, rest);
        }
        if self.absent.contains(callee.name.as_str()) && rest.is_empty() {
            // A child whose condition does not hold here is the identity.
            let Some(input) = input else { return self.missing_input(call) };
            let (flow, input_expr) = input?;
            let shape = input_expr.shape.clone();
            let kind = ir::ExprKind::Child {
                name: callee.name.as_str().into(),
                input: Box::new(input_expr),
                more_inputs: Vec::new(),
                outputs: 1,
            };
            return Some((flow, ir::Expr { kind, shape }));
        }
        let child = self.child_named(&callee.name);
        let parameter = child.map(|i| &self.children[i]).filter(
            |c| matches!(&c.body, BodyState::Layer { spec, .. } if spec.name == "Parameter"),
        );
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
        if let Some(index) = child {
            let Some(input) = input else { return self.missing_input(call) };
            let outputs = self.signature(index).1;
            if outputs > 1 {
                let name = &callee.name;
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        format!("`{name}` gives {outputs} tensors, where one is expected"),
                        call.span,
                        format!("{outputs} tensors"),
                    )
                    .with_help(format!("name them: `a, b = {name}(...)`")),
                );
                return None;
            }
            let (out, input, more_inputs) = if rest.is_empty() && self.signature(index) == (1, 1) {
                // One tensor in, as most calls are: no lists to build.
                let (flow, input) = input?;
                (self.apply_child(index, &flow, call.span)?, input, Vec::new())
            } else {
                let (flows, mut inputs) = self.child_inputs(call, index, input, rest, env)?;
                let out = self.apply_child_inputs(index, flows, call.span)?.swap_remove(0);
                let input = inputs.remove(0);
                (out, input, inputs)
            };
            let name = self.children[index].name.clone();
            let kind =
                ir::ExprKind::Child { name, input: Box::new(input), more_inputs, outputs: 1 };
            let expr = ir::Expr { kind, shape: out.shape.clone() };
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
                let mut names: Vec<&str> = self.children.iter().map(|c| &*c.name).collect();
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
        // `interpolate(y, size=size(x, 2..))`: the sizes come from another value at run time.
        let mut resize_to = None;
        let placeholder;
        let rest = match rest.iter().position(|a| matches!(a.value, CallArgValue::SizesOf { .. })) {
            Some(at) => {
                let (like, sizes, placeholder_arg) = self.sizes_of(op_name, &rest[at], env)?;
                resize_to = Some((like, sizes));
                let mut args = rest.to_vec();
                args[at] = placeholder_arg;
                placeholder = args;
                placeholder.as_slice()
            }
            None => rest,
        };
        let (const_args, computed) = self.const_args(op_name, params, rest, env)?;
        let args = bind(op_name, params, &const_args, call.span, self.errors);
        let Some(input) = input else { return self.missing_input(call) };
        let (flow, input_expr) = input?;
        let mut args = args?;
        let dynamic = self.dynamic_args(op_name, &args, &computed, call.span)?;
        let written: Vec<String> = args
            .params
            .iter()
            .zip(args.values.iter())
            .filter(|(_, b)| b.span.is_some())
            .map(|(p, b)| match &resize_to {
                Some((like, (start, end))) if p.name == "size" => match &like.kind {
                    ir::ExprKind::Value(v) => format!("size({v}, {start}..{end})"),
                    _ => format!("size(…, {start}..{end})"),
                },
                _ => b.value.to_string(),
            })
            .collect();
        let name = format!("{op_name}({})", written.join(", "));
        let result = match layer_function {
            Some((_, layer)) => {
                let spec = layers::lookup(layer).expect("layer functions name layers");
                let mut ctx = ShapeCtx {
                    path: op_name,
                    spec,
                    args: &mut args,
                    input: &flow,
                    more_inputs: &[],
                    model_input: &self.input_shape,
                    errors: self.errors,
                    rules: Vec::new(),
                };
                let shape = (spec.infer)(&mut ctx);
                let rules = ctx.rules;
                let mut shape = shape?;
                self.require(rules, || format!("`{op_name}`"), call.span);
                if let Some((like, sizes)) = resize_to.take() {
                    // The placeholder sizes checked the count and the mode; the sizes are the
                    // other value's.
                    args.set("size", ArgValue::None);
                    let (start, end) = sizes;
                    let spatial = shape.rank().saturating_sub(2);
                    if end - start != spatial {
                        self.errors.push(
                            Error::new(
                                Code::ArgumentValue,
                                format!(
                                    "`interpolate`: `size` takes dimensions {start}..{end}, but a rank-{} input has {spatial} spatial dimensions",
                                    shape.rank()
                                ),
                                call.span,
                                format!("{} sizes for {spatial}", end - start),
                            )
                            .with_related(flow.span, flow.note())
                            .with_help("take as many sizes as the input has spatial dimensions"),
                        );
                        return None;
                    }
                    let mut dims = shape.0[..2].to_vec();
                    dims.extend_from_slice(&like.shape.0[start..end]);
                    shape = Shape::from(dims);
                    let layer = ir::Layer { spec, args, tensors: Vec::new() };
                    return self.resized(
                        name,
                        flow,
                        input_expr,
                        layer,
                        like,
                        (start, end),
                        shape,
                        call.span,
                    );
                }
                let layer = ir::Layer { spec, args, tensors: Vec::new() };
                Ok((ir::Op::Layer(Box::new(layer)), shape))
            }
            None => self.tensor_function(op_name, &args, &flow.shape),
        };
        let (op, shape) = match result {
            Ok(result) => result,
            Err((code, message)) => {
                let help = if code == Code::Reshape {
                    "the sizes must multiply to the number of elements; one size may be -1 to take the rest"
                } else if op_name == "roll" && message.contains("shift") {
                    "write as many shifts as dimensions: `roll(x, (3, 3), (1, 2))`"
                } else {
                    "dimensions count from 0 at the front, or from -1 at the back"
                };
                self.errors.push(
                    Error::new(code, format!("`{op_name}`: {message}"), call.span, message)
                        .with_related(flow.span, flow.note())
                        .with_help(help),
                );
                return None;
            }
        };
        let note = Note::Text(match &op {
            ir::Op::Flatten { start_dim, end_dim } => {
                let arithmetic = simple_flatten(&flow.shape, *start_dim, *end_dim)
                    .map(|(_, a)| a)
                    .unwrap_or_default();
                format!("flatten turns {} into {shape}  ({arithmetic})", flow.shape)
            }
            _ => format!("{name} turns {} into {shape}", flow.shape),
        });
        self.require_elements(&shape, &name, call.span)?;
        self.trace.push(ir::TraceRow { name: name.into(), output: shape.clone(), parameters: 0 });
        let expr = ir::Expr {
            kind: ir::ExprKind::Op { op, input: Box::new(input_expr), dynamic },
            shape: shape.clone(),
        };
        Some((Flow { shape, span: call.span, note }, expr))
    }

    /// For each parameter of a call, the expression of the argument computed from constants, if
    /// any: layer functions and the tensor functions take them, as numbers.
    fn dynamic_args(
        &mut self,
        op_name: &str,
        args: &BoundArgs,
        computed: &[cnnc_syntax::Value],
        span: Span,
    ) -> Option<Vec<Option<ir::ArgExpr>>> {
        if computed.is_empty() {
            return Some(Vec::new());
        }
        let takes = LAYER_FUNCTIONS.iter().any(|(n, _)| *n == op_name)
            || OPS.iter().any(|(n, _)| *n == op_name)
            || op_name == "chunk";
        let types = self.env.types();
        let dynamic: Vec<Option<ir::ArgExpr>> = args
            .values
            .iter()
            .map(|bound| {
                let value = computed.iter().find(|v| Some(v.span) == bound.span)?;
                Some(consts::resolve_arg(value, &types))
            })
            .collect();
        let string = dynamic
            .iter()
            .flatten()
            .any(|a| matches!(a, ir::ArgExpr::One(e) if e.ty == consts::ConstType::Str));
        if !takes || string {
            let what = if string { "strings" } else { "numbers" };
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{op_name}` takes {what} written out here, not constants"),
                    span,
                    "computed argument",
                )
                .with_help("constants go into the number arguments of layer and tensor functions (`interpolate(scale_factor=s)`, `reshape(-1, c / 2)`, `chunk(x, groups)`); a mode or other string is written out"),
            );
            return None;
        }
        Some(dynamic)
    }

    /// `children(x)`: in a block whose children are unnamed, all of them in order, as
    /// `super().forward(x)` in a subclass of `nn.Sequential`.
    fn eval_children(
        &mut self,
        call: &ast::Call,
        input: (Flow, ir::Expr),
        rest: &[ast::CallArg],
    ) -> Option<(Flow, ir::Expr)> {
        let numbered = |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit());
        if self.children.is_empty() || !self.children.iter().all(|c| numbered(&c.name)) {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    "`children(x)` runs the unnamed children of a block",
                    call.span,
                    "no unnamed children here",
                )
                .with_help("declare the children without names (`Conv2d(...)`), or call named children by name"),
            );
            return None;
        }
        if let Some(extra) = rest.first() {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    "`children` takes one tensor",
                    extra.span,
                    "extra argument",
                )
                .with_help("write `children(x)`"),
            );
            return None;
        }
        let (mut flow, input_expr) = input;
        for i in 0..self.children.len() {
            flow = self.apply_child(i, &flow, call.span)?;
        }
        let shape = flow.shape.clone();
        let kind = ir::ExprKind::Children(Box::new(input_expr));
        Some((flow, ir::Expr { kind, shape }))
    }

    /// `x[:, 0]`.
    fn eval_index(
        &mut self,
        input: &ast::Expr,
        items: &[cnnc_syntax::IndexItem],
        span: Span,
        env: &Env,
    ) -> Option<(Flow, ir::Expr)> {
        let (flow, input_expr) = self.eval(input, env)?;
        let written: Vec<String> = items.iter().map(|item| item.to_string()).collect();
        let name = format!("[{}]", written.join(", "));
        let shape = match crate::ops::index(&flow.shape, items) {
            Ok(shape) => shape,
            Err(message) => {
                let (origin, note) = (flow.span, flow.note());
                self.errors.push(
                    Error::new(Code::ForwardCall, format!("`{name}`: {message}"), span, "bad index")
                        .with_related(origin, note)
                        .with_help("index each dimension from the first: an integer takes one item, `a:b` a range, `:` all of it"),
                );
                return None;
            }
        };
        let note = Note::Turns(Box::new((format!("`{name}`"), flow.shape.clone())));
        self.trace.push(ir::TraceRow { name: name.into(), output: shape.clone(), parameters: 0 });
        let op = ir::Op::Index(items.to_vec());
        let expr = ir::Expr {
            kind: ir::ExprKind::Op { op, input: Box::new(input_expr), dynamic: Vec::new() },
            shape: shape.clone(),
        };
        Some((Flow { shape, span, note }, expr))
    }

    /// `expand(t, size(x, 0), -1, -1)`: `t` repeated along its dimensions of size 1 (and new
    /// leading ones), to sizes that are numbers (-1 keeps one) or sizes of other values.
    fn eval_expand(
        &mut self,
        call: &ast::Call,
        input: (Flow, ir::Expr),
        rest: &[ast::CallArg],
        env: &Env,
    ) -> Option<(Flow, ir::Expr)> {
        let (flow, input_expr) = input;
        let mut sizes = Vec::new();
        let mut dims = Vec::new();
        for arg in rest {
            let bad = |this: &mut Self, label: &str| {
                this.errors.push(
                    Error::new(Code::ForwardCall, "`expand` takes sizes", arg.span, label)
                        .with_help("write `expand(t, size(x, 0), -1, -1)`: numbers (-1 keeps a size) or sizes of other values"),
                );
                None
            };
            if arg.keyword.is_some() {
                return bad(self, "a keyword argument");
            }
            match &arg.value {
                CallArgValue::Const(cnnc_syntax::Value {
                    kind: cnnc_syntax::ValueKind::Int(n),
                    ..
                }) => {
                    sizes.push(ir::ExpandSize::Fixed(*n));
                    dims.push(Dim::Known(*n));
                }
                CallArgValue::SizesOf { tensor, start, end, single } => {
                    let (_, like) = self.eval(&ast::Expr::Name(tensor.clone()), env)?;
                    let rank = like.shape.rank() as i64;
                    let end = if *single { start + 1 } else { end.unwrap_or(rank) };
                    if !(0 <= *start && *start < end && end <= rank) {
                        return bad(self, "not a dimension of that value");
                    }
                    for d in *start..end {
                        dims.push(like.shape.0[d as usize]);
                        sizes.push(ir::ExpandSize::Of(Box::new(like.clone()), d as usize));
                    }
                }
                _ => return bad(self, "not a size"),
            }
        }
        let shape = match crate::ops::expand(&flow.shape, &dims) {
            Ok(shape) => shape,
            Err(message) => {
                let (origin, note) = (flow.span, flow.note());
                self.errors.push(
                    Error::new(
                        Code::ForwardCall,
                        format!("`expand`: {message}"),
                        call.span,
                        "cannot expand",
                    )
                    .with_related(origin, note)
                    .with_help("only sizes of 1 grow; -1 keeps a size; new dimensions come first"),
                );
                return None;
            }
        };
        let note = Note::Turns(Box::new(("`expand`".to_string(), flow.shape.clone())));
        self.trace.push(ir::TraceRow {
            name: "expand".into(),
            output: shape.clone(),
            parameters: 0,
        });
        let kind = ir::ExprKind::Expand { input: Box::new(input_expr), sizes };
        Some((Flow { shape: shape.clone(), span: call.span, note }, ir::Expr { kind, shape }))
    }

    /// `convs.0(x)` or `x -> features.4`: an entry of a `Sequential` child, run on its own.
    fn eval_path_call(
        &mut self,
        call: &ast::Call,
        input: Option<Evaluated>,
        rest: &[ast::CallArg],
    ) -> Option<(Flow, ir::Expr)> {
        let path = &call.callee.name;
        let mut segments = path.split('.');
        let first = segments.next().unwrap_or_default();
        let Some(input) = input else { return self.missing_input(call) };
        let (flow, input_expr) = input?;
        let child = |input_expr: ir::Expr, shape: Shape| {
            let kind = ir::ExprKind::Child {
                name: path.as_str().into(),
                input: Box::new(input_expr),
                more_inputs: Vec::new(),
                outputs: 1,
            };
            ir::Expr { kind, shape }
        };
        if let Some(extra) = rest.first() {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{path}` takes one tensor"),
                    extra.span,
                    "unexpected argument",
                )
                .with_help(format!("call it as `{path}(x)` or `x -> {path}`")),
            );
            return None;
        }
        if path.split('.').count() > 2 {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{path}` goes more than one entry deep"),
                    call.callee.span,
                    "a path of one entry, such as `convs.0`",
                )
                .with_help("name the inner `Sequential` as a child of its own, or a block"),
            );
            return None;
        }
        if self.absent.contains(first) {
            // A child whose condition does not hold here is the identity, entries and all.
            let shape = input_expr.shape.clone();
            return Some((flow, child(input_expr, shape)));
        }
        let Some(index) = self.child_named(first) else {
            self.errors.push(
                Error::new(
                    Code::UndefinedName,
                    format!("no child named `{first}`"),
                    call.callee.span,
                    "not defined",
                )
                .with_help("a path starts with a child of this model or block: `convs.0(x)`"),
            );
            return None;
        };
        if matches!(self.children[index].body, BodyState::Unknown) {
            // An unknown layer, already reported, has no entries to report on.
            self.children[index].called = true;
            return None;
        }
        let mut node = self.take_child(index, call.span);
        node.called = true;
        let result = match entry_at(&mut node, path) {
            Ok(entry) => Ok(self.apply_node(entry, &flow)),
            Err(message) => Err(message),
        };
        self.children[index] = node;
        let out = match result {
            Ok(out) => out?,
            Err((message, label)) => {
                self.errors.push(
                    Error::new(Code::UndefinedName, message, call.callee.span, label).with_help(
                        "a path names entries of `Sequential` children: `features.4(x)`",
                    ),
                );
                return None;
            }
        };
        let shape = out.shape.clone();
        let note = Note::Outputs(path.as_str().into());
        Some((Flow { shape: out.shape, span: call.span, note }, child(input_expr, shape)))
    }

    /// For `size=size(x, start..end)`: the value `x`, the dimensions `start..end`, and an
    /// argument of that many placeholder sizes, which binds and checks like written ones.
    fn sizes_of(
        &mut self,
        op_name: &str,
        arg: &ast::CallArg,
        env: &Env,
    ) -> Option<(ir::Expr, (usize, usize), ast::CallArg)> {
        let CallArgValue::SizesOf { tensor, start, end, single } = &arg.value else { return None };
        if op_name != "interpolate" || arg.keyword.as_ref().is_none_or(|k| k.name != "size") {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    "sizes from a value are only the `size` of `interpolate`",
                    arg.span,
                    "not an `interpolate` size",
                )
                .with_help("write `interpolate(y, size=size(x, 2..), mode=\"bilinear\")`"),
            );
            return None;
        }
        let (_, like) = self.eval(&ast::Expr::Name(tensor.clone()), env)?;
        let rank = like.shape.rank() as i64;
        let end_value = if *single { start + 1 } else { end.unwrap_or(rank) };
        if !(0 <= *start && *start < end_value && end_value <= rank) {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!(
                        "`{}` is {}, rank {rank}: it has no dimensions {start}..{end_value}",
                        tensor.name, like.shape
                    ),
                    arg.span,
                    "out of range",
                )
                .with_help(format!("dimensions count from 0 to {}", rank - 1)),
            );
            return None;
        }
        let (start, end) = (*start as usize, end_value as usize);
        let ones = vec![
            cnnc_syntax::Value { kind: cnnc_syntax::ValueKind::Int(1), span: arg.span };
            end - start
        ];
        let placeholder = ast::CallArg {
            keyword: arg.keyword.clone(),
            value: CallArgValue::Const(cnnc_syntax::Value {
                kind: cnnc_syntax::ValueKind::Tuple(ones),
                span: arg.span,
            }),
            span: arg.span,
        };
        Some((like, (start, end), placeholder))
    }

    /// `interpolate` of `input` to the sizes of `like` in dimensions `range`.
    #[allow(clippy::too_many_arguments)]
    fn resized(
        &mut self,
        name: String,
        flow: Flow,
        input: ir::Expr,
        layer: ir::Layer,
        like: ir::Expr,
        range: (usize, usize),
        shape: Shape,
        span: Span,
    ) -> Option<(Flow, ir::Expr)> {
        let note = Note::Turns(Box::new((name.clone(), flow.shape.clone())));
        self.require_elements(&shape, &name, span)?;
        self.trace.push(ir::TraceRow { name: name.into(), output: shape.clone(), parameters: 0 });
        let kind = ir::ExprKind::Resize {
            layer: Box::new(layer),
            input: Box::new(input),
            like: Box::new(like),
            start: range.0,
            end: range.1,
        };
        let expr = ir::Expr { kind, shape: shape.clone() };
        Some((Flow { shape, span, note }, expr))
    }

    /// `cat([a, b, ...], dim)`, or `[a, b] -> cat(dim)`.
    fn eval_cat(&mut self, call: &ast::Call, env: &Env) -> Option<(Flow, ir::Expr)> {
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
        let (const_args, computed) = self.const_args("cat", params, rest, env)?;
        let args = bind("cat", params, &const_args, call.span, self.errors)?;
        let dynamic = self.dynamic_args("cat", &args, &computed, call.span)?;
        let evaluated: Vec<(Flow, ir::Expr)> = evaluated.into_iter().collect::<Option<_>>()?;
        let dim = args.int("dim").unwrap_or(0);
        let shapes: Vec<Shape> = evaluated.iter().map(|(f, _)| f.shape.clone()).collect();
        let mut rules = Vec::new();
        let (shape, d) = match crate::ops::cat(&shapes, dim, &mut rules) {
            Ok(result) => {
                let what = || {
                    let joined: Vec<String> = shapes.iter().map(ToString::to_string).collect();
                    format!("`cat` of {}", joined.join(" and "))
                };
                self.require(rules, what, call.span);
                result
            }
            Err(failure) => {
                let (too_long, reason) = match failure {
                    crate::ops::CatFailure::Mismatch(reason) => (false, reason),
                    crate::ops::CatFailure::SizeTooLong(reason) => (true, reason),
                };
                let mut error = Error::new(
                    if too_long { Code::SymbolicSize } else { Code::Cat },
                    format!(
                        "`cat` along dimension {dim} cannot join {}",
                        shapes.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
                    ),
                    *list_span,
                    reason,
                );
                for (flow, _) in &evaluated {
                    error = error.with_related(flow.span, flow.note());
                }
                self.errors.push(error.with_help(if too_long {
                    "declare fixed sizes in the model's input, or join fewer times"
                } else {
                    "all sizes must match except along the joined dimension"
                }));
                return None;
            }
        };
        let inputs = evaluated.into_iter().map(|(_, e)| e).collect();
        let note = Note::Gives(format!("cat along dimension {d}"));
        self.require_elements(&shape, "cat", call.span)?;
        self.trace.push(ir::TraceRow {
            name: format!("cat(dim={dim})").into(),
            output: shape.clone(),
            parameters: 0,
        });
        let expr = ir::Expr {
            kind: ir::ExprKind::Cat { inputs, dim: d as i64, dynamic },
            shape: shape.clone(),
        };
        Some((Flow { shape, span: call.span, note }, expr))
    }

    /// A forward expression that is a constant expression over the block's constants and
    /// numbers (`s`, `c / 2`, `-k`), as a constant expression; `None` where it reads a tensor
    /// (a value of the forward, `env`, hides a constant of its name).
    fn constant_expr(&self, e: &ast::Expr, env: &Env) -> Option<cnnc_syntax::Value> {
        use cnnc_syntax::{ConstOp, UnaryOp, Value, ValueKind};
        let kind = match e {
            ast::Expr::Number(value) => return Some(value.clone()),
            ast::Expr::Name(ident)
                if env.get(&ident.name).is_none() && self.env.get(&ident.name).is_some() =>
            {
                ValueKind::Name(ident.name.to_string())
            }
            ast::Expr::Neg { operand, .. } => ValueKind::Unary {
                op: UnaryOp::Neg,
                operand: Box::new(self.constant_expr(operand, env)?),
            },
            ast::Expr::Binary { op, lhs, rhs, .. } => ValueKind::Binary {
                op: match op {
                    ast::BinOp::Add => ConstOp::Add,
                    ast::BinOp::Sub => ConstOp::Sub,
                    ast::BinOp::Mul => ConstOp::Mul,
                    ast::BinOp::Div => ConstOp::Div,
                },
                lhs: Box::new(self.constant_expr(lhs, env)?),
                rhs: Box::new(self.constant_expr(rhs, env)?),
            },
            _ => return None,
        };
        Some(Value { kind, span: e.span() })
    }

    /// The constant arguments of a function call, as layer arguments, and the expressions of
    /// those computed from constants (`scale_factor=s`), which bind with this use's values.
    /// Several positional integers of `reshape`, `view` and `permute` form one tuple, as in
    /// PyTorch.
    fn const_args(
        &mut self,
        op_name: &str,
        params: &[Param],
        rest: &[ast::CallArg],
        env: &Env,
    ) -> Option<(Vec<ast::Arg>, Vec<cnnc_syntax::Value>)> {
        let mut const_args = Vec::new();
        for arg in rest {
            // Computed from constants; arithmetic on numbers alone is reported below.
            let computed = match &arg.value {
                CallArgValue::Expr(e) => self.constant_expr(e, env).filter(|v| {
                    let mut names = Vec::new();
                    consts::names(v, &mut names);
                    !names.is_empty()
                }),
                CallArgValue::Tuple(items) => {
                    let mut values = Vec::new();
                    for item in items {
                        match self.constant_expr(item, env) {
                            Some(value) => values.push(value),
                            None => {
                                self.errors.push(
                                    Error::new(
                                        Code::ForwardCall,
                                        format!("a tuple argument of `{op_name}` holds numbers, not tensors"),
                                        item.span(),
                                        "not a number or constant",
                                    )
                                    .with_help("write numbers and the block's constants, such as `(s, -s)`"),
                                );
                                return None;
                            }
                        }
                    }
                    let kind = cnnc_syntax::ValueKind::Tuple(values);
                    Some(cnnc_syntax::Value { kind, span: arg.span })
                }
                _ => None,
            };
            if let Some(value) = computed {
                const_args.push(ast::Arg { keyword: arg.keyword.clone(), value, span: arg.span });
                continue;
            }
            match &arg.value {
                CallArgValue::Const(value) => const_args.push(ast::Arg {
                    keyword: arg.keyword.clone(),
                    value: value.clone(),
                    span: arg.span,
                }),
                // A tuple is computed above, or reported.
                CallArgValue::SizesOf { .. } | CallArgValue::Tuple(_) => return None,
                CallArgValue::Expr(e) => {
                    if let Some((Some(value), text)) = integer_arithmetic(e) {
                        self.errors.push(
                            Error::new(
                                Code::ForwardCall,
                                format!("the arguments of `{op_name}` are numbers, not arithmetic"),
                                e.span(),
                                format!("write `{value}`"),
                            )
                            .with_help(format!(
                                "write the result: {text} = {value}; arithmetic works on tensors \
                                 in `forward`, and on constants in `let`"
                            )),
                        );
                        return None;
                    }
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
        // The arguments computed from constants bind with this use's values.
        let mut computed = Vec::new();
        for arg in &mut const_args {
            if !consts::is_dynamic(&arg.value) {
                continue;
            }
            match consts::substitute(&arg.value, &self.env) {
                Ok(value) => {
                    let value = value.into_owned();
                    computed.push(std::mem::replace(&mut arg.value, value))
                }
                Err(e) => {
                    self.errors.push(e);
                    return None;
                }
            }
        }
        Some((const_args, computed))
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
            "roll" => {
                let (shifts, dims) = (args.ints("shifts").to_vec(), args.ints("dims").to_vec());
                crate::ops::roll(shape, &shifts, &dims).map_err(arg_error)?;
                Ok((ir::Op::Roll { shifts, dims }, shape.clone()))
            }
            other => unreachable!("function {other} has no shape rule"),
        }
    }

    /// The number of inputs and outputs of child `index`: a block's `forward(x, skip)` and
    /// `(a, b)` result; one and one for anything else.
    pub(super) fn signature(&self, index: usize) -> (usize, usize) {
        match &self.children[index].body {
            BodyState::Block(state) => block_signature(state.def.ast),
            BodyState::Layer { spec, .. } => (spec.inputs, 1),
            _ => (1, 1),
        }
    }

    /// The tensors a call of child `index` passes: `input` (piped or first) and the positional
    /// arguments after it, as many as the child takes.
    fn child_inputs(
        &mut self,
        call: &ast::Call,
        index: usize,
        input: Evaluated,
        rest: &[ast::CallArg],
        env: &Env,
    ) -> Option<(Vec<Flow>, Vec<ir::Expr>)> {
        let name = &call.callee.name;
        let wanted = self.signature(index).0;
        let constant = rest.iter().find(|a| {
            a.keyword.is_some()
                || matches!(a.value, CallArgValue::Const(_) | CallArgValue::Tuple(_))
        });
        if let Some(extra) = constant {
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("child `{name}` takes tensors, not settings"),
                    extra.span,
                    "unexpected argument",
                )
                .with_help(format!("configure `{name}` where it is declared")),
            );
            return None;
        }
        if rest.len() + 1 != wanted {
            let given = rest.len() + 1;
            let child = &self.children[index];
            // The block's own input names, for the message and the suggested call.
            let (what, declared, inputs) = match &child.body {
                BodyState::Block(state) => {
                    let forward = state.def.ast.forwards.first();
                    let params: Vec<&str> = forward
                        .map_or(vec!["x"], |f| f.params.iter().map(|p| p.name.as_str()).collect());
                    let span = forward.map_or(state.def.ast.name.span, |f| f.span);
                    let what =
                        format!("block `{}` takes {}", state.def.ast.name, params.join(", "));
                    (what, span, params.join(", "))
                }
                BodyState::Layer { spec, .. } if spec.inputs > 1 => {
                    let what = format!("`{}` takes {} tensors", spec.name, spec.inputs);
                    (what, child.span, "x1, x2".to_string())
                }
                _ => {
                    let what = "a layer takes one tensor; a block may take several".to_string();
                    (what, child.span, "x".to_string())
                }
            };
            let plural = |n: usize| if n == 1 { "tensor" } else { "tensors" };
            self.errors.push(
                Error::new(
                    Code::ForwardCall,
                    format!("`{name}` takes {wanted} {}, but is given {given}", plural(wanted)),
                    call.span,
                    format!("{given} {}", plural(given)),
                )
                .with_related(declared, what)
                .with_help(format!("pass one tensor for each input: `{name}({inputs})`")),
            );
            return None;
        }
        let mut values = vec![input];
        for arg in rest {
            if let CallArgValue::Expr(e) = &arg.value {
                values.push(self.eval(e, env));
            }
        }
        values.into_iter().collect::<Option<Vec<_>>>().map(|v| v.into_iter().unzip())
    }

    /// Runs child `index` on `inputs`, as many as it takes; gives each of its outputs.
    fn apply_child_inputs(
        &mut self,
        index: usize,
        mut inputs: Vec<Flow>,
        stage_span: Span,
    ) -> Option<Vec<Flow>> {
        if self.signature(index) == (1, 1) {
            let input = inputs.swap_remove(0);
            return self.apply_child(index, &input, stage_span).map(|flow| vec![flow]);
        }
        let mut node = self.take_child(index, stage_span);
        node.called = true;
        let outs = match &mut node.body {
            BodyState::Block(state) => self.apply_block(state, inputs, &node.path),
            BodyState::Layer { spec, args: Some(args) } => {
                let (spec, path, span) = (*spec, node.path.clone(), node.span);
                self.run_layer(&path, span, spec, args, &inputs).map(|flow| vec![flow])
            }
            _ => None,
        };
        let note = Note::Outputs(node.name.clone());
        self.children[index] = node;
        let outs = outs?.into_iter().map(|flow| Flow {
            shape: flow.shape,
            span: stage_span,
            note: note.clone(),
        });
        Some(outs.collect())
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
        let index = self.child_named(name)?;
        let node = &mut self.children[index];
        match &node.body {
            BodyState::Layer { spec, args: Some(args) } if spec.name == "Parameter" => {
                node.called = true;
                let dims: Vec<Dim> = args.ints("shape").iter().map(|&n| Dim::Known(n)).collect();
                Some((Shape::from(dims), node.path.to_string()))
            }
            _ => None,
        }
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

/// For `+`, `-` and `*` over integer literals (`16 * 5 * 5`), the value (`None` when it overflows) and
/// the arithmetic as written with `×`.
fn integer_arithmetic(e: &ast::Expr) -> Option<(Option<i64>, String)> {
    match e {
        ast::Expr::Number(cnnc_syntax::Value { kind: cnnc_syntax::ValueKind::Int(n), .. }) => {
            Some((Some(*n), n.to_string()))
        }
        ast::Expr::Binary { op, lhs, rhs, .. } => {
            let ((a, left), (b, right)) = (integer_arithmetic(lhs)?, integer_arithmetic(rhs)?);
            let (value, symbol) = match op {
                ast::BinOp::Add => (a.zip(b).and_then(|(a, b)| a.checked_add(b)), "+"),
                ast::BinOp::Sub => (a.zip(b).and_then(|(a, b)| a.checked_sub(b)), "-"),
                ast::BinOp::Mul => (a.zip(b).and_then(|(a, b)| a.checked_mul(b)), "×"),
                ast::BinOp::Div => return None,
            };
            Some((value, format!("{left} {symbol} {right}")))
        }
        _ => None,
    }
}

/// The number of inputs and outputs of a block: its `forward(x, skip)` and `(a, b)` result; one
/// and one without a `forward`.
pub(super) fn block_signature(block: &ast::Block) -> (usize, usize) {
    block.forwards.first().map_or((1, 1), |f| (f.params.len(), 1 + f.more_results.len()))
}

/// The entry of `node` that `path` (`convs.0.1`, starting with `node`'s own name) names, through
/// `Sequential`s; or what is wrong, and a label.
fn entry_at<'n, 'a>(
    node: &'n mut NodeState<'a>,
    path: &str,
) -> Result<&'n mut NodeState<'a>, (String, &'static str)> {
    let mut current = node;
    let mut walked = String::new();
    for segment in path.split('.') {
        if walked.is_empty() {
            walked.push_str(segment);
            continue;
        }
        // A `Sequential`, or a block whose unnamed children run in order, like torchvision's
        // `Conv2dNormActivation` or a backbone's `features`.
        let children = match &mut current.body {
            BodyState::Sequential { children, .. } => children,
            BodyState::Block(state)
                if state.def.ast.forwards.is_empty() && state.def.declared.is_empty() =>
            {
                &mut state.children
            }
            _ => {
                return Err((
                    format!("`{walked}` is not a `Sequential`, so it has no entry `{segment}`"),
                    "not a Sequential",
                ))
            }
        };
        let Some(at) = children.iter().position(|c| *c.name == *segment) else {
            let names: Vec<String> = children.iter().map(|c| format!("`{}`", c.name)).collect();
            return Err((
                format!(
                    "`{walked}` has no entry `{segment}`; its entries are {}",
                    names.join(", ")
                ),
                "no such entry",
            ));
        };
        walked.push('.');
        walked.push_str(segment);
        current = &mut children[at];
    }
    Ok(current)
}

/// What `chunk` gives: the split value, the chunk count and dimension (normalised), the count and
/// dimension as computed from constants where they are, and the shape of each piece.
struct ChunkPieces {
    input: ir::Expr,
    chunks: i64,
    dim: i64,
    dynamic: Vec<Option<ir::ArgExpr>>,
    shapes: Vec<Shape>,
}
