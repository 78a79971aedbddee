//! Shared helpers of the end-to-end tests.
#![allow(dead_code)]

use std::path::PathBuf;

use tch::{Kind, Tensor};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's JSON.
pub fn fixture(name: &str) -> serde_json::Value {
    let path = root().join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixtures are valid JSON")
}

/// The deterministic contents of `scripts/reference/deterministic.py`: values in [-1, 1]
/// scaled by 1/sqrt(fan_in), computed in f64 with the same libtorch operations as the Python
/// side, then cast to f32, so both sides hold identical bits.
pub fn fill(shape: &[i64], seed: i64) -> Tensor {
    let numel: i64 = shape.iter().product();
    let fan_in = if shape.len() >= 2 && shape[0] > 0 { numel / shape[0] } else { 1 };
    let scale = 1.0 / (fan_in as f64).sqrt();
    let i = Tensor::arange(numel, (Kind::Double, tch::Device::Cpu));
    let values = ((i * 7919.0 + seed as f64 * 104729.0).remainder(2001.0) / 1000.0 - 1.0) * scale;
    values.reshape(shape).to_kind(Kind::Float)
}

/// Fills float entries of a state dict (in PyTorch order) as `fill_state_dict` in Python does.
pub fn fill_state_dict(state: &[(String, &Tensor)]) {
    tch::no_grad(|| {
        for (k, (name, tensor)) in state.iter().enumerate() {
            if tensor.kind() != Kind::Float {
                continue;
            }
            let mut values = fill(&tensor.size(), k as i64);
            if name.ends_with("running_var") {
                values = values.abs() + 0.5;
            }
            tensor.shallow_clone().copy_(&values);
        }
    });
}

/// A nested JSON array of numbers as a float tensor.
pub fn json_tensor(value: &serde_json::Value) -> Tensor {
    fn flatten(v: &serde_json::Value, out: &mut Vec<f64>, shape: &mut Vec<i64>, depth: usize) {
        match v {
            serde_json::Value::Array(items) => {
                if shape.len() == depth {
                    shape.push(items.len() as i64);
                }
                for item in items {
                    flatten(item, out, shape, depth + 1);
                }
            }
            other => out.push(other.as_f64().expect("a number")),
        }
    }
    let (mut values, mut shape) = (Vec::new(), Vec::new());
    flatten(value, &mut values, &mut shape, 0);
    Tensor::from_slice(&values).reshape(shape.as_slice()).to_kind(Kind::Float)
}

/// The largest absolute difference between two tensors.
pub fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

/// Deterministic int64 indices for Embedding inputs, as `indices` in
/// `scripts/reference/catalogue.py`.
pub fn indices(shape: &[i64]) -> Tensor {
    let numel: i64 = shape.iter().product();
    (Tensor::arange(numel, (Kind::Int64, tch::Device::Cpu)) * 7).remainder(20).reshape(shape)
}

/// Compares a generated model with its PyTorch reference in a fixture written by the scripts in
/// `scripts/reference`: state_dict names, shapes and dtypes in order; default initialisation
/// (constants exactly, random tensors by spread); and the eval-mode output for the same
/// deterministic weights and input, within `tolerance` relative to the output's largest
/// magnitude.
pub fn assert_parity(fixture_name: &str, name: &str, model: &dyn Model, tolerance: f64) {
    let reference = &fixture(fixture_name)["models"][name];
    let state = model.state_dict();
    let expected = reference["state_dict"].as_array().expect("a state_dict list");
    let kind_name = |kind: Kind| match kind {
        Kind::Float => "float32",
        Kind::Int64 => "int64",
        _ => "other",
    };
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

    for ((key, tensor), e) in state.iter().zip(expected) {
        let Some(std) = e["std"].as_f64() else { continue };
        let (min, max) = (e["min"].as_f64().unwrap(), e["max"].as_f64().unwrap());
        let t = tensor.to_kind(Kind::Double);
        let (our_min, our_max) = (t.min().double_value(&[]), t.max().double_value(&[]));
        // A constant tensor (its std may come out as a rounding error, such as 1e-13).
        if std == 0.0 || min == max {
            assert_eq!((our_min, our_max), (min, max), "{name}.{key}: constant initialisation");
        } else if tensor.numel() >= 64 {
            let our_std = t.std(true).double_value(&[]);
            assert!(
                (our_std / std - 1.0).abs() < 0.25,
                "{name}.{key}: std {our_std} vs PyTorch {std}"
            );
            let (ours, theirs) = (our_max.max(-our_min), max.max(-min));
            // The largest of a few thousand normal draws varies by over 1.5× between samples;
            // a uniform bound, or a distribution of the wrong shape, still stands out.
            let spread = if tensor.numel() < 10_000 { 1.75 } else { 1.5 };
            assert!(
                ours < theirs * spread && ours > theirs / spread,
                "{name}.{key}: max |x| {ours} vs PyTorch {theirs}"
            );
        }
    }

    fill_state_dict(&state);
    let input: Vec<i64> =
        reference["input"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
    let x = if name == "EmbeddingNet" { indices(&input) } else { fill(&input, 1000) };
    let y = tch::no_grad(|| model.forward_t(&x, false));
    assert_close(name, &y, &reference["output"], tolerance);
}

/// Asserts that `ours` equals the reference output `theirs` (a nested JSON array) within
/// `tolerance` relative to its largest magnitude, and prints the difference.
pub fn assert_close(label: &str, ours: &Tensor, theirs: &serde_json::Value, tolerance: f64) {
    let expected = json_tensor(theirs);
    assert_eq!(ours.size(), expected.size(), "{label}: output shape");
    let diff = max_abs_diff(ours, &expected);
    let scale = expected.abs().max().double_value(&[]);
    eprintln!(
        "{label}: max |rust - pytorch| = {diff:e}, largest output {scale:.3e}, relative {:.1e}",
        diff / scale
    );
    assert!(scale > 0.0, "{label}: an all-zero output proves nothing");
    assert!(
        diff <= tolerance * scale,
        "{label}: max |rust - pytorch| = {diff} > {tolerance} × {scale}"
    );
}

/// Runs `build` from the global seed 0 while no other test of this binary holds the seed, so
/// that a model's random initialisation does not depend on the tests that run alongside it.
pub fn seeded<T>(build: impl FnOnce() -> T) -> T {
    static SEED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = SEED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    tch::manual_seed(0);
    build()
}

/// A generated model: a tch module with PyTorch-style introspection.
pub trait Model: tch::nn::ModuleT + cnnc::ModuleTree {}
impl<T: tch::nn::ModuleT + cnnc::ModuleTree> Model for T {}
