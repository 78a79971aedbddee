//! Every diagnostic, rendered as a user sees it (colour off), snapshot-tested; and the
//! diagnostics index in `docs/diagnostics.md`, which is generated from the same cases and must
//! stay equal to them. Each case also asserts the codes it produces, so a case that stops
//! exercising its diagnostic fails. Regenerate the index with `CNNC_UPDATE_DOCS=1`.

use cnnc_build::{check_source, Code, Diagnostics, Format};

/// A source with errors and the codes it must produce, in order.
struct Case {
    name: &'static str,
    codes: &'static [&'static str],
    source: &'static str,
}

/// Checks `source`, asserts the codes of its errors (or, for a source that checks, of its
/// warnings) and returns the rendered text.
fn render(source: &str, codes: &[&str]) -> String {
    let diagnostics = match check_source("net.cnn", source) {
        Err(errors) => errors,
        Ok(models) => match weights_header(source) {
            Some(header) => {
                let tensors = cnnc_build::parse_header(header.as_bytes()).expect("a header");
                let errors = cnnc_build::check_weights(&models[0], &tensors, WEIGHTS);
                Diagnostics::new("net.cnn", source, errors)
            }
            None => Diagnostics::warnings("net.cnn", source, &models),
        },
    };
    assert!(!diagnostics.is_empty(), "the source has errors or warnings");
    let found: Vec<&str> = diagnostics.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(found, codes, "{}", diagnostics.render(Format::Plain));
    diagnostics.render(Format::Plain)
}

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");

/// The weights file of the `weights::` cases.
const WEIGHTS: &str = "net.safetensors";

/// For a case about a weights file: the safetensors header the source describes in a comment
/// `// net.safetensors holds: {...}`, which the case checks the model against.
fn weights_header(source: &str) -> Option<&str> {
    source.lines().find_map(|line| line.strip_prefix("// net.safetensors holds: "))
}

/// The cases, the first one of each code being its example in the index.
const CASES: &[Case] = &[
    Case {
        name: "file_without_a_model",
        codes: &["model::structure"],
        source: "// a network will go here\n",
    },
    Case {
        name: "add_shapes_do_not_broadcast",
        codes: &["shape::broadcast"],
        source: "model M {\n    input x: [N, 8, 16, 16]\n    down = Conv2d(8, 16, 3, stride=2, padding=1)\n    forward(x) {\n        y = x -> down\n        relu(y + x)\n    }\n}\n",
    },
    Case {
        name: "subtract_shapes_do_not_broadcast",
        codes: &["shape::broadcast"],
        source: "model M {\n    input x: [N, 8, 16, 16]\n    pool = MaxPool2d(2)\n    forward(x) { x - x -> pool }\n}\n",
    },
    Case {
        name: "minus_starts_a_line",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 8]\n    fc = Linear(8, 8)\n    forward(x) {\n        y = fc(x)\n            - x\n        relu(y)\n    }\n}\n",
    },
    Case {
        name: "negated_number_as_output",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 8]\n    forward(x) { -2 }\n}\n",
    },
    Case {
        name: "value_named_twice_in_one_statement",
        codes: &["name::duplicate"],
        source: "model M {\n    input x: [N, 8]\n    forward(x) {\n        a, a = chunk(x, 2, dim=1)\n        a\n    }\n}\n",
    },
    Case {
        name: "block_given_too_few_tensors",
        codes: &["forward::call"],
        source: "block Up(c) {\n    up = ConvTranspose2d(c, c, 2, stride=2)\n    forward(x, skip) { up(x) + skip }\n}\nmodel M {\n    input x: [N, 4, 8, 8]\n    up1 = Up(4)\n    forward(x) { up1(x) }\n}\n",
    },
    Case {
        name: "layer_given_two_tensors",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 8]\n    fc = Linear(8, 8)\n    forward(x) {\n        y = fc(x)\n        fc(x, y)\n    }\n}\n",
    },
    Case {
        name: "several_outputs_as_one_value",
        codes: &["forward::call"],
        source: "block Split(c) {\n    a = Conv2d(c, c, 1)\n    forward(x) { (a(x), x) }\n}\nmodel M {\n    input x: [N, 4, 8, 8]\n    split = Split(4)\n    forward(x) { relu(split(x)) }\n}\n",
    },
    Case {
        name: "several_outputs_unpacked_into_too_many_names",
        codes: &["forward::call"],
        source: "block Split(c) {\n    a = Conv2d(c, c, 1)\n    forward(x) { (a(x), x) }\n}\nmodel M {\n    input x: [N, 4, 8, 8]\n    split = Split(4)\n    forward(x) {\n        a, b, c = split(x)\n        a + b + c\n    }\n}\n",
    },
    Case {
        name: "block_with_two_inputs_in_a_sequence",
        codes: &["forward::call"],
        source: "block Up(c) {\n    up = ConvTranspose2d(c, c, 2, stride=2)\n    forward(x, skip) { up(x) + skip }\n}\nmodel M {\n    input x: [N, 4, 8, 8]\n    body = Sequential { Conv2d(4, 4, 1); Up(4) }\n}\n",
    },
    Case {
        name: "unknown_constant_function",
        codes: &["name::undefined"],
        source: "block Head(c, alpha) {\n    Linear(c, rnd(c * alpha))\n}\n\nmodel M {\n    input x: [N, 16]\n    head = Head(16, 0.5)\n}\n",
    },
    Case {
        name: "constant_function_out_of_range",
        codes: &["const::expr"],
        source: "block Head(c, alpha) {\n    Linear(c, int(c * alpha))\n}\n\nmodel M {\n    input x: [N, 16]\n    head = Head(16, 1e300)\n}\n",
    },
    Case {
        name: "list_items_of_different_types",
        codes: &["const::expr"],
        source: "model M {\n    input x: [N, 8]\n    let config = [(8, 16), (16, 32, 2)]\n    for (cin, cout) in config { Linear(cin, cout) }\n}\n",
    },
    Case {
        name: "list_index_out_of_range",
        codes: &["const::expr"],
        source: "model M {\n    input x: [N, 8]\n    let widths = [8, 16, 32]\n    fc = Linear(widths[0], widths[3])\n}\n",
    },
    Case {
        name: "tuple_indexed_by_a_variable",
        codes: &["const::expr"],
        source: "block Stem(kernel, i) {\n    Conv2d(3, 8, kernel[i])\n}\nmodel M {\n    input x: [N, 3, 32, 32]\n    stem = Stem((3, 5), 1)\n}\n",
    },
    Case {
        name: "arithmetic_on_a_list",
        codes: &["const::expr"],
        source: "model M {\n    input x: [N, 8]\n    let widths = [8, 16]\n    fc = Linear(8, widths * 2)\n}\n",
    },
    Case {
        name: "loop_names_do_not_unpack_an_item",
        codes: &["const::expr"],
        source: "model M {\n    input x: [N, 8]\n    features = Sequential {\n        for (cin, cout) in [(8, 16, 1), (16, 32, 2)] { Linear(cin, cout) }\n    }\n}\n",
    },
    Case {
        name: "loop_over_a_number",
        codes: &["const::expr"],
        source: "model M {\n    input x: [N, 8]\n    features = Sequential {\n        for i in 3 { Linear(8, 8) }\n    }\n}\n",
    },
    Case {
        name: "list_parameter_of_two_item_types",
        codes: &["const::expr"],
        source: "block Drops(ps) {\n    for p in ps { Dropout(p) }\n}\nmodel M {\n    input x: [N, 8]\n    a = Drops([0, 0])\n    b = Drops([0.1, 0.2])\n    forward(x) { x -> a -> b }\n}\n",
    },
    Case {
        name: "function_called_above_its_definition",
        codes: &["name::undefined"],
        source: "fn width(c) { round_up(c, 8) }\nfn round_up(v, divisor) { (v + divisor - 1) / divisor * divisor }\n\nmodel M {\n    input x: [N, 8]\n    fc = Linear(8, width(12))\n}\n",
    },
    Case {
        name: "function_error_in_its_body",
        codes: &["const::expr"],
        source: "fn make_divisible(v, divisor) {\n    let rounded = int(v + divisor / 2.0) / divisor * divisor\n    max(divisor, rounded)\n}\n\nmodel M {\n    input x: [N, 8]\n    fc = Linear(8, make_divisible(12, 0))\n}\n",
    },
    Case {
        name: "function_missing_an_argument",
        codes: &["const::expr"],
        source: "fn make_divisible(v, divisor) { max(divisor, int(v + divisor / 2.0) / divisor * divisor) }\n\nmodel M {\n    input x: [N, 8]\n    fc = Linear(8, make_divisible(12))\n}\n",
    },
    Case {
        name: "function_named_like_a_builtin",
        codes: &["name::duplicate"],
        source: "fn round(v) { int(v + 0.5) }\n\nmodel M {\n    input x: [N, 8]\n    fc = Linear(8, 4)\n}\n",
    },
    Case {
        name: "function_returns_a_list",
        codes: &["const::expr"],
        source: "fn widths(c) { [c, 2 * c] }\n\nmodel M {\n    input x: [N, 8]\n    fc = Linear(8, widths(8)[0])\n}\n",
    },
    Case {
        name: "attention_heads_do_not_divide",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 10, 96]\n    attention = MultiheadAttention(96, 5, batch_first=true)\n}\n",
    },
    Case {
        name: "tensor_index_out_of_range",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 197, 768]\n    head = Linear(768, 10)\n    forward(x) { x[:, 197] -> head }\n}\n",
    },
    Case {
        name: "tensor_index_of_a_run_time_size",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 197, 768]\n    head = Linear(768, 10)\n    forward(x) { x[0] -> head }\n}\n",
    },
    Case {
        name: "expand_a_size_that_is_not_one",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 196, 768]\n    class_token = Parameter((1, 2, 768))\n    forward(x) { cat([expand(class_token, size(x, 0), 1, -1), x], 1) }\n}\n",
    },
    Case {
        name: "children_without_unnamed_children",
        codes: &["forward::call"],
        source: "block Head(c) {\n    conv = Conv2d(c, c, 1)\n    forward(x) { children(x) + x }\n}\nmodel M {\n    input x: [N, 8, 4, 4]\n    head = Head(8)\n}\n",
    },
    Case {
        name: "window_shift_not_less_than_the_window",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 14, 14, 96]\n    attn = ShiftedWindowAttention(96, (7, 7), (7, 3), 3)\n}\n",
    },
    Case {
        name: "window_attention_on_channels_first",
        codes: &["shape::channels"],
        source: "model M {\n    input x: [N, 96, 56, 56]\n    attn = ShiftedWindowAttention(96, (7, 7), (3, 3), 3)\n}\n",
    },
    Case {
        name: "roll_shifts_and_dims_differ",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4, 8, 8]\n    forward(x) { roll(x, (3, 3), 2) }\n}\n",
    },
    Case {
        name: "bilinear_given_one_tensor",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 6]\n    pair = Bilinear(6, 6, 3)\n    forward(x) { pair(x) }\n}\n",
    },
    Case {
        name: "bilinear_in_a_sequential",
        codes: &["block::structure"],
        source: "model M {\n    input x: [N, 6]\n    head = Sequential { Linear(6, 4); Bilinear(4, 4, 2) }\n}\n",
    },
    Case {
        name: "bilinear_second_features",
        codes: &["shape::linear_in"],
        source: "model M {\n    input x: [N, 6]\n    a = Linear(6, 5)\n    pair = Bilinear(6, 4, 3)\n    forward(x) { pair(x, a(x)) }\n}\n",
    },
    Case {
        name: "tensor_in_a_tuple_argument",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4, 8, 8]\n    forward(x) { roll(x, (x, 1), (2, 3)) }\n}\n",
    },
    Case {
        name: "forward_inside_a_sequential",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    s = Sequential { Linear(4, 4); forward(x) { x } }\n}\n",
    },
    Case {
        name: "slice_step_zero",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4, 8, 8]\n    forward(x) { x[:, :, 0::0] }\n}\n",
    },
    Case {
        name: "module_list_run_in_order",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4]\n    heads = ModuleList { Linear(4, 2); Linear(4, 3) }\n    forward(x) { x -> heads }\n}\n",
    },
    Case {
        name: "module_list_with_a_named_entry",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    heads = ModuleList { Linear(4, 2); gate = Sigmoid() }\n    forward(x) { heads.0(x) }\n}\n",
    },
    Case {
        name: "module_list_with_parentheses",
        codes: &["name::unknown_layer"],
        source: "model M {\n    input x: [N, 4]\n    heads = ModuleList(Linear(4, 2))\n    forward(x) { heads.0(x) }\n}\n",
    },
    Case {
        name: "constant_as_a_mode_string",
        codes: &["forward::call"],
        source: "block Up(mode) {\n    forward(x) { interpolate(x, scale_factor=2.0, mode=mode) }\n}\nmodel M {\n    input x: [N, 4, 2, 2]\n    up = Up(\"nearest\")\n}\n",
    },
    Case {
        name: "empty_slice_of_a_sequential",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    features = Sequential { Linear(4, 4); ReLU() }\n    forward(x) { features[2..2](x) }\n}\n",
    },
    Case {
        name: "quoted_name_with_a_dot",
        codes: &["model::structure"],
        source: "model M {\n    input x: [N, 8]\n    \"head.fc\" = Linear(8, 2)\n}\n",
    },
    Case {
        name: "cat_mismatched_sizes",
        codes: &["shape::cat"],
        source: "model M {\n    input x: [N, 3, 32, 32]\n    pool = MaxPool2d(2)\n    forward(x) { cat([x, x -> pool], dim=1) }\n}\n",
    },
    Case {
        name: "reshape_wrong_size",
        codes: &["shape::reshape"],
        source: "model M {\n    input x: [N, 128, 4, 4]\n    forward(x) { x -> reshape(-1, 1000) }\n}\n",
    },
    Case {
        name: "linear_in_features",
        codes: &["shape::linear_in"],
        source: "model M {\n    input x: [N, 3, 28, 28]\n    features = Sequential { Conv2d(3, 8, 3, padding=1); MaxPool2d(2) }\n    forward(x) { x -> features -> flatten(1) -> fc }\n    fc = Linear(2048, 10)\n}\n",
    },
    Case {
        name: "syntax_error",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 32,, 3)\n}\n",
    },
    Case {
        name: "syntax_error_at_end_of_input",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n",
    },
    Case {
        name: "duplicate_child",
        codes: &["name::duplicate"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 4)\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "undefined_value",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { y -> fc }\n}\n",
    },
    Case {
        name: "undefined_child",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { x -> fc2 }\n}\n",
    },
    Case {
        name: "unknown_layer",
        codes: &["name::unknown_layer"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2D(3, 8, 3)\n}\n",
    },
    Case {
        name: "unknown_argument",
        codes: &["arg::unknown"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, paddin=1)\n}\n",
    },
    Case {
        name: "duplicate_argument",
        codes: &["arg::duplicate"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, kernel_size=3)\n}\n",
    },
    Case {
        name: "missing_argument",
        codes: &["arg::missing"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4)\n}\n",
    },
    Case {
        name: "too_many_arguments",
        codes: &["arg::too_many"],
        source: "model M {\n    input x: [N, 4]\n    act = ReLU(true, 1)\n}\n",
    },
    Case {
        name: "positional_after_keyword",
        codes: &["arg::order"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, kernel_size=3, 1)\n}\n",
    },
    Case {
        name: "wrong_argument_type",
        codes: &["arg::type"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, bias=1)\n}\n",
    },
    Case {
        name: "underscore_where_it_cannot_be_inferred",
        codes: &["arg::type"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, _, 3)\n}\n",
    },
    Case {
        name: "argument_out_of_range",
        codes: &["arg::value", "arg::value"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 0)\n    drop = Dropout(1.5)\n}\n",
    },
    Case {
        name: "pool_padding_too_large",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    pool = MaxPool2d(2, padding=2)\n}\n",
    },
    Case {
        name: "missing_input",
        codes: &["model::structure"],
        source: "model M {\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "channel_mismatch",
        codes: &["shape::channels"],
        source: "model M {\n    input x: [N, 3, 32, 32]\n    conv1 = Conv2d(3, 16, 3)\n    conv2 = Conv2d(32, 64, 3)\n}\n",
    },
    Case {
        name: "batch_norm_features",
        codes: &["shape::channels"],
        source: "model M {\n    input x: [N, 3, 32, 32]\n    conv = Conv2d(3, 16, 3)\n    bn = BatchNorm2d(32)\n}\n",
    },
    Case {
        name: "spatial_collapse",
        codes: &["shape::collapse"],
        source: "model M {\n    input x: [N, 1, 8, 8]\n    features = Sequential {\n        MaxPool2d(2); MaxPool2d(2); MaxPool2d(2); MaxPool2d(2)\n    }\n}\n",
    },
    Case {
        name: "kernel_larger_than_input",
        codes: &["shape::collapse"],
        source: "model M {\n    input x: [N, 1, 4, 12]\n    conv = Conv2d(1, 1, 5, dilation=(1, 2))\n}\n",
    },
    Case {
        name: "groups_do_not_divide",
        codes: &["shape::groups"],
        source: "model M {\n    input x: [N, 6, 8, 8]\n    conv = Conv2d(6, 8, 3, groups=4)\n}\n",
    },
    Case {
        name: "wrong_rank",
        codes: &["shape::rank"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    forward(x) { x -> flatten(1) -> conv }\n    conv = Conv2d(192, 8, 3)\n}\n",
    },
    Case {
        name: "symbolic_channels",
        codes: &["shape::symbolic"],
        source: "model M {\n    input x: [N, C, 8, 8]\n    conv = Conv2d(3, 8, 3)\n}\n",
    },
    Case {
        name: "size_overflow",
        codes: &["shape::overflow"],
        source: "model M {\n    input x: [N, 1, 8, 8]\n    conv = Conv2d(1, 1, 1, padding=4611686018427387904)\n}\n",
    },
    Case {
        name: "cannot_infer_unused_child",
        codes: &["shape::infer"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    spare = Linear(_, 2)\n    forward(x) { x -> fc }\n}\n",
    },
    Case {
        name: "forward_call_with_arguments",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { x -> fc(3) }\n}\n",
    },
    Case {
        name: "flatten_dimension_out_of_range",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4]\n    forward(x) { x -> flatten(2) }\n}\n",
    },
    Case {
        name: "init_unknown_target",
        codes: &["init::target", "init::target"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init {\n        fc2.weight = zeros\n        Linear.weights = zeros\n    }\n}\n",
    },
    Case {
        name: "init_unknown_initializer",
        codes: &["init::initializer"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init { Linear.weight = kaiming_unifrom }\n}\n",
    },
    Case {
        name: "init_fan_of_a_bias",
        codes: &["init::initializer"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    init { fc.bias = xavier_uniform }\n}\n",
    },
    Case {
        name: "const_division_by_zero",
        codes: &["const::expr"],
        source: "block Squeeze(c, ratio) {\n    Conv2d(c, c / ratio, 1); ReLU()\n}\n\nmodel M {\n    input x: [N, 8, 4, 4]\n    se = Squeeze(8, 0)\n}\n",
    },
    Case {
        name: "const_condition_not_boolean",
        codes: &["const::expr"],
        source: "block B(c, stride) {\n    conv = Conv2d(c, c, 3, stride=stride, padding=1)\n    if stride { pool = MaxPool2d(2) }\n    forward(x) { x -> conv -> pool }\n}\n\nmodel M {\n    input x: [N, 8, 16, 16]\n    b = B(8, 2)\n}\n",
    },
    Case {
        name: "block_mixes_named_and_unnamed_children",
        codes: &["block::structure"],
        source: "block B(c) {\n    conv = Conv2d(c, c, 3, padding=1)\n    ReLU()\n}\n\nmodel M {\n    input x: [N, 8, 16, 16]\n    b = B(8)\n}\n",
    },
    Case {
        name: "block_named_child_in_loop",
        codes: &["block::structure"],
        source: "model M {\n    input x: [N, 8, 16, 16]\n    tower = Sequential {\n        for i in 0..3 { conv = Conv2d(8, 8, 3, padding=1) }\n    }\n}\n",
    },
    Case {
        name: "block_contains_itself",
        codes: &["block::recursive"],
        source: "block Tower(n) {\n    Conv2d(8, 8, 3, padding=1)\n    if n > 1 { Tower(n - 1) }\n}\n\nmodel M {\n    input x: [N, 8, 16, 16]\n    tower = Tower(3)\n}\n",
    },
    Case {
        name: "block_shape_error_names_the_use",
        codes: &["shape::channels"],
        source: "block Down(cin, cout) {\n    Conv2d(cin, cout, 3, stride=2, padding=1)\n    BatchNorm2d(cin)\n}\n\nmodel M {\n    input x: [N, 3, 32, 32]\n    down1 = Down(3, 3)\n    down2 = Down(3, 16)\n}\n",
    },
    Case {
        name: "block_too_many_arguments",
        codes: &["arg::too_many"],
        source: "block Down(cin, cout) {\n    Conv2d(cin, cout, 3, stride=2, padding=1)\n}\n\nmodel M {\n    input x: [N, 3, 32, 32]\n    down = Down(3, 16, 2)\n}\n",
    },
    Case {
        name: "block_inferred_argument_differs_between_uses",
        codes: &["shape::infer"],
        source: "block Head(classes) {\n    Flatten(); Linear(_, classes)\n}\n\nmodel M {\n    input x: [N, 8, 4, 4]\n    a = Head(10)\n    b = Head(10)\n    forward(x) { x -> a + (x -> flatten(1) -> reshape(-1, 8, 4, 4) -> adaptive_avg_pool2d(2) -> b) }\n}\n",
    },
    Case {
        name: "model_instance_adds_children",
        codes: &["model::structure"],
        source: "block Net(c) {\n    conv = Conv2d(3, c, 3)\n    forward(x) { conv(x) }\n}\n\nmodel M = Net(8) {\n    input x: [N, 3, 8, 8]\n    fc = Linear(8, 2)\n}\n",
    },
    Case {
        name: "chunk_pieces_and_names_differ",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 5, 8, 8]\n    forward(x) {\n        a, b = chunk(x, 3, dim=1)\n        a + b\n    }\n}\n",
    },
    Case {
        name: "block_with_two_outputs_run_in_order",
        codes: &["forward::call"],
        source: "block Head(c) {\n    fc = Linear(c, 10)\n    aux = Linear(c, 2)\n    forward(x) { (fc(x), aux(x)) }\n}\n\nmodel M {\n    input x: [N, 8]\n    head = Head(8)\n}\n",
    },
    Case {
        name: "parameter_applied_as_a_layer",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 4]\n    scale = Parameter(4, 1.0)\n    forward(x) { x -> scale }\n}\n",
    },
    Case {
        name: "parameter_in_a_sequential",
        codes: &["block::structure"],
        source: "model M {\n    input x: [N, 4]\n    s = Sequential { Linear(4, 4); Parameter(4) }\n}\n",
    },
    Case {
        name: "every_error_in_one_run",
        codes: &["name::unknown_layer", "arg::unknown", "shape::linear_in"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    a = Conv2D(3, 8, 3)\n    b = ReLU(inplac=true)\n    forward(x) { x -> flatten(1) -> fc }\n    fc = Linear(100, 10)\n}\n",
    },
    Case {
        name: "nested_block_missing_argument",
        codes: &["arg::missing"],
        source: "block B(a, b) { Linear(a, b) }\nblock S(c) { B(c) }\nmodel M { input x: [N, 4]; s = S(4) }\n",
    },
    Case {
        name: "nested_block_repeated_argument",
        codes: &["arg::duplicate"],
        source: "block B(a, b) { Linear(a, b) }\nblock S(c) { B(c, 3, a=2) }\nmodel M { input x: [N, 4]; s = S(4) }\n",
    },
    Case {
        name: "model_named_self",
        codes: &["name::duplicate"],
        source: "model self { input x: [N, 4]; fc = Linear(4, 2) }\n",
    },
    Case {
        name: "model_named_after_the_prelude",
        codes: &["name::duplicate"],
        source: "model Default { input x: [N, 4]; fc = Linear(4, 2) }\n",
    },
    Case {
        name: "models_with_one_rust_type_name",
        codes: &["name::duplicate"],
        source: "model SimpleCNN { input x: [N, 4]; fc = Linear(4, 2) }\nmodel SimpleCnn { input x: [N, 4]; fc = Linear(4, 2) }\n",
    },
    Case {
        name: "children_with_one_rust_field_name",
        codes: &["name::duplicate"],
        source: "model M { input x: [N, 4]; Fc = Linear(4, 4); fc = Linear(4, 2) }\n",
    },
    Case {
        name: "parameter_count_overflows",
        codes: &["shape::overflow"],
        source: "model M { input x: [N, 10]; e = Embedding(10000000000, 1000000000) }\n",
    },
    Case {
        name: "upsample_size_overflows",
        codes: &["shape::overflow"],
        source: "model M { input x: [N, 3, 8, 8]; u = Upsample(scale_factor=1e300) }\n",
    },
    Case {
        name: "element_count_overflows",
        codes: &["shape::overflow"],
        source: "model M { input x: [N, 3, 8, 8]; u = Upsample(scale_factor=1e10) }\n",
    },
    Case {
        name: "python_true",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2, bias=True)\n}\n",
    },
    Case {
        name: "pytorch_nn_prefix",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = nn.Conv2d(3, 8, 3)\n}\n",
    },
    Case {
        name: "python_self",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    forward(x) { x -> self.fc }\n}\n",
    },
    Case {
        name: "commas_between_children",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    s = Sequential { Linear(4, 4), ReLU() }\n}\n",
    },
    Case {
        name: "colon_for_a_keyword_argument",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, 3, padding: 1)\n}\n",
    },
    Case {
        name: "list_for_a_pair",
        codes: &["arg::type"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, [3, 3])\n}\n",
    },
    Case {
        name: "python_def",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    def forward(x) { x -> fc }\n}\n",
    },
    Case {
        name: "misspelled_model",
        codes: &["syntax::parse"],
        source: "modle M {\n    input x: [N, 4]\n}\n",
    },
    Case {
        name: "misspelled_forward",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    foward(x) { x -> fc }\n}\n",
    },
    Case {
        name: "unclosed_brace_in_the_middle",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    s = Sequential {\n        Linear(4, 4)\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "unterminated_comment",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    /* a comment\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "unterminated_string",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    u = Upsample(mode=\"nearest)\n}\n",
    },
    Case {
        name: "name_outside_ascii",
        codes: &["syntax::parse"],
        source: "model Réseau {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "run_time_size_not_followed",
        codes: &["shape::symbolic"],
        source: "model M {\n    input x: [N, 3, H, W]\n    up = Upsample(scale_factor=3.0)\n    down = Conv2d(3, 8, 3, stride=2)\n    forward(x) { x -> up -> down }\n}\n",
    },
    Case {
        name: "no_run_time_size_meets_every_rule",
        codes: &["shape::symbolic"],
        source: "model M {\n    input x: [N, 3, H, H]\n    pool = MaxPool2d(2)\n    up = Upsample(scale_factor=2.0)\n    trim = Conv2d(3, 3, 2)\n    forward(x) {\n        even = cat([x -> pool -> up, x], 1)\n        t = trim(x)\n        odd = cat([t -> pool -> up, t], 1)\n        odd\n    }\n}\n",
    },
    Case {
        name: "run_time_size_too_long_to_follow",
        codes: &["shape::symbolic"],
        source: "model M {\n    input x: [N, 4]\n    forward(x) {\n        a0 = x\n        a1 = cat([a0, a0], 0)\n        a2 = cat([a1, a1], 0)\n        a3 = cat([a2, a2], 0)\n        a4 = cat([a3, a3], 0)\n        a5 = cat([a4, a4], 0)\n        a6 = cat([a5, a5], 0)\n        a7 = cat([a6, a6], 0)\n        a8 = cat([a7, a7], 0)\n        a8\n    }\n}\n",
    },
    Case {
        name: "sizes_of_a_value_outside_interpolate",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 3, H, W]\n    forward(x) { x -> reshape(size(x, 0..2)) }\n}\n",
    },
    Case {
        name: "sizes_of_missing_dimensions",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 3, H, W]\n    conv = Conv2d(3, 8, 3, stride=2)\n    forward(x) {\n        y = conv(x)\n        interpolate(y, size=size(x, 2..6), mode=\"bilinear\")\n    }\n}\n",
    },
    Case {
        name: "sizes_of_the_wrong_count",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 3, H, W]\n    conv = Conv2d(3, 8, 3, stride=2)\n    forward(x) {\n        y = conv(x)\n        interpolate(y, size=size(x, 3..), mode=\"bilinear\")\n    }\n}\n",
    },
    Case {
        name: "reflect_padding_as_large_as_the_input",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 3, 8, 3]\n    pad = ReflectionPad2d(3)\n}\n",
    },
    Case {
        name: "fold_blocks_do_not_match",
        codes: &["arg::value"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    unfold = Unfold(2, stride=2)\n    fold = Fold((8, 6), 2, stride=2)\n}\n",
    },
    Case {
        name: "path_to_a_missing_entry",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    layers = Sequential { Linear(4, 4); ReLU() }\n    forward(x) { layers.2(x) }\n}\n",
    },
    Case {
        name: "path_into_a_layer",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 4)\n    forward(x) { fc.0(x) }\n}\n",
    },
    Case {
        name: "chained_comparison",
        codes: &["syntax::parse"],
        source: "block B(c) {\n    if 0 < c < 8 { Linear(c, c) }\n}\nmodel M {\n    input x: [N, 4]\n    b = B(4)\n}\n",
    },
    Case {
        name: "unnamed_child_of_a_model",
        codes: &["syntax::parse"],
        source: "model M {\n    input x: [N, 4]\n    ReLU()\n}\n",
    },
    Case {
        name: "unused_child_with_parameters",
        codes: &["lint::unused_child"],
        source: "model M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n    head = Linear(2, 10)\n    forward(x) { x -> fc }\n}\n",
    },
    Case {
        name: "linear_infers_from_the_last_size",
        codes: &["lint::linear_last_dim"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 4, 3)\n    fc = Linear(_, 10)\n    forward(x) { x -> conv -> fc }\n}\n",
    },
    Case {
        name: "linear_after_a_forgotten_flatten",
        codes: &["shape::linear_in"],
        source: "model M {\n    input x: [N, 16, 5, 5]\n    fc = Linear(400, 10)\n}\n",
    },
    Case {
        name: "misspelled_keyword_is_not_also_missing",
        codes: &["arg::unknown"],
        source: "model M {\n    input x: [N, 3, 8, 8]\n    conv = Conv2d(3, 8, kernal_size=3)\n}\n",
    },
    Case {
        name: "forward_error_does_not_cascade",
        codes: &["name::undefined"],
        source: "model M {\n    input x: [N, 4]\n    a = Linear(4, 4)\n    b = Linear(_, 2)\n    forward(x) { x -> a -> nosuch -> b }\n}\n",
    },
    Case {
        name: "arithmetic_in_a_function_argument",
        codes: &["forward::call"],
        source: "model M {\n    input x: [N, 16, 5, 5]\n    forward(x) { x -> view(-1, 16 * 5 * 5) }\n}\n",
    },
    Case {
        name: "weights_missing",
        codes: &["weights::missing"],
        source: "// net.safetensors holds: {\"fc.weight\": {\"dtype\": \"F32\", \"shape\": [2, 4], \"data_offsets\": [0, 0]}}\nmodel M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "weights_shape",
        codes: &["weights::shape"],
        source: "// net.safetensors holds: {\"fc.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 0]}, \"fc.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 0]}}\nmodel M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "weights_dtype",
        codes: &["weights::dtype"],
        source: "// net.safetensors holds: {\"fc.weight\": {\"dtype\": \"F16\", \"shape\": [2, 4], \"data_offsets\": [0, 0]}, \"fc.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 0]}}\nmodel M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "weights_unexpected",
        codes: &["weights::unexpected"],
        source: "// net.safetensors holds: {\"fc.weight\": {\"dtype\": \"F32\", \"shape\": [2, 4], \"data_offsets\": [0, 0]}, \"fc.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 0]}, \"head.weight\": {\"dtype\": \"F32\", \"shape\": [10, 2], \"data_offsets\": [0, 0]}}\nmodel M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
    Case {
        name: "weights_prefix",
        codes: &["weights::prefix"],
        source: "// net.safetensors holds: {\"module.fc.weight\": {\"dtype\": \"F32\", \"shape\": [2, 4], \"data_offsets\": [0, 0]}, \"module.fc.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 0]}}\nmodel M {\n    input x: [N, 4]\n    fc = Linear(4, 2)\n}\n",
    },
];

#[test]
fn every_case_renders_as_its_snapshot() {
    for case in CASES {
        insta::assert_snapshot!(case.name, render(case.source, case.codes));
    }
}

#[test]
fn linear_in_features_after_flatten() {
    let source = SIMPLE_CNN.replace("[N, 3, 32, 32]", "[N, 3, 28, 28]");
    insta::assert_snapshot!(render(&source, &["shape::linear_in"]));
}

/// Every code in the checker appears in at least one case.
#[test]
fn every_code_has_a_case() {
    for code in Code::ALL {
        assert!(CASES.iter().any(|c| c.codes.contains(&code.as_str())), "no case for {code}");
    }
}

/// The index: for each code, its meaning, a minimal failing example and the message it gives.
fn index() -> String {
    let mut out = String::from(
        "# Diagnostics index\n\n\
         Every diagnostic has a stable code, a message, a primary span, related spans where the cause \
         lives elsewhere (such as the `flatten` that produced a shape), and a help line. The checker \
         reports every error it finds in one run; a layer whose input is already wrong reports \
         nothing more, so one mistake gives one error. `cnnc --format json` prints the same data as \
         JSON (schema: `docs/json-diagnostics.md`), `cnnc explain CODE` prints a code's entry of \
         this index, and `model!` turns each diagnostic into a compile error at the tokens of its \
         primary span.\n\n\
         This file is generated from the cases in `crates/cnnc-build/tests/diagnostics.rs`, and a \
         test fails when it differs from what the checker prints. Regenerate it with \
         `CNNC_UPDATE_DOCS=1 cargo test -p cnnc-build --test diagnostics`.\n\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "- [`{code}`](#{}): {}\n",
            code.as_str().replace("::", ""),
            code.summary()
        ));
    }
    for code in Code::ALL {
        let case = CASES
            .iter()
            .find(|c| c.codes.first() == Some(&code.as_str()))
            .or_else(|| CASES.iter().find(|c| c.codes.contains(&code.as_str())))
            .expect("every code has a case");
        out.push_str(&format!(
            "\n## {code}\n\n{}\n\n```\n{}```\n\n```text\n{}```\n",
            code.summary(),
            case.source,
            render(case.source, case.codes)
        ));
    }
    out
}

#[test]
fn diagnostics_index_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/diagnostics.md");
    let expected = index();
    if std::env::var_os("CNNC_UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is out of date; regenerate it with CNNC_UPDATE_DOCS=1"
    );
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
    assert_eq!(value["fixes"][0]["replacement"], "1152");
    assert_eq!(value["fixes"][0]["start"], value["primary"]["start"]);
}

/// Applies the fixes of every error, last first.
fn apply_fixes(source: &str, errors: &[cnnc_build::Error]) -> String {
    let mut fixes: Vec<_> = errors.iter().flat_map(|e| e.fixes.iter().cloned()).collect();
    fixes.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut fixed = source.to_string();
    for (span, text) in fixes {
        fixed.replace_range(span.range(), &text);
    }
    fixed
}

#[test]
fn fixes_remove_their_diagnostic() {
    let mut fixed_cases = 0;
    for case in CASES {
        let Err(diagnostics) = check_source("net.cnn", case.source) else { continue };
        if diagnostics.errors.iter().all(|e| e.fixes.is_empty()) {
            continue;
        }
        fixed_cases += 1;
        let fixed = apply_fixes(case.source, &diagnostics.errors);
        let remaining = match check_source("net.cnn", &fixed) {
            Ok(_) => Vec::new(),
            Err(d) => d.errors,
        };
        for error in diagnostics.errors.iter().filter(|e| !e.fixes.is_empty()) {
            assert!(
                !remaining.iter().any(|r| r.code == error.code && r.span() == error.span()),
                "{}: the fix leaves `{}`:\n{fixed}",
                case.name,
                error.message
            );
        }
    }
    assert!(fixed_cases >= 8, "{fixed_cases} cases offer fixes");
    // The fixes of these cases leave a source that checks.
    for name in
        ["pytorch_nn_prefix", "python_true", "colon_for_a_keyword_argument", "list_for_a_pair"]
    {
        let case = CASES.iter().find(|c| c.name == name).expect("a case");
        let errors = check_source("net.cnn", case.source).unwrap_err().errors;
        let fixed = apply_fixes(case.source, &errors);
        assert!(check_source("net.cnn", &fixed).is_ok(), "{name}: {fixed}");
    }
}

#[test]
fn json_positions_count_characters_and_utf16_units() {
    // `é` is 2 bytes, 1 character and 1 UTF-16 unit; `😀` is 4 bytes, 1 character and 2 units.
    let source = "model M {\n    input x: [N, 4]\n    /* é😀 */ fc = Linear(5, 2)\n}\n";
    let diagnostics = check_source("dir/net.cnn", source).unwrap_err();
    let value: serde_json::Value =
        serde_json::from_str(diagnostics.render(Format::Json).trim()).unwrap();
    assert_eq!(value["schema"], cnnc_build::JSON_SCHEMA);
    assert_eq!(value["file"], "dir/net.cnn");
    let primary = &value["primary"];
    let start = primary["start"].as_u64().unwrap() as usize;
    assert_eq!(&source[start..primary["end"].as_u64().unwrap() as usize], "5");
    assert_eq!(primary["line"], 3);
    // `    /* é😀 */ fc = Linear(` is 25 characters and 26 UTF-16 units.
    assert_eq!(primary["column"], 26);
    assert_eq!(primary["column_utf16"], 27);
    assert_eq!(primary["end_line"], 3);
    assert_eq!(primary["end_column"], 27);
    assert_eq!(primary["end_column_utf16"], 28);
    let short = diagnostics.render(Format::Short);
    assert_eq!(short.lines().count(), 1);
    assert!(short.starts_with("dir/net.cnn:3:26: error[shape::linear_in]: "), "{short}");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let source = format!("\u{feff}{SIMPLE_CNN}");
    let models = check_source("net.cnn", &source).expect("a BOM is not an error");
    assert_eq!(models[0].num_parameters(), 1_175_818);
}

#[test]
fn debug_output_leaves_the_source_out() {
    let source = format!("{SIMPLE_CNN}\n// {}\n", "x".repeat(10_000))
        .replace("[N, 3, 32, 32]", "[N, 3, 28, 28]");
    let diagnostics = check_source("net.cnn", &source).unwrap_err();
    let debug = format!("{diagnostics:?}");
    assert!(debug.contains("shape::linear_in") || debug.contains("LinearIn"), "{debug}");
    assert!(debug.len() < 5_000, "{} bytes", debug.len());
}
