//! The syntax tree of a `.cnn` file. Every node keeps the byte span it was parsed from, so later
//! stages can point diagnostics at the exact source text.

use std::fmt;

pub use compact_str::CompactString;

/// A byte range in the source text. Offsets are 32-bit: the parser takes sources of up to
/// [`MAX_SOURCE_LEN`] bytes, which keeps every node of the tree small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

/// The longest source the parser takes, in bytes: the largest offset a [`Span`] holds.
pub const MAX_SOURCE_LEN: usize = u32::MAX as usize;

impl Span {
    /// Creates a span from byte offsets; an offset past [`MAX_SOURCE_LEN`] is held as that.
    pub fn new(start: usize, end: usize) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span { start: offset(start), end: offset(end) }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The byte range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        let range = span.range();
        (range.start, range.len()).into()
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

/// A name together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name itself; names of up to 24 bytes are stored inline.
    pub name: CompactString,
    /// Where it was written.
    pub span: Span,
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A whole `.cnn` file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The blocks, in source order.
    pub blocks: Vec<Block>,
    /// The models, in source order.
    pub models: Vec<Model>,
    /// The functions of constants, in source order.
    pub functions: Vec<Function>,
}

/// `fn make_divisible(v, divisor, min_value = divisor) { ...; value }`: a function of constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// The function's name.
    pub name: Ident,
    /// The parameters, in order; a default may use the parameters before it.
    pub params: Vec<BlockParam>,
    /// The `let` constants of the body, in order.
    pub lets: Vec<ConstLet>,
    /// The result.
    pub result: Value,
    /// The whole `fn` item.
    pub span: Span,
}

/// `model Name { ... }` or `model Name = Block(args) { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The model's name, which becomes the generated struct's name.
    pub name: Ident,
    /// For `model Name = Block(args) { ... }`, the block instance whose children and forward
    /// the model has.
    pub base: Option<LayerCall>,
    /// `input` declarations (a well-formed model has exactly one).
    pub inputs: Vec<Input>,
    /// The children, constants, conditions and loops, in declaration order.
    pub items: Vec<Item>,
    /// `forward` blocks (a well-formed model has at most one).
    pub forwards: Vec<Forward>,
    /// The rules of all `init` blocks, in source order.
    pub init: Vec<InitRule>,
    /// The whole `model` item.
    pub span: Span,
}

/// `block Name(params) { ... }`: a parametric module used like a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The block's name, which becomes the generated struct's name.
    pub name: Ident,
    /// The parameters, in order.
    pub params: Vec<BlockParam>,
    /// The children, constants, conditions and loops, in declaration order.
    pub items: Vec<Item>,
    /// `forward` blocks (at most one; without one the children run in order).
    pub forwards: Vec<Forward>,
    /// `input` declarations, which belong to models only.
    pub inputs: Vec<Input>,
    /// `init` rules, which belong to models only.
    pub init: Vec<InitRule>,
    /// The whole `block` item.
    pub span: Span,
}

/// A block parameter: `stride = 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockParam {
    /// The parameter's name.
    pub name: Ident,
    /// The default value, for optional parameters.
    pub default: Option<Value>,
    /// The whole parameter.
    pub span: Span,
}

/// An entry of a model, block or `Sequential` body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A child module.
    Child(Child),
    /// `let name = expr`: a compile-time constant.
    Let(ConstLet),
    /// `if cond { ... } else { ... }`: children that exist only when a condition holds.
    If(Box<IfItems>),
    /// `for i in start..end { ... }`: repeated children.
    For(Box<ForItems>),
}

/// `let hidden = inp * expand_ratio`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstLet {
    /// The constant's name.
    pub name: Ident,
    /// Its value.
    pub value: Value,
    /// The whole statement.
    pub span: Span,
}

/// `if cond { ... } else { ... }` among children.
#[derive(Debug, Clone, PartialEq)]
pub struct IfItems {
    /// The condition.
    pub cond: Value,
    /// The entries when it holds.
    pub then: Vec<Item>,
    /// The entries when it does not (empty without `else`).
    pub otherwise: Vec<Item>,
    /// The whole statement.
    pub span: Span,
}

/// `for i in start..end { ... }` or `for (a, b) in list { ... }` among children.
#[derive(Debug, Clone, PartialEq)]
pub struct ForItems {
    /// The loop variables: one (`_` when unused), or the names a tuple unpacks into.
    pub vars: Vec<Ident>,
    /// Whether the variables are written as a tuple, `(a, b)`, that unpacks each item.
    pub unpack: bool,
    /// What the loop goes over.
    pub over: Iteration,
    /// The repeated entries.
    pub body: Vec<Item>,
    /// The whole loop.
    pub span: Span,
}

/// What a `for` loop goes over.
#[derive(Debug, Clone, PartialEq)]
pub enum Iteration {
    /// `start..end`: the integers from `start` up to `end`, not included.
    Range {
        /// The first value.
        start: Value,
        /// One past the last value.
        end: Value,
    },
    /// The items of a list.
    Items(Value),
}

/// `input x: [N, 3, 32, 32]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The input's name.
    pub name: Ident,
    /// The declared dimensions.
    pub dims: Vec<Dim>,
    /// The bracketed shape.
    pub shape_span: Span,
    /// The whole declaration.
    pub span: Span,
}

/// One dimension of a declared shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Dim {
    /// A fixed size.
    Known(i64, Span),
    /// A size only known at run time, such as the batch size `N`.
    Symbolic(Ident),
}

/// A child module: `name = Conv2d(...)`, or an unnamed entry of a `Sequential`.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    /// The name, absent for unnamed `Sequential` entries; for a computed name, its text before
    /// the first number (`denselayer` of `denselayer{i + 1}`), spanning the whole name.
    pub name: Option<Ident>,
    /// Numbers computed into the name, each followed by more text: `(i + 1, "")` in
    /// `denselayer{i + 1}`, `(s, "-")` and `(i, "")` in `"block{s}-{i}"`.
    pub name_holes: Box<[(Value, String)]>,
    /// Whether the name is quoted (`"block1-0"`): any name PyTorch allows for a submodule.
    pub quoted: bool,
    /// What the child is.
    pub module: Module,
    /// The whole child declaration.
    pub span: Span,
}

/// The right-hand side of a child declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Module {
    /// A layer such as `Conv2d(3, 32, 3)`.
    Layer(LayerCall),
    /// `Sequential { ... }`.
    Sequential(Sequential),
}

impl Module {
    /// The span of the module expression.
    pub fn span(&self) -> Span {
        match self {
            Module::Layer(call) => call.span,
            Module::Sequential(seq) => seq.span,
        }
    }
}

/// `Sequential { ... }`, or `ModuleList { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequential {
    /// The `Sequential` or `ModuleList` keyword.
    pub keyword: Span,
    /// Whether it is a `ModuleList`: entries that `forward` calls by path, never in order.
    pub list: bool,
    /// The entries, in order.
    pub items: Vec<Item>,
    /// The whole block.
    pub span: Span,
}

/// A layer constructor call: `Conv2d(3, 32, 3, padding=1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCall {
    /// The layer kind, such as `Conv2d`.
    pub kind: Ident,
    /// The arguments, in source order.
    pub args: Vec<Arg>,
    /// The whole call.
    pub span: Span,
}

/// A positional or keyword argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The keyword, for `name=value` arguments.
    pub keyword: Option<Ident>,
    /// The value.
    pub value: Value,
    /// The whole argument.
    pub span: Span,
}

/// A literal argument value.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// An integer, such as `3` or `-1`.
    Int(i64),
    /// A float, such as `0.5` or `1e-5`.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A string, such as `"same"`.
    Str(String),
    /// A tuple, such as `(3, 5)`.
    Tuple(Vec<Value>),
    /// A list of constants, such as `[(1, 16), (6, 24)]`.
    List(Vec<Value>),
    /// `[item for vars in over]`: a list computed from another list or a range.
    Comprehension(Box<Comprehension>),
    /// An item of a list or tuple: `config[i]`, `pair[0]`.
    Index {
        /// The list or tuple.
        base: Box<Value>,
        /// The index (negative counts from the end, as in Python).
        index: Box<Value>,
    },
    /// `_`: a value the checker infers.
    Infer,
    /// `None`.
    None,
    /// A block parameter, `let` constant or loop variable.
    Name(String),
    /// `-x` or `!x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Value>,
    },
    /// A number function: `max(8, c)`, `round(c * 0.75)`.
    Call {
        /// The function's name (boxed, so that the variant is no larger than the others).
        name: Box<Ident>,
        /// Its arguments.
        args: Vec<Value>,
    },
    /// `if cond { a } else { b }`.
    Cond {
        /// The condition.
        cond: Box<Value>,
        /// The value when it holds.
        then: Box<Value>,
        /// The value when it does not.
        otherwise: Box<Value>,
    },
    /// `a + b`, `a == b`, `a && b`, ...
    Binary {
        /// The operator.
        op: ConstOp,
        /// The left operand.
        lhs: Box<Value>,
        /// The right operand.
        rhs: Box<Value>,
    },
}

/// `[item for vars in over if filter]`: a list computed from another list or a range (boxed in
/// [`ValueKind`], which it would otherwise make twice as large).
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    /// The value computed for each item.
    pub item: Value,
    /// The loop variables: one, or the names a tuple item unpacks into.
    pub vars: Vec<Ident>,
    /// Whether the variables are written as a tuple.
    pub unpack: bool,
    /// What it goes over.
    pub over: Iteration,
    /// `if cond`: the items for which it holds.
    pub filter: Option<Value>,
}

/// A unary operator of constant expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `!x`.
    Not,
}

/// A binary operator of constant expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`: floor division of two integers (Python's `//`), true division otherwise.
    Div,
    /// `%`: remainder with the divisor's sign, as in Python.
    Rem,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `&&`.
    And,
    /// `||`.
    Or,
}

impl ConstOp {
    /// How tightly the operator binds, loosest first: `||`, `&&`, comparisons, `+ -`, `* / %`.
    pub fn precedence(self) -> u8 {
        match self {
            ConstOp::Or => 1,
            ConstOp::And => 2,
            ConstOp::Eq | ConstOp::Ne | ConstOp::Lt | ConstOp::Le | ConstOp::Gt | ConstOp::Ge => 3,
            ConstOp::Add | ConstOp::Sub => 4,
            ConstOp::Mul | ConstOp::Div | ConstOp::Rem => 5,
        }
    }

    /// Whether the operator compares two numbers.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 3
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            ConstOp::Add => "+",
            ConstOp::Sub => "-",
            ConstOp::Mul => "*",
            ConstOp::Div => "/",
            ConstOp::Rem => "%",
            ConstOp::Eq => "==",
            ConstOp::Ne => "!=",
            ConstOp::Lt => "<",
            ConstOp::Le => "<=",
            ConstOp::Gt => ">",
            ConstOp::Ge => ">=",
            ConstOp::And => "&&",
            ConstOp::Or => "||",
        }
    }
}

impl ValueKind {
    /// A short description of the value's type, for diagnostics.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::Int(_) => "an integer",
            ValueKind::Float(_) => "a float",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::Str(_) => "a string",
            ValueKind::Tuple(_) => "a tuple",
            ValueKind::List(_) | ValueKind::Comprehension(_) => "a list",
            ValueKind::Infer => "`_`",
            ValueKind::None => "`None`",
            ValueKind::Name(_)
            | ValueKind::Unary { .. }
            | ValueKind::Binary { .. }
            | ValueKind::Call { .. }
            | ValueKind::Index { .. }
            | ValueKind::Cond { .. } => "an expression",
        }
    }
}

/// `forward(x) { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The parameter names.
    pub params: Vec<Ident>,
    /// `name = expr` statements, in order.
    pub lets: Vec<Let>,
    /// The expression whose value the model returns.
    pub result: Expr,
    /// Further outputs, for `(main, aux, ...)`.
    pub more_results: Vec<Expr>,
    /// The whole block.
    pub span: Span,
}

/// `name = expr` inside `forward`, or `a, b = chunk(...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// The bound name (the first, for several).
    pub name: Ident,
    /// Further names, for the pieces of a `chunk`.
    pub more_names: Vec<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// A forward expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A value name: the input or a `let`-bound value.
    Name(Ident),
    /// A child or functional op applied to values: `layer1(x)`, `flatten(x, 1)`, or a pipeline
    /// stage `x -> flatten(1)`, where the piped value is the first argument.
    Call(Call),
    /// `a + b`, `a - b`, `a * b` or `a / b`.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `-operand`.
    Neg {
        /// The negated value.
        operand: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// A number used as an operand, such as `0.5` in `x * 0.5`.
    Number(Value),
    /// `[a, b]`, as the first argument of `cat`.
    List(Vec<Expr>, Span),
    /// `x[:, 0]`: items or slices of dimensions, from the first.
    Index {
        /// The indexed value.
        input: Box<Expr>,
        /// One entry per dimension indexed.
        items: Vec<IndexItem>,
        /// The whole expression.
        span: Span,
    },
    /// `if cond { a } else { b }`, chosen by a constant condition.
    If {
        /// The condition, over block parameters.
        cond: Value,
        /// The value when it holds.
        then: Box<Expr>,
        /// The value when it does not.
        otherwise: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
}

/// One dimension of a tensor index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexItem {
    /// `0` or `-1`: one item, and the dimension goes.
    At(i64),
    /// `a:b`, `:b`, `a:` or `:`: a range of items (the end excluded), as Python slices them;
    /// `a:b:k` or `a::k` takes every `k`-th item of it.
    Slice {
        /// The first item, from the start without it.
        start: Option<i64>,
        /// The item after the last, to the end without it.
        end: Option<i64>,
        /// The step, 1 without it.
        step: i64,
    },
}

impl IndexItem {
    /// `:`, every item of its dimension.
    pub const ALL: IndexItem = IndexItem::Slice { start: None, end: None, step: 1 };
}

impl fmt::Display for IndexItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bound = |v: &Option<i64>| v.map_or(String::new(), |v| v.to_string());
        match self {
            IndexItem::At(i) => write!(f, "{i}"),
            IndexItem::Slice { start, end, step: 1 } => {
                write!(f, "{}:{}", bound(start), bound(end))
            }
            IndexItem::Slice { start, end, step } => {
                write!(f, "{}:{}:{step}", bound(start), bound(end))
            }
        }
    }
}

/// A binary operator of forward expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// Element-wise addition with broadcasting.
    Add,
    /// Element-wise subtraction with broadcasting.
    Sub,
    /// Element-wise multiplication with broadcasting.
    Mul,
    /// Element-wise true division with broadcasting.
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Whether it binds as `*` does rather than as `+`.
    pub fn is_multiplicative(self) -> bool {
        matches!(self, BinOp::Mul | BinOp::Div)
    }
}

impl Expr {
    /// The span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Name(ident) => ident.span,
            Expr::Call(call) => call.span,
            Expr::Binary { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Index { span, .. }
            | Expr::List(_, span)
            | Expr::If { span, .. } => *span,
            Expr::Number(value) => value.span,
        }
    }
}

/// An application of a child or functional op.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The child or op name, or a path to an entry of a `Sequential` child (`convs.0`).
    pub callee: Ident,
    /// The value piped in with `->`, if any.
    pub piped: Option<Box<Expr>>,
    /// The written arguments.
    pub args: Vec<CallArg>,
    /// For a pipeline stage, the stage itself (`flatten(1)`); otherwise the whole call.
    pub span: Span,
}

/// An argument of a forward call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallArg {
    /// The keyword, for `name=value` arguments.
    pub keyword: Option<Ident>,
    /// The argument.
    pub value: CallArgValue,
    /// The whole argument.
    pub span: Span,
}

/// A forward call argument: a constant or a tensor expression.
#[derive(Debug, Clone, PartialEq)]
pub enum CallArgValue {
    /// A literal, such as `1` in `flatten(1)`.
    Const(Value),
    /// A tensor value, such as `x` in `relu(x)`, or a number computed from constants.
    Expr(Expr),
    /// `(s, -s)`: a tuple of numbers computed from constants.
    Tuple(Vec<Expr>),
    /// `size(x, 2..)`: the sizes of a tensor value from dimension `start` to `end` (exclusive;
    /// the rank when absent), known at run time.
    SizesOf {
        /// The tensor value.
        tensor: Ident,
        /// The first dimension.
        start: i64,
        /// The dimension after the last, if given.
        end: Option<i64>,
        /// Whether it is one size, `size(x, 0)`, rather than a range, `size(x, 2..)`.
        single: bool,
    },
}

/// `Conv2d.weight = normal(0, 1)` or `layer1.conv1.bias = zeros`.
#[derive(Debug, Clone, PartialEq)]
pub struct InitRule {
    /// The dotted target, last segment being the parameter name.
    pub target: Vec<Ident>,
    /// The span of the whole target.
    pub target_span: Span,
    /// The initialiser, such as `normal`.
    pub init: Ident,
    /// The initialiser's arguments.
    pub args: Vec<Arg>,
    /// The whole initialiser call.
    pub init_span: Span,
    /// The whole rule.
    pub span: Span,
}
