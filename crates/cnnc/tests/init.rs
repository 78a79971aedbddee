//! The `torch.nn.init` functions.
use cnnc::init::{self, FanMode, Nonlinearity};
use tch::nn::{Init, VarStore};
use tch::{Device, Tensor};

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

fn std(t: &Tensor) -> f64 {
    t.std(true).double_value(&[])
}

#[test]
fn fan_in_and_fan_out() {
    let conv = Tensor::zeros([32, 16, 3, 5], tch::kind::FLOAT_CPU);
    assert_eq!(init::calculate_fan_in_and_fan_out(&conv), (16 * 15, 32 * 15));
    let linear = Tensor::zeros([120, 400], tch::kind::FLOAT_CPU);
    assert_eq!(init::calculate_fan_in_and_fan_out(&linear), (400, 120));
    let vector = Tensor::zeros([7], tch::kind::FLOAT_CPU);
    assert!(init::f_calculate_fan_in_and_fan_out(&vector).is_err());
}

#[test]
#[should_panic(expected = "fewer than 2 dimensions")]
fn fan_of_a_vector_panics() {
    init::calculate_fan_in_and_fan_out(&Tensor::zeros([7], tch::kind::FLOAT_CPU));
}

#[test]
fn gains() {
    assert_eq!(init::calculate_gain(Nonlinearity::Linear, None), 1.0);
    assert_eq!(init::calculate_gain(Nonlinearity::Conv, None), 1.0);
    assert_eq!(init::calculate_gain(Nonlinearity::Sigmoid, None), 1.0);
    assert_eq!(init::calculate_gain(Nonlinearity::Tanh, None), 5.0 / 3.0);
    assert_eq!(init::calculate_gain(Nonlinearity::Relu, None), 2f64.sqrt());
    assert_eq!(init::calculate_gain(Nonlinearity::Selu, None), 0.75);
    let leaky = init::calculate_gain(Nonlinearity::LeakyRelu, None);
    assert!((leaky - (2.0 / 1.0001f64).sqrt()).abs() < 1e-12);
    assert_eq!(init::calculate_gain(Nonlinearity::LeakyRelu, Some(0.0)), 2f64.sqrt());
    let sqrt5 = init::calculate_gain(Nonlinearity::LeakyRelu, Some(5f64.sqrt()));
    assert!((sqrt5 - (1.0 / 3f64).sqrt()).abs() < 1e-12);
}

#[test]
fn default_bound() {
    assert_eq!(init::pytorch_default_bound(0), 0.0);
    assert_eq!(init::pytorch_default_bound(4), 0.5);
}

#[test]
fn kaiming_uniform_bound() {
    tch::manual_seed(0);
    let t = Tensor::zeros([64, 32, 3, 3], tch::kind::FLOAT_CPU);
    init::kaiming_uniform_(&t, 0.0, FanMode::FanIn, Nonlinearity::Relu);
    let bound = 2f64.sqrt() * (3.0 / 288.0f64).sqrt();
    let max = max_abs(&t);
    assert!(max <= bound && max > 0.95 * bound, "max {max}, bound {bound}");
    assert!((std(&t) / (bound / 3f64.sqrt()) - 1.0).abs() < 0.05);

    init::kaiming_uniform_(&t, 0.0, FanMode::FanOut, Nonlinearity::Relu);
    let bound = 2f64.sqrt() * (3.0 / 576.0f64).sqrt();
    let max = max_abs(&t);
    assert!(max <= bound && max > 0.95 * bound, "max {max}, bound {bound}");

    // PyTorch's layer default: a = sqrt(5) with leaky_relu gives 1 / sqrt(fan_in).
    init::kaiming_uniform_(&t, 5f64.sqrt(), FanMode::FanIn, Nonlinearity::LeakyRelu);
    let bound = init::pytorch_default_bound(288);
    let max = max_abs(&t);
    assert!(max <= bound * (1.0 + 1e-6) && max > 0.95 * bound, "max {max}, bound {bound}");
}

#[test]
fn kaiming_normal_std() {
    tch::manual_seed(0);
    let t = Tensor::zeros([256, 128], tch::kind::FLOAT_CPU);
    init::kaiming_normal_(&t, 0.0, FanMode::FanIn, Nonlinearity::Relu);
    let expected = 2f64.sqrt() / 128f64.sqrt();
    assert!((std(&t) / expected - 1.0).abs() < 0.05);
}

#[test]
fn xavier() {
    tch::manual_seed(0);
    let t = Tensor::zeros([200, 300], tch::kind::FLOAT_CPU);
    init::xavier_normal_(&t, 1.0);
    let expected = (2.0 / 500f64).sqrt();
    assert!((std(&t) / expected - 1.0).abs() < 0.05, "std {}", std(&t));
    assert!(t.mean(None).double_value(&[]).abs() < 0.05 * expected);

    init::xavier_uniform_(&t, 2.0);
    let bound = 2.0 * (6.0 / 500f64).sqrt();
    let max = max_abs(&t);
    assert!(max <= bound && max > 0.95 * bound, "max {max}, bound {bound}");
}

#[test]
fn constants() {
    let t = Tensor::ones([3, 4], tch::kind::FLOAT_CPU);
    init::constant_(&t, 2.5);
    assert!(t.equal(&Tensor::full([3, 4], 2.5, tch::kind::FLOAT_CPU)));
    init::zeros_(&t);
    assert!(t.equal(&Tensor::zeros([3, 4], tch::kind::FLOAT_CPU)));
    init::ones_(&t);
    assert!(t.equal(&Tensor::ones([3, 4], tch::kind::FLOAT_CPU)));
}

#[test]
fn fills_trainable_variables_in_place() {
    let vs = VarStore::new(Device::Cpu);
    let w = vs.root().zeros("w", &[4, 5]);
    assert!(w.requires_grad());
    init::uniform_(&w, 1.0, 2.0);
    let min = w.min().double_value(&[]);
    let max = w.max().double_value(&[]);
    assert!((1.0..2.0).contains(&min) && (1.0..2.0).contains(&max));
    init::normal_(&w, 10.0, 0.01);
    assert!((w.mean(None).double_value(&[]) - 10.0).abs() < 0.1);
    // The variable still tracks gradients and the store sees the new values.
    assert!(w.requires_grad());
    let stored = vs.variables()["w"].shallow_clone();
    assert!(stored.equal(&w));
}

#[test]
fn apply_tch_inits() {
    tch::manual_seed(0);
    let t = Tensor::zeros([100, 100], tch::kind::FLOAT_CPU);
    init::apply(Init::Const(3.0), &t);
    assert!(t.equal(&Tensor::full([100, 100], 3.0, tch::kind::FLOAT_CPU)));
    init::apply(Init::Uniform { lo: -0.5, up: 0.25 }, &t);
    assert!(t.min().double_value(&[]) >= -0.5 && t.max().double_value(&[]) < 0.25);
    init::apply(Init::Randn { mean: 1.0, stdev: 0.5 }, &t);
    assert!((t.mean(None).double_value(&[]) - 1.0).abs() < 0.05);
    assert!((std(&t) / 0.5 - 1.0).abs() < 0.05);
    init::apply(tch::nn::init::DEFAULT_KAIMING_UNIFORM, &t);
    let bound = 2f64.sqrt() * (3.0 / 100f64).sqrt();
    assert!(max_abs(&t) <= bound);
}

#[test]
fn zero_element_tensors_are_left_alone() {
    let t = Tensor::zeros([0, 3], tch::kind::FLOAT_CPU);
    init::kaiming_uniform_(&t, 0.0, FanMode::FanIn, Nonlinearity::LeakyRelu);
    init::kaiming_normal_(&t, 0.0, FanMode::FanOut, Nonlinearity::Relu);
    assert_eq!(t.size(), [0, 3]);
}
