//! The picture of a network as Graphviz DOT: one node per child, functional op and operator of
//! the model's forward pass, the shape of every value on the edge that carries it, each
//! `Sequential` drawn as a cluster of its layers (down to a depth), and each block as one node
//! named after its block. Graphviz's `dot` lays it out (`dot -Tsvg`).

use std::collections::HashMap;
use std::fmt::Write as _;

use cnnc_check::shape::Shape;

use crate::ir;

/// The DOT text of a model; `Sequential`s nested deeper than `depth` are drawn as one node.
pub fn dot(model: &ir::Model, depth: usize) -> String {
    let mut shapes = HashMap::new();
    for row in &model.trace {
        shapes.insert(&*row.name, &row.output);
    }
    let mut graph =
        Graph { model, depth, shapes, out: String::new(), nodes: 0, values: HashMap::new() };
    graph.out.push_str(&format!(
        "digraph {} {{\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        quote(&model.name)
    ));
    let input = graph.node(&format!("input {}\n{}", model.forward.input, model.input), "ellipse");
    graph.values.insert(model.forward.input.clone(), (input, model.input.clone()));
    for (name, value) in &model.forward.lets {
        let (id, shape) = graph.expr(value);
        graph.values.insert(name.to_string(), (id, shape));
    }
    let results = std::iter::once(&model.forward.result).chain(&model.forward.more_results);
    for (i, result) in results.enumerate() {
        let (id, shape) = graph.expr(result);
        let label = if i == 0 { "output".to_string() } else { format!("output {}", i + 1) };
        let output = graph.node(&label, "ellipse");
        graph.edge(id, output, &shape);
    }
    graph.out.push_str("}\n");
    graph.out
}

/// Lays out DOT text as SVG with Graphviz's `dot`, which must be installed.
pub fn svg(dot: &str) -> std::io::Result<String> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot run Graphviz's `dot` ({e}); install Graphviz, or write DOT"),
            )
        })?;
    child.stdin.take().expect("a piped stdin").write_all(dot.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "`dot` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout).map_err(std::io::Error::other)
}

struct Graph<'m> {
    model: &'m ir::Model,
    depth: usize,
    /// The output shape of every layer, by path.
    shapes: HashMap<&'m str, &'m Shape>,
    out: String,
    nodes: usize,
    /// The node and shape of every named value.
    values: HashMap<String, (usize, Shape)>,
}

impl Graph<'_> {
    fn node(&mut self, label: &str, shape: &str) -> usize {
        self.nodes += 1;
        let _ = writeln!(self.out, "  n{} [label={}, shape={shape}];", self.nodes, quote(label));
        self.nodes
    }

    fn edge(&mut self, from: usize, to: usize, shape: &Shape) {
        let _ = writeln!(self.out, "  n{from} -> n{to} [label={}];", quote(&shape.to_string()));
    }

    /// Draws an expression; returns the node that produces its value, and the value's shape.
    fn expr(&mut self, e: &ir::Expr) -> (usize, Shape) {
        match &e.kind {
            ir::ExprKind::Value(name)
            | ir::ExprKind::Piece { source: name, .. }
            | ir::ExprKind::Output { source: name, .. } => {
                let (id, shape) = self.values.get(&**name).cloned().unwrap_or_else(|| {
                    let id = self.node(name, "ellipse");
                    (id, e.shape.clone())
                });
                // A piece of a `chunk` has its own shape; a value has the shape it was bound with.
                let shape =
                    if matches!(e.kind, ir::ExprKind::Piece { .. } | ir::ExprKind::Output { .. }) {
                        e.shape.clone()
                    } else {
                        shape
                    };
                (id, shape)
            }
            ir::ExprKind::Chain { input, links } => {
                let mut from = self.expr(input);
                for link in links {
                    let (first, last) = self.child(&link.name, 1);
                    self.edge(from.0, first, &from.1);
                    from = (last, link.shape.clone());
                }
                from
            }
            ir::ExprKind::Child { name, input, more_inputs, .. } => {
                let sources: Vec<(usize, Shape)> =
                    std::iter::once(&**input).chain(more_inputs).map(|i| self.expr(i)).collect();
                let (first, last) = self.child(name, 1);
                for (from, shape) in sources {
                    self.edge(from, first, &shape);
                }
                (last, e.shape.clone())
            }
            ir::ExprKind::Op { op, input, .. } => {
                let (from, shape) = self.expr(input);
                let id = self.node(&op_label(op), "box");
                self.edge(from, id, &shape);
                (id, e.shape.clone())
            }
            ir::ExprKind::Param(name) => {
                (self.node(&format!("{name}\nParameter"), "note"), e.shape.clone())
            }
            ir::ExprKind::Scalar(x) => (self.node(&format!("{x}"), "plaintext"), e.shape.clone()),
            ir::ExprKind::Constant { name, value } => {
                (self.node(&format!("{name} = {value}"), "plaintext"), e.shape.clone())
            }
            ir::ExprKind::Binary { op, lhs, rhs } => {
                let (l, ls) = self.expr(lhs);
                let (r, rs) = self.expr(rhs);
                let symbol = match op {
                    ir::BinOp::Mul => "×",
                    ir::BinOp::Div => "÷",
                    ir::BinOp::Sub => "−",
                    ir::BinOp::Add => "+",
                };
                let id = self.node(symbol, "circle");
                self.edge(l, id, &ls);
                self.edge(r, id, &rs);
                (id, e.shape.clone())
            }
            ir::ExprKind::Neg(operand) => {
                let (from, shape) = self.expr(operand);
                let id = self.node("−x", "circle");
                self.edge(from, id, &shape);
                (id, e.shape.clone())
            }
            ir::ExprKind::Cat { inputs, dim, .. } => {
                let sources: Vec<(usize, Shape)> = inputs.iter().map(|i| self.expr(i)).collect();
                let id = self.node(&format!("cat(dim={dim})"), "box");
                for (from, shape) in sources {
                    self.edge(from, id, &shape);
                }
                (id, e.shape.clone())
            }
            ir::ExprKind::Resize { input, like, start, end, .. } => {
                let (from, shape) = self.expr(input);
                let (other, other_shape) = self.expr(like);
                let id = self.node(&format!("interpolate(size=size(·, {start}..{end}))"), "box");
                self.edge(from, id, &shape);
                self.edge(other, id, &other_shape);
                (id, e.shape.clone())
            }
            ir::ExprKind::Children(input) => {
                let (from, shape) = self.expr(input);
                let id = self.node("children", "box");
                self.edge(from, id, &shape);
                (id, e.shape.clone())
            }
            ir::ExprKind::Expand { input, sizes } => {
                let (from, shape) = self.expr(input);
                let id = self.node("expand", "box");
                self.edge(from, id, &shape);
                for size in sizes {
                    if let ir::ExpandSize::Of(like, _) = size {
                        let (other, other_shape) = self.expr(like);
                        self.edge(other, id, &other_shape);
                    }
                }
                (id, e.shape.clone())
            }
            ir::ExprKind::Chunk { input, chunks, dim, .. } => {
                let (from, shape) = self.expr(input);
                let id = self.node(&format!("chunk({chunks}, dim={dim})"), "box");
                self.edge(from, id, &shape);
                (id, e.shape.clone())
            }
            ir::ExprKind::If { then, otherwise, .. } => {
                // In a model the condition was decided when it was checked.
                match then.as_deref().or(otherwise.as_deref()) {
                    Some(taken) => self.expr(taken),
                    None => (self.node("?", "plaintext"), e.shape.clone()),
                }
            }
        }
    }

    /// Draws the child at `path`: one node, or a cluster of a `Sequential`'s children in
    /// order. Returns its first and last nodes.
    fn child(&mut self, path: &str, level: usize) -> (usize, usize) {
        let model = self.model;
        let Some(node) = model.node(path) else {
            let id = self.node(path, "box");
            return (id, id);
        };
        match &node.body {
            ir::NodeBody::Layer(layer) => {
                let id = self.node(
                    &format!("{path}\n{}", layer.args.call_text(layer.spec.name, None)),
                    "box",
                );
                (id, id)
            }
            ir::NodeBody::Block(instance) => {
                let parameters = ir::thousands(node.num_parameters());
                let label = format!("{path}\n{} ({parameters} parameters)", instance.block);
                let id = self.node(&label, "box3d");
                (id, id)
            }
            ir::NodeBody::Sequential(children) if level < self.depth && !children.is_empty() => {
                let _ = writeln!(
                    self.out,
                    "  subgraph cluster_{} {{\n  label={}; style=dashed; fontname=\"Helvetica\";",
                    self.nodes + 1,
                    quote(path)
                );
                // Each child feeds the next; the value between them is the output of the last
                // layer inside the first.
                let mut entry = None;
                let mut previous: Option<(&ir::Node, usize)> = None;
                for child in children {
                    let (first, last) = self.child(&child.path, level + 1);
                    if let Some((sibling, from)) = previous {
                        match self.shapes.get(&*innermost_last(sibling).path).copied() {
                            Some(shape) => self.edge(from, first, shape),
                            None => {
                                let _ = writeln!(self.out, "  n{from} -> n{first};");
                            }
                        }
                    }
                    entry.get_or_insert(first);
                    previous = Some((child, last));
                }
                self.out.push_str("  }\n");
                let exit = previous.map_or(0, |(_, last)| last);
                (entry.unwrap_or(exit), exit)
            }
            ir::NodeBody::Sequential(_) | ir::NodeBody::ModuleList(_) => {
                let parameters = ir::thousands(node.num_parameters());
                let kind = match node.body {
                    ir::NodeBody::ModuleList(_) => "ModuleList",
                    _ => "Sequential",
                };
                let id = self.node(&format!("{path}\n{kind} ({parameters} parameters)"), "box3d");
                (id, id)
            }
        }
    }
}

/// The last layer inside `node` (the node itself for a layer).
fn innermost_last(node: &ir::Node) -> &ir::Node {
    let mut node = node;
    while let Some(last) = node.body.children().last() {
        node = last;
    }
    node
}

/// The label of a functional op.
fn op_label(op: &ir::Op) -> String {
    let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    match op {
        ir::Op::Flatten { start_dim, end_dim } => format!("flatten({start_dim}, {end_dim})"),
        ir::Op::Layer(layer) => layer.args.call_text(layer.spec.name, None),
        ir::Op::Reshape(sizes) => format!("reshape({})", list(sizes)),
        ir::Op::Permute(dims) => format!("permute({})", list(dims)),
        ir::Op::Transpose(a, b) => format!("transpose({a}, {b})"),
        ir::Op::Roll { shifts, dims } => format!("roll([{}], [{}])", list(shifts), list(dims)),
        ir::Op::Mean { dims, keepdim } => format!("mean([{}], keepdim={keepdim})", list(dims)),
        ir::Op::Index(items) => {
            let items: Vec<String> = items.iter().map(|item| item.to_string()).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("\"{escaped}\"")
}
