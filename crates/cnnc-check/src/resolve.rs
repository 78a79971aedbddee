//! Resolution: every model and block body is turned once into a tree of [`Item`]s, each with an
//! [`ItemId`] and each layer call bound to its catalogue entry or to a block. The checker
//! evaluates these trees for every use of a block and records what it learns by id; code
//! generation reads the block definitions built from those facts.

use std::collections::HashMap;

use cnnc_syntax as ast;

use crate::layers::{self, LayerSpec};

/// The id of a body item: its index among all the items of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ItemId(pub usize);

/// The id of a block: its index in [`Resolved::blocks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BlockId(pub usize);

/// The resolved bodies of a file.
pub(crate) struct Resolved<'a> {
    /// The blocks, in source order (a repeated name keeps its first definition).
    pub blocks: Vec<ResolvedBlock<'a>>,
    /// The body of each model, in source order.
    pub models: Vec<Vec<Item<'a>>>,
    /// How many items the file has: the size of tables indexed by [`ItemId`].
    pub items: usize,
    by_name: HashMap<&'a str, BlockId>,
}

/// A block with its body resolved.
pub(crate) struct ResolvedBlock<'a> {
    /// The definition as written.
    pub ast: &'a ast::Block,
    /// Its id.
    pub id: BlockId,
    /// The body.
    pub body: Vec<Item<'a>>,
    /// The names of the children the body may declare, in every branch.
    pub declared: Vec<&'a str>,
}

/// An entry of a body.
pub(crate) enum Item<'a> {
    /// A child.
    Child { id: ItemId, child: &'a ast::Child, module: Module<'a> },
    /// `let name = value`.
    Let { id: ItemId, stmt: &'a ast::ConstLet },
    /// Entries under a condition.
    If { id: ItemId, cond: &'a ast::IfItems, then: Vec<Item<'a>>, otherwise: Vec<Item<'a>> },
    /// Repeated entries.
    For { id: ItemId, repeat: &'a ast::ForItems, body: Vec<Item<'a>> },
}

impl Item<'_> {
    /// The item's id.
    pub fn id(&self) -> ItemId {
        match self {
            Item::Child { id, .. }
            | Item::Let { id, .. }
            | Item::If { id, .. }
            | Item::For { id, .. } => *id,
        }
    }
}

/// What a child is.
pub(crate) enum Module<'a> {
    /// A layer of the catalogue.
    Layer { spec: &'static LayerSpec, call: &'a ast::LayerCall },
    /// A use of a block.
    Block { block: BlockId, call: &'a ast::LayerCall },
    /// A name that is neither a layer nor a block (reported where it is reached).
    Unknown(&'a ast::LayerCall),
    /// A `Sequential`, or with `list` a `ModuleList`.
    Sequential { items: Vec<Item<'a>>, list: bool },
}

/// Resolves the bodies of a file.
pub(crate) fn resolve(file: &ast::File) -> Resolved<'_> {
    let mut by_name = HashMap::new();
    for block in &file.blocks {
        let id = BlockId(by_name.len());
        by_name.entry(block.name.name.as_str()).or_insert(id);
    }
    let mut resolver = Resolver { by_name: &by_name, items: 0 };
    let mut blocks = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for block in &file.blocks {
        if !seen.insert(block.name.name.as_str()) {
            continue;
        }
        let body = resolver.items(&block.items);
        blocks.push(ResolvedBlock {
            ast: block,
            id: BlockId(blocks.len()),
            body,
            declared: crate::blocks::declared_names(&block.items),
        });
    }
    let models = file.models.iter().map(|model| resolver.items(&model.items)).collect();
    let items = resolver.items;
    Resolved { blocks, models, items, by_name }
}

impl<'a> Resolved<'a> {
    /// The block named `name`.
    pub fn block(&self, name: &str) -> Option<&ResolvedBlock<'a>> {
        self.by_name.get(name).map(|id| &self.blocks[id.0])
    }
}

struct Resolver<'m> {
    by_name: &'m HashMap<&'m str, BlockId>,
    items: usize,
}

impl Resolver<'_> {
    fn next_id(&mut self) -> ItemId {
        self.items += 1;
        ItemId(self.items - 1)
    }

    fn items<'a>(&mut self, items: &'a [ast::Item]) -> Vec<Item<'a>> {
        items.iter().map(|item| self.item(item)).collect()
    }

    fn item<'a>(&mut self, item: &'a ast::Item) -> Item<'a> {
        let id = self.next_id();
        match item {
            ast::Item::Child(child) => {
                let module = match &child.module {
                    ast::Module::Sequential(seq) => {
                        Module::Sequential { items: self.items(&seq.items), list: seq.list }
                    }
                    ast::Module::Layer(call) => match self.by_name.get(call.kind.name.as_str()) {
                        Some(block) => Module::Block { block: *block, call },
                        None => match layers::lookup(&call.kind.name) {
                            Some(spec) => Module::Layer { spec, call },
                            None => Module::Unknown(call),
                        },
                    },
                };
                Item::Child { id, child, module }
            }
            ast::Item::Let(stmt) => Item::Let { id, stmt },
            ast::Item::If(cond) => {
                let then = self.items(&cond.then);
                let otherwise = self.items(&cond.otherwise);
                Item::If { id, cond, then, otherwise }
            }
            ast::Item::For(repeat) => Item::For { id, repeat, body: self.items(&repeat.body) },
        }
    }
}
