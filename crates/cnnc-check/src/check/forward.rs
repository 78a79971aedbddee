//! The forward computation of a model or block: named values, calls of children and functions,
//! `+`/`*`, `cat`, `chunk`, conditions, with the shape of every value.

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

impl<'a> ModelChecker<'a, '_> {
    /// Checks a forward computation (or the children in order, without one) on `input`, over
    /// the current children and constants.
    pub(super) fn forward(
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
            let note = Note::Text(format!("piece {index} of `chunk` is {shape}"));
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
                        .with_related(flow.span, flow.note())
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
                    let note = Note::Text(format!("parameter `{path}` is {shape}"));
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
                    } else if self.child_index.contains_key(&ident.name) {
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
                let types = self.env.iter().map(|(n, c)| (n.clone(), c.ty())).collect();
                let cond = consts::resolve(cond, &types);
                let kind = ir::ExprKind::If { cond, then, otherwise };
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
                    note: Note::Text(format!("the number {x:?}")),
                };
                Some((flow, ir::Expr { kind: ir::ExprKind::Scalar(x), shape: Shape(Vec::new()) }))
            }
            ast::Expr::Name(ident) if !env.contains_key(&ident.name) => {
                match this.env.get(&ident.name).copied() {
                    Some(value @ (Const::Int(_) | Const::Float(_))) => {
                        let flow = Flow {
                            shape: Shape(Vec::new()),
                            span: ident.span,
                            note: Note::Text(format!("the constant `{}` = {value}", ident.name)),
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
                    .with_related(lflow.span, format!("left: {}", lflow.note()))
                    .with_related(rflow.span, format!("right: {}", rflow.note()))
                    .with_help("make the sizes equal, or 1 where one side should repeat"),
                );
                return None;
            }
        };
        self.require_elements(&shape, symbol, span)?;
        let note = Note::Text(format!("`{symbol}` gives {shape}"));
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
        if call.callee.name == "cat" && !self.child_index.contains_key("cat") {
            return self.eval_cat(call, env);
        }
        if call.callee.name == "chunk" && !self.child_index.contains_key("chunk") {
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
        let parameter = self.child_index.get(&callee.name).map(|&i| &self.children[i]).filter(
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
        if let Some(&index) = self.child_index.get(&callee.name) {
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
                    error = error.with_related(flow.span, flow.note());
                }
                self.errors.push(
                    error.with_help("all sizes must match except along the joined dimension"),
                );
                return None;
            }
        };
        let inputs = evaluated.into_iter().map(|(_, e)| e).collect();
        let note = Note::Text(format!("cat along dimension {d} gives {shape}"));
        self.require_elements(&shape, "cat", call.span)?;
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
        let node = &mut self.children[*self.child_index.get(name)?];
        match &node.body {
            BodyState::Layer { spec, args: Some(args) } if spec.name == "Parameter" => {
                node.called = true;
                let dims = args.ints("shape").iter().map(|&n| Dim::Known(n)).collect();
                Some((Shape(dims), node.path.clone()))
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

/// For `+` and `*` over integer literals (`16 * 5 * 5`), the value (`None` when it overflows) and
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
                ast::BinOp::Mul => (a.zip(b).and_then(|(a, b)| a.checked_mul(b)), "×"),
            };
            Some((value, format!("{left} {symbol} {right}")))
        }
        _ => None,
    }
}
