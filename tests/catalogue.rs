//! Every layer of the catalogue, compiled through the build.rs API and compared with PyTorch's
//! own modules (tests/fixtures/catalogue.json, from scripts/reference/catalogue.py): state_dict
//! names, shapes and dtypes; default initialisation; and eval-mode outputs for the same weights.

mod support;

use cnnc::ModuleTree;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

trait Model: ModuleT + ModuleTree {}
impl<T: ModuleT + ModuleTree> Model for T {}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Float => "float32",
        Kind::Int64 => "int64",
        _ => "other",
    }
}

fn check(name: &str, build: fn(&nn::Path) -> Box<dyn Model>) {
    let reference = &support::fixture("catalogue.json")["models"][name];
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = build(&vs.root());

    // Names, shapes and dtypes, in PyTorch's order.
    let state = model.state_dict();
    let expected = reference["state_dict"].as_array().unwrap();
    let ours: Vec<String> =
        state.iter().map(|(n, t)| format!("{n} {:?} {}", t.size(), kind_name(t.kind()))).collect();
    let theirs: Vec<String> = expected
        .iter()
        .map(|e| {
            let dims: Vec<i64> =
                e["shape"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
            format!("{} {dims:?} {}", e["name"].as_str().unwrap(), e["dtype"].as_str().unwrap())
        })
        .collect();
    assert_eq!(ours, theirs, "{name}: state_dict");

    // Default initialisation: constants exactly, random tensors by spread.
    for ((key, tensor), e) in state.iter().zip(expected) {
        let Some(std) = e["std"].as_f64() else { continue };
        let (min, max) = (e["min"].as_f64().unwrap(), e["max"].as_f64().unwrap());
        let t = tensor.to_kind(Kind::Double);
        let (our_min, our_max) = (t.min().double_value(&[]), t.max().double_value(&[]));
        if std == 0.0 {
            assert_eq!((our_min, our_max), (min, max), "{name}.{key}: constant initialisation");
        } else if tensor.numel() >= 64 {
            let our_std = t.std(true).double_value(&[]);
            assert!(
                (our_std / std - 1.0).abs() < 0.25,
                "{name}.{key}: std {our_std} vs PyTorch {std}"
            );
            let (ours, theirs) = (our_max.max(-our_min), max.max(-min));
            assert!(
                ours < theirs * 1.5 && ours > theirs / 1.5,
                "{name}.{key}: max |x| {ours} vs PyTorch {theirs}"
            );
        }
    }

    // Outputs for the same weights and input.
    support::fill_state_dict(&state);
    let input: Vec<i64> =
        reference["input"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
    let x: Tensor =
        if name == "EmbeddingNet" { support::indices(&input) } else { support::fill(&input, 1000) };
    let y = tch::no_grad(|| model.forward_t(&x, false));
    let expected = support::json_tensor(&reference["output"]);
    assert_eq!(y.size(), expected.size(), "{name}: output shape");
    let diff = support::max_abs_diff(&y, &expected);
    let scale = expected.abs().max().double_value(&[]);
    eprintln!("{name}: max |rust - pytorch| = {diff:e} (outputs up to {scale:.3})");
    assert!(diff <= 1e-5 * scale.max(1.0), "{name}: max |rust - pytorch| = {diff}");
}

#[test]
fn conv1d_family() {
    check("Conv1dNet", |p| Box::new(Conv1dNet::new(p)));
}

#[test]
fn conv2d_family() {
    check("Conv2dNet", |p| Box::new(Conv2dNet::new(p)));
}

#[test]
fn conv3d_family() {
    check("Conv3dNet", |p| Box::new(Conv3dNet::new(p)));
}

#[test]
fn activations() {
    check("Activations", |p| Box::new(Activations::new(p)));
}

#[test]
fn embedding() {
    check("EmbeddingNet", |p| Box::new(EmbeddingNet::new(p)));
}

#[test]
fn forward_language() {
    check("ForwardOps", |p| Box::new(ForwardOps::new(p)));
}
