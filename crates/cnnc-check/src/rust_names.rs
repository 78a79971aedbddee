//! The Rust names that generated code gives to cnnc names: UpperCamelCase types and snake_case
//! fields, keywords escaped. The checker uses them to reject two source names that would become
//! one Rust name; code generators use them to print the names.

use std::borrow::Cow;

/// Rust's strict and reserved keywords, sorted.
pub const STRICT_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Whether `name` is one of [`STRICT_KEYWORDS`].
fn is_keyword(name: &str) -> bool {
    // Every keyword is 2 to 8 lowercase letters: most names (`conv1`, `downsample`) fail that
    // before any comparison.
    (2..=8).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase())
        && STRICT_KEYWORDS.binary_search(&name).is_ok()
}

/// Splits a name into words at underscores (and any other character that cannot be in a Rust
/// name, such as the `-` of `"block1-0"`), digits-to-letters and case changes, keeping acronyms
/// together (`SimpleCNN` → `Simple`, `CNN`).
fn words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = name.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let boundary = match prev {
            _ if !c.is_ascii_alphanumeric() => true,
            Some(p) if c.is_uppercase() => {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            }
            _ => false,
        };
        if boundary {
            if let Some(s) = start.take() {
                words.push(&name[s..i]);
            }
        }
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
        }
        prev = Some(c);
    }
    if let Some(s) = start {
        words.push(&name[s..]);
    }
    words
}

/// `SimpleCNN` → `SimpleCnn`, `layer1` → `Layer1`.
pub fn pascal_case(name: &str) -> String {
    let mut pascal = String::with_capacity(name.len());
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            pascal.extend(first.to_uppercase());
            pascal.extend(chars.flat_map(char::to_lowercase));
        }
    }
    pascal
}

/// `fc_relu1` → `fc_relu1`, `Conv1` → `conv1`.
pub fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, word) in words(name).into_iter().enumerate() {
        if i > 0 {
            snake.push('_');
        }
        snake.extend(word.chars().flat_map(char::to_lowercase));
    }
    snake
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

/// The Rust field or variable name of a child or value name: snake_case, with keywords that
/// cannot be raw identifiers suffixed and other keywords written raw (`r#type`).
pub fn field_name(name: &str) -> String {
    field_name_borrowed(name).into_owned()
}

/// [`field_name`], borrowing `name` where it is its own field name, as most names are.
pub fn field_name_borrowed(name: &str) -> Cow<'_, str> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !is_keyword(name) && !matches!(name, "self" | "super" | "crate") {
        return Cow::Borrowed(name);
    }
    Cow::Owned(field_name_of_any(name))
}

/// [`field_name`] for any name.
fn field_name_of_any(name: &str) -> String {
    let snake = snake_case(name);
    match snake.as_str() {
        "" => "field_".to_string(),
        "self" | "super" | "crate" | "extern" => format!("{snake}_"),
        s if s.starts_with(|c: char| c.is_ascii_digit()) => format!("m{s}"),
        s if is_keyword(s) => format!("r#{s}"),
        s => s.to_string(),
    }
}

/// Type names that generated code must not define: `Self` and the names of Rust's prelude,
/// which the generated code and the code around it rely on.
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "Box",
    "String",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Debug",
    "Tensor",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(STRICT_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STRICT_KEYWORDS.iter().all(|k| is_keyword(k)));
        assert!(!is_keyword("conv1") && !is_keyword("Type"));
    }

    #[test]
    fn field_names() {
        for (name, field) in [
            ("conv1", "conv1"),
            ("fc_relu1", "fc_relu1"),
            ("Conv1", "conv1"),
            ("downSample", "down_sample"),
            ("a__b", "a_b"),
            ("x_", "x"),
            ("type", "r#type"),
            ("self", "self_"),
            ("Self", "self_"),
            ("3d", "m3d"),
            ("_", "field_"),
        ] {
            assert_eq!(field_name(name), field, "{name}");
            assert_eq!(field_name(name), field_name_of_any(name), "{name}");
        }
    }

    #[test]
    fn words_split_at_case_changes_digits_and_separators() {
        for (name, split) in [
            ("SimpleCNN", &["Simple", "CNN"][..]),
            ("CNNBlock", &["CNN", "Block"]),
            ("layer1", &["layer1"]),
            ("Conv2dBN", &["Conv2d", "BN"]),
            ("block1-0", &["block1", "0"]),
            ("__a__b__", &["a", "b"]),
            ("ABé", &["A", "B"]),
            ("AÉb", &["A", "b"]),
            ("", &[]),
        ] {
            assert_eq!(words(name), split, "{name}");
        }
        assert_eq!(pascal_case("SimpleCNN"), "SimpleCnn");
        assert_eq!(pascal_case("res_net-50"), "ResNet50");
        assert_eq!(snake_case("downSampleCNN2"), "down_sample_cnn2");
        assert_eq!(type_ident("3d"), "M3d");
    }
}
