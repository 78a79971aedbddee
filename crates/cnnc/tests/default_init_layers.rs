//! PyTorch's default initializations of the N-d and newer layers.
use cnnc::nn::*;
use tch::nn::{Init, VarStore};
use tch::{Device, Kind, Tensor};

/// Checks that `t` lies within `±bound` and has the standard deviation of `U(-bound, bound)`.
fn assert_uniform(t: &Tensor, bound: f64) {
    let max = t.abs().max().double_value(&[]);
    assert!(max <= bound, "max {max} exceeds bound {bound}");
    assert!(max > 0.95 * bound, "max {max} is far below bound {bound}");
    let std = t.std(true).double_value(&[]);
    let expected = bound / 3f64.sqrt();
    assert!((std / expected - 1.0).abs() < 0.05, "std {std}, expected {expected}");
}

/// Checks that every element of the `Float` tensor `t` equals `value`.
fn assert_all(t: &Tensor, value: f64) {
    let value = value as f32 as f64;
    let (min, max) = (t.min().double_value(&[]), t.max().double_value(&[]));
    assert!(min == value && max == value, "values in [{min}, {max}], expected {value}");
}

fn some(t: &Option<Tensor>) -> &Tensor {
    t.as_ref().expect("tensor is registered")
}

#[test]
fn conv1d_and_conv3d_default_init() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = Conv1dConfig { groups: 2, ..Default::default() };
    let conv = Conv1d::new(vs.root() / "c1", 32, 64, [5], config);
    // fan_in = in_channels / groups * prod(kernel_size) = 16 * 5.
    assert_uniform(&conv.weight, 1.0 / 80f64.sqrt());
    let bias = some(&conv.bias);
    assert!(bias.abs().max().double_value(&[]) <= 1.0 / 80f64.sqrt());
    let config = Conv3dConfig::default();
    let conv = Conv3d::new(vs.root() / "c3", 8, 32, [2, 3, 3], config);
    assert_uniform(&conv.weight, 1.0 / 144f64.sqrt());
}

#[test]
fn conv_transpose_default_init_uses_transposed_fan_in() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose2dConfig { groups: 2, ..Default::default() };
    let deconv = ConvTranspose2d::new(vs.root(), 64, 32, [3, 3], config);
    assert_eq!(deconv.weight.size(), [64, 16, 3, 3]);
    // fan_in = weight.size(1) * prod(kernel_size) = out_channels / groups * 9 = 144, not the
    // 32 * 9 = 288 of a convolution with the same channels.
    let bound = 1.0 / 12.0;
    assert_uniform(&deconv.weight, bound);
    let bias = some(&deconv.bias);
    assert_eq!(bias.size(), [32]);
    let max = bias.abs().max().double_value(&[]);
    assert!(max <= bound && max > 0.5 * bound, "bias max {max}");
    assert!(deconv.weight.requires_grad());
}

#[test]
fn conv_transpose_custom_init() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose1dConfig {
        weight_init: Some(Init::Const(0.5)),
        bias_init: Some(Init::Const(-1.0)),
        ..Default::default()
    };
    let deconv = ConvTranspose1d::new(vs.root(), 2, 3, [2], config);
    assert_all(&deconv.weight, 0.5);
    assert_all(some(&deconv.bias), -1.0);
}

#[test]
fn norm_layers_default_init() {
    let vs = VarStore::new(Device::Cpu);
    let config =
        InstanceNormConfig { affine: true, track_running_stats: true, ..Default::default() };
    let norm = InstanceNorm2d::new(vs.root() / "in", 4, config);
    assert_all(some(&norm.weight), 1.0);
    assert_all(some(&norm.bias), 0.0);
    assert_all(some(&norm.running_mean), 0.0);
    assert_all(some(&norm.running_var), 1.0);
    let count = some(&norm.num_batches_tracked);
    assert_eq!((count.kind(), count.int64_value(&[])), (Kind::Int64, 0));
    assert!(some(&norm.weight).requires_grad() && !some(&norm.running_mean).requires_grad());

    let config = LayerNormConfig::default();
    let norm = LayerNorm::new(vs.root() / "ln", &[3, 5], config);
    assert_all(some(&norm.weight), 1.0);
    assert_all(some(&norm.bias), 0.0);

    let config = GroupNormConfig::default();
    let norm = GroupNorm::new(vs.root() / "gn", 2, 8, config);
    assert_all(some(&norm.weight), 1.0);
    assert_all(some(&norm.bias), 0.0);

    let config = GroupNormConfig {
        weight_init: Some(Init::Const(2.0)),
        bias_init: Some(Init::Const(3.0)),
        ..Default::default()
    };
    let norm = GroupNorm::new(vs.root() / "custom", 2, 8, config);
    assert_all(some(&norm.weight), 2.0);
    assert_all(some(&norm.bias), 3.0);
}

#[test]
fn prelu_default_init() {
    let vs = VarStore::new(Device::Cpu);
    let prelu = PReLU::new(vs.root() / "a", PReLUConfig::default());
    assert_all(&prelu.weight, 0.25);
    let config = PReLUConfig { num_parameters: 3, init: 0.1, ..Default::default() };
    let prelu = PReLU::new(vs.root() / "b", config);
    assert_eq!(prelu.weight.size(), [3]);
    assert_all(&prelu.weight, 0.1);
    let config = PReLUConfig { weight_init: Some(Init::Const(0.7)), ..Default::default() };
    assert_all(&PReLU::new(vs.root() / "c", config).weight, 0.7);
}

#[test]
fn embedding_default_init() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = EmbeddingConfig { padding_idx: Some(3), ..Default::default() };
    let embedding = Embedding::new(vs.root() / "a", 1000, 16, config);
    let weight = &embedding.weight;
    assert_eq!(weight.size(), [1000, 16]);
    assert!(weight.requires_grad());
    assert_all(&weight.get(3), 0.0);
    let rest = Tensor::cat(&[weight.narrow(0, 0, 3), weight.narrow(0, 4, 996)], 0);
    let std = rest.std(true).double_value(&[]);
    assert!((std - 1.0).abs() < 0.05, "std {std}");
    let mean = rest.mean(Kind::Float).double_value(&[]);
    assert!(mean.abs() < 0.05, "mean {mean}");
    assert!(rest.ne(0.0).all().int64_value(&[]) == 1, "only the padding row is zero");

    // A negative padding_idx counts from the end.
    let config = EmbeddingConfig { padding_idx: Some(-1), ..Default::default() };
    let embedding = Embedding::new(vs.root() / "b", 10, 4, config);
    assert_eq!(embedding.padding_idx, Some(9));
    assert_all(&embedding.weight.get(9), 0.0);
    assert!(embedding.weight.get(8).abs().sum(Kind::Float).double_value(&[]) > 0.0);

    // A given initialization is applied as is.
    let config = EmbeddingConfig { padding_idx: Some(0), weight_init: Some(Init::Const(1.5)) };
    assert_all(&Embedding::new(vs.root() / "c", 10, 4, config).weight, 1.5);
}
