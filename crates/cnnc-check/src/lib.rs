//! The cnnc checker: resolves names and arguments, infers every tensor shape with PyTorch's
//! formulas, and produces the checked IR ([`ir::Model`]) that code generators read. Every problem
//! is an [`Error`] with a stable [`Code`], spans and a help line; all of them are reported in
//! one run.

pub mod args;
mod check;
mod diagnostic;
pub mod init;
pub mod ir;
pub mod layers;
pub mod ops;
pub mod shape;

pub use diagnostic::{Code, Error};

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
    let mut models = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for model in &file.models {
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
        if let Some(model) = check::check_model(model, &mut errors) {
            models.push(model);
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}

/// Parses and checks a source text.
pub fn check_source(source: &str) -> Result<Vec<ir::Model>, Vec<Error>> {
    let file = cnnc_syntax::parse(source).map_err(|e| vec![Error::from(e)])?;
    check(&file)
}
