//! A small network with BatchNorm, groups, reflect padding and unnamed Sequential children,
//! loaded from a safetensors file that PyTorch wrote (scripts/reference/tiny_net.py).

mod support;

use cnnc::ModuleTree;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind};

include!(concat!(env!("OUT_DIR"), "/tiny_net.rs"));

#[test]
fn pytorch_weights_load_unchanged_and_give_the_same_output() {
    let reference = support::fixture("tiny_net.json");
    let mut vs = nn::VarStore::new(Device::Cpu);
    let model = TinyNet::new(&vs.root());

    let state: Vec<(String, Vec<i64>, Kind)> =
        model.state_dict().iter().map(|(n, t)| (n.clone(), t.size(), t.kind())).collect();
    let expected: Vec<(String, Vec<i64>, Kind)> = reference["state_dict"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let dims = e[1].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
            let kind = match e[2].as_str().unwrap() {
                "float32" => Kind::Float,
                "int64" => Kind::Int64,
                other => panic!("unexpected dtype {other}"),
            };
            (e[0].as_str().unwrap().to_string(), dims, kind)
        })
        .collect();
    assert_eq!(state, expected);

    vs.load(support::root().join("tests/fixtures/tiny_net.safetensors")).expect("loads");
    assert_eq!(model.features.1.num_batches_tracked.as_ref().unwrap().int64_value(&[]), 7);

    let x = support::fill(&[2, 3, 12, 12], reference["input"]["seed"].as_i64().unwrap());
    let y = tch::no_grad(|| model.forward_t(&x, false));
    let expected = support::json_tensor(&reference["output"]);
    let diff = support::max_abs_diff(&y, &expected);
    eprintln!("max |rust - pytorch| = {diff:e}");
    assert!(diff < 1e-5, "max |rust - pytorch| = {diff}");
}

#[test]
fn training_mode_updates_batch_norm_statistics() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = TinyNet::new(&vs.root());
    let x = support::fill(&[4, 3, 12, 12], 3);
    let before = model.features.1.running_mean.as_ref().unwrap().copy();
    let _ = model.forward_t(&x, true);
    let after = model.features.1.running_mean.as_ref().unwrap();
    assert!(support::max_abs_diff(&before, after) > 0.0);
    assert_eq!(model.features.1.num_batches_tracked.as_ref().unwrap().int64_value(&[]), 1);
    // Evaluation leaves them alone.
    let frozen = after.copy();
    let _ = model.forward_t(&x, false);
    assert_eq!(
        support::max_abs_diff(&frozen, model.features.1.running_mean.as_ref().unwrap()),
        0.0
    );
}
