//! PyTorch's default initializations of the layers.
use cnnc::nn::{BatchNorm2d, BatchNormConfig, Conv2d, Conv2dConfig, Linear, LinearConfig};
use tch::nn::{Init, VarStore};
use tch::{Device, Tensor};

/// Checks that `t` lies within `±bound` and has the standard deviation of `U(-bound, bound)`.
fn assert_uniform(t: &Tensor, bound: f64) {
    let max = t.abs().max().double_value(&[]);
    assert!(max <= bound, "max {max} exceeds bound {bound}");
    assert!(max > 0.95 * bound, "max {max} is far below bound {bound}");
    let std = t.std(true).double_value(&[]);
    let expected = bound / 3f64.sqrt();
    assert!((std / expected - 1.0).abs() < 0.05, "std {std}, expected {expected}");
    let mean = t.mean(None).double_value(&[]);
    assert!(mean.abs() < 0.05 * bound, "mean {mean}");
}

/// Checks that `t` lies within `±bound`.
fn assert_bounded(t: &Tensor, bound: f64) {
    let max = t.abs().max().double_value(&[]);
    assert!(max <= bound, "max {max} exceeds bound {bound}");
    assert!(max > 0.0);
}

#[test]
fn conv2d_default_init() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = Conv2dConfig::default();
    let conv = Conv2d::new(vs.root(), 16, 32, [3, 3], config);
    assert_eq!(conv.weight.size(), [32, 16, 3, 3]);
    let bound = 1.0 / 144f64.sqrt();
    assert_uniform(&conv.weight, bound);
    let bias = conv.bias.as_ref().map(Tensor::size);
    assert_eq!(bias, Some(vec![32]));
    assert_bounded(conv.bias.as_ref().unwrap_or(&conv.weight), bound);
    assert!(conv.weight.requires_grad());
}

#[test]
fn grouped_conv2d_default_init() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = Conv2dConfig { groups: 4, ..Default::default() };
    let conv = Conv2d::new(vs.root(), 32, 64, [3, 5], config);
    assert_eq!(conv.weight.size(), [64, 8, 3, 5]);
    assert_uniform(&conv.weight, 1.0 / 120f64.sqrt());
}

#[test]
fn linear_default_init() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let linear = Linear::new(vs.root(), 400, 120, LinearConfig::default());
    assert_eq!(linear.weight.size(), [120, 400]);
    let bound = 1.0 / 400f64.sqrt();
    assert_uniform(&linear.weight, bound);
    let bias = linear.bias.as_ref().map(Tensor::size);
    assert_eq!(bias, Some(vec![120]));
    assert_bounded(linear.bias.as_ref().unwrap_or(&linear.weight), bound);
}

#[test]
fn batch_norm_default_init() {
    let vs = VarStore::new(Device::Cpu);
    let bn = BatchNorm2d::new(vs.root(), 6, BatchNormConfig::default());
    let ones = Tensor::ones([6], tch::kind::FLOAT_CPU);
    let zeros = Tensor::zeros([6], tch::kind::FLOAT_CPU);
    assert!(bn.weight.as_ref().is_some_and(|w| w.equal(&ones)));
    assert!(bn.bias.as_ref().is_some_and(|b| b.equal(&zeros)));
    assert!(bn.running_mean.as_ref().is_some_and(|m| m.equal(&zeros)));
    assert!(bn.running_var.as_ref().is_some_and(|v| v.equal(&ones)));
}

#[test]
fn explicit_inits_override_defaults() {
    let vs = VarStore::new(Device::Cpu);
    let root = vs.root();
    let config = LinearConfig {
        weight_init: Some(Init::Const(0.5)),
        bias_init: Some(Init::Const(-1.0)),
        ..Default::default()
    };
    let linear = Linear::new(&root / "fc", 3, 2, config);
    assert!(linear.weight.equal(&Tensor::full([2, 3], 0.5, tch::kind::FLOAT_CPU)));
    assert!(linear.bias.as_ref().is_some_and(|b| b.equal(&Tensor::full(
        [2],
        -1.0,
        tch::kind::FLOAT_CPU
    ))));

    // Only the weight is overridden: the bias keeps PyTorch's default.
    let config = Conv2dConfig { weight_init: Some(Init::Const(0.0)), ..Default::default() };
    let conv = Conv2d::new(&root / "conv", 4, 8, [2, 2], config);
    assert_eq!(conv.weight.abs().sum(None).double_value(&[]), 0.0);
    assert_bounded(conv.bias.as_ref().unwrap_or(&conv.weight), 0.25);

    let config = BatchNormConfig {
        weight_init: Some(Init::Const(2.0)),
        bias_init: Some(Init::Const(3.0)),
        ..Default::default()
    };
    let bn = BatchNorm2d::new(&root / "bn", 2, config);
    assert!(bn.weight.as_ref().is_some_and(|w| w.equal(&Tensor::full(
        [2],
        2.0,
        tch::kind::FLOAT_CPU
    ))));
    assert!(bn.bias.as_ref().is_some_and(|b| b.equal(&Tensor::full(
        [2],
        3.0,
        tch::kind::FLOAT_CPU
    ))));
}

#[test]
fn zero_fan_in_creates_zero_bias() {
    let vs = VarStore::new(Device::Cpu);
    let linear = Linear::new(vs.root(), 0, 3, LinearConfig::default());
    assert_eq!(linear.weight.size(), [3, 0]);
    assert!(linear
        .bias
        .as_ref()
        .is_some_and(|b| b.equal(&Tensor::zeros([3], tch::kind::FLOAT_CPU))));
}
