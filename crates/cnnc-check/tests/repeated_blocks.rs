//! A use of a block whose arguments and input shapes repeat an earlier use's is copied from it,
//! and a call of literals in a loop or block shares its bound arguments: rows, shapes and
//! messages must be those that checking each anew gives.

use cnnc_check::check_source;
use cnnc_check::ir::Model;

const UNIT: &str = "
block Unit(c) {
    fc = Linear(c, c)
    act = ReLU()
    forward(x) { (x -> fc -> act -> flatten(1)) + x }
}
";

fn check(source: &str) -> Model {
    let mut models = check_source(source).expect("the model checks");
    models.remove(0)
}

/// The trace rows, as (name, output shape, parameters).
fn rows(model: &Model) -> Vec<(String, String, i64)> {
    model.trace.iter().map(|r| (r.name.to_string(), r.output.to_string(), r.parameters)).collect()
}

#[test]
fn repeated_uses_are_traced_under_their_own_paths() {
    let model = check(&format!(
        "{UNIT}model M {{ input x: [N, 4]; a = Unit(4); b = Unit(4); c = Unit(4)\n\
         forward(x) {{ x -> a -> b -> c }} }}"
    ));
    let rows = rows(&model);
    let of = |prefix: &str| -> Vec<(String, String, i64)> {
        rows.iter().filter(|(name, ..)| name.starts_with(prefix)).cloned().collect()
    };
    assert_eq!(
        of("a."),
        [("a.fc".to_string(), "[N, 4]".to_string(), 20), ("a.act".into(), "[N, 4]".into(), 0)]
    );
    for prefix in ["b.", "c."] {
        let renamed: Vec<_> = of("a.")
            .into_iter()
            .map(|(name, shape, n)| (name.replacen("a.", prefix, 1), shape, n))
            .collect();
        assert_eq!(of(prefix), renamed);
    }
    // Each use adds its rows in order: its layers, then the `flatten`.
    assert_eq!(rows.len(), 9, "{rows:?}");
    assert_eq!(rows.iter().filter(|(name, ..)| !name.contains('.')).count(), 3, "{rows:?}");
    assert_eq!(model.num_parameters(), 60);
}

#[test]
fn a_use_on_other_input_shapes_is_checked_anew() {
    let model = check(
        "block Halve() { pool = MaxPool2d(2); forward(x) { x -> pool } }\n\
         model M { input x: [N, 1, 8, 8]; a = Halve(); b = Halve(); c = Halve()\n\
         forward(x) { x -> a -> b -> c } }",
    );
    let shapes: Vec<(String, String)> =
        rows(&model).into_iter().map(|(name, shape, _)| (name, shape)).collect();
    assert_eq!(
        shapes,
        [
            ("a.pool".to_string(), "[N, 1, 4, 4]".to_string()),
            ("b.pool".into(), "[N, 1, 2, 2]".into()),
            ("c.pool".into(), "[N, 1, 1, 1]".into()),
        ]
    );
}

#[test]
fn a_repeated_use_warns_as_the_first_does() {
    let model = check(
        "block Head(c) { fc = Linear(c, c); spare = Linear(c, 2); forward(x) { x -> fc } }\n\
         model M { input x: [N, 4]; a = Head(4); b = Head(4)\n\
         forward(x) { x -> a -> b } }",
    );
    let warnings: Vec<String> = model.warnings.iter().map(|w| w.to_string()).collect();
    assert!(warnings.iter().any(|w| w.contains("`a.spare`")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("`b.spare`")), "{warnings:?}");
}

#[test]
fn a_repeated_use_reports_its_own_errors() {
    // The second use gets a wider input than its `Linear` takes: copying the first use's run
    // would hide the mismatch.
    let errors = check_source(
        "block Same() { fc = Linear(4, 4); forward(x) { x -> fc } }\n\
         model M { input x: [N, 4]; a = Same(); wide = Linear(4, 8); b = Same()\n\
         forward(x) { x -> a -> wide -> b } }",
    )
    .expect_err("the second use does not fit");
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(text.iter().any(|e| e.contains("b.fc")), "{text:?}");
}

#[test]
fn repeated_declarations_have_their_own_paths_and_arguments() {
    // `b` and `c` declare `Stage` with the same values, `a` and `d` with others.
    let model = check(
        "block Stage(c, d) { proj = Linear(c, d); body = Sequential { Linear(d, d); ReLU() } }\n\
         model M { input x: [N, 4]; a = Stage(4, 8); b = Stage(8, 8); c = Stage(8, 8); d = Stage(8, 2) }",
    );
    let linear = |path: &str| -> (i64, i64) {
        match model.node(path).map(|node| &node.body) {
            Some(cnnc_check::ir::NodeBody::Layer(layer)) => (
                layer.args.int("in_features").expect("in_features"),
                layer.args.int("out_features").expect("out_features"),
            ),
            _ => panic!("no layer `{path}`"),
        }
    };
    for (stage, proj, body) in
        [("a", (4, 8), (8, 8)), ("b", (8, 8), (8, 8)), ("c", (8, 8), (8, 8)), ("d", (8, 2), (2, 2))]
    {
        assert_eq!(linear(&format!("{stage}.proj")), proj, "{stage}");
        assert_eq!(linear(&format!("{stage}.body.0")), body, "{stage}");
        let node = model.node(&format!("{stage}.body.1")).expect("the ReLU");
        assert_eq!(&*node.path, format!("{stage}.body.1"));
    }
    let rows: Vec<String> = rows(&model).into_iter().map(|(name, ..)| name).collect();
    assert_eq!(rows.iter().filter(|name| name.starts_with("c.")).count(), 3, "{rows:?}");
    // Linear(i, o) holds i·o + o parameters.
    assert_eq!(model.num_parameters(), (40 + 72) + 2 * (72 + 72) + (18 + 6));
}

#[test]
fn repeated_literal_calls_infer_their_own_values() {
    // The three `Linear(_, 8)` of the loop share their bound arguments until each infers its
    // own `_`: 4 for the first, 8 for the others.
    let model = check(
        "model M { input x: [N, 4]; body = Sequential { for _ in 0..3 { Linear(_, 8); ReLU() } } }",
    );
    let in_features = |path: &str| match model.node(path).map(|node| &node.body) {
        Some(cnnc_check::ir::NodeBody::Layer(layer)) => layer.args.int("in_features"),
        _ => panic!("no layer `{path}`"),
    };
    assert_eq!(
        [in_features("body.0"), in_features("body.2"), in_features("body.4")],
        [Some(4), Some(8), Some(8)]
    );
    let counts: Vec<i64> = rows(&model).into_iter().map(|(.., n)| n).collect();
    assert_eq!(counts, [40, 0, 72, 0, 72, 0]);
}

#[test]
fn calls_of_loop_variables_are_bound_for_each_iteration() {
    let model = check(
        "block Widen(n) { for i in 0..n { Linear(4 * (i + 1), 4 * (i + 2)) } }\n\
         model M { input x: [N, 4]; w = Widen(3) }",
    );
    let shapes: Vec<String> = rows(&model).into_iter().map(|(_, shape, _)| shape).collect();
    assert_eq!(shapes, ["[N, 8]", "[N, 12]", "[N, 16]"]);
}

#[test]
fn each_row_of_a_layer_counts_its_parameters() {
    // A layer called twice, and ops between layers: rows that do not follow the order of the
    // layers still find their counts.
    let model = check(
        "model M { input x: [N, 4]; fc = Linear(4, 4); other = Linear(4, 2)\n\
         forward(x) { x -> fc -> relu -> fc -> other -> flatten(1) } }",
    );
    let counts: Vec<(String, i64)> =
        rows(&model).into_iter().map(|(name, _, n)| (name, n)).collect();
    let expected = [("fc", 20), ("relu()", 0), ("fc", 20), ("other", 10), ("flatten(1)", 0)];
    assert_eq!(counts, expected.map(|(name, n)| (name.to_string(), n)));
    assert_eq!(model.num_parameters(), 30);
}

#[test]
fn calls_without_arguments_share_their_defaults_and_keep_their_own_call() {
    let source = "model M { input x: [N, 4]; a = ReLU(); fc = Linear(4, 4); b = ReLU(); c = ReLU(inplace=true) }";
    let model = check(source);
    let args = |path: &str| match model.node(path).map(|node| &node.body) {
        Some(cnnc_check::ir::NodeBody::Layer(layer)) => layer.args.clone(),
        _ => panic!("no layer `{path}`"),
    };
    let (a, b, c) = (args("a"), args("b"), args("c"));
    assert!(std::rc::Rc::ptr_eq(&a.values, &b.values));
    assert_eq!(&source[a.call_span.range()], "ReLU()");
    assert_eq!(b.call_span.range().start, source.rfind("ReLU()").expect("b's call"));
    assert_eq!(c.values[0].value, cnnc_check::args::ArgValue::Bool(true));
    assert_eq!(a.values[0].value, cnnc_check::args::ArgValue::Bool(false));
}

#[test]
fn calls_without_required_arguments_each_report_their_own() {
    let errors = check_source("model M { input x: [N, 4]; a = Linear(); b = Linear() }")
        .expect_err("Linear needs its sizes");
    let at: Vec<usize> = errors.iter().map(|e| e.span().range().start).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_ne!(at[0], at[1], "{errors:?}");
}
