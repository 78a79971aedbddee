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
/// scaled by 1/sqrt(fan_in), computed in f64 with integer arithmetic, then cast to f32.
pub fn fill(shape: &[i64], seed: i64) -> Tensor {
    let numel: i64 = shape.iter().product();
    let fan_in = if shape.len() >= 2 && shape[0] > 0 { numel / shape[0] } else { 1 };
    let scale = 1.0 / (fan_in as f64).sqrt();
    let values: Vec<f64> = (0..numel)
        .map(|i| ((i as f64 * 7919.0 + seed as f64 * 104729.0) % 2001.0 / 1000.0 - 1.0) * scale)
        .collect();
    Tensor::from_slice(&values).reshape(shape).to_kind(Kind::Float)
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
