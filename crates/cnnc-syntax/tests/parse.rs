use cnnc_syntax::{parse, CallArgValue, Dim, Expr, Module, ValueKind};

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");

#[test]
fn parses_the_simple_cnn_example() {
    let file = parse(SIMPLE_CNN).expect("the example parses");
    assert_eq!(file.models.len(), 1);
    let model = &file.models[0];
    assert_eq!(model.name.name, "SimpleCNN");
    let input = &model.inputs[0];
    assert!(matches!(&input.dims[0], Dim::Symbolic(n) if n.name == "N"));
    assert!(matches!(input.dims[3], Dim::Known(32, _)));
    let names: Vec<_> =
        model.children.iter().map(|c| c.name.as_ref().unwrap().name.as_str()).collect();
    assert_eq!(names, ["layer1", "layer2", "layer3", "layer4"]);
    let Module::Sequential(layer1) = &model.children[0].module else {
        panic!("layer1 is a Sequential")
    };
    let Module::Layer(conv1) = &layer1.children[0].module else { panic!("conv1 is a layer") };
    assert_eq!(conv1.kind.name, "Conv2d");
    assert_eq!(conv1.args.len(), 5);
    assert_eq!(conv1.args[4].keyword.as_ref().unwrap().name, "padding");
    assert_eq!(&SIMPLE_CNN[conv1.span.start..conv1.span.end], "Conv2d(3, 32, 3, 1, padding=1)");
    assert_eq!(model.init.len(), 3);
    assert_eq!(model.init[1].init.name, "zeros");
}

#[test]
fn forward_chain_nests_left_to_right() {
    let file =
        parse("model M { input x: [N, 4] forward(x) { x -> a -> flatten(1) -> b } }").unwrap();
    let forward = &file.models[0].forwards[0];
    let Expr::Call(last) = &forward.result else { panic!("a call") };
    assert_eq!(last.callee.name, "b");
    let Some(inner) = &last.piped else { panic!("piped") };
    let Expr::Call(flatten) = inner.as_ref() else { panic!("flatten call") };
    assert_eq!(flatten.callee.name, "flatten");
    assert!(
        matches!(&flatten.args[0].value, CallArgValue::Const(v) if v.kind == ValueKind::Int(1))
    );
}

#[test]
fn unnamed_sequential_children_and_comments() {
    let src =
        "model M { /* block */ s = Sequential { Linear(4, 4); ReLU() // x\n Dropout(p=0.25) } }";
    let file = parse(src).unwrap();
    let Module::Sequential(s) = &file.models[0].children[0].module else { panic!() };
    assert_eq!(s.children.len(), 3);
    assert!(s.children.iter().all(|c| c.name.is_none()));
    let Module::Layer(dropout) = &s.children[2].module else { panic!() };
    assert_eq!(dropout.args[0].value.kind, ValueKind::Float(0.25));
}

#[test]
fn values_of_every_kind() {
    let src = r#"model M { c = L((3, 5), -1, 1e-5, false, _, None, "same") }"#;
    let file = parse(src).unwrap();
    let Module::Layer(l) = &file.models[0].children[0].module else { panic!() };
    let kinds: Vec<_> = l.args.iter().map(|a| a.value.kind.clone()).collect();
    assert!(matches!(&kinds[0], ValueKind::Tuple(t) if t.len() == 2));
    assert_eq!(kinds[1], ValueKind::Int(-1));
    assert_eq!(kinds[2], ValueKind::Float(1e-5));
    assert_eq!(kinds[3], ValueKind::Bool(false));
    assert_eq!(kinds[4], ValueKind::Infer);
    assert_eq!(kinds[5], ValueKind::None);
    assert_eq!(kinds[6], ValueKind::Str("same".into()));
}

#[test]
fn syntax_errors_say_what_was_expected() {
    let err = parse("model M { conv = Conv2d(3, 32,, 3) }").unwrap_err();
    assert!(err.message.starts_with("expected "), "{}", err.message);
    assert!(err.message.contains("found `,`"), "{}", err.message);
    assert_eq!(err.span.start, 30);

    let err = parse("model M { input x: [N, 3] ").unwrap_err();
    assert!(err.message.contains("found end of input"), "{}", err.message);

    let err = parse("model M { c = L(99999999999999999999) }").unwrap_err();
    assert!(err.message.contains("does not fit in 64 bits"), "{}", err.message);
}
