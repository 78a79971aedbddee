//! Every diagnostic, rendered as a user sees it (colour off), snapshot-tested. Each case also
//! asserts the codes it produces, so a case that stops exercising its diagnostic fails.

use cnnc_build::{check_source, Format};

/// Checks `source`, asserts the codes of its errors and returns the rendered text.
fn render(source: &str, codes: &[&str]) -> String {
    let diagnostics = check_source("net.cnn", source).expect_err("the source has errors");
    let found: Vec<&str> = diagnostics.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(found, codes, "{}", diagnostics.render(Format::Plain));
    diagnostics.render(Format::Plain)
}

macro_rules! case {
    ($name:ident, [$($code:literal),*], $source:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(render($source, &[$($code),*]));
        }
    };
}

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");

#[test]
fn linear_in_features_after_flatten() {
    let source = SIMPLE_CNN.replace("[N, 3, 32, 32]", "[N, 3, 28, 28]");
    insta::assert_snapshot!(render(&source, &["shape::linear_in"]));
}

case!(
    syntax_error,
    ["syntax::parse"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 32,, 3)\n}\n"
);

case!(
    syntax_error_at_end_of_input,
    ["syntax::parse"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n"
);

case!(
    duplicate_child,
    ["name::duplicate"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 4)\n    fc = Linear(4, 2)\n}\n"
);

case!(
    undefined_value,
    ["name::undefined"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { y -> fc }\n}\n"
);

case!(
    undefined_child,
    ["name::undefined"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { x -> fc2 }\n}\n"
);

case!(
    unknown_layer,
    ["name::unknown_layer"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2D(3, 8, 3)\n}\n"
);

case!(
    unknown_argument,
    ["arg::unknown"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, paddin=1)\n}\n"
);

case!(
    duplicate_argument,
    ["arg::duplicate"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, kernel_size=3)\n}\n"
);

case!(
    missing_argument,
    ["arg::missing"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4)\n}\n"
);

case!(
    too_many_arguments,
    ["arg::too_many"],
    "model M {\n    input x: [N, 4]\n    act = ReLU(true, 1)\n}\n"
);

case!(
    positional_after_keyword,
    ["arg::order"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, kernel_size=3, 1)\n}\n"
);

case!(
    wrong_argument_type,
    ["arg::type"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, bias=1)\n}\n"
);

case!(
    underscore_where_it_cannot_be_inferred,
    ["arg::type"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, _, 3)\n}\n"
);

case!(
    argument_out_of_range,
    ["arg::value", "arg::value"],
    "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 0)\n    drop = Dropout(1.5)\n}\n"
);

case!(
    pool_padding_too_large,
    ["arg::value"],
    "model M {\n    input x: [N, 3, 8, 8]\n    pool = MaxPool2d(2, padding=2)\n}\n"
);

case!(missing_input, ["model::structure"], "model M {\n    fc = Linear(4, 2)\n}\n");

case!(
    channel_mismatch,
    ["shape::channels"],
    "model M {\n    input x: [N, 3, 32, 32]\n    conv1 = Conv2d(3, 16, 3)\n    conv2 = Conv2d(32, 64, 3)\n}\n"
);

case!(
    batch_norm_features,
    ["shape::channels"],
    "model M {\n    input x: [N, 3, 32, 32]\n    conv = Conv2d(3, 16, 3)\n    bn = BatchNorm2d(32)\n}\n"
);

case!(
    spatial_collapse,
    ["shape::collapse"],
    "model M {\n    input x: [N, 1, 8, 8]\n    features = Sequential {\n        MaxPool2d(2); MaxPool2d(2); MaxPool2d(2); MaxPool2d(2)\n    }\n}\n"
);

case!(
    kernel_larger_than_input,
    ["shape::collapse"],
    "model M {\n    input x: [N, 1, 4, 12]\n    conv = Conv2d(1, 1, 5, dilation=(1, 2))\n}\n"
);

case!(
    groups_do_not_divide,
    ["shape::groups"],
    "model M {\n    input x: [N, 6, 8, 8]\n    conv = Conv2d(6, 8, 3, groups=4)\n}\n"
);

case!(
    wrong_rank,
    ["shape::rank"],
    "model M {\n    input x: [N, 3, 8, 8]\n    forward(x) { x -> flatten(1) -> conv }\n    conv = Conv2d(192, 8, 3)\n}\n"
);

case!(
    symbolic_channels,
    ["shape::symbolic"],
    "model M {\n    input x: [N, C, 8, 8]\n    conv = Conv2d(3, 8, 3)\n}\n"
);

case!(
    size_overflow,
    ["shape::overflow"],
    "model M {\n    input x: [N, 1, 8, 8]\n    conv = Conv2d(1, 1, 1, padding=4611686018427387904)\n}\n"
);

case!(
    cannot_infer_unused_child,
    ["shape::infer"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    spare = Linear(_, 2)\n    forward(x) { x -> fc }\n}\n"
);

case!(
    forward_call_with_arguments,
    ["forward::call"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { x -> fc(3) }\n}\n"
);

case!(
    flatten_dimension_out_of_range,
    ["forward::call"],
    "model M {\n    input x: [N, 4]\n    forward(x) { x -> flatten(2) }\n}\n"
);

case!(
    init_unknown_target,
    ["init::target", "init::target"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init {\n        fc2.weight = zeros\n        Linear.weights = zeros\n    }\n}\n"
);

case!(
    init_unknown_initializer,
    ["init::initializer"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init { Linear.weight = kaiming_unifrom }\n}\n"
);

case!(
    init_fan_of_a_bias,
    ["init::initializer"],
    "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init { fc.bias = xavier_uniform }\n}\n"
);

case!(
    every_error_in_one_run,
    ["name::unknown_layer", "arg::unknown", "shape::linear_in"],
    "model M {\n    input x: [N, 3, 8, 8]\n    a = Conv2D(3, 8, 3)\n    b = ReLU(inplac=true)\n    forward(x) { x -> flatten(1) -> fc }\n    fc = Linear(100, 10)\n}\n"
);

/// Every code in the checker appears in at least one case above.
#[test]
fn every_code_has_a_case() {
    let this_file = include_str!("diagnostics.rs");
    for code in cnnc_build::Code::ALL {
        assert!(this_file.contains(&format!("\"{}\"", code.as_str())), "no case for {code}");
    }
}

#[test]
fn json_output_has_code_spans_and_help() {
    let source = SIMPLE_CNN.replace("[N, 3, 32, 32]", "[N, 3, 28, 28]");
    let diagnostics = check_source("net.cnn", &source).unwrap_err();
    let line = diagnostics.render(Format::Json);
    let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(value["code"], "shape::linear_in");
    assert_eq!(value["primary"]["line"], 22);
    assert_eq!(&source[value["primary"]["start"].as_u64().unwrap() as usize..][..4], "2048");
    assert_eq!(value["related"][0]["line"], 29);
    assert!(value["help"].as_str().unwrap().contains("Linear(1152, 512)"));
}
