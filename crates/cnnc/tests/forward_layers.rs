//! Forward passes of the N-d and newer layers: output shapes, and values where cheap.
use cnnc::nn::*;
use tch::nn::{Module, ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

const FLOAT: (Kind, Device) = tch::kind::FLOAT_CPU;

fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

fn assert_close(a: &Tensor, b: &Tensor) {
    assert_eq!(a.size(), b.size());
    let diff = max_diff(a, b);
    assert!(diff < 1e-5, "max difference {diff}");
}

fn values(v: &[f32]) -> Tensor {
    Tensor::from_slice(v)
}

#[test]
fn conv1d_forward() {
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let config = Conv1dConfig {
        stride: [2],
        padding: Padding::Explicit([1]),
        dilation: [2],
        groups: 2,
        ..Default::default()
    };
    let conv = Conv1d::new(vs.root() / "a", 4, 6, [3], config);
    let xs = Tensor::randn([2, 4, 11], FLOAT);
    // L_out = (11 + 2 * 1 - 2 * (3 - 1) - 1) / 2 + 1 = 5.
    assert_eq!(conv.forward(&xs).size(), [2, 6, 5]);

    // A circular padding mode pads first, then convolves without padding.
    let config = Conv1dConfig {
        padding: Padding::Explicit([2]),
        padding_mode: PaddingMode::Circular,
        ..Default::default()
    };
    let conv = Conv1d::new(vs.root() / "b", 2, 3, [3], config);
    let xs = Tensor::randn([1, 2, 7], FLOAT);
    let ys = conv.forward(&xs);
    assert_eq!(ys.size(), [1, 3, 9]);
    let padded = xs.pad([2, 2], "circular", None::<f64>);
    let manual = padded.conv1d(&conv.weight, conv.bias.as_ref(), [1], [0], [1], 1);
    assert_close(&ys, &manual);
}

#[test]
fn conv3d_forward() {
    let vs = VarStore::new(Device::Cpu);
    let config = Conv3dConfig {
        stride: [1, 2, 1],
        padding: Padding::Explicit([1, 0, 0]),
        ..Default::default()
    };
    let conv = Conv3d::new(vs.root() / "a", 3, 5, [3, 3, 1], config);
    let xs = Tensor::randn([2, 3, 4, 9, 6], FLOAT);
    assert_eq!(conv.forward(&xs).size(), [2, 5, 4, 4, 6]);

    let config = Conv3dConfig { padding_mode: PaddingMode::Replicate, ..config };
    let conv = Conv3d::new(vs.root() / "b", 3, 5, [3, 3, 1], config);
    let ys = conv.forward(&xs);
    assert_eq!(ys.size(), [2, 5, 4, 4, 6]);
    let padded = xs.pad([0, 0, 0, 0, 1, 1], "replicate", None::<f64>);
    let manual =
        padded.conv3d(&conv.weight, conv.bias.as_ref(), [1, 2, 1], [0, 0, 0], [1, 1, 1], 1);
    assert_close(&ys, &manual);
}

#[test]
fn conv_transpose2d_output_shape() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose2dConfig {
        stride: [2, 2],
        padding: [1, 1],
        output_padding: [1, 1],
        groups: 2,
        ..Default::default()
    };
    let deconv = ConvTranspose2d::new(vs.root() / "a", 4, 6, [3, 3], config);
    let xs = Tensor::randn([2, 4, 5, 7], FLOAT);
    // H_out = (H - 1) * s - 2p + d(k - 1) + op + 1: (5 - 1) * 2 - 2 + 2 + 1 + 1 = 10, and 14.
    assert_eq!(deconv.forward(&xs).size(), [2, 6, 10, 14]);

    let config = ConvTranspose2dConfig {
        stride: [3, 1],
        padding: [0, 1],
        output_padding: [2, 0],
        dilation: [1, 2],
        ..Default::default()
    };
    let deconv = ConvTranspose2d::new(vs.root() / "b", 4, 2, [3, 2], config);
    // (5 - 1) * 3 + 2 + 2 + 1 = 17; (7 - 1) - 2 + 2 + 1 = 7.
    assert_eq!(deconv.forward(&xs).size(), [2, 2, 17, 7]);
}

#[test]
fn conv_transpose_weight_layout() {
    // With a 1-wide kernel the transposed convolution is `y[n, o, l] = sum_i x[n, i, l] w[i, o]`.
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose1dConfig::default();
    let deconv = ConvTranspose1d::new(vs.root(), 3, 4, [1], config);
    let xs = Tensor::randn([2, 3, 5], FLOAT);
    let w = deconv.weight.squeeze_dim(2);
    let b = deconv.bias.as_ref().expect("bias").view([1, 4, 1]);
    let expected = Tensor::einsum("nil,io->nol", &[&xs, &w], None::<i64>) + b;
    assert_close(&deconv.forward(&xs), &expected);
    assert_eq!(deconv.out_channels(), 4);
}

#[test]
fn conv_transpose3d_output_shape() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose3dConfig { stride: [2, 2, 2], ..Default::default() };
    let deconv = ConvTranspose3d::new(vs.root(), 2, 3, [2, 2, 2], config);
    let xs = Tensor::randn([1, 2, 3, 4, 5], FLOAT);
    assert_eq!(deconv.forward(&xs).size(), [1, 3, 6, 8, 10]);
}

#[test]
fn pools_nd() {
    let xs = Tensor::randn([2, 3, 9], FLOAT);
    let pool = MaxPool1d { kernel_size: [3], stride: [2], padding: [1], ..Default::default() };
    assert_eq!(pool.forward(&xs).size(), [2, 3, 5]);
    let pool = AvgPool1d {
        kernel_size: [3],
        stride: [3],
        divisor_override: Some(1),
        ..Default::default()
    };
    let ys = pool.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 3]);
    // divisor_override is ignored in 1-D: still the mean.
    let first = xs.narrow(2, 0, 3).mean_dim(2, false, Kind::Float);
    assert_close(&ys.select(2, 0), &first);

    let xs = Tensor::randn([1, 2, 6, 6, 6], FLOAT);
    let pool = MaxPool3d { kernel_size: [2; 3], stride: [2; 3], ..Default::default() };
    let ys = pool.forward(&xs);
    assert_eq!(ys.size(), [1, 2, 3, 3, 3]);
    let window = xs.narrow(2, 0, 2).narrow(3, 0, 2).narrow(4, 0, 2).flatten(2, -1);
    assert_close(&ys.flatten(2, -1).select(2, 0), &window.amax(2, false));
    let pool = AvgPool3d {
        kernel_size: [3; 3],
        stride: [2; 3],
        padding: [1; 3],
        ceil_mode: true,
        ..Default::default()
    };
    assert_eq!(pool.forward(&xs).size(), [1, 2, 4, 4, 4]);
    let pool = AvgPool3d {
        kernel_size: [2; 3],
        stride: [2; 3],
        divisor_override: Some(1),
        ..Default::default()
    };
    let sums = window.sum_dim_intlist(2, false, Kind::Float);
    assert_close(&pool.forward(&xs).flatten(2, -1).select(2, 0), &sums);
}

#[test]
fn adaptive_pools() {
    let xs = Tensor::randn([2, 3, 8, 6], FLOAT);
    let pool = AdaptiveAvgPool2d { output_size: [Some(1), Some(1)] };
    let mean = xs.mean_dim([2i64, 3].as_slice(), true, Kind::Float);
    assert_close(&pool.forward(&xs), &mean);
    // None keeps the input's size in that dimension.
    let pool = AdaptiveAvgPool2d { output_size: [None, Some(2)] };
    let ys = pool.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 8, 2]);
    assert_close(&ys.select(3, 0), &xs.narrow(3, 0, 3).mean_dim(3, false, Kind::Float));
    assert_eq!(AdaptiveAvgPool2d::default().forward(&xs).size(), [2, 3, 8, 6]);
    // Unbatched inputs take the trailing dimensions.
    let pool = AdaptiveAvgPool2d { output_size: [Some(4), None] };
    assert_eq!(pool.forward(&xs.get(0)).size(), [3, 4, 6]);

    let pool = AdaptiveMaxPool2d { output_size: [Some(1), None] };
    let ys = pool.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 1, 6]);
    assert_close(&ys, &xs.amax(2, true));

    let xs1 = Tensor::randn([2, 3, 10], FLOAT);
    assert_eq!(AdaptiveAvgPool1d { output_size: [Some(4)] }.forward(&xs1).size(), [2, 3, 4]);
    let ys = AdaptiveMaxPool1d { output_size: [Some(1)] }.forward(&xs1);
    assert_close(&ys, &xs1.amax(2, true));
    assert_eq!(AdaptiveMaxPool1d::default().forward(&xs1).size(), [2, 3, 10]);

    let xs3 = Tensor::randn([1, 2, 4, 5, 6], FLOAT);
    let pool = AdaptiveAvgPool3d { output_size: [Some(2), None, Some(3)] };
    assert_eq!(pool.forward(&xs3).size(), [1, 2, 2, 5, 3]);
    let pool = AdaptiveMaxPool3d { output_size: [None, Some(1), Some(1)] };
    assert_eq!(pool.forward(&xs3).size(), [1, 2, 4, 1, 1]);
}

#[test]
fn feature_dropout() {
    tch::manual_seed(0);
    let xs = Tensor::ones([4, 64, 3, 3], FLOAT);
    let dropout = Dropout2d::default();
    assert!(dropout.forward_t(&xs, false).equal(&xs));
    let ys = dropout.forward_t(&xs, true);
    // Whole channels are zeroed or scaled by 2.
    let per_channel = ys.sum_dim_intlist([2i64, 3].as_slice(), false, Kind::Float);
    let zeros = per_channel.eq(0.0).sum(Kind::Int64).int64_value(&[]);
    let kept = per_channel.eq(18.0).sum(Kind::Int64).int64_value(&[]);
    assert_eq!(zeros + kept, 256);
    assert!((80..176).contains(&zeros), "{zeros} channels dropped");

    let xs = Tensor::ones([64, 5], FLOAT);
    let ys = Dropout1d { p: 0.25, inplace: false }.forward_t(&xs, true);
    assert_eq!(ys.size(), [64, 5]);
    let rows = ys.sum_dim_intlist(1, false, Kind::Float);
    let kept = 5.0 / 0.75;
    let ok = rows.eq(0.0).logical_or(&(rows - kept).abs().lt(1e-4));
    assert!(ok.all().int64_value(&[]) == 1);

    let xs = Tensor::ones([8, 2, 2, 2], FLOAT);
    let ys = Dropout3d::default().forward_t(&xs, true);
    assert_eq!(ys.size(), [8, 2, 2, 2]);
    let sums = ys.sum_dim_intlist([1i64, 2, 3].as_slice(), false, Kind::Float);
    assert!(sums.eq(0.0).logical_or(&sums.eq(16.0)).all().int64_value(&[]) == 1);
    assert!(Dropout3d { p: 0.0, inplace: false }.forward_t(&xs, true).equal(&xs));
}

#[test]
#[should_panic(expected = "dropout1d: Expected 2D or 3D input, but received a 4D input")]
fn dropout1d_rejects_4d() {
    let _ = Dropout1d::default().forward_t(&Tensor::ones([1, 2, 3, 4], FLOAT), true);
}

#[test]
#[should_panic(expected = "dropout probability has to be between 0 and 1, but got 1.5")]
fn dropout2d_rejects_bad_p() {
    let _ = Dropout2d { p: 1.5, inplace: false }.forward_t(&Tensor::ones([1, 2, 3], FLOAT), true);
}

#[test]
fn activations() {
    let xs = values(&[-4.0, -1.0, -0.5, 0.0, 0.5, 2.0, 7.0]);
    assert_close(&ReLU6::default().forward(&xs), &values(&[0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 6.0]));
    let expected = values(&[-0.04, -0.01, -0.005, 0.0, 0.5, 2.0, 7.0]);
    assert_close(&LeakyReLU::default().forward(&xs), &expected);
    let leaky = LeakyReLU { negative_slope: 0.2, inplace: true };
    assert_close(&leaky.forward(&xs), &values(&[-0.8, -0.2, -0.1, 0.0, 0.5, 2.0, 7.0]));
    let elu = |alpha: f64| {
        let neg = (xs.clamp_max(0.0).exp() - 1.0) * alpha;
        xs.clamp_min(0.0) + neg
    };
    assert_close(&ELU::default().forward(&xs), &elu(1.0));
    assert_close(&ELU { alpha: 2.5, inplace: false }.forward(&xs), &elu(2.5));

    let exact = GELU::default().forward(&xs);
    let tanh = GELU { approximate: GeluApproximate::Tanh }.forward(&xs);
    let erf = &xs * 0.5 * ((&xs / 2f64.sqrt()).erf() + 1.0);
    assert_close(&exact, &erf);
    let diff = max_diff(&exact, &tanh);
    assert!(diff > 1e-6 && diff < 1e-2, "GELU approximations differ by {diff}");

    let sigmoid = (-&xs).exp().g_add_scalar(1.0).reciprocal();
    assert_close(&Sigmoid {}.forward(&xs), &sigmoid);
    assert_close(&Tanh {}.forward(&xs), &xs.tanh());
    assert_close(&SiLU::default().forward(&xs), &(&xs * &sigmoid));
    let softplus = (xs.exp() + 1.0).log();
    assert_close(&Mish::default().forward(&xs), &(&xs * softplus.tanh()));
    let relu6 = (&xs + 3.0).clamp(0.0, 6.0) / 6.0;
    assert_close(&Hardsigmoid::default().forward(&xs), &relu6);
    assert_close(&Hardswish::default().forward(&xs), &(&xs * relu6));

    let ys = Identity {}.forward(&xs);
    assert!(ys.equal(&xs));
    assert_eq!(ys.data_ptr(), xs.data_ptr(), "Identity returns its input");
}

#[test]
fn softmax() {
    let xs = Tensor::randn([4, 5], FLOAT);
    // No dim on a 2-D input: dim 1, so rows sum to 1.
    let ys = Softmax::default().forward(&xs);
    assert_close(&ys.sum_dim_intlist(1, false, Kind::Float), &Tensor::ones([4], FLOAT));
    assert!(ys.min().double_value(&[]) > 0.0);
    let ys = Softmax { dim: Some(0) }.forward(&xs);
    assert_close(&ys.sum_dim_intlist(0, false, Kind::Float), &Tensor::ones([5], FLOAT));
    let ys = Softmax { dim: Some(-1) }.forward(&xs);
    assert_close(&ys.sum_dim_intlist(1, false, Kind::Float), &Tensor::ones([4], FLOAT));
    // No dim on a 3-D input: PyTorch's legacy choice is dim 0.
    let xs3 = Tensor::randn([2, 3, 4], FLOAT);
    let ys = Softmax::default().forward(&xs3);
    assert_close(&ys.sum_dim_intlist(0, false, Kind::Float), &Tensor::ones([3, 4], FLOAT));
    // ... and dim 1 on a 4-D input.
    let xs4 = Tensor::randn([2, 3, 4, 5], FLOAT);
    let ys = Softmax::default().forward(&xs4);
    assert_close(&ys.sum_dim_intlist(1, false, Kind::Float), &Tensor::ones([2, 4, 5], FLOAT));

    let log = LogSoftmax { dim: Some(1) }.forward(&xs);
    assert_close(&log.exp(), &Softmax { dim: Some(1) }.forward(&xs));
    assert_close(&LogSoftmax::default().forward(&xs3).exp(), &Softmax::default().forward(&xs3));
}

#[test]
fn prelu_forward() {
    let vs = VarStore::new(Device::Cpu);
    let prelu = PReLU::new(vs.root() / "a", PReLUConfig::default());
    let xs = values(&[-2.0, -1.0, 0.0, 3.0]).view([1, 4]);
    assert_close(&prelu.forward(&xs), &values(&[-0.5, -0.25, 0.0, 3.0]).view([1, 4]));
    // One slope per channel.
    let config = PReLUConfig { num_parameters: 2, ..Default::default() };
    let prelu = PReLU::new(vs.root() / "b", config);
    tch::no_grad(|| prelu.weight.shallow_clone().copy_(&values(&[0.5, 2.0])));
    let xs = Tensor::full([1, 2, 3], -1.0, FLOAT);
    let expected = values(&[-0.5, -2.0]).view([1, 2, 1]).expand([1, 2, 3], false);
    assert_close(&prelu.forward(&xs), &expected);
}

#[test]
fn embedding_forward() {
    let vs = VarStore::new(Device::Cpu);
    let config = EmbeddingConfig { padding_idx: Some(0), ..Default::default() };
    let embedding = Embedding::new(vs.root(), 10, 4, config);
    let idx = Tensor::from_slice(&[3i64, 0, 9, 3, 1, 2]).view([2, 3]);
    let ys = embedding.forward(&idx);
    assert_eq!(ys.size(), [2, 3, 4]);
    assert_close(&ys.get(0).get(0), &embedding.weight.get(3));
    assert_close(&ys.get(1).get(0), &embedding.weight.get(3));
    assert_close(&ys.get(0).get(1), &Tensor::zeros([4], FLOAT));
    // The padding row gets no gradient.
    ys.sum(Kind::Float).backward();
    let grad = embedding.weight.grad();
    assert_eq!(grad.get(0).abs().sum(Kind::Float).double_value(&[]), 0.0);
    assert_eq!(grad.get(3).sum(Kind::Float).double_value(&[]), 8.0);
}

#[test]
fn reshaping_layers() {
    let xs = Tensor::randn([2, 12, 5], FLOAT);
    let unflatten = Unflatten { dim: 1, unflattened_size: vec![3, -1] };
    let ys = unflatten.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 4, 5]);
    assert!(ys.flatten(1, 2).equal(&xs));
    let unflatten = Unflatten { dim: -1, unflattened_size: vec![5, 1] };
    assert_eq!(unflatten.forward(&xs).size(), [2, 12, 5, 1]);

    let xs = Tensor::arange(2 * 8 * 3 * 3, FLOAT).view([2, 8, 3, 3]);
    let ys = PixelShuffle { upscale_factor: 2 }.forward(&xs);
    assert_eq!(ys.size(), [2, 2, 6, 6]);
    // Output pixel (c, 2h + i, 2w + j) comes from channel c * 4 + i * 2 + j at (h, w).
    let expected = xs.get(0).get(4 + 2 + 1).get(2).get(1);
    assert!(ys.get(0).get(1).get(5).get(3).equal(&expected));

    let xs = Tensor::ones([1, 2, 3, 4], FLOAT);
    let ys = ZeroPad2d { padding: [1, 2, 3, 0] }.forward(&xs);
    assert_eq!(ys.size(), [1, 2, 6, 7]);
    assert_eq!(ys.sum(Kind::Float).double_value(&[]), 24.0);
    assert!(ys.narrow(2, 3, 3).narrow(3, 1, 4).equal(&xs));
    assert_eq!(ys.narrow(2, 0, 3).abs().sum(Kind::Float).double_value(&[]), 0.0);
    let ys = ZeroPad2d { padding: [-1, 0, 0, -2] }.forward(&xs);
    assert_eq!(ys.size(), [1, 2, 1, 3]);
}

#[test]
fn upsample_nearest() {
    let xs = Tensor::arange(2 * 3 * 4, FLOAT).view([1, 2, 3, 4]);
    let up = Upsample { scale_factor: Some(vec![2.0]), ..Default::default() };
    let ys = up.forward(&xs);
    assert_eq!(ys.size(), [1, 2, 6, 8]);
    let expected = xs.repeat_interleave_self_int(2, 2, None).repeat_interleave_self_int(2, 3, None);
    assert!(ys.equal(&expected));
    // Per-dimension factors; the output size is floor(input * scale).
    let up = Upsample { scale_factor: Some(vec![1.5, 0.5]), ..Default::default() };
    assert_eq!(up.forward(&xs).size(), [1, 2, 4, 2]);
    let up = Upsample { size: Some(vec![5, 7]), ..Default::default() };
    assert_eq!(up.forward(&xs).size(), [1, 2, 5, 7]);

    let xs1 = Tensor::randn([2, 3, 5], FLOAT);
    let up = Upsample { scale_factor: Some(vec![2.5]), ..Default::default() };
    assert_eq!(up.forward(&xs1).size(), [2, 3, 12]);
    // The scale is passed on: source index floor(i / 1.7), not floor(i * 5 / 8).
    let up = Upsample { scale_factor: Some(vec![1.7]), ..Default::default() };
    let ys = up.forward(&Tensor::arange(5, FLOAT).view([1, 1, 5]));
    assert_close(&ys, &values(&[0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0]).view([1, 1, 8]));
    let xs3 = Tensor::randn([1, 1, 2, 3, 4], FLOAT);
    let up = Upsample { size: Some(vec![3]), ..Default::default() };
    assert_eq!(up.forward(&xs3).size(), [1, 1, 3, 3, 3]);
    let up = Upsample { scale_factor: Some(vec![1.0, 2.0, 3.0]), ..Default::default() };
    assert_eq!(up.forward(&xs3).size(), [1, 1, 2, 6, 12]);
}

#[test]
fn upsample_interpolating() {
    let xs = Tensor::randn([2, 3, 4, 5], FLOAT);
    let up =
        Upsample { size: Some(vec![7, 9]), mode: UpsampleMode::Bilinear, ..Default::default() };
    let ys = up.forward(&xs);
    assert_eq!(ys.size(), [2, 3, 7, 9]);
    // With align_corners the corners are kept exactly.
    let up = Upsample {
        size: Some(vec![7, 9]),
        mode: UpsampleMode::Bilinear,
        align_corners: Some(true),
        ..Default::default()
    };
    let aligned = up.forward(&xs);
    assert_close(&aligned.select(2, 6).select(2, 8), &xs.select(2, 3).select(2, 4));
    assert!(max_diff(&aligned, &ys) > 1e-3);

    let up = Upsample {
        scale_factor: Some(vec![2.0]),
        mode: UpsampleMode::Bicubic,
        ..Default::default()
    };
    assert_eq!(up.forward(&xs).size(), [2, 3, 8, 10]);
    // Constant inputs stay constant.
    let ones = Tensor::ones([1, 2, 6], FLOAT);
    let up = Upsample {
        scale_factor: Some(vec![3.0]),
        mode: UpsampleMode::Linear,
        ..Default::default()
    };
    assert_close(&up.forward(&ones), &Tensor::ones([1, 2, 18], FLOAT));
    let up =
        Upsample { size: Some(vec![3, 4, 5]), mode: UpsampleMode::Trilinear, ..Default::default() };
    assert_eq!(up.forward(&Tensor::randn([1, 2, 2, 2, 2], FLOAT)).size(), [1, 2, 3, 4, 5]);
}

#[test]
#[should_panic(expected = "Got 3D input, but bilinear mode needs 4D input")]
fn upsample_rejects_mode_rank_mismatch() {
    let up = Upsample {
        scale_factor: Some(vec![2.0]),
        mode: UpsampleMode::Bilinear,
        ..Default::default()
    };
    let _ = up.forward(&Tensor::ones([1, 2, 3], FLOAT));
}

#[test]
#[should_panic(expected = "Only 3D, 4D and 5D input Tensors supported (got 2D)")]
fn upsample_rejects_2d_input() {
    let up = Upsample { scale_factor: Some(vec![2.0]), ..Default::default() };
    let _ = up.forward(&Tensor::ones([2, 3], FLOAT));
}

#[test]
#[should_panic(expected = "align_corners option can only be set with the interpolating modes")]
fn upsample_rejects_align_corners_with_nearest() {
    let up = Upsample {
        scale_factor: Some(vec![2.0]),
        align_corners: Some(false),
        ..Default::default()
    };
    let _ = up.forward(&Tensor::ones([1, 2, 3, 3], FLOAT));
}

#[test]
#[should_panic(expected = "only one of size or scale_factor should be defined")]
fn upsample_rejects_size_and_scale() {
    let up = Upsample { size: Some(vec![4]), scale_factor: Some(vec![2.0]), ..Default::default() };
    let _ = up.forward(&Tensor::ones([1, 2, 3, 3], FLOAT));
}

#[test]
#[should_panic(expected = "Input and output must have the same number of spatial dimensions")]
fn upsample_rejects_size_length() {
    let up = Upsample { size: Some(vec![4, 4, 4]), ..Default::default() };
    let _ = up.forward(&Tensor::ones([1, 2, 3, 3], FLOAT));
}
