//! No input makes the compiler panic or hang: prefixes of the examples, single-character
//! deletions, pseudo-random insertions and deep nesting all end in code or in diagnostics whose
//! spans lie inside the source. The prefixes and deletions of a source are spread evenly over it,
//! at most `MAX_CUTS` of them, so that the suite's time stays bounded as the fixtures grow;
//! coverage-guided fuzzing (`scripts/fuzz.sh`) explores further.

use cnnc_build::{compile_source, Format};

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");
const TINY_NET: &str = include_str!("../../../tests/fixtures/tiny_net.cnn");
const CATALOGUE: &str = include_str!("../../../tests/fixtures/catalogue.cnn");
const BLOCKS: &str = include_str!("../../../tests/fixtures/blocks.cnn");

/// Compiles and, on errors, renders them in every format; returns whether it compiled.
fn survives(source: &str) -> bool {
    match compile_source("net.cnn", source) {
        Ok(_) => true,
        Err(diagnostics) => {
            assert!(!diagnostics.errors.is_empty());
            for error in &diagnostics.errors {
                for (span, _) in std::iter::once(&error.primary).chain(&error.related) {
                    let range = span.range();
                    assert!(
                        range.start <= range.end && range.end <= source.len(),
                        "{error:?} in {source:?}"
                    );
                    assert!(
                        source.is_char_boundary(range.start) && source.is_char_boundary(range.end)
                    );
                }
            }
            for format in [Format::Plain, Format::Json] {
                assert!(!diagnostics.render(format).is_empty());
            }
            false
        }
    }
}

fn char_boundaries(s: &str) -> impl Iterator<Item = usize> + '_ {
    (0..=s.len()).filter(|&i| s.is_char_boundary(i))
}

/// The most prefixes, and the most deletions, compiled per source.
const MAX_CUTS: usize = 2500;

/// Every `step`-th of `n` positions, where `step` keeps them within [`MAX_CUTS`].
fn step(n: usize) -> usize {
    n.div_ceil(MAX_CUTS).max(1)
}

#[test]
fn prefixes() {
    for source in [SIMPLE_CNN, TINY_NET, CATALOGUE, BLOCKS] {
        let boundaries: Vec<usize> = char_boundaries(source).collect();
        let mut cuts: Vec<usize> =
            boundaries.iter().copied().step_by(step(boundaries.len())).collect();
        cuts.push(source.len());
        let compiled = cuts.iter().filter(|&&i| survives(&source[..i])).count();
        // The whole text compiles, so at least one prefix does.
        assert!(compiled >= 1);
    }
}

#[test]
fn single_character_deletions() {
    for source in [SIMPLE_CNN, TINY_NET, CATALOGUE, BLOCKS] {
        let boundaries: Vec<usize> = char_boundaries(source).collect();
        for pair in boundaries.windows(2).step_by(step(boundaries.len())) {
            let mutated = format!("{}{}", &source[..pair[0]], &source[pair[1]..]);
            survives(&mutated);
        }
    }
}

#[test]
fn pseudo_random_insertions() {
    const PIECES: &[&str] = &[
        "_",
        "-1",
        "0",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        "=",
        "->",
        "x",
        "N",
        "99999999999",
        "1e309",
        "\"same\"",
        "Sequential {",
        "Conv2d(",
        "flatten(",
        "init {",
        ".",
        ";",
        "/*",
        "*/",
        "//",
        "×",
        "+",
        "*",
        "cat([",
        "x * 0.5",
        "reshape(-1,",
        "mean(",
        "-> sigmoid",
        "forward(x) {",
        "block B(c) {",
        "if c > 1 {",
        "} else {",
        "for i in 0..",
        "let k = ",
        "&& ",
        "|| !",
        " / 0",
        " % ",
        "9223372036854775807 * ",
        "Unit(",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for source in [SIMPLE_CNN, CATALOGUE, BLOCKS] {
        let boundaries: Vec<usize> = char_boundaries(source).collect();
        for _ in 0..1500 {
            let at = boundaries[next(boundaries.len())];
            let piece = PIECES[next(PIECES.len())];
            survives(&format!("{}{piece}{}", &source[..at], &source[at..]));
        }
    }
}

#[test]
fn huge_expansions_are_a_diagnostic() {
    let loops = "model M { input x: [N, 4]\n s = Sequential { for a in 0..1000000000 { for b in 0..1000000000 { } } } }";
    assert!(!survives(loops));
    let modules =
        "model M { input x: [N, 4]\n s = Sequential { for a in 0..1000000000 { ReLU() } } }";
    assert!(!survives(modules));
    let mut doubling = String::from("block B0(c) { ReLU() }\n");
    for i in 1..40 {
        doubling.push_str(&format!("block B{i}(c) {{ B{}(c); B{}(c) }}\n", i - 1, i - 1));
    }
    doubling.push_str("model M { input x: [N, 4]\n b = B39(1) }");
    assert!(!survives(&doubling));
}

#[test]
fn long_chains_neither_overflow_nor_pass_silently() {
    // Thousands of children in order compile: the forward chain is cut into named values.
    let wide = "block B(n) { for _ in 0..n { ReLU() } }\nmodel M = B(5000) { input x: [N, 4] }";
    assert!(survives(wide));
    // Chains of operators and pipelines beyond the limit are diagnostics.
    let pipeline = format!(
        "model M {{ input x: [N, 4]; r = ReLU(); forward(x) {{ x{} }} }}",
        " -> r".repeat(5000)
    );
    assert!(!survives(&pipeline));
    let sum = format!("model M {{ input x: [N, 4]; forward(x) {{ x{} }} }}", " + x".repeat(5000));
    assert!(!survives(&sum));
    let negations = format!("model M {{ input x: [N, 4]; l = Linear(4, {}4) }}", "- ".repeat(5000));
    assert!(!survives(&negations));
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let deep = format!(
        "model M {{ input x: [N, 4] forward(x) {{ {}x{} }} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(!survives(&deep));
    let seqs = format!(
        "model M {{ input x: [N, 4] s = {}ReLU(){} }}",
        "Sequential { ".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(!survives(&seqs));
    // Nesting within the limit still works.
    let ok = format!(
        "model M {{ input x: [N, 4] s = {}ReLU(){} }}",
        "Sequential { ".repeat(30),
        "}".repeat(30)
    );
    assert!(survives(&ok));
}

/// A block that chooses among `branches` children with `if`, `else if` ..., `else`.
fn else_if_chain(branches: usize) -> String {
    let mut source = String::from("block B(c) {\n    if c == 0 { Linear(2, 2) }\n");
    for i in 1..branches {
        source.push_str(&format!("    else if c == {i} {{ Linear(2, {}) }}\n", 2 + i % 2));
    }
    source.push_str("    else { ReLU() }\n}\nmodel M { input x: [N, 2]; b = B(3) }\n");
    source
}

#[test]
fn long_else_if_chains_are_a_diagnostic() {
    // Each `else if` nests the next branch; a chain within the limit compiles, on a test
    // thread's small stack too, and picks the branch the constant names.
    let models = cnnc_build::check_source("net.cnn", &else_if_chain(cnnc_syntax::MAX_ELSE_IFS + 1))
        .expect("a chain of MAX_ELSE_IFS `else if`s checks");
    assert_eq!(models[0].num_parameters(), 2 * 3 + 3);
    assert!(survives(&else_if_chain(cnnc_syntax::MAX_ELSE_IFS + 1)));
    for branches in [cnnc_syntax::MAX_ELSE_IFS + 2, 100_000] {
        let source = else_if_chain(branches);
        let errors = cnnc_build::check_source("net.cnn", &source).unwrap_err();
        let text = errors.render(Format::Plain);
        assert!(text.contains("more than 100 `else if` branches"), "{text}");
    }
}

/// A model whose forward joins its input with itself `joins` times along the run-time size `N`.
fn self_joins(joins: usize) -> String {
    let lets: String =
        (1..=joins).map(|i| format!("        a{i} = cat([a{0}, a{0}], 0)\n", i - 1)).collect();
    format!(
        "model M {{\n    input x: [N, 4]\n    forward(x) {{\n        a0 = x\n{lets}        a{joins}\n    }}\n}}\n"
    )
}

#[test]
fn repeated_joins_of_a_run_time_size_are_a_diagnostic() {
    // Each join of a tensor with itself doubles the text of its run-time size (`N+N`), which
    // would take exponential time and memory; past a length it is a diagnostic.
    assert!(!survives_within(self_joins(40), 20));
    let errors = cnnc_build::check_source("net.cnn", &self_joins(40)).unwrap_err();
    let text = errors.render(Format::Plain);
    assert!(text.contains("grows too long to follow"), "{text}");
    // A few joins stay within the limit and check.
    let models = cnnc_build::check_source("net.cnn", &self_joins(4)).expect("four joins check");
    let output = models[0].trace.last().expect("a trace").output.to_string();
    assert_eq!(output, format!("[{}, 4]", vec!["N"; 16].join("+")));
}

#[test]
fn empty_and_whitespace_sources() {
    // A file without a model is an error with a diagnostic, not an empty output.
    assert!(!survives(""));
    assert!(!survives("  // nothing here\n"));
}

/// Runs `survives` on another thread and fails if it takes longer than `seconds`.
fn survives_within(source: String, seconds: u64) -> bool {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(survives(&source));
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(seconds))
        .unwrap_or_else(|_| panic!("no result within {seconds} s"))
}

#[test]
fn nested_parentheses_in_constants_parse_in_linear_time() {
    // Found by fuzzing: each `(` used to double the parse time (20 of them took seconds), so
    // nesting up to the limit would never have finished.
    let depth = cnnc_syntax::MAX_NESTING - 4;
    let open = "(".repeat(depth);
    let close = ")".repeat(depth);
    assert!(!survives_within(format!("model M {{ a = L({open} }}"), 10));
    assert!(!survives_within(format!("block B(a = 3, b = {open}= z\n}}"), 10));
    let grouped = format!("model M {{ input x: [N, 4]; fc = Linear(4, {open}2{close}) }}");
    assert!(survives_within(grouped, 10));
    let fuzzed = "//ch `c1`.\nmodel SimpleCN {\n        conv1 ((((((((((((((((((((rma   }\n}\n";
    assert!(!survives_within(fuzzed.to_string(), 10));
}

#[test]
fn a_nested_block_use_with_a_missing_argument_is_a_diagnostic() {
    // Found by fuzzing: this used to panic while building the block definitions.
    let source = "block A(a, b) {\n    Linear(a, b)\n}\n\nblock B(c) {\n    A(c)\n}\n\nmodel M {\n    input x: [N, 4]\n    b = B(4)\n}\n";
    assert!(!survives(source));
}

#[test]
fn long_constant_expressions_compile_in_linear_time() {
    // Code generation used to type each operand of a sum again at every level: 9 operands took
    // seconds and 14 never finished, in `cnnc build` and in `model!` alike.
    let sum = vec!["c"; 200].join(" + ");
    let source = format!(
        "block Wide(c) {{\n    let w = {sum}\n    Linear(c, w)\n}}\nmodel M {{ input x: [N, 2]; wide = Wide(2) }}\n"
    );
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(compile_source("net.cnn", &source).map(|c| c.code));
    });
    let code = receive
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("compiles within 20 s")
        .expect("the source is valid");
    let compact: String = code.split_whitespace().collect();
    assert!(compact.contains(&format!("letw={};", vec!["c"; 200].join("+"))));
}

#[test]
fn long_chains_of_block_uses_are_a_diagnostic() {
    // Each block uses the previous one: checking recursed once per level and overflowed the stack.
    let mut chain = String::from("block B0(c) { ReLU() }\n");
    for i in 1..3000 {
        chain.push_str(&format!("block B{i}(c) {{ B{}(c) }}\n", i - 1));
    }
    chain.push_str("model M { input x: [N, 4]; b = B2999(1) }\n");
    assert!(!survives(&chain));
    let diagnostics = compile_source("net.cnn", &chain).expect_err("too deep");
    let codes: Vec<&str> = diagnostics.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["block::structure"]);
    insta::assert_snapshot!(diagnostics.render(Format::Plain));
    // Within the limit, a chain checks.
    let mut short = String::from("block B0(c) { ReLU() }\n");
    for i in 1..40 {
        short.push_str(&format!("block B{i}(c) {{ B{}(c) }}\n", i - 1));
    }
    short.push_str("model M { input x: [N, 4]; b = B39(1) }\n");
    assert!(survives(&short));
}

#[test]
fn extreme_sizes_known_at_run_time_are_diagnostics() {
    let max = i64::MAX;
    for source in [
        format!("model M {{ input x: [N, 3, H, W]; p = ReflectionPad2d({max}) }}"),
        format!("model M {{ input x: [N, 3, 4, 4]; p = CircularPad2d({max}) }}"),
        format!("model M {{ input x: [N, 3, 4, 4]; p = ZeroPad2d(({min}, {min}, 0, 0)) }}", min = i64::MIN),
        format!("model M {{ input x: [N, 3, H, W]; p = ConstantPad1d(({min}, -1), 0.5) }}", min = i64::MIN),
        format!("model M {{ input x: [N, 3, H, W]; p = ConvTranspose2d(3, 3, 2, stride={max}) }}"),
        "model M { input x: [N, 3, H, W]; u = Upsample(scale_factor=1e18); c = Conv2d(3, 3, 3, stride=3) }".to_string(),
        format!("model M {{ input x: [N, 3, H, W]; u = Unfold({max}) }}"),
        format!("model M {{ input x: [N, 3, H, W]; u = PixelUnshuffle({max}) }}"),
        "model M { input x: [N, 3, H, W]; p = MaxPool2d(2); forward(x) { interpolate(p(x), size=size(x, 2..), mode=\"nearest\") } }".to_string(),
    ] {
        survives(&source);
    }
}

#[test]
fn many_run_time_size_rules_check_in_bounded_time() {
    // Every skip of a different depth adds a rule on `H` with its own period: the rules are
    // compared pairwise only up to a bound, and each comparison tries at most a bounded period.
    let mut source =
        String::from("model M {\n    input x: [N, 1, H, W]\n    pool = MaxPool2d(2)\n");
    source.push_str("    up = Upsample(scale_factor=2.0)\n    forward(x) {\n");
    let mut value = "x".to_string();
    for depth in 0..200 {
        source.push_str(&format!("        d{depth} = {value} -> pool\n"));
        source.push_str(&format!("        s{depth} = cat([d{depth} -> up, {value}], 1)\n"));
        value = format!("d{depth}");
    }
    source.push_str(&format!("        {value}\n    }}\n}}\n"));
    survives_within(source, 20);
}
