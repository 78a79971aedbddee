//! `model! { model Name { ... } }`: the cnnc language inline in Rust.
//!
//! The macro input is turned back into source text, checked and compiled by the same pipeline as
//! `cnnc build`. Errors become compile errors at the tokens they point at, one per diagnostic;
//! when the model has errors, a placeholder of the model type is emitted too, so code that uses
//! the model does not add errors of its own.

mod source;

use proc_macro::TokenStream;

/// Compiles a cnnc model written inline into a tch-rs module. See the `cnnc` crate's docs.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let source = source::Source::from_tokens(input.into());
    match cnnc_check::check_source(&source.text) {
        Ok(models) => cnnc_codegen::generate(&models).into(),
        Err(errors) => {
            let mut out: proc_macro2::TokenStream =
                errors.iter().map(|e| source.compile_error(e)).collect();
            if let Ok(file) = cnnc_syntax::parse(&source.text) {
                for model in &file.models {
                    out.extend(cnnc_codegen::generate_placeholder(&model.name.name));
                }
            }
            out.into()
        }
    }
}
