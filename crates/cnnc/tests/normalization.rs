//! Training and evaluation behaviour of instance, layer and group normalization.
use cnnc::nn::*;
use tch::nn::{Module, ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

const EPS: f64 = 1e-5;

fn assert_close(a: &Tensor, b: &Tensor) {
    assert_eq!(a.size(), b.size());
    let diff = (a - b).abs().max().double_value(&[]);
    assert!(diff < 1e-4, "max difference {diff}");
}

fn input(seed: i64, shape: &[i64]) -> Tensor {
    tch::manual_seed(seed);
    Tensor::randn(shape, tch::kind::FLOAT_CPU) * 2.0 + 1.0
}

/// `(xs - mean) / sqrt(var + eps)` with the biased statistics over `dims`.
fn normalize(xs: &Tensor, dims: &[i64]) -> Tensor {
    let mean = xs.mean_dim(dims, true, Kind::Float);
    let var = xs.var_dim(dims, false, true);
    (xs - mean) / (var + EPS).sqrt()
}

fn some(t: &Option<Tensor>) -> &Tensor {
    t.as_ref().expect("tensor is registered")
}

fn set(t: &Option<Tensor>, values: &[f32]) {
    tch::no_grad(|| some(t).shallow_clone().copy_(&Tensor::from_slice(values)));
}

#[test]
fn instance_norm_uses_instance_statistics() {
    let vs = VarStore::new(Device::Cpu);
    let config = InstanceNormConfig { affine: true, ..Default::default() };
    let norm = InstanceNorm2d::new(vs.root(), 3, config);
    set(&norm.weight, &[1.0, 2.0, 3.0]);
    set(&norm.bias, &[0.0, -1.0, 1.0]);
    let xs = input(0, &[4, 3, 5, 6]);
    let expected = normalize(&xs, &[2, 3])
        * Tensor::from_slice(&[1f32, 2.0, 3.0]).view([1, 3, 1, 1])
        + Tensor::from_slice(&[0f32, -1.0, 1.0]).view([1, 3, 1, 1]);
    // Without running statistics evaluation uses the instance statistics too.
    assert_close(&norm.forward_t(&xs, true), &expected);
    assert_close(&norm.forward_t(&xs, false), &expected);
    // An unbatched input is normalized like a batch of one.
    assert_close(&norm.forward_t(&xs.get(1), false), &expected.get(1));
}

#[test]
fn instance_norm_running_statistics() {
    let vs = VarStore::new(Device::Cpu);
    let config = InstanceNormConfig {
        track_running_stats: true,
        momentum: Some(0.25),
        ..Default::default()
    };
    let norm = InstanceNorm1d::new(vs.root(), 2, config);
    let xs = input(1, &[3, 2, 10]);
    let ys = norm.forward_t(&xs, true);
    assert_close(&ys, &normalize(&xs, &[2]));
    // The running statistics average the instance statistics over the batch.
    let mean = xs.mean_dim(2, false, Kind::Float).mean_dim(0, false, Kind::Float);
    let var = xs.var_dim(2, true, false).mean_dim(0, false, Kind::Float);
    assert_close(some(&norm.running_mean), &(mean * 0.25));
    assert_close(some(&norm.running_var), &(var * 0.25 + 0.75));
    // num_batches_tracked is registered but never incremented, like PyTorch.
    assert_eq!(some(&norm.num_batches_tracked).int64_value(&[]), 0);

    // Evaluation uses the running statistics.
    let mean = some(&norm.running_mean).view([1, 2, 1]);
    let var = some(&norm.running_var).view([1, 2, 1]);
    let expected = (&xs - mean) / (var + EPS).sqrt();
    assert_close(&norm.forward_t(&xs, false), &expected);
}

#[test]
fn instance_norm_3d() {
    let vs = VarStore::new(Device::Cpu);
    let norm = InstanceNorm3d::new(vs.root(), 2, InstanceNormConfig::default());
    let xs = input(2, &[2, 2, 3, 4, 5]);
    assert_close(&norm.forward_t(&xs, false), &normalize(&xs, &[2, 3, 4]));
}

#[test]
#[should_panic(expected = "expected 3D or 4D input (got 2D input)")]
fn instance_norm_checks_rank() {
    let vs = VarStore::new(Device::Cpu);
    let norm = InstanceNorm2d::new(vs.root(), 2, InstanceNormConfig::default());
    let _ = norm.forward_t(&Tensor::ones([2, 3], tch::kind::FLOAT_CPU), true);
}

#[test]
#[should_panic(expected = "expected input's size at dim=1 to match num_features (3), but got: 2.")]
fn affine_instance_norm_checks_channels() {
    let vs = VarStore::new(Device::Cpu);
    let config = InstanceNormConfig { affine: true, ..Default::default() };
    let norm = InstanceNorm2d::new(vs.root(), 3, config);
    let _ = norm.forward_t(&Tensor::ones([1, 2, 3, 3], tch::kind::FLOAT_CPU), true);
}

#[test]
fn layer_norm_forward() {
    let vs = VarStore::new(Device::Cpu);
    let config = LayerNormConfig::default();
    let norm = LayerNorm::new(vs.root() / "a", &[4, 5], config);
    let xs = input(3, &[2, 3, 4, 5]);
    assert_close(&norm.forward(&xs), &normalize(&xs, &[2, 3]));
    tch::no_grad(|| {
        let _ = some(&norm.weight).shallow_clone().fill_(2.0);
        let _ = some(&norm.bias).shallow_clone().fill_(0.5);
    });
    assert_close(&norm.forward(&xs), &(normalize(&xs, &[2, 3]) * 2.0 + 0.5));

    let config = LayerNormConfig { elementwise_affine: false, eps: 0.1, ..Default::default() };
    let norm = LayerNorm::new(vs.root() / "b", &[5], config);
    let mean = xs.mean_dim(3, true, Kind::Float);
    let var = xs.var_dim(3, false, true);
    assert_close(&norm.forward(&xs), &((&xs - mean) / (var + 0.1).sqrt()));
}

#[test]
fn group_norm_forward() {
    let vs = VarStore::new(Device::Cpu);
    let config = GroupNormConfig::default();
    let norm = GroupNorm::new(vs.root(), 2, 6, config);
    set(&norm.weight, &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    let xs = input(4, &[3, 6, 4, 4]);
    let grouped = normalize(&xs.view([3, 2, 3, 4, 4]), &[2, 3, 4]).view([3, 6, 4, 4]);
    let scale = Tensor::from_slice(&[1f32, 1.0, 1.0, 2.0, 2.0, 2.0]).view([1, 6, 1, 1]);
    assert_close(&norm.forward(&xs), &(grouped * scale));
    // Group statistics do not depend on the rest of the batch.
    assert_close(&norm.forward(&xs.narrow(0, 1, 1)), &norm.forward(&xs).narrow(0, 1, 1));
}
