//! Declarations and runs of a block's forward computation that repeat earlier ones, copied
//! from them instead of checked again.
//!
//! Networks repeat their blocks: ResNet-50 runs `Bottleneck` 16 times with 8 distinct sets of
//! arguments and input shapes, ViT-B/16 its `MLPBlock` 12 times with one. What a run adds
//! (trace rows, called children, output shapes) follows from the block, its arguments and the
//! shapes of its inputs; only the paths of the rows differ. So a run whose values equal an
//! earlier one's is copied from it, under its own paths.
//!
//! A run is remembered only when it added no message of any kind (an error, a warning, or an
//! error dropped as a repeat of another use's) and no rule on run-time sizes, and had no `_`
//! argument to infer: a copy then adds exactly what checking the run again would. Only blocks
//! of a few layers are remembered: a block that holds others (a ResNet stage) is seldom
//! repeated, and the runs of the blocks inside it are copied on their own; one of thousands of
//! layers would cost more to remember than a repeat saves.
//!
//! Declaring a use's children (evaluating its constants, conditions and loops, binding each
//! layer's arguments) likewise follows from the block and its argument values alone, so a use
//! with the values of an earlier one copies that one's children under its own paths. The same
//! limits apply: a declaration is remembered when it added no message and holds a few layers
//! (in `Sequential`s or not) with known arguments, and it is copied only where the copy stays
//! within the module and nesting limits, whose errors declaring anew reports.

use super::*;

use crate::resolve::BlockId;

/// The most runs of one block remembered, so that a lookup compares a handful of values.
const REMEMBERED_RUNS: usize = 8;

/// The most modules a remembered run's block may hold, so that remembering a run that is never
/// repeated (a block that loops over thousands of layers) costs little.
const REMEMBERED_MODULES: usize = 64;

/// The runs and declarations of blocks checked so far, by block.
#[derive(Default)]
pub(super) struct Memo<'a> {
    runs: HashMap<BlockId, Vec<Run>>,
    declarations: HashMap<BlockId, Vec<Declaration<'a>>>,
}

/// The children that declaring a use of a block with these argument values gave, and how many
/// modules they count.
struct Declaration<'a> {
    args: Vec<Const>,
    children: Vec<NodeState<'a>>,
    modules: usize,
    /// The nesting of `Sequential`s and blocks the use was declared in.
    depth: usize,
}

/// What running the forward computation of a use of a block added.
struct Run {
    args: Vec<Const>,
    inputs: Vec<Shape>,
    /// The trace rows, each with the position (in the order of [`each_node`]) of the child whose
    /// row it is; `None` for an operation's row.
    rows: Vec<(ir::TraceRow, Option<usize>)>,
    /// Whether each child, in the order of [`each_node`], was called.
    called: Vec<bool>,
    outputs: Vec<Shape>,
}

impl Memo<'_> {
    /// Whether a run of `state` may be remembered: there is room for one more run of its block,
    /// which holds a few layers and none of them has an argument still to infer.
    pub(super) fn may_remember(&self, state: &BlockState) -> bool {
        let mut budget = REMEMBERED_MODULES;
        self.runs.get(&state.def.id).is_none_or(|runs| runs.len() < REMEMBERED_RUNS)
            && few_known_layers(&state.children, &mut budget)
    }
}

impl<'a> ModelChecker<'a, '_> {
    /// The children of a use of `block` with argument values `args` at `path`, copied from an
    /// earlier use with the same values; `None` when there is none, or when the copy could
    /// pass the module or nesting limit (declaring reports those).
    pub(super) fn repeat_declaration(
        &mut self,
        block: BlockId,
        args: &[Const],
        path: &str,
    ) -> Option<Vec<NodeState<'a>>> {
        // Copying makes paths, which needs the checker: the memo is out meanwhile.
        let declarations = std::mem::take(&mut self.memo.declarations);
        let copy = declarations
            .get(&block)
            .and_then(|earlier| earlier.iter().find(|d| d.args == args))
            .filter(|d| self.modules + d.modules <= MAX_MODULES && self.depth <= d.depth)
            .map(|d| {
                self.modules += d.modules;
                let mut path_of =
                    |node: &NodeState, parent: &str| self.child_path(parent, &node.name);
                copy_nodes(&d.children, path, &mut path_of)
            });
        self.memo.declarations = declarations;
        copy
    }

    /// Remembers the `children` that declaring a use of `block` with `args` gave, counting
    /// `modules`, when they are a few layers with known arguments and the declaration added no
    /// message.
    pub(super) fn remember_declaration(
        &mut self,
        block: BlockId,
        args: &[Const],
        children: &[NodeState<'a>],
        modules: usize,
    ) {
        let mut budget = REMEMBERED_MODULES;
        let remembered = self.memo.declarations.get(&block).map_or(0, Vec::len);
        if remembered < REMEMBERED_RUNS && few_known_layers(children, &mut budget) {
            let declaration = Declaration {
                args: args.to_vec(),
                children: copy_nodes(children, "", &mut |node, _| node.path.clone()),
                modules,
                depth: self.depth,
            };
            self.memo.declarations.entry(block).or_default().push(declaration);
        }
    }

    /// Runs a use of a block at `path` as an earlier run with the same arguments and input
    /// shapes: marks the same children called, adds the same trace rows under this use's paths
    /// and gives the same output shapes. `None` when no earlier run matches.
    pub(super) fn repeat_run(
        &mut self,
        state: &mut BlockState<'a>,
        inputs: &[Flow],
        path: &Rc<str>,
    ) -> Option<Vec<Flow>> {
        let earlier = self.memo.runs.get(&state.def.id)?.iter().find(|run| {
            run.args == state.args
                && run.inputs.len() == inputs.len()
                && run.inputs.iter().zip(inputs).all(|(a, b)| *a == b.shape)
        })?;
        let mut paths = Vec::with_capacity(earlier.called.len());
        each_node(&mut state.children, &mut |node| paths.push(node.path.clone()));
        if paths.len() != earlier.called.len() {
            return None;
        }
        let mut called = earlier.called.iter();
        each_node(&mut state.children, &mut |node| {
            node.called = called.next().copied().unwrap_or(node.called)
        });
        for (row, child) in &earlier.rows {
            self.trace.push(ir::TraceRow {
                name: child.and_then(|i| paths.get(i)).unwrap_or(&row.name).clone(),
                output: row.output.clone(),
                parameters: row.parameters,
            });
        }
        let outputs = earlier.outputs.iter().map(|shape| Flow {
            shape: shape.clone(),
            span: state.call_span,
            note: Note::Outputs(path.clone()),
        });
        Some(outputs.collect())
    }

    /// Remembers what a run of `state` on inputs of shapes `inputs` added: the trace rows from
    /// `first_row` on, the children it called and its `outputs`.
    pub(super) fn remember_run(
        &mut self,
        state: &mut BlockState<'a>,
        inputs: Vec<Shape>,
        first_row: usize,
        outputs: &[Flow],
    ) {
        let mut positions: HashMap<*const u8, usize> = HashMap::default();
        let mut called = Vec::new();
        each_node(&mut state.children, &mut |node| {
            positions.insert(node.path.as_ptr(), called.len());
            called.push(node.called);
        });
        // A layer's row shares the layer's path, so its child is found by the path's address.
        let rows = self.trace[first_row..]
            .iter()
            .map(|row| (row.clone(), positions.get(&row.name.as_ptr()).copied()))
            .collect();
        let outputs = outputs.iter().map(|flow| flow.shape.clone()).collect();
        let run = Run { args: state.args.clone(), inputs, rows, called, outputs };
        self.memo.runs.entry(state.def.id).or_default().push(run);
    }
}

/// Whether `nodes` hold only layers (in `Sequential`s or not), all with their arguments known,
/// and no more modules than `budget`, which counts down.
fn few_known_layers(nodes: &[NodeState], budget: &mut usize) -> bool {
    nodes.iter().all(|node| {
        let Some(left) = budget.checked_sub(1) else { return false };
        *budget = left;
        match &node.body {
            BodyState::Layer { args: Some(args), .. } => {
                args.values.iter().all(|b| b.value != ArgValue::Infer)
            }
            BodyState::Sequential { children, .. } => few_known_layers(children, budget),
            BodyState::Layer { args: None, .. } | BodyState::Block(_) | BodyState::Unknown => false,
        }
    })
}

/// Visits every node of a tree, each before its children.
fn each_node<'a>(nodes: &mut [NodeState<'a>], visit: &mut impl FnMut(&mut NodeState<'a>)) {
    for node in nodes {
        visit(node);
        match &mut node.body {
            BodyState::Sequential { children, .. } => each_node(children, visit),
            BodyState::Block(state) => each_node(&mut state.children, visit),
            BodyState::Layer { .. } | BodyState::Unknown => {}
        }
    }
}

/// A copy of declared layers and `Sequential`s (the only nodes a remembered declaration holds),
/// each under the path `path_of` gives it from its parent's path (`parent` at the top).
fn copy_nodes<'a>(
    nodes: &[NodeState<'a>],
    parent: &str,
    path_of: &mut dyn FnMut(&NodeState<'a>, &str) -> Rc<str>,
) -> Vec<NodeState<'a>> {
    nodes
        .iter()
        .map(|node| {
            let path = path_of(node, parent);
            let body = match &node.body {
                BodyState::Layer { spec, args } => BodyState::Layer { spec, args: args.clone() },
                BodyState::Sequential { children, list } => BodyState::Sequential {
                    children: copy_nodes(children, &path, path_of),
                    list: *list,
                },
                BodyState::Block(_) | BodyState::Unknown => BodyState::Unknown,
            };
            NodeState { name: node.name.clone(), path, body, called: false, ..*node }
        })
        .collect()
}
