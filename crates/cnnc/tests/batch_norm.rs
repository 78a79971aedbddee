//! Training and evaluation behaviour of batch normalization.
use cnnc::nn::{BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormConfig};
use tch::nn::{ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

const EPS: f64 = 1e-5;

fn assert_close(a: &Tensor, b: &Tensor) {
    let diff = (a - b).abs().max().double_value(&[]);
    assert!(diff < 1e-4, "max difference {diff}");
}

/// Per-channel mean and unbiased variance of an `[N, C, H, W]` tensor, each of shape `[C]`.
fn batch_stats(xs: &Tensor) -> (Tensor, Tensor) {
    let mean = xs.mean_dim([0i64, 2, 3].as_slice(), false, Kind::Float);
    let var = xs.var_dim([0i64, 2, 3].as_slice(), true, false);
    (mean, var)
}

fn channels(t: &Tensor) -> Tensor {
    t.view([1, -1, 1, 1])
}

fn input(seed: i64) -> Tensor {
    tch::manual_seed(seed);
    Tensor::randn([8, 3, 5, 5], tch::kind::FLOAT_CPU) * 2.0 + 1.0
}

fn tensor(t: &Option<Tensor>) -> &Tensor {
    t.as_ref().expect("tensor is registered")
}

#[test]
fn train_updates_running_stats_with_momentum() {
    let vs = VarStore::new(Device::Cpu);
    let bn = BatchNorm2d::new(vs.root(), 3, BatchNormConfig::default());
    let xs = input(1);
    let ys = bn.forward_t(&xs, true);

    let (mean, var) = batch_stats(&xs);
    let expected_mean = &mean * 0.1;
    let expected_var = Tensor::ones([3], tch::kind::FLOAT_CPU) * 0.9 + &var * 0.1;
    assert_close(tensor(&bn.running_mean), &expected_mean);
    assert_close(tensor(&bn.running_var), &expected_var);
    assert_eq!(tensor(&bn.num_batches_tracked).int64_value(&[]), 1);

    // Training normalizes with the biased batch variance.
    let n = (xs.size()[0] * xs.size()[2] * xs.size()[3]) as f64;
    let biased = &var * ((n - 1.0) / n);
    let expected = (&xs - channels(&mean)) / (channels(&biased) + EPS).sqrt();
    assert_close(&ys, &expected);

    let xs2 = input(2);
    let _ = bn.forward_t(&xs2, true);
    let (mean2, _) = batch_stats(&xs2);
    assert_close(tensor(&bn.running_mean), &(&expected_mean * 0.9 + mean2 * 0.1));
    assert_eq!(tensor(&bn.num_batches_tracked).int64_value(&[]), 2);
}

#[test]
fn eval_uses_running_stats() {
    let vs = VarStore::new(Device::Cpu);
    let bn = BatchNorm2d::new(vs.root(), 3, BatchNormConfig::default());
    let _ = bn.forward_t(&input(3), true);
    tch::no_grad(|| {
        let weight = Tensor::from_slice(&[1.5f32, -2.0, 0.5]);
        tensor(&bn.weight).shallow_clone().copy_(&weight);
        let bias = Tensor::from_slice(&[0.1f32, 0.2, 0.3]);
        tensor(&bn.bias).shallow_clone().copy_(&bias);
    });
    let mean = tensor(&bn.running_mean).copy();
    let var = tensor(&bn.running_var).copy();

    let xs = input(4);
    let ys = bn.forward_t(&xs, false);
    let expected = (&xs - channels(&mean)) / (channels(&var) + EPS).sqrt()
        * channels(tensor(&bn.weight))
        + channels(tensor(&bn.bias));
    assert_close(&ys, &expected);

    // Evaluation leaves the buffers alone.
    assert!(tensor(&bn.running_mean).equal(&mean));
    assert!(tensor(&bn.running_var).equal(&var));
    assert_eq!(tensor(&bn.num_batches_tracked).int64_value(&[]), 1);
}

#[test]
fn cumulative_moving_average_without_momentum() {
    let vs = VarStore::new(Device::Cpu);
    let config = BatchNormConfig { momentum: None, ..Default::default() };
    let bn = BatchNorm2d::new(vs.root(), 3, config);
    let (xs1, xs2) = (input(5), input(6));
    let _ = bn.forward_t(&xs1, true);
    let _ = bn.forward_t(&xs2, true);
    let (mean1, _) = batch_stats(&xs1);
    let (mean2, _) = batch_stats(&xs2);
    assert_close(tensor(&bn.running_mean), &((mean1 + mean2) * 0.5));
    assert_eq!(tensor(&bn.num_batches_tracked).int64_value(&[]), 2);
}

#[test]
fn without_running_stats_eval_uses_batch_stats() {
    let vs = VarStore::new(Device::Cpu);
    let config = BatchNormConfig { track_running_stats: false, ..Default::default() };
    let bn = BatchNorm2d::new(vs.root(), 3, config);
    assert!(bn.running_mean.is_none() && bn.num_batches_tracked.is_none());
    let xs = input(7);
    assert_close(&bn.forward_t(&xs, false), &bn.forward_t(&xs, true));
}

#[test]
fn other_dimensions() {
    let vs = VarStore::new(Device::Cpu);
    let root = vs.root();
    let config = BatchNormConfig::default();
    let bn1 = BatchNorm1d::new(&root / "bn1", 4, config);
    assert_eq!(bn1.forward_t(&Tensor::randn([5, 4], tch::kind::FLOAT_CPU), true).size(), [5, 4]);
    assert_eq!(
        bn1.forward_t(&Tensor::randn([5, 4, 7], tch::kind::FLOAT_CPU), false).size(),
        [5, 4, 7]
    );
    let bn3 = BatchNorm3d::new(&root / "bn3", 4, config);
    let xs = Tensor::randn([2, 4, 3, 3, 3], tch::kind::FLOAT_CPU);
    assert_eq!(bn3.forward_t(&xs, true).size(), [2, 4, 3, 3, 3]);
    assert_eq!(cnnc::ModuleTree::kind(&bn1), "BatchNorm1d");
    assert_eq!(cnnc::ModuleTree::kind(&bn3), "BatchNorm3d");
}

#[test]
#[should_panic(expected = "expected 4D input (got 3D input)")]
fn rejects_wrong_input_dims() {
    let vs = VarStore::new(Device::Cpu);
    let bn = BatchNorm2d::new(vs.root(), 3, BatchNormConfig::default());
    let _ = bn.forward_t(&Tensor::zeros([3, 5, 5], tch::kind::FLOAT_CPU), false);
}
