use cnnc_check::check_source;
use cnnc_check::ir::{InitDist, NodeBody};

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");

#[test]
fn simple_cnn_shapes_and_parameter_count() {
    let models = check_source(SIMPLE_CNN).expect("the example checks");
    let model = &models[0];
    let rows: Vec<(String, String)> =
        model.trace.iter().map(|r| (r.name.to_string(), r.output.to_string())).collect();
    let flatten = rows.iter().find(|(name, _)| name == "flatten(1)").expect("a flatten row");
    assert_eq!(flatten.1, "[N, 2048]");
    assert_eq!(rows.last().unwrap(), &("layer4.fc3".to_string(), "[N, 10]".to_string()));
    assert_eq!(model.output().to_string(), "[N, 10]");
    // PyTorch: sum(p.numel() for p in SimpleCNN().parameters())
    assert_eq!(model.num_parameters(), 1_175_818);
    let conv1 = model.trace.iter().find(|r| &*r.name == "layer1.conv1").unwrap();
    assert_eq!(conv1.parameters, 32 * 3 * 3 * 3 + 32);
    assert_eq!(conv1.output.to_string(), "[N, 32, 32, 32]");
}

#[test]
fn init_rules_resolve_by_kind_and_path_with_path_winning() {
    let src = SIMPLE_CNN.replace(
        "Linear.weight = normal(0, 1)",
        "Linear.weight = normal(0, 1)\n layer4.fc3.weight = xavier_uniform(gain=2)\n Linear.bias = constant(0.5)",
    );
    let models = check_source(&src).unwrap();
    let model = &models[0];
    let init_of = |path: &str, param: &str| {
        let NodeBody::Layer(layer) = &model.node(path).unwrap().body else { panic!() };
        layer.tensors.iter().find(|t| t.def.name == param).unwrap().init
    };
    assert_eq!(init_of("layer1.conv1", "weight"), Some(InitDist::Normal { mean: 0.0, std: 1.0 }));
    assert_eq!(init_of("layer1.conv1", "bias"), Some(InitDist::Const(0.0)));
    assert_eq!(init_of("layer4.fc1", "weight"), Some(InitDist::Normal { mean: 0.0, std: 1.0 }));
    assert_eq!(init_of("layer4.fc1", "bias"), Some(InitDist::Const(0.5)));
    // xavier_uniform on [10, 64]: gain * sqrt(6 / (64 + 10))
    let bound = 2.0 * (6.0f64 / 74.0).sqrt();
    match init_of("layer4.fc3", "weight") {
        Some(InitDist::Uniform { low, high }) => {
            assert!((high - bound).abs() < 1e-12 && (low + bound).abs() < 1e-12)
        }
        other => panic!("expected a uniform init, got {other:?}"),
    }
}

#[test]
fn underscore_infers_from_the_incoming_shape() {
    let src = SIMPLE_CNN
        .replace("Linear(2048, 512)", "Linear(_, 512)")
        .replace("Conv2d(32, 64", "Conv2d(_, 64");
    let models = check_source(&src).unwrap();
    let NodeBody::Layer(fc1) = &models[0].node("layer4.fc1").unwrap().body else { panic!() };
    assert_eq!(fc1.args.int("in_features"), Some(2048));
    let NodeBody::Layer(conv2) = &models[0].node("layer2.conv2").unwrap().body else { panic!() };
    assert_eq!(conv2.args.int("in_channels"), Some(32));
    assert_eq!(models[0].num_parameters(), 1_175_818);
}

#[test]
fn pytorch_window_formulas() {
    // (input, layer) -> expected [N, C, H, W], each computed by torch 2.13.
    let cases = [
        ("[1, 1, 7, 7]", "MaxPool2d(2, ceil_mode=true)", "[1, 1, 4, 4]"),
        ("[1, 1, 7, 7]", "MaxPool2d(2)", "[1, 1, 3, 3]"),
        ("[1, 1, 5, 5]", "MaxPool2d(2, 2, padding=1, ceil_mode=true)", "[1, 1, 3, 3]"),
        (
            "[1, 1, 10, 9]",
            "Conv2d(1, 4, (3, 2), stride=(2, 3), padding=(1, 0), dilation=2)",
            "[1, 4, 4, 3]",
        ),
        ("[1, 1, 6, 6]", "AvgPool2d(3, 2, 1, ceil_mode=true)", "[1, 1, 4, 4]"),
        ("[2, 8, 5, 5]", "Conv2d(8, 4, 5, groups=4)", "[2, 4, 1, 1]"),
        ("[3, 5, 5]", "Conv2d(3, 2, 3)", "[2, 3, 3]"),
    ];
    for (input, layer, expected) in cases {
        let src = format!("model M {{ input x: {input} l = {layer} }}");
        let models = check_source(&src).unwrap_or_else(|e| panic!("{layer}: {e:?}"));
        assert_eq!(models[0].output().to_string(), expected, "{layer} on {input}");
    }
}
