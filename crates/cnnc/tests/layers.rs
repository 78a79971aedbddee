//! Forward passes of the layers.
use cnnc::nn::{
    AvgPool2d, Conv2d, Conv2dConfig, Dropout, Flatten, Linear, LinearConfig, MaxPool2d, Padding,
    PaddingMode, ReLU,
};
use cnnc::ModuleTree;
use tch::nn::{Module, ModuleT, VarStore};
use tch::{Device, Tensor};

fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

fn conv(vs: &VarStore, name: &str, padding_mode: PaddingMode) -> Conv2d {
    let config =
        Conv2dConfig { padding: Padding::Explicit([1, 2]), padding_mode, ..Default::default() };
    Conv2d::new(vs.root() / name, 2, 3, [3, 3], config)
}

#[test]
fn conv2d_padding_modes() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let zeros = conv(&vs, "zeros", PaddingMode::Zeros);
    let xs = Tensor::randn([1, 2, 6, 7], tch::kind::FLOAT_CPU);
    let expected = zeros.forward(&xs);
    assert_eq!(expected.size(), [1, 3, 6, 9]);
    for mode in [PaddingMode::Reflect, PaddingMode::Replicate, PaddingMode::Circular] {
        let other = conv(&vs, mode.as_str(), mode);
        tch::no_grad(|| {
            other.weight.shallow_clone().copy_(&zeros.weight);
            if let (Some(dst), Some(src)) = (&other.bias, &zeros.bias) {
                dst.shallow_clone().copy_(src);
            }
        });
        let ys = other.forward(&xs);
        assert_eq!(ys.size(), expected.size(), "{mode:?}");
        // Away from the border the padding is not seen; at the border it is.
        let inner = |t: &Tensor| t.narrow(2, 1, 4).narrow(3, 2, 5);
        assert!(max_diff(&inner(&ys), &inner(&expected)) < 1e-5, "{mode:?}");
        assert!(max_diff(&ys, &expected) > 1e-3, "{mode:?}");
        // Same as padding explicitly, then convolving without padding.
        let padded = xs.pad([2, 2, 1, 1], mode.as_str(), None::<f64>);
        let manual = padded.conv2d(&other.weight, other.bias.as_ref(), [1, 1], [0, 0], [1, 1], 1);
        assert!(max_diff(&ys, &manual) < 1e-5, "{mode:?}");
    }
}

#[test]
fn conv2d_stride_dilation_groups() {
    let vs = VarStore::new(Device::Cpu);
    let config = Conv2dConfig { stride: [2, 1], dilation: [1, 2], groups: 2, ..Default::default() };
    let conv = Conv2d::new(vs.root(), 4, 6, [3, 3], config);
    let ys = conv.forward(&Tensor::randn([2, 4, 9, 9], tch::kind::FLOAT_CPU));
    assert_eq!(ys.size(), [2, 6, 4, 5]);
    assert_eq!(conv.config().groups, 2);
}

#[test]
#[should_panic(expected = "in_channels must be divisible by groups")]
fn conv2d_rejects_bad_groups() {
    let vs = VarStore::new(Device::Cpu);
    let config = Conv2dConfig { groups: 2, ..Default::default() };
    let _ = Conv2d::new(vs.root(), 3, 6, [1, 1], config);
}

#[test]
fn linear_forward() {
    let vs = VarStore::new(Device::Cpu);
    let linear = Linear::new(vs.root(), 5, 2, LinearConfig::default());
    let xs = Tensor::randn([3, 5], tch::kind::FLOAT_CPU);
    let bias = linear
        .bias
        .as_ref()
        .map(Tensor::shallow_clone)
        .unwrap_or_else(|| Tensor::zeros([2], tch::kind::FLOAT_CPU));
    let expected = xs.matmul(&linear.weight.tr()) + bias;
    assert!(max_diff(&linear.forward(&xs), &expected) < 1e-5);
}

#[test]
fn stateless_layers() {
    let xs = Tensor::randn([2, 3, 8, 8], tch::kind::FLOAT_CPU);
    let pool = MaxPool2d { kernel_size: [2, 2], stride: [2, 2], ..Default::default() };
    assert_eq!(pool.forward(&xs).size(), [2, 3, 4, 4]);
    let pool =
        MaxPool2d { kernel_size: [3, 3], stride: [2, 2], ceil_mode: true, ..Default::default() };
    assert_eq!(pool.forward(&xs).size(), [2, 3, 4, 4]);
    let pool = AvgPool2d { kernel_size: [2, 2], stride: [2, 2], ..Default::default() };
    let expected = (xs.narrow(2, 0, 2).narrow(3, 0, 2).sum_dim_intlist(
        [2i64, 3].as_slice(),
        false,
        tch::Kind::Float,
    )) / 4.0;
    let ys = pool.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 4, 4]);
    assert!(max_diff(&ys.select(3, 0).select(2, 0), &expected) < 1e-5);
    let pool = AvgPool2d {
        kernel_size: [2, 2],
        stride: [2, 2],
        divisor_override: Some(1),
        ..Default::default()
    };
    assert!(max_diff(&pool.forward(&xs), &(ys * 4.0)) < 1e-4);

    let relu = ReLU::default();
    assert!(relu.forward(&xs).min().double_value(&[]) >= 0.0);
    assert_eq!(Flatten::default().forward(&xs).size(), [2, 192]);
    assert_eq!(Flatten { start_dim: 0, end_dim: 1 }.forward(&xs).size(), [6, 8, 8]);

    let dropout = Dropout::default();
    assert_eq!(dropout.p, 0.5);
    assert!(dropout.forward_t(&xs, false).equal(&xs));
    let dropped = dropout.forward_t(&Tensor::ones([1000], tch::kind::FLOAT_CPU), true);
    let zeros = dropped.eq(0.0).sum(tch::Kind::Int64).int64_value(&[]);
    assert!((350..650).contains(&zeros), "{zeros} zeros");
    assert_eq!(dropped.max().double_value(&[]), 2.0);
}

#[test]
fn kinds() {
    let modules: [&dyn ModuleTree; 6] = [
        &ReLU::default(),
        &Flatten::default(),
        &Dropout::default(),
        &MaxPool2d::default(),
        &AvgPool2d::default(),
        &PaddingModeless,
    ];
    let kinds: Vec<_> = modules.iter().map(|m| m.kind()).collect();
    assert_eq!(kinds, ["ReLU", "Flatten", "Dropout", "MaxPool2d", "AvgPool2d", "Custom"]);
    assert!(modules.iter().all(|m| m.named_parameters().is_empty()));
}

struct PaddingModeless;

impl ModuleTree for PaddingModeless {
    fn kind(&self) -> &'static str {
        "Custom"
    }
}

#[test]
fn stochastic_depth_drops_rows_in_training_only() {
    use cnnc::nn::{StochasticDepth, StochasticDepthMode};
    tch::manual_seed(0);
    let x = Tensor::ones([4000, 3, 2], (tch::Kind::Float, tch::Device::Cpu));
    let row = StochasticDepth { p: 0.25, mode: StochasticDepthMode::Row };
    assert_eq!(max_diff(&row.forward_t(&x, false), &x), 0.0);
    let y = row.forward_t(&x, true);
    // Each row is all zeros or all 1 / (1 - p), and about a quarter are dropped.
    let per_row = y.sum_dim_intlist([1, 2].as_slice(), false, tch::Kind::Float);
    let dropped = per_row.eq(0.0).sum(tch::Kind::Float).double_value(&[]) / 4000.0;
    let kept = per_row.eq(6.0 / 0.75).sum(tch::Kind::Float).double_value(&[]) / 4000.0;
    assert!((dropped + kept - 1.0).abs() < 1e-9, "rows are dropped or kept whole");
    assert!((dropped - 0.25).abs() < 0.03, "dropped {dropped}");
    let batch = StochasticDepth { p: 0.5, mode: StochasticDepthMode::Batch };
    let y = batch.forward_t(&x, true);
    let distinct = y.unique_dim(0, true, false, false).0.size()[0];
    assert_eq!(distinct, 1, "the whole batch is dropped or kept together");
    assert_eq!(row.kind(), "StochasticDepth");
}
