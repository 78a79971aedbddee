use cnnc_syntax::{parse, CallArgValue, Child, ConstOp, Dim, Expr, Item, Module, ValueKind};

/// The children of a body, ignoring constants, conditions and loops.
fn children(items: &[Item]) -> Vec<&Child> {
    items.iter().filter_map(|i| if let Item::Child(c) = i { Some(c) } else { None }).collect()
}

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
        children(&model.items).iter().map(|c| c.name.as_ref().unwrap().name.as_str()).collect();
    assert_eq!(names, ["layer1", "layer2", "layer3", "layer4"]);
    let Module::Sequential(layer1) = &children(&model.items)[0].module else {
        panic!("layer1 is a Sequential")
    };
    let Module::Layer(conv1) = &children(&layer1.items)[0].module else {
        panic!("conv1 is a layer")
    };
    assert_eq!(conv1.kind.name, "Conv2d");
    assert_eq!(conv1.args.len(), 5);
    assert_eq!(conv1.args[4].keyword.as_ref().unwrap().name, "padding");
    assert_eq!(&SIMPLE_CNN[conv1.span.range()], "Conv2d(3, 32, 3, 1, padding=1)");
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
    let Module::Sequential(s) = &children(&file.models[0].items)[0].module else { panic!() };
    assert_eq!(s.items.len(), 3);
    assert!(children(&s.items).iter().all(|c| c.name.is_none()));
    let Module::Layer(dropout) = &children(&s.items)[2].module else { panic!() };
    assert_eq!(dropout.args[0].value.kind, ValueKind::Float(0.25));
}

#[test]
fn values_of_every_kind() {
    let src = r#"model M { c = L((3, 5), -1, 1e-5, false, _, None, "same") }"#;
    let file = parse(src).unwrap();
    let Module::Layer(l) = &children(&file.models[0].items)[0].module else { panic!() };
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
    assert_eq!(err.message, "the `{` on line 1 is never closed");
    assert_eq!(err.span.start, 8);

    let err = parse("model M { input x: [N, 3] } model").unwrap_err();
    assert!(err.message.contains("found end of input"), "{}", err.message);

    let err = parse("model M { c = L(99999999999999999999) }").unwrap_err();
    assert!(err.message.contains("does not fit in 64 bits"), "{}", err.message);
}

#[test]
fn blocks_with_conditions_loops_and_constant_expressions() {
    let src = "block B(inp, planes, stride = 1) {
        let hidden = inp * 4
        conv = Conv2d(inp, hidden, 3, stride=stride, padding=(3 - 1) / 2)
        if stride != 1 || inp != planes { down = Conv2d(inp, planes, 1) } else { Identity() }
        for i in 1..planes { ReLU() }
        forward(x) { if stride == 1 { x + conv(x) } else { conv(x) } }
    }
    model M = B(8, 8) { input x: [N, 8, 4, 4] }";
    let file = parse(src).unwrap();
    let block = &file.blocks[0];
    assert_eq!(block.params.len(), 3);
    assert_eq!(block.params[2].default.as_ref().unwrap().kind, ValueKind::Int(1));
    assert_eq!(block.items.len(), 4);
    let Item::Let(hidden) = &block.items[0] else { panic!("a constant") };
    assert!(matches!(&hidden.value.kind, ValueKind::Binary { op: ConstOp::Mul, .. }));
    let Item::Child(conv) = &block.items[1] else { panic!("a child") };
    let Module::Layer(conv) = &conv.module else { panic!("a layer") };
    let padding = &conv.args[4].value;
    assert_eq!(&src[padding.span.range()], "(3 - 1) / 2");
    let Item::If(cond) = &block.items[2] else { panic!("a condition") };
    assert!(matches!(&cond.cond.kind, ValueKind::Binary { op: ConstOp::Or, .. }));
    assert_eq!((cond.then.len(), cond.otherwise.len()), (1, 1));
    let Item::For(repeat) = &block.items[3] else { panic!("a loop") };
    assert_eq!(repeat.vars[0].name, "i");
    assert!(matches!(repeat.over, cnnc_syntax::Iteration::Range { .. }));
    assert!(matches!(block.forwards[0].result, Expr::If { .. }));
    let model = &file.models[0];
    assert_eq!(model.base.as_ref().unwrap().kind.name, "B");
}

#[test]
fn negative_literals_and_operator_precedence() {
    let src = "model M { c = L(-1, -x, a + b * c, a < b && !c) }";
    let file = parse(src).unwrap();
    let Module::Layer(l) = &children(&file.models[0].items)[0].module else { panic!() };
    assert_eq!(l.args[0].value.kind, ValueKind::Int(-1));
    assert!(matches!(l.args[1].value.kind, ValueKind::Unary { .. }));
    let ValueKind::Binary { op: ConstOp::Add, rhs, .. } = &l.args[2].value.kind else { panic!() };
    assert!(matches!(rhs.kind, ValueKind::Binary { op: ConstOp::Mul, .. }));
    assert!(matches!(l.args[3].value.kind, ValueKind::Binary { op: ConstOp::And, .. }));
}
