//! Checking a model at given input sizes (`cnnc check --input x=1,3,512,512`): the sizes must fit
//! the declared input and meet the rules the layers need of its run-time sizes, with the message
//! the generated `forward_t` gives for the same input; then the model is checked again with those
//! sizes, so that every shape is a number.

use std::collections::HashMap;

use cnnc_syntax as ast;

use crate::diagnostic::{Code, Error};
use crate::ir;
use crate::shape::Dim;

/// Checks the models of `file` as [`crate::check`] does, then again with the input named in
/// `sizes` set to the full shape given for it (`("x", [1, 3, 512, 512])`). A model whose input
/// has that name must accept the shape.
pub fn check_at(
    file: &ast::File,
    sizes: &[(String, Vec<i64>)],
) -> Result<Vec<ir::Model>, Vec<Error>> {
    let models = crate::check(file)?;
    let mut concrete = file.clone();
    let mut errors = Vec::new();
    for (name, _) in sizes {
        let declared = file.models.iter().filter_map(|m| m.inputs.first());
        if !declared.clone().any(|input| input.name.name == *name) {
            let names: Vec<String> = declared.map(|i| format!("`{}`", i.name.name)).collect();
            errors.push(
                Error::new(
                    Code::SymbolicSize,
                    format!("no model declares an input `{name}`"),
                    cnnc_syntax::Span::new(0, 0),
                    "in this file",
                )
                .with_help(format!("the inputs are {}", names.join(", "))),
            );
        }
    }
    for (model, ast_model) in models.iter().zip(&mut concrete.models) {
        let Some(input) = ast_model.inputs.first_mut() else { continue };
        let Some((_, given)) = sizes.iter().find(|(name, _)| *name == input.name.name) else {
            continue;
        };
        match accepted(model, input, given) {
            Ok(()) => {
                for (dim, &size) in input.dims.iter_mut().zip(given) {
                    let span = match dim {
                        ast::Dim::Known(_, span) => *span,
                        ast::Dim::Symbolic(ident) => ident.span,
                    };
                    *dim = ast::Dim::Known(size, span);
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    crate::check(&concrete)
}

/// Whether `model` accepts an input of shape `given`: rank, fixed sizes, one size per name, and
/// every rule on its run-time sizes.
fn accepted(model: &ir::Model, input: &ast::Input, given: &[i64]) -> Result<(), Error> {
    let (name, shape) = (&input.name.name, &model.input);
    let mismatch = |message: String, label: &str| {
        Error::new(
            Code::SymbolicSize,
            format!("{}: {message}", model.name),
            input.shape_span,
            label,
        )
        .with_help(format!("give {} sizes that fit {shape}", shape.rank()))
    };
    if given.len() != shape.rank() {
        return Err(mismatch(
            format!(
                "input `{name}` is given {} sizes, {given:?}, but {} declares {}: {shape}",
                given.len(),
                model.name,
                shape.rank()
            ),
            "declared here",
        ));
    }
    let mut named: HashMap<String, (usize, i64)> = HashMap::new();
    for (i, (dim, &size)) in shape.0.iter().zip(given).enumerate() {
        match dim {
            Dim::Known(n) if *n != size => {
                return Err(mismatch(
                    format!(
                        "input `{name}` is given size {size} in dimension {i}, where {} declares {n}",
                        model.name
                    ),
                    "declared here",
                ));
            }
            Dim::Known(_) => {}
            Dim::Symbolic(sym) => {
                let key = sym.to_string();
                if let Some(&(first, earlier)) = named.get(&key) {
                    if earlier != size {
                        return Err(mismatch(
                            format!(
                                "input `{name}` is given size {size} in dimension {i} and {earlier} in dimension {first}, both declared `{key}`"
                            ),
                            "declared here",
                        ));
                    }
                }
                named.entry(key).or_insert((i, size));
            }
        }
        if size < 1 {
            return Err(mismatch(format!("input sizes must be at least 1, found {size}"), "here"));
        }
    }
    for requirement in &model.requirements {
        let rule = &requirement.rule;
        let Some(&(_, size)) = named.get(rule.name()) else { continue };
        if !rule.allows(size) {
            // The message of the generated code's input check (`cnnc::InputShape`).
            return Err(Error::new(
                Code::SymbolicSize,
                format!(
                    "{}: input `{name}` has {} = {size}, but {} needs {rule}",
                    model.name,
                    rule.name(),
                    requirement.needed_by
                ),
                requirement.span,
                format!("needs {rule}"),
            )
            .with_related(input.shape_span, format!("`{}` is {size}", rule.name()))
            .with_help(format!("choose a size for `{}` that meets {rule}", rule.name())));
        }
    }
    Ok(())
}
