//! Rust names for cnnc names: UpperCamelCase types, snake_case fields, keywords escaped.

use std::collections::HashSet;

use proc_macro2::{Ident, Span};

const STRICT_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Splits a name into words at underscores, digits-to-letters and case changes, keeping
/// acronyms together (`SimpleCNN` → `Simple`, `CNN`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `SimpleCNN` → `SimpleCnn`, `layer1` → `Layer1`.
pub fn pascal_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => {
                    first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// `fc_relu1` → `fc_relu1`, `Conv1` → `conv1`.
pub fn snake_case(name: &str) -> String {
    words(name).iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("_")
}

/// A type name for a model or `Sequential`.
pub fn type_ident(name: &str) -> String {
    let pascal = pascal_case(name);
    if pascal.is_empty() || pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("M{pascal}")
    } else {
        pascal
    }
}

/// A field or variable identifier for a child or value name: snake_case, keywords escaped.
pub fn field_ident(name: &str) -> Ident {
    let snake = snake_case(name);
    match snake.as_str() {
        "" => Ident::new("field_", Span::call_site()),
        "self" | "super" | "crate" | "extern" => {
            Ident::new(&format!("{snake}_"), Span::call_site())
        }
        s if s.starts_with(|c: char| c.is_ascii_digit()) => {
            Ident::new(&format!("m{s}"), Span::call_site())
        }
        s if STRICT_KEYWORDS.contains(&s) => Ident::new_raw(s, Span::call_site()),
        s => Ident::new(s, Span::call_site()),
    }
}

/// Hands out distinct type names within one generated model.
#[derive(Default)]
pub struct StructNames {
    taken: HashSet<String>,
}

impl StructNames {
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
