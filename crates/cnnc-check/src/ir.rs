//! The checked intermediate representation: every child with its resolved arguments, parameters
//! and buffers, and the forward computation with the shape of every value. Code generators read
//! only this.

pub use cnnc_syntax::{BinOp, ConstOp, IndexItem, Span, UnaryOp};

use std::collections::HashMap;
use std::rc::Rc;

use crate::args::BoundArgs;
use crate::consts::{Const, ConstType};
use crate::layers::{DType, LayerSpec, TensorDef, TensorDims};
use crate::shape::{Shape, SizeRule};

/// A checked model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model's name as written, such as `SimpleCNN`.
    pub name: String,
    /// Where the model's name is written.
    pub name_span: Span,
    /// The declared input shape.
    pub input: Shape,
    /// The children, in declaration order.
    pub children: Vec<Node>,
    /// The forward computation.
    pub forward: Forward,
    /// Each layer and functional op in the order the forward pass runs them, with its output shape.
    pub trace: Vec<TraceRow>,
    /// The rules on the run-time input sizes (`H` in `[N, 3, H, W]`) beyond the declared rank
    /// and fixed sizes, each with what needs it.
    pub requirements: Vec<Requirement>,
    /// The blocks the model uses, each merged over every use in the file, in source order.
    pub blocks: Vec<BlockDef>,
    /// The functions of constants that the code of blocks calls, typed, for the whole file.
    pub functions: Vec<Function>,
    /// Warnings about the model: they do not stop a build.
    pub warnings: Vec<crate::Error>,
}

/// The `state_dict` name of tensor `name` of the layer at `path`: `conv1.weight`, or the path
/// itself for a bare `Parameter`, whose tensor has no name of its own.
pub fn tensor_path(path: &str, name: &str) -> String {
    if name.is_empty() {
        path.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A rule on a run-time input size, such as `H >= 32` or `H divisible by 16`.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// The rule.
    pub rule: SizeRule,
    /// The layer or operation that needs it, as in "`enc1.conv` (Conv2d)".
    pub needed_by: String,
    /// Where that layer or operation is.
    pub span: Span,
}

impl Model {
    /// The number of trainable parameter elements, as PyTorch counts them.
    pub fn num_parameters(&self) -> i64 {
        self.children
            .iter()
            .try_fold(0i64, |n, c| n.checked_add(c.checked_parameters()?))
            .unwrap_or(i64::MAX)
    }

    /// The output shape.
    pub fn output(&self) -> &Shape {
        &self.forward.result.shape
    }

    /// Every entry of PyTorch's `state_dict`: parameters and buffers with their full names,
    /// shapes and element types, and where the layer that holds each is declared. A module's
    /// own `Parameter`s come before its children's entries, as PyTorch lists them.
    pub fn state_dict(&self) -> Vec<StateEntry> {
        fn walk(nodes: &[Node], out: &mut Vec<StateEntry>) {
            let own =
                |n: &&Node| matches!(&n.body, NodeBody::Layer(l) if l.spec.name == "Parameter");
            let (parameters, children): (Vec<&Node>, Vec<&Node>) = nodes.iter().partition(own);
            for node in parameters.into_iter().chain(children) {
                match &node.body {
                    NodeBody::Layer(layer) => {
                        for tensor in &layer.tensors {
                            out.push(StateEntry {
                                name: tensor_path(&node.path, tensor.def.name),
                                dims: tensor.def.dims.to_vec(),
                                dtype: tensor.def.dtype,
                                span: node.span,
                            });
                        }
                    }
                    body => walk(body.children(), out),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.children, &mut out);
        out
    }

    /// The child at a dotted path such as `layer1.conv1`.
    pub fn node(&self, path: &str) -> Option<&Node> {
        let mut nodes: &[Node] = &self.children;
        let mut found = None;
        for segment in path.split('.') {
            let node = nodes.iter().find(|n| *n.name == *segment)?;
            nodes = node.body.children();
            found = Some(node);
        }
        found
    }
}

/// One entry of a model's `state_dict`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateEntry {
    /// The full name, such as `layer1.0.bn1.running_mean`.
    pub name: String,
    /// The shape.
    pub dims: Vec<i64>,
    /// The element type.
    pub dtype: crate::layers::DType,
    /// Where the layer that holds it is declared.
    pub span: Span,
}

/// A child module.
#[derive(Debug, Clone)]
pub struct Node {
    /// The local name (`conv1`, or `0` for an unnamed `Sequential` entry); shared with the
    /// forward expressions that call it.
    pub name: Rc<str>,
    /// The dotted path from the model, equal to PyTorch's module name (`layer1.conv1`); shared
    /// with the trace.
    pub path: Rc<str>,
    /// Where the child is declared (in a block, the declaration the first use came from).
    pub span: Span,
    /// What the child is.
    pub body: NodeBody,
}

impl Node {
    /// The number of trainable parameter elements in this child and its descendants.
    pub fn num_parameters(&self) -> i64 {
        self.checked_parameters().unwrap_or(i64::MAX)
    }

    /// The number of trainable parameter elements, or `None` when it does not fit in 64 bits
    /// (the checker rejects such models).
    pub fn checked_parameters(&self) -> Option<i64> {
        match &self.body {
            NodeBody::Layer(layer) => layer.checked_parameters(),
            body => {
                body.children().iter().try_fold(0i64, |n, c| n.checked_add(c.checked_parameters()?))
            }
        }
    }
}

/// The kinds of children.
#[derive(Debug, Clone)]
pub enum NodeBody {
    /// A layer from the catalogue.
    Layer(Layer),
    /// A `Sequential` of children that run in order.
    Sequential(Vec<Node>),
    /// A `ModuleList`: numbered children that `forward` calls by path.
    ModuleList(Vec<Node>),
    /// A use of a block.
    Block(BlockInstance),
}

impl NodeBody {
    /// The direct children (none for a layer).
    pub fn children(&self) -> &[Node] {
        match self {
            NodeBody::Layer(_) => &[],
            NodeBody::Sequential(children) | NodeBody::ModuleList(children) => children,
            NodeBody::Block(instance) => &instance.children,
        }
    }

    /// The direct children, mutably.
    pub fn children_mut(&mut self) -> &mut [Node] {
        match self {
            NodeBody::Layer(_) => &mut [],
            NodeBody::Sequential(children) | NodeBody::ModuleList(children) => children,
            NodeBody::Block(instance) => &mut instance.children,
        }
    }
}

/// One use of a block: `BasicBlock(64, 128, 2)`.
#[derive(Debug, Clone)]
pub struct BlockInstance {
    /// The block's name.
    pub block: String,
    /// The parameter values, in the block's parameter order (defaults filled in).
    pub args: Vec<Const>,
    /// The children this use has, after conditions and loops.
    pub children: Vec<Node>,
}

/// A block as its generated code sees it: parametric, with the checked parts of every use in
/// the file merged. Parts that no use reaches are [`BlockItem::Unreached`].
#[derive(Debug, Clone)]
pub struct BlockDef {
    /// The block's name.
    pub name: String,
    /// The parameters and their types, in order.
    pub params: Vec<(String, ConstType)>,
    /// The children, constants, conditions and loops.
    pub items: Vec<BlockItem>,
    /// The forward computation; `None` runs the children in order.
    pub forward: Option<Forward>,
    /// Constants the forward computation reads (in its conditions), with their types.
    pub forward_consts: Vec<(String, ConstType)>,
    /// Whether the children are unnamed and numbered, as in `Sequential`, and run in order.
    pub sequential: bool,
    /// Whether the children are unnamed and numbered, and the block's own `forward` runs them
    /// with `children(x)`, as a subclass of `nn.Sequential` with its own `forward` does.
    pub children_in_forward: bool,
}

/// An entry of a block body.
#[derive(Debug, Clone)]
pub enum BlockItem {
    /// A child; `name` is `None` for numbered children.
    Child {
        /// The name, for named children.
        name: Option<String>,
        /// Numbers computed into the name, each followed by more text, as in
        /// `denselayer{i + 1}` or `"block{s}-{i}"`.
        name_holes: Vec<(ConstExpr, String)>,
        /// Whether the child exists only under a condition.
        optional: bool,
        /// What the child is.
        module: BlockModule,
    },
    /// `let name = value`.
    Let {
        /// The constant's name.
        name: String,
        /// Its expression, of the constant's type.
        value: ConstExpr,
    },
    /// Entries that exist when `cond` holds, or else `otherwise`.
    If {
        /// The condition.
        cond: ConstExpr,
        /// Entries when it holds.
        then: Vec<BlockItem>,
        /// Entries when it does not.
        otherwise: Vec<BlockItem>,
    },
    /// Entries repeated for `var` in `start..end`.
    For {
        /// The loop variable (`_` when unused).
        var: String,
        /// The first value.
        start: ConstExpr,
        /// One past the last value.
        end: ConstExpr,
        /// The repeated entries.
        body: Vec<BlockItem>,
    },
    /// Entries repeated for each item of a list, unpacked into `vars` where `unpack` is set.
    ForEach {
        /// The loop variable, or the names a tuple item unpacks into (`_` when unused).
        vars: Vec<String>,
        /// Whether each item is a tuple unpacked into `vars`.
        unpack: bool,
        /// The list.
        items: ConstExpr,
        /// The repeated entries.
        body: Vec<BlockItem>,
    },
    /// Entries that no use of the block reaches, so they were never checked.
    Unreached,
}

/// A constant expression of a block, resolved: every name is a constant in scope (a block
/// parameter, `let` constant or loop variable) and every node has its type, so code generators
/// print it without interpreting it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstExpr {
    /// What is computed.
    pub kind: ConstExprKind,
    /// The type of the result.
    pub ty: ConstType,
}

/// The kinds of constant expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstExprKind {
    /// A literal.
    Literal(Const),
    /// A constant in scope.
    Name(String),
    /// An integer widened to a float, where a float is expected.
    ToFloat(Box<ConstExpr>),
    /// `-x` or `!x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<ConstExpr>,
    },
    /// Arithmetic with Python's semantics (`/` and `%` of integers floor), a comparison or a
    /// boolean operator. The operands of arithmetic and comparisons have one type.
    Binary {
        /// The operator.
        op: ConstOp,
        /// The left operand.
        lhs: Box<ConstExpr>,
        /// The right operand.
        rhs: Box<ConstExpr>,
    },
    /// A number function, its arguments converted to the type it computes in.
    Call {
        /// The function.
        func: crate::functions::ConstFn,
        /// The arguments.
        args: Vec<ConstExpr>,
    },
    /// A call of a function of constants: the typed function named `name` in
    /// [`Model::functions`], with every argument (defaults filled in).
    UserCall {
        /// The typed function's name.
        name: String,
        /// The arguments, one per parameter.
        args: Vec<ConstExpr>,
    },
    /// A tuple.
    Tuple(Vec<ConstExpr>),
    /// A list, its items of the list's item type.
    List(Vec<ConstExpr>),
    /// An item of a list: `config[i]` (a negative index counts from the end).
    Index {
        /// The list.
        base: Box<ConstExpr>,
        /// The index, an integer.
        index: Box<ConstExpr>,
    },
    /// An item of a tuple, by its position (Rust's `pair.0`).
    Field {
        /// The tuple.
        base: Box<ConstExpr>,
        /// The position.
        index: usize,
    },
    /// The length of a list.
    Len(Box<ConstExpr>),
    /// The sum of a list of numbers.
    Sum(Box<ConstExpr>),
    /// `[item for vars in over]`.
    Comprehension {
        /// The value for each item.
        item: Box<ConstExpr>,
        /// The loop variables (`_` when unused).
        vars: Vec<String>,
        /// Whether each item is a tuple unpacked into `vars`.
        unpack: bool,
        /// What it goes over.
        over: Box<Over>,
        /// The condition an item must meet, if any.
        filter: Option<Box<ConstExpr>>,
    },
    /// `if cond { then } else { otherwise }`, with both branches of the result's type.
    Cond {
        /// The condition.
        cond: Box<ConstExpr>,
        /// The value when it holds.
        then: Box<ConstExpr>,
        /// The value when it does not.
        otherwise: Box<ConstExpr>,
    },
}

impl ConstExpr {
    /// Item `index` of a tuple-valued expression.
    pub fn field(self, index: usize) -> ConstExpr {
        let ty = match &self.ty {
            ConstType::Tuple(items) => items.get(index).cloned().unwrap_or(ConstType::Int),
            other => other.clone(),
        };
        match self.kind {
            ConstExprKind::Tuple(mut items) if index < items.len() => items.swap_remove(index),
            ConstExprKind::Literal(Const::Tuple(items)) if index < items.len() => {
                ConstExpr { kind: ConstExprKind::Literal(items[index].clone()), ty }
            }
            kind => ConstExpr {
                kind: ConstExprKind::Field {
                    base: Box::new(ConstExpr { kind, ty: self.ty }),
                    index,
                },
                ty,
            },
        }
    }

    /// The expression converted to `ty`: an integer widens to a float, also inside tuples and
    /// list literals; other types stay.
    pub fn converted(self, ty: &ConstType) -> ConstExpr {
        if self.ty == *ty {
            return self;
        }
        match (&self.ty, ty) {
            (ConstType::Int, ConstType::Float) => match self.kind {
                ConstExprKind::Literal(Const::Int(n)) => ConstExpr {
                    kind: ConstExprKind::Literal(Const::Float(n as f64)),
                    ty: ty.clone(),
                },
                kind => ConstExpr {
                    kind: ConstExprKind::ToFloat(Box::new(ConstExpr { kind, ty: ConstType::Int })),
                    ty: ty.clone(),
                },
            },
            (ConstType::Tuple(have), ConstType::Tuple(want)) if have.len() == want.len() => {
                let want = want.clone();
                let items =
                    (0..want.len()).map(|i| self.clone().field(i).converted(&want[i])).collect();
                ConstExpr { kind: ConstExprKind::Tuple(items), ty: ty.clone() }
            }
            (ConstType::List(_), ConstType::List(item)) => match self.kind {
                ConstExprKind::List(items) => ConstExpr {
                    kind: ConstExprKind::List(
                        items.into_iter().map(|i| i.converted(item)).collect(),
                    ),
                    ty: ty.clone(),
                },
                // The checker gives a list one item type in every use.
                kind => ConstExpr { kind, ty: self.ty },
            },
            _ => self,
        }
    }

    /// The expression with the constants named in `values` replaced by those expressions.
    pub fn substituted<S: std::hash::BuildHasher + Clone>(
        self,
        values: &HashMap<String, ConstExpr, S>,
    ) -> ConstExpr {
        let sub = |e: Box<ConstExpr>| Box::new(e.substituted(values));
        let all =
            |items: Vec<ConstExpr>| items.into_iter().map(|i| i.substituted(values)).collect();
        let kind = match self.kind {
            ConstExprKind::Name(name) => match values.get(&name) {
                Some(value) => return value.clone(),
                None => ConstExprKind::Name(name),
            },
            ConstExprKind::Literal(c) => ConstExprKind::Literal(c),
            ConstExprKind::ToFloat(e) => ConstExprKind::ToFloat(sub(e)),
            ConstExprKind::Unary { op, operand } => {
                ConstExprKind::Unary { op, operand: sub(operand) }
            }
            ConstExprKind::Binary { op, lhs, rhs } => {
                ConstExprKind::Binary { op, lhs: sub(lhs), rhs: sub(rhs) }
            }
            ConstExprKind::Call { func, args } => ConstExprKind::Call { func, args: all(args) },
            ConstExprKind::UserCall { name, args } => {
                ConstExprKind::UserCall { name, args: all(args) }
            }
            ConstExprKind::Tuple(items) => ConstExprKind::Tuple(all(items)),
            ConstExprKind::List(items) => ConstExprKind::List(all(items)),
            ConstExprKind::Index { base, index } => {
                ConstExprKind::Index { base: sub(base), index: sub(index) }
            }
            ConstExprKind::Field { base, index } => ConstExprKind::Field { base: sub(base), index },
            ConstExprKind::Len(e) => ConstExprKind::Len(sub(e)),
            ConstExprKind::Sum(e) => ConstExprKind::Sum(sub(e)),
            ConstExprKind::Comprehension { item, vars, unpack, over, filter } => {
                // The loop variables shadow the constants of the same names.
                let mut inner = values.clone();
                for var in &vars {
                    inner.remove(var);
                }
                let over = Box::new(match *over {
                    Over::Range(a, b) => Over::Range(a.substituted(values), b.substituted(values)),
                    Over::Items(list) => Over::Items(list.substituted(values)),
                });
                let item = Box::new(item.substituted(&inner));
                let filter = filter.map(|cond| Box::new(cond.substituted(&inner)));
                ConstExprKind::Comprehension { item, vars, unpack, over, filter }
            }
            ConstExprKind::Cond { cond, then, otherwise } => {
                ConstExprKind::Cond { cond: sub(cond), then: sub(then), otherwise: sub(otherwise) }
            }
        };
        ConstExpr { kind, ty: self.ty }
    }

    /// Adds the names of the constants the expression reads to `out`, once each.
    pub fn names(&self, out: &mut Vec<String>) {
        match &self.kind {
            ConstExprKind::Literal(_) => {}
            ConstExprKind::Name(name) => {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
            ConstExprKind::ToFloat(operand)
            | ConstExprKind::Unary { operand, .. }
            | ConstExprKind::Field { base: operand, .. }
            | ConstExprKind::Len(operand)
            | ConstExprKind::Sum(operand) => operand.names(out),
            ConstExprKind::Comprehension { item, vars, over, filter, .. } => {
                match &**over {
                    Over::Range(a, b) => {
                        a.names(out);
                        b.names(out);
                    }
                    Over::Items(list) => list.names(out),
                }
                let mut inside = Vec::new();
                item.names(&mut inside);
                if let Some(cond) = filter {
                    cond.names(&mut inside);
                }
                for name in inside {
                    if !vars.contains(&name) && !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
            ConstExprKind::Binary { lhs, rhs, .. }
            | ConstExprKind::Index { base: lhs, index: rhs } => {
                lhs.names(out);
                rhs.names(out);
            }
            ConstExprKind::Call { args, .. }
            | ConstExprKind::UserCall { args, .. }
            | ConstExprKind::Tuple(args)
            | ConstExprKind::List(args) => args.iter().for_each(|a| a.names(out)),
            ConstExprKind::Cond { cond, then, otherwise } => {
                cond.names(out);
                then.names(out);
                otherwise.names(out);
            }
        }
    }
}

/// What a list comprehension goes over.
#[derive(Debug, Clone, PartialEq)]
pub enum Over {
    /// The integers from the first up to the second, not included.
    Range(ConstExpr, ConstExpr),
    /// The items of a list.
    Items(ConstExpr),
}

/// A function of constants as generated code has it: typed for one list of argument types.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// The name in generated code: the source name, with a number for further typings.
    pub name: String,
    /// The parameters and their types.
    pub params: Vec<(String, ConstType)>,
    /// The `let` constants of the body, in order.
    pub lets: Vec<(String, ConstExpr)>,
    /// The result.
    pub result: ConstExpr,
}

/// A layer argument computed from constants: one value, or a tuple such as `(k, 1)`.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgExpr {
    /// One value.
    One(ConstExpr),
    /// A tuple of values.
    Tuple(Vec<ConstExpr>),
}

/// A child of a block body.
#[derive(Debug, Clone)]
pub enum BlockModule {
    /// A layer; `dynamic[i]` is the expression of argument `i` where it depends on constants.
    Layer {
        /// The layer as one use of the block resolved it.
        layer: Layer,
        /// Per parameter of the layer, the expression it is computed from, if not a literal.
        dynamic: Vec<Option<ArgExpr>>,
    },
    /// A use of another block, with its argument expressions in parameter order.
    Block {
        /// The block's name.
        name: String,
        /// The argument expressions (defaults as literals), of the parameters' types.
        args: Vec<ConstExpr>,
    },
    /// A `Sequential`.
    Sequential(Vec<BlockItem>),
    /// A `ModuleList`.
    ModuleList(Vec<BlockItem>),
}

/// A layer with every argument resolved (defaults filled in, `_` inferred).
#[derive(Debug, Clone)]
pub struct Layer {
    /// The catalogue entry.
    pub spec: &'static LayerSpec,
    /// The arguments.
    pub args: BoundArgs,
    /// Parameters and buffers, in PyTorch's registration order.
    pub tensors: Vec<Tensor>,
}

impl Layer {
    /// The number of trainable parameter elements.
    pub fn num_parameters(&self) -> i64 {
        self.checked_parameters().unwrap_or(i64::MAX)
    }

    /// The number of trainable parameter elements, or `None` when it does not fit in 64 bits.
    pub fn checked_parameters(&self) -> Option<i64> {
        self.tensors
            .iter()
            .filter(|t| t.def.kind == crate::layers::TensorKind::Parameter)
            .try_fold(0i64, |n, t| n.checked_add(t.def.checked_numel()?))
    }
}

/// A parameter or buffer and how it is initialised.
#[derive(Debug, Clone)]
pub struct Tensor {
    /// Name, shape, kind and element type.
    pub def: TensorDef,
    /// The distribution chosen by an `init` rule; `None` keeps PyTorch's default.
    pub init: Option<InitDist>,
}

impl Tensor {
    /// A float parameter, initialised as PyTorch does by default.
    pub fn parameter(name: &'static str, dims: TensorDims) -> Tensor {
        Tensor { def: TensorDef::parameter(name, dims), init: None }
    }

    /// A buffer.
    pub fn buffer(name: &'static str, dims: TensorDims, dtype: DType) -> Tensor {
        Tensor { def: TensorDef::buffer(name, dims, dtype), init: None }
    }
}

/// An initial distribution, with every fan and gain already computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InitDist {
    /// Every element equals the value.
    Const(f64),
    /// Normal distribution.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Uniform distribution on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

/// The forward computation.
#[derive(Debug, Clone)]
pub struct Forward {
    /// The name of the input value.
    pub input: String,
    /// The names of further inputs, for a block's `forward(x, skip)`.
    pub more_inputs: Vec<String>,
    /// Named intermediate values, in order.
    pub lets: Vec<(Rc<str>, Expr)>,
    /// The returned value.
    pub result: Expr,
    /// Further outputs, such as auxiliary heads: `(result, more...)`.
    pub more_results: Vec<Expr>,
}

/// A forward expression with its shape.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What is computed.
    pub kind: ExprKind,
    /// The shape of the result.
    pub shape: Shape,
}

/// The kinds of forward expressions.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A named value: the input or an intermediate.
    Value(Rc<str>),
    /// A top-level child applied to a value (or, for a block's `forward(x, skip)`, several).
    Child {
        /// The child's name (its [`Node::name`]).
        name: Rc<str>,
        /// The argument.
        input: Box<Expr>,
        /// Further arguments, for a block with several inputs.
        more_inputs: Vec<Expr>,
        /// How many tensors it gives: more than one for a block with several outputs, whose
        /// call is bound to a hidden name that [`ExprKind::Output`]s read.
        outputs: usize,
    },
    /// Top-level children applied one after another, as a body without `forward` runs them:
    /// what [`ExprKind::Child`] calls nested one in another compute, kept as a list (see
    /// [`chain_calls`]).
    Chain {
        /// The value the first child is applied to.
        input: Box<Expr>,
        /// The children, in order.
        links: Vec<Link>,
    },
    /// A functional op applied to a value.
    Op {
        /// The op.
        op: Op,
        /// The argument.
        input: Box<Expr>,
        /// For each argument of the op (in signature order) that a block computes from its
        /// constants, its expression (`scale_factor=s`, `reshape(-1, c / 2, h, w)`); the op holds
        /// this use's values. Empty where every argument is written as a number.
        dynamic: Vec<Option<ArgExpr>>,
    },
    /// A `Parameter` child of the model or block, used as a value.
    Param(String),
    /// A number, as an operand of an arithmetic operator.
    Scalar(f64),
    /// A constant (a block parameter or `let`), as an operand of an arithmetic operator.
    Constant {
        /// The constant's name.
        name: String,
        /// Its value in this use.
        value: Const,
    },
    /// `-input`, of a tensor or a number.
    Neg(Box<Expr>),
    /// `lhs op rhs` for `+ - * /`, with broadcasting.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `F.interpolate(input, size=like.shape[start:end], ...)`: resampling to the sizes of
    /// another value, known at run time.
    Resize {
        /// The `Upsample` layer whose mode and `align_corners` apply; its `size` is unset.
        layer: Box<Layer>,
        /// The resampled value.
        input: Box<Expr>,
        /// The value whose sizes it takes.
        like: Box<Expr>,
        /// The first of `like`'s dimensions taken.
        start: usize,
        /// The dimension after the last one taken.
        end: usize,
    },
    /// `children(x)`: the block's unnamed children in order, in its own `forward`.
    Children(Box<Expr>),
    /// `input.expand(sizes)`: a view repeated along dimensions of size 1.
    Expand {
        /// The expanded value.
        input: Box<Expr>,
        /// The sizes, one per dimension of the result.
        sizes: Vec<ExpandSize>,
    },
    /// `torch.cat(inputs, dim)`.
    Cat {
        /// The tensors, in order.
        inputs: Vec<Expr>,
        /// The dimension they are joined along, normalised to be non-negative.
        dim: i64,
        /// `dim` as computed from the block's constants, where it is (`dim=d`).
        dynamic: Vec<Option<ArgExpr>>,
    },
    /// `torch.chunk(input, chunks, dim)`: a list of tensors, bound to a hidden name whose pieces
    /// are [`ExprKind::Piece`]s.
    Chunk {
        /// The split tensor.
        input: Box<Expr>,
        /// The number of chunks asked for.
        chunks: i64,
        /// The dimension, normalised to be non-negative.
        dim: i64,
        /// The chunk count and dimension as computed from the block's constants, where they are.
        dynamic: Vec<Option<ArgExpr>>,
    },
    /// Output `index` of the block call bound to `source`.
    Output {
        /// The name the outputs are bound to.
        source: Rc<str>,
        /// Which output.
        index: usize,
    },
    /// Piece `index` of the chunks bound to `source`.
    Piece {
        /// The name the chunks are bound to.
        source: Rc<str>,
        /// Which piece.
        index: usize,
    },
    /// `if cond { then } else { otherwise }` over constants. A branch that no checked use
    /// takes is `None`.
    If {
        /// The condition.
        cond: ConstExpr,
        /// The value when it holds.
        then: Option<Box<Expr>>,
        /// The value when it does not.
        otherwise: Option<Box<Expr>>,
    },
}

/// A child of an [`ExprKind::Chain`].
#[derive(Debug, Clone)]
pub struct Link {
    /// The child's name (its [`Node::name`]).
    pub name: Rc<str>,
    /// The shape of its output.
    pub shape: Shape,
}

impl ExprKind {
    /// Whether this is a number rather than a tensor.
    pub fn is_number(&self) -> bool {
        match self {
            ExprKind::Scalar(_) | ExprKind::Constant { .. } => true,
            ExprKind::Neg(operand) => operand.kind.is_number(),
            _ => false,
        }
    }
}

impl Expr {
    /// Adds the branches that `other`, the same expression checked for another use of a block,
    /// took and `self` did not.
    pub fn merge(&mut self, other: &Expr) {
        let merge_box = |a: &mut Box<Expr>, b: &Expr| a.merge(b);
        match (&mut self.kind, &other.kind) {
            (
                ExprKind::If { then, otherwise, .. },
                ExprKind::If { then: t2, otherwise: o2, .. },
            ) => {
                for (mine, theirs) in [(then, t2), (otherwise, o2)] {
                    match (mine.as_mut(), theirs) {
                        (Some(a), Some(b)) => merge_box(a, b),
                        (None, Some(b)) => *mine = Some(b.clone()),
                        _ => {}
                    }
                }
            }
            (
                ExprKind::Child { input, more_inputs, .. },
                ExprKind::Child { input: i2, more_inputs: m2, .. },
            ) => {
                merge_box(input, i2);
                for (a, b) in more_inputs.iter_mut().zip(m2) {
                    a.merge(b);
                }
            }
            (ExprKind::Neg(input), ExprKind::Neg(i2))
            | (ExprKind::Chain { input, .. }, ExprKind::Chain { input: i2, .. })
            | (ExprKind::Children(input), ExprKind::Children(i2))
            | (ExprKind::Op { input, .. }, ExprKind::Op { input: i2, .. })
            | (ExprKind::Chunk { input, .. }, ExprKind::Chunk { input: i2, .. }) => {
                merge_box(input, i2)
            }
            (ExprKind::Binary { lhs, rhs, .. }, ExprKind::Binary { lhs: l2, rhs: r2, .. }) => {
                merge_box(lhs, l2);
                merge_box(rhs, r2);
            }
            (
                ExprKind::Resize { input, like, .. },
                ExprKind::Resize { input: i2, like: l2, .. },
            ) => {
                merge_box(input, i2);
                merge_box(like, l2);
            }
            (ExprKind::Cat { inputs, .. }, ExprKind::Cat { inputs: i2, .. }) => {
                for (a, b) in inputs.iter_mut().zip(i2) {
                    a.merge(b);
                }
            }
            _ => {}
        }
    }
}

impl Forward {
    /// The computation of a body without `forward`: `links` applied in order to the value
    /// `input`, named `{input}_1`, `{input}_2`, ... after every `stretch` links.
    pub fn chain(input: String, links: Vec<Link>, stretch: usize) -> Forward {
        let value = |name: Rc<str>| Expr { kind: ExprKind::Value(name), shape: Shape::scalar() };
        let mut lets = Vec::new();
        let mut result = value(input.as_str().into());
        let mut links = links.into_iter().peekable();
        while links.peek().is_some() {
            let links_here: Vec<Link> = links.by_ref().take(stretch.max(1)).collect();
            let shape = links_here.last().map_or(Shape::scalar(), |l| l.shape.clone());
            let kind = ExprKind::Chain { input: Box::new(result), links: links_here };
            result = Expr { kind, shape };
            if links.peek().is_some() {
                let name: Rc<str> = format!("{input}_{}", lets.len() + 1).into();
                lets.push((name.clone(), std::mem::replace(&mut result, value(name))));
            }
        }
        Forward { input, more_inputs: Vec::new(), lets, result, more_results: Vec::new() }
    }

    /// For a computation built by [`Forward::chain`], its links in order; `None` for any other.
    pub fn chain_links(&self) -> Option<Vec<Link>> {
        let stretches = self.lets.iter().map(|(_, value)| value).chain([&self.result]);
        let mut links = Vec::new();
        for stretch in stretches {
            match &stretch.kind {
                ExprKind::Chain { links: more, .. } => links.extend(more.iter().cloned()),
                ExprKind::Value(name) if self.lets.is_empty() && **name == self.input => {}
                _ => return None,
            }
        }
        Some(links)
    }

    /// Merges the forward computation of another use of the same block.
    pub fn merge(&mut self, other: &Forward) {
        for ((_, a), (_, b)) in self.lets.iter_mut().zip(&other.lets) {
            a.merge(b);
        }
        self.result.merge(&other.result);
        for (a, b) in self.more_results.iter_mut().zip(&other.more_results) {
            a.merge(b);
        }
    }
}

/// Functional ops of the forward language.
#[derive(Debug, Clone)]
pub enum Op {
    /// `torch.flatten(x, start_dim, end_dim)`.
    Flatten {
        /// First dimension to merge.
        start_dim: i64,
        /// Last dimension to merge.
        end_dim: i64,
    },
    /// A parameter-free layer used as a function, such as `sigmoid` (`Sigmoid`) or
    /// `interpolate` (`Upsample`).
    Layer(Box<Layer>),
    /// `x.reshape(shape)`, where one size may be -1.
    Reshape(Vec<i64>),
    /// `x.permute(dims)`.
    Permute(Vec<i64>),
    /// `x.transpose(dim0, dim1)`.
    Transpose(i64, i64),
    /// `torch.roll(x, shifts, dims)`.
    Roll {
        /// How far each dimension rolls.
        shifts: Vec<i64>,
        /// The rolled dimensions.
        dims: Vec<i64>,
    },
    /// `x.mean(dims, keepdim)`.
    Mean {
        /// The reduced dimensions.
        dims: Vec<i64>,
        /// Whether they stay as size 1.
        keepdim: bool,
    },
    /// `x[:, 0]`: items or slices of the leading dimensions.
    Index(Vec<IndexItem>),
}

/// The [`ExprKind::Child`] calls that an [`ExprKind::Chain`] of `links` on `input` stands for,
/// each on the result of the one before (the last call outermost).
pub fn chain_calls(input: &Expr, links: &[Link]) -> Expr {
    links.iter().fold(input.clone(), |input, link| Expr {
        kind: ExprKind::Child {
            name: link.name.clone(),
            input: Box::new(input),
            more_inputs: Vec::new(),
            outputs: 1,
        },
        shape: link.shape.clone(),
    })
}

/// For a call of entry `name` (`features.4`) on `input`, where `input` is entry 3 applied to
/// entry 2 and so on (what `features[2..5](x)` is): the first and last entries of that run and the
/// value it is applied to; `None` for a single entry. Generators write such a run as one slice of
/// the `Sequential`.
pub fn entry_run<'e>(name: &str, input: &'e Expr) -> Option<(usize, usize, &'e Expr)> {
    let (owner, entry) = name.split_once('.')?;
    let last: usize = entry.parse().ok()?;
    let (mut first, mut base) = (last, input);
    while let ExprKind::Child { name: inner, input: next, more_inputs, outputs: 1 } = &base.kind {
        if first == 0 || !more_inputs.is_empty() || **inner != format!("{owner}.{}", first - 1) {
            break;
        }
        first -= 1;
        base = next;
    }
    (first != last).then_some((first, last, base))
}

/// A size of `expand`.
#[derive(Debug, Clone)]
pub enum ExpandSize {
    /// A number; -1 keeps the input's size.
    Fixed(i64),
    /// `size(x, d)`: a size of another value, read at run time.
    Of(Box<Expr>, usize),
}

/// One line of the forward trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    /// A layer's path (`layer1.conv1`) or an op as written (`flatten(1)`). A layer's call with
    /// its resolved arguments is that of its node: [`crate::args::BoundArgs::call_text`]. Shared
    /// with the notes of the checker's messages.
    pub name: Rc<str>,
    /// The output shape.
    pub output: Shape,
    /// Trainable parameter elements of the layer (0 for ops and repeated calls).
    pub parameters: i64,
}

/// A count with thousands separators, as parameter counts are printed: `1,175,818`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
