//! Rust identifiers for cnnc names, from the names of [`cnnc_check::rust_names`].

use std::collections::HashSet;

use cnnc_check::rust_names::field_name;
pub use cnnc_check::rust_names::{pascal_case, type_ident};
use proc_macro2::{Ident, Span};

/// A field or variable identifier for a child or value name: snake_case, keywords escaped.
pub fn field_ident(name: &str) -> Ident {
    let name = field_name(name);
    match name.strip_prefix("r#") {
        Some(keyword) => Ident::new_raw(keyword, Span::call_site()),
        None => Ident::new(&name, Span::call_site()),
    }
}

/// Hands out distinct type names within one generated model.
#[derive(Default)]
pub struct StructNames {
    taken: HashSet<String>,
}

impl StructNames {
    /// Marks `name` as taken.
    pub fn reserve(&mut self, name: String) {
        self.taken.insert(name);
    }

    /// Claims `name`, or `name2`, `name3`, … if it is taken.
    pub fn claim(&mut self, name: String) -> Ident {
        let mut candidate = name.clone();
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        Ident::new(&candidate, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnnc_check::rust_names::snake_case;

    #[test]
    fn cases() {
        assert_eq!(pascal_case("SimpleCNN"), "SimpleCnn");
        assert_eq!(pascal_case("layer1"), "Layer1");
        assert_eq!(pascal_case("fc_relu1"), "FcRelu1");
        assert_eq!(pascal_case("ResNet18"), "ResNet18");
        assert_eq!(snake_case("Conv1"), "conv1");
        assert_eq!(snake_case("fc_relu1"), "fc_relu1");
        assert_eq!(snake_case("downSample"), "down_sample");
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert_eq!(field_ident("self").to_string(), "self_");
        assert_eq!(type_ident("3d"), "M3d");
    }
}
