//! `cnnc fmt`'s layout: idempotent, the same model before and after, indifferent to how much
//! space the author left between tokens, and never a panic.

use std::path::Path;

use cnnc_build::compile_source;
use cnnc_syntax::format;

/// Every example and fixture, by file name.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<_> = ["examples", "tests/fixtures"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("the folder exists"))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "cnn"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().expect("a name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect()
}

#[test]
fn formatting_is_idempotent_and_keeps_the_model() {
    for (name, source) in sources() {
        let once = format(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
        let twice = format(&once).unwrap_or_else(|e| panic!("{name} formatted: {e}"));
        assert_eq!(once, twice, "{name}: formatting twice changes the text");
        let before = compile_source(&name, &source).expect("the example compiles").code;
        let after = compile_source(&name, &once).expect("the formatted example compiles").code;
        assert_eq!(before, after, "{name}: formatting changes the generated code");
        let comments = |s: &str| s.matches("//").count() + s.matches("/*").count();
        assert_eq!(comments(&source), comments(&once), "{name}: a comment was lost");
    }
}

#[test]
fn the_space_between_tokens_does_not_matter() {
    // A small deterministic generator (xorshift64*).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for (name, source) in sources() {
        let expected = format(&source).expect("formats");
        for _ in 0..5 {
            // Widen runs of spaces outside comments and strings, and blank lines, at random.
            let mut widened = String::new();
            let (mut line_comment, mut block_comment, mut string) = (false, false, false);
            for c in source.chars() {
                widened.push(c);
                let code = !(line_comment || block_comment || string);
                match c {
                    '\n' => line_comment = false,
                    '/' if code && widened.ends_with("//") => line_comment = true,
                    '*' if code && widened.ends_with("/*") => block_comment = true,
                    '/' if block_comment && widened.ends_with("*/") => block_comment = false,
                    '"' if !line_comment && !block_comment => string = !string,
                    _ => {}
                }
                match c {
                    ' ' if code && next() % 3 == 0 => {
                        widened.push_str(["  ", "\t", " \t "][next() as usize % 3])
                    }
                    '\n' if widened.ends_with("\n\n") && next() % 2 == 0 => widened.push('\n'),
                    _ => {}
                }
            }
            assert_eq!(format(&widened).expect("formats"), expected, "{name}");
        }
    }
}

#[test]
fn formatting_any_prefix_is_a_result_or_an_error() {
    let source = &sources().into_iter().find(|(n, _)| n == "blocks.cnn").expect("blocks.cnn").1;
    for end in (0..=source.len()).filter(|&i| source.is_char_boundary(i)) {
        if let Ok(formatted) = format(&source[..end]) {
            assert_eq!(format(&formatted).ok(), Some(formatted.clone()), "prefix of {end} bytes");
        }
    }
}

#[test]
fn a_keyword_that_names_a_function_keeps_its_call() {
    // `in(x)` in `forward` calls a function named `in`; `in (x)` would not parse. Found by the
    // parse fuzz target.
    let source = "block B(c) {\n  forward(x) {\n    y = in(x)\n    y\n  }\n}\nmodel M { input x: [N, 4]\n  for i in (0)..2 { Linear(4, 4) }\n}\n";
    let formatted = format(source).expect("formats");
    assert!(formatted.contains("y = in(x)"), "{formatted}");
    assert!(formatted.contains("for i in (0)..2"), "{formatted}");
    assert_eq!(format(&formatted).ok(), Some(formatted.clone()));
}

#[test]
fn a_space_before_a_parenthesis_keeps_its_meaning() {
    // Found by fuzzing: the formatter joined `a` and `(`, which made the model's two results a
    // call of `a` and left `forward` without a result.
    let source = "model M {\n    input x: [N, 4]\n    a = Linear(4, 4)\n    forward(x) {\n        h = x -> a    (h, relu(h))\n    }\n}\n";
    let formatted = format(source).expect("formats");
    assert!(formatted.contains("h = x -> a (h, relu(h))"), "{formatted}");
    assert_eq!(format(&formatted).expect("formats again"), formatted);
    let models = cnnc_build::check_source("m.cnn", &formatted).expect("checks");
    assert_eq!(models[0].forward.more_results.len(), 1, "two results: h and relu(h)");
}
