//! Blocks end to end (tests/fixtures/blocks.cnn): the generated structs equal the same models
//! written in PyTorch (tests/fixtures/blocks.json, from scripts/reference/blocks.py) in
//! state_dict, initialisation and output; conditional children exist only where their condition
//! holds; and the structs work as ordinary tch modules with other parameters.

mod support;

use cnnc::ModuleTree;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/blocks.rs"));

/// The shapes of a module's weights, in `state_dict` order.
fn weight_shapes(module: &dyn ModuleTree) -> Vec<Vec<i64>> {
    module
        .named_parameters()
        .into_iter()
        .filter(|(name, _)| name.ends_with("weight"))
        .map(|(_, w)| w.size())
        .collect()
}

#[test]
fn blocks_match_pytorch() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Blocks::new(&vs.root()));
    support::assert_parity("blocks.json", "Blocks", &model, 1e-5);
}

#[test]
fn a_model_that_is_a_block_instance_matches_pytorch() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| StackOnly::new(&vs.root()));
    support::assert_parity("blocks.json", "StackOnly", &model, 1e-5);
}

/// Entries of `Sequential` children called by path (`convs.0(x)`, `features.2(h)`), in a block
/// and in a model, against `nn.ModuleList` and `nn.Sequential` indexing in PyTorch.
#[test]
fn entries_called_by_path_match_pytorch() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Paths::new(&vs.root()));
    support::assert_parity("blocks.json", "Paths", &model, 1e-5);
}

#[test]
fn module_lists_match_pytorch() {
    // `convs.0(x) + convs.1(x) * convs[2..4](x)` over a `ModuleList` of a model, whose struct
    // has no forward of its own.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Lists::new(&vs.root()));
    support::assert_parity("blocks.json", "Lists", &model, 1e-5);
    let kinds: Vec<(String, &str)> =
        model.named_modules().into_iter().map(|(name, m)| (name, m.kind())).collect();
    assert!(kinds.contains(&("convs".to_string(), "ModuleList")), "{kinds:?}");
    assert!(kinds.contains(&("convs.3".to_string(), "Conv2d")), "{kinds:?}");
}

#[test]
fn roll_matches_pytorch() {
    // `roll(x, (2, -1), (1, 3))` in a model, and `roll(conv(x), s, 1) -> roll((s, -s), (2, 3))`
    // with two values of `s`.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Rolled::new(&vs.root()));
    support::assert_parity("blocks.json", "Rolled", &model, 1e-5);
}

#[test]
fn optional_children_exist_where_their_condition_holds() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = Blocks::new(&vs.root());
    assert!(model.stem.proj.is_some(), "stride 2 needs a projection");
    let kinds: Vec<(String, &str)> =
        model.named_modules().into_iter().map(|(name, m)| (name, m.kind())).collect();
    assert!(kinds.contains(&("stem.proj".to_string(), "Conv2d")));
    assert!(kinds.contains(&("body".to_string(), "Stack")));
    assert!(kinds.contains(&("body.2".to_string(), "Unit")));
    assert!(!kinds.iter().any(|(name, _)| name.starts_with("body.0.proj")));
    // Every variable is registered once, under its state_dict name.
    let mut names: Vec<String> = vs.variables().into_keys().collect();
    names.sort();
    let mut state: Vec<String> = model.state_dict().into_iter().map(|(n, _)| n).collect();
    state.sort();
    assert_eq!(names, state);
}

#[test]
fn block_structs_take_other_parameters() {
    let vs = nn::VarStore::new(Device::Cpu);
    // A use the file does not have: no projection, and the scaled branch of `forward`.
    let unit = Unit::new(&(vs.root() / "unit"), 6, 6, 1, 0.5);
    assert!(unit.proj.is_none());
    let x = Tensor::ones([1, 6, 3, 3], (Kind::Float, Device::Cpu));
    let y = unit.forward_t(&x, false);
    let conv = x.apply(&unit.conv1).relu().apply(&unit.conv2);
    assert_eq!(support::max_abs_diff(&y, &(conv * 0.5 + &x)), 0.0);
    let stack = Stack::new(&(vs.root() / "stack"), 6, 4);
    assert_eq!(stack.children().len(), 4);
    assert_eq!(stack.forward_t(&x, false).size(), [1, 6, 3, 3]);
}

mod macro_blocks {
    cnnc::model! {
        block Pair(c, scale = 2) {
            a = Linear(c, c)
            b = Linear(c, c)
            forward(x) { a(x) * scale + b(x) }
        }
        model Twice { input x: [N, 3]; p = Pair(3); q = Pair(3, 1); forward(x) { x -> p -> q } }
    }
}

#[test]
fn blocks_compile_through_the_macro() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = macro_blocks::Twice::new(&vs.root());
    let x = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));
    let y = model.forward_t(&x, false);
    let p = x.apply(&model.p.a) * 2.0 + x.apply(&model.p.b);
    let expected = p.apply(&model.q.a) * 1.0 + p.apply(&model.q.b);
    assert_eq!(support::max_abs_diff(&y, &expected), 0.0);
}

#[test]
fn chunk_and_auxiliary_outputs_match_pytorch() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| AuxNet::new(&vs.root()));
    // The main output through `forward_t`, with state_dict and initialisation.
    support::assert_parity("blocks.json", "AuxNet", &model, 1e-5);
    // `assert_parity` filled the weights; the auxiliary output comes from `forward_outputs`.
    let reference = &support::fixture("blocks.json")["models"]["AuxNet"];
    let x = support::fill(&[2, 8, 6, 6], 1000);
    let (main, aux) = tch::no_grad(|| model.forward_outputs(&x, false));
    support::assert_close("AuxNet main", &main, &reference["output"], 1e-5);
    support::assert_close("AuxNet aux", &aux, &reference["more_outputs"][0], 1e-6);
}

#[test]
fn a_bare_parameter_matches_pytorch() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Scaled::new(&vs.root()));
    // PyTorch lists a module's own parameters before its children's.
    let names: Vec<String> = model.state_dict().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["gain", "fc.weight", "fc.bias"]);
    assert!(model.named_modules().iter().all(|(name, _)| name != "gain"));
    support::assert_parity("blocks.json", "Scaled", &model, 1e-6);
}

#[test]
fn arithmetic_and_rebound_names_match_pytorch() {
    // `-`, `/`, unary minus, a number on the left of `/` (PyTorch's `reciprocal() * n`) and
    // `x = f(x)`, in a block and in a model.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Arith::new(&vs.root()));
    support::assert_parity("blocks.json", "Arith", &model, 1e-5);
}

#[test]
fn blocks_with_several_inputs_and_outputs_match_pytorch() {
    // `p, q = split(x)` unpacks a block's two outputs; `merge` takes three tensors, one computed
    // in the call. Such blocks have a typed `forward_t` of their own instead of `ModuleT`.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Fork::new(&vs.root()));
    support::assert_parity("blocks.json", "Fork", &model, 1e-5);
    let x = Tensor::randn([1, 4, 3, 3], (Kind::Float, Device::Cpu));
    let (p, q): (Tensor, Tensor) = model.split.forward_t(&x, false);
    assert_eq!(support::max_abs_diff(&p, &x.apply(&model.split.a)), 0.0);
    assert_eq!(support::max_abs_diff(&q, &x.apply(&model.split.b).relu()), 0.0);
    let merged: Tensor = model.merge.forward_t(&p, &q, &x, false);
    assert_eq!(merged.size(), [1, 4, 3, 3]);
}

#[test]
fn widths_from_number_functions_match_pytorch() {
    // int, float, round (ties to even), floor, ceil, min, max, abs, pow, sqrt and log in block
    // constants give PyTorch's layer sizes, so the state_dicts agree.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Widths::new(&vs.root()));
    support::assert_parity("blocks.json", "Widths", &model, 1e-5);
    // The same block with other arguments, computed by the generated constructor.
    let other = Widened::new(&(vs.root() / "other"), 10, 2.5);
    let sizes = weight_shapes(&other);
    // w = max(8, int(29.0) // 8 * 8) = 24, mid = round(10.5) = 10, deep = 6 + 4 + 4 + 1 = 15.
    assert_eq!(sizes, [vec![24, 10, 1, 1], vec![10, 24, 1, 1], vec![15, 10, 1, 1]]);
}

#[test]
fn quoted_names_are_pytorch_names() {
    // `"stem-conv"`, `"s 2"` and the computed `"block{index}-{i}"` land in the state_dict as
    // written; the Rust fields get identifiers (`stem_conv`).
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Names::new(&vs.root()));
    support::assert_parity("blocks.json", "Names", &model, 1e-5);
    assert_eq!(model.stem_conv.kind(), "Conv2d");
    let mut names: Vec<String> = vs.variables().into_keys().collect();
    names.sort();
    assert_eq!(names[0], "stem-conv.bias");
    assert!(names.contains(&"trunk.s 2.block2-1.weight".to_string()), "{names:?}");
}

#[test]
fn configuration_as_data_matches_pytorch() {
    // `fn` helpers, a table of tuples unpacked by `for`, a tuple-valued parameter unpacked by
    // `let`, list comprehensions, `sum`, `config[-1]` and `len` give torchvision-style widths:
    // the state_dicts and outputs agree.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Configs::new(&vs.root()));
    support::assert_parity("blocks.json", "Configs", &model, 1e-5);
    // The generated constructor takes the table as a slice and computes the widths itself:
    // make_divisible(20 * 0.5) = 12, and make_divisible(9 * 0.5) = 8: 4.5 rounds to 4, which is
    // under 90% of 4.5, so it grows by the divisor. The last layer has 2 rows + 3 repeats.
    let other = Table::new(&(vs.root() / "other"), &[(3, 20, 1), (20, 9, 2)], 0.5, (3, 3));
    let sizes = weight_shapes(&other);
    assert_eq!(sizes, [vec![12, 3, 3, 3], vec![8, 12, 3, 3], vec![8, 8, 1, 1], vec![5, 8, 1, 1]],);
}

#[test]
fn block_constants_as_forward_arguments_match_pytorch() {
    // `interpolate(scale_factor=s)` and `reshape(-1, 2, c / 2, 4 * s, 4 * s)` in a block's
    // forward: one struct, two uses with their own scale factors.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Rescaled::new(&vs.root()));
    support::assert_parity("blocks.json", "Rescaled", &model, 1e-5);
    // A third scale, computed by the generated code: 4×4 to 12×12, then [-1, 2, 2, 12, 12].
    let x = Tensor::randn([1, 4, 4, 4], (Kind::Float, Device::Cpu));
    let up = Rescale::new(&(vs.root() / "other"), 3, 4);
    assert_eq!(x.apply_t(&up, false).size(), [1, 2, 12, 12]);
}

#[test]
fn block_constants_as_tensor_function_dimensions_match_pytorch() {
    // `chunk(x, pieces, dim=d)`, `cat(..., dim=d)`, `transpose(d, 3)`, `flatten(d, d + 1)` and
    // `mean((d,), keepdim=keep)`: one struct, along the channels in one use and the rows in the
    // other.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| Regrouped::new(&vs.root()));
    support::assert_parity("blocks.json", "Regrouped", &model, 1e-5);
    // A third use, counting from the end, computed by the generated code: rows again, as
    // dimension -2, flattened to [1, 4, 16] and averaged over dimension -2 into [1, 1, 16].
    let x = Tensor::randn([1, 4, 4, 4], (Kind::Float, Device::Cpu));
    let from_end = Regroup::new(&(vs.root() / "other"), 2, -2, true);
    assert_eq!(x.apply_t(&from_end, false).size(), [1, 1, 16]);
}
