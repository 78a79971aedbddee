//! The checked intermediate representation: every child with its resolved arguments, parameters
//! and buffers, and the forward computation with the shape of every value. Code generators read
//! only this.

pub use cnnc_syntax::BinOp;

use crate::args::BoundArgs;
use crate::layers::{LayerSpec, TensorDef};
use crate::shape::Shape;

/// A checked model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model's name as written, such as `SimpleCNN`.
    pub name: String,
    /// The declared input shape.
    pub input: Shape,
    /// The children, in declaration order.
    pub children: Vec<Node>,
    /// The forward computation.
    pub forward: Forward,
    /// Each layer and functional op in the order the forward pass runs them, with its output shape.
    pub trace: Vec<TraceRow>,
}

impl Model {
    /// The number of trainable parameter elements, as PyTorch counts them.
    pub fn num_parameters(&self) -> i64 {
        self.children.iter().map(Node::num_parameters).sum()
    }

    /// The output shape.
    pub fn output(&self) -> &Shape {
        &self.forward.result.shape
    }

    /// The child at a dotted path such as `layer1.conv1`.
    pub fn node(&self, path: &str) -> Option<&Node> {
        let mut nodes: &[Node] = &self.children;
        let mut found = None;
        for segment in path.split('.') {
            let node = nodes.iter().find(|n| n.name == segment)?;
            nodes = match &node.body {
                NodeBody::Sequential(children) => children,
                NodeBody::Layer(_) => &[],
            };
            found = Some(node);
        }
        found
    }
}

/// A child module.
#[derive(Debug, Clone)]
pub struct Node {
    /// The local name (`conv1`, or `0` for an unnamed `Sequential` entry).
    pub name: String,
    /// The dotted path from the model, equal to PyTorch's module name (`layer1.conv1`).
    pub path: String,
    /// What the child is.
    pub body: NodeBody,
}

impl Node {
    /// The number of trainable parameter elements in this child and its descendants.
    pub fn num_parameters(&self) -> i64 {
        match &self.body {
            NodeBody::Layer(layer) => layer.num_parameters(),
            NodeBody::Sequential(children) => children.iter().map(Node::num_parameters).sum(),
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
        self.tensors
            .iter()
            .filter(|t| t.def.kind == crate::layers::TensorKind::Parameter)
            .map(|t| t.def.numel())
            .sum()
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
    /// Named intermediate values, in order.
    pub lets: Vec<(String, Expr)>,
    /// The returned value.
    pub result: Expr,
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
    Value(String),
    /// A top-level child applied to a value.
    Child {
        /// The child's name.
        name: String,
        /// The argument.
        input: Box<Expr>,
    },
    /// A functional op applied to a value.
    Op {
        /// The op.
        op: Op,
        /// The argument.
        input: Box<Expr>,
    },
    /// A number, as an operand of `+` or `*`.
    Scalar(f64),
    /// `lhs + rhs` or `lhs * rhs`, with broadcasting.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `torch.cat(inputs, dim)`.
    Cat {
        /// The tensors, in order.
        inputs: Vec<Expr>,
        /// The dimension they are joined along, normalised to be non-negative.
        dim: i64,
    },
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
    Layer(Layer),
    /// `x.reshape(shape)`, where one size may be -1.
    Reshape(Vec<i64>),
    /// `x.permute(dims)`.
    Permute(Vec<i64>),
    /// `x.transpose(dim0, dim1)`.
    Transpose(i64, i64),
    /// `x.mean(dims, keepdim)`.
    Mean {
        /// The reduced dimensions.
        dims: Vec<i64>,
        /// Whether they stay as size 1.
        keepdim: bool,
    },
}

/// One line of the forward trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    /// A layer's path (`layer1.conv1`) or an op as written (`flatten(1)`).
    pub name: String,
    /// The layer call with its resolved arguments, such as `Conv2d(3, 32, 3, padding=1)`.
    pub detail: String,
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
