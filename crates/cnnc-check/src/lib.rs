//! The cnnc checker: resolves names and arguments, infers every tensor shape with PyTorch's
//! formulas, and produces the checked IR ([`ir::Model`]) that code generators read. Every problem
//! is an [`Error`] with a stable [`Code`], spans and a help line; all of them are reported in
//! one run.

// A diagnostic carries its spans, labels, help and fixes; it is returned only on the error
// path, where its size costs nothing that matters.
#![allow(clippy::result_large_err)]

pub mod args;
mod blocks;
mod check;
pub mod consts;
mod diagnostic;
pub mod functions;
pub mod init;
pub mod ir;
pub mod layers;
pub mod ops;
mod resolve;
pub mod rust_names;
pub mod shape;
mod sizes;

pub use diagnostic::{Code, Error};
pub use sizes::check_at;

/// Checks every model of a parsed file.
pub fn check(file: &cnnc_syntax::File) -> Result<Vec<ir::Model>, Vec<Error>> {
    let mut errors = Vec::new();
    if file.models.is_empty() {
        return Err(vec![Error::new(
            Code::ModelStructure,
            "the file defines no model",
            cnnc_syntax::Span::new(0, 0),
            "expected a model here",
        )
        .with_help("define one: `model Net { input x: [N, 3, 32, 32] ... }`")]);
    }
    let blocks = blocks::Blocks::new(file, &mut errors);
    check_type_names(file, &mut errors);
    let mut uses = blocks::Uses::new(blocks.item_count());
    let mut models = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, model) in file.models.iter().enumerate() {
        if let Some(first) = seen.insert(model.name.name.as_str(), model.name.span) {
            errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!("model `{}` is declared twice", model.name.name),
                    model.name.span,
                    "declared again here",
                )
                .with_related(first, "first declared here")
                .with_help("rename one of them"),
            );
        }
        let body = blocks.model_body(index);
        if let Some(model) = check::check_model(model, body, &blocks, &mut uses, &mut errors) {
            models.push(model);
        }
    }
    errors.retain(|e| !e.is_follow_on());
    // Block definitions are built from checked uses only: after an error, a use may lack
    // arguments or layers that the definition needs.
    if errors.iter().any(|e| !e.code.is_warning()) {
        errors.retain(|e| !e.code.is_warning());
        return Err(errors);
    }
    let mut defs = blocks::build_defs(&blocks, &mut uses, &blocks.functions, &mut errors);
    let functions = blocks.functions.typed();
    let count = models.len();
    for (i, model) in models.iter_mut().enumerate() {
        let used = used_blocks(&model.children, &defs);
        // The last model takes the definitions it uses; the others copy them.
        model.blocks = if i + 1 == count {
            let (mine, _): (Vec<_>, Vec<_>) =
                std::mem::take(&mut defs).into_iter().partition(|d| used.contains(&d.name));
            mine
        } else {
            defs.iter().filter(|d| used.contains(&d.name)).cloned().collect()
        };
        model.functions = functions.clone();
    }
    // Warnings are kept with their models; after an error only the errors are reported.
    errors.retain(|e| !e.code.is_warning());
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}

/// Reports models and blocks whose generated Rust types would clash: with each other (`SimpleCNN`
/// and `SimpleCnn` are both `SimpleCnn`), with `Self` or with a name of Rust's prelude.
fn check_type_names(file: &cnnc_syntax::File, errors: &mut Vec<Error>) {
    let names = file.blocks.iter().map(|b| &b.name).chain(file.models.iter().map(|m| &m.name));
    let mut types: std::collections::HashMap<String, &cnnc_syntax::Ident> = Default::default();
    for name in names {
        let ty = rust_names::type_ident(&name.name);
        if rust_names::RESERVED_TYPES.contains(&ty.as_str()) {
            errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!(
                        "`{name}` would define the Rust type `{ty}`, which generated code needs"
                    ),
                    name.span,
                    "a name Rust reserves",
                )
                .with_help(format!("rename it, such as `{ty}Net`")),
            );
            continue;
        }
        match types.get(&ty) {
            // Equal source names are reported as duplicates elsewhere.
            Some(first) if first.name != name.name => errors.push(
                Error::new(
                    Code::DuplicateName,
                    format!("`{first}` and `{name}` would both become the Rust type `{ty}`"),
                    name.span,
                    format!("also `{ty}`"),
                )
                .with_related(first.span, format!("becomes `{ty}`"))
                .with_help("rename one of them so that their UpperCamelCase forms differ"),
            ),
            Some(_) => {}
            None => {
                types.insert(ty, name);
            }
        }
    }
}

/// The names of the blocks used in `nodes`, directly or through other blocks.
fn used_blocks(nodes: &[ir::Node], defs: &[ir::BlockDef]) -> Vec<String> {
    fn walk_nodes(nodes: &[ir::Node], used: &mut Vec<String>) {
        for node in nodes {
            if let ir::NodeBody::Block(instance) = &node.body {
                if !used.contains(&instance.block) {
                    used.push(instance.block.clone());
                }
            }
            walk_nodes(node.body.children(), used);
        }
    }
    fn walk_items(items: &[ir::BlockItem], used: &mut Vec<String>) {
        for item in items {
            match item {
                ir::BlockItem::Child { module: ir::BlockModule::Block { name, .. }, .. }
                    if !used.contains(name) =>
                {
                    used.push(name.clone())
                }
                ir::BlockItem::Child {
                    module: ir::BlockModule::Sequential(items) | ir::BlockModule::ModuleList(items),
                    ..
                }
                | ir::BlockItem::For { body: items, .. } => walk_items(items, used),
                ir::BlockItem::If { then, otherwise, .. } => {
                    walk_items(then, used);
                    walk_items(otherwise, used);
                }
                _ => {}
            }
        }
    }
    let mut used = Vec::new();
    walk_nodes(nodes, &mut used);
    // The definitions are shared by the file's models, so they may use more blocks than this
    // model's own uses reach.
    let mut i = 0;
    while i < used.len() {
        if let Some(def) = defs.iter().find(|d| d.name == used[i]) {
            walk_items(&def.items, &mut used);
        }
        i += 1;
    }
    used
}

/// Parses and checks a source text.
pub fn check_source(source: &str) -> Result<Vec<ir::Model>, Vec<Error>> {
    let file = cnnc_syntax::parse(source).map_err(|e| vec![Error::from(e)])?;
    check(&file)
}
