//! Names, order, shapes and dtypes of the parameters and buffers of the N-d and newer layers,
//! and the PyTorch class names of all layers.
use cnnc::nn::*;
use cnnc::ModuleTree;
use tch::nn::VarStore;
use tch::{Device, Kind};

/// `(name, shape, dtype)` of every state-dict entry, in order.
fn entries(module: &dyn ModuleTree) -> Vec<(String, Vec<i64>, Kind)> {
    module.state_dict().into_iter().map(|(n, t)| (n, t.size(), t.kind())).collect()
}

fn entry(name: &str, shape: &[i64], kind: Kind) -> (String, Vec<i64>, Kind) {
    (name.to_string(), shape.to_vec(), kind)
}

const F: Kind = Kind::Float;

#[test]
fn conv_nd_state() {
    let vs = VarStore::new(Device::Cpu);
    let conv1 = Conv1d::new(vs.root() / "c1", 3, 8, [5], Conv1dConfig::default());
    assert_eq!(entries(&conv1), [entry("weight", &[8, 3, 5], F), entry("bias", &[8], F)]);
    let conv3 = Conv3d::new(
        vs.root() / "c3",
        4,
        6,
        [1, 2, 3],
        Conv3dConfig { groups: 2, bias: false, ..Default::default() },
    );
    assert_eq!(entries(&conv3), [entry("weight", &[6, 2, 1, 2, 3], F)]);
    let vars: Vec<_> = vs.variables().into_keys().collect();
    assert!(vars.contains(&"c1.weight".to_string()) && vars.contains(&"c3.weight".to_string()));
    assert_eq!(vars.len(), 3);
}

#[test]
fn conv_transpose_state() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose2dConfig { groups: 2, ..Default::default() };
    let deconv = ConvTranspose2d::new(vs.root(), 4, 6, [3, 3], config);
    assert_eq!(entries(&deconv), [entry("weight", &[4, 3, 3, 3], F), entry("bias", &[6], F)]);
    let config = ConvTranspose1dConfig { bias: false, ..Default::default() };
    let deconv = ConvTranspose1d::new(vs.root() / "d1", 2, 5, [4], config);
    assert_eq!(entries(&deconv), [entry("weight", &[2, 5, 4], F)]);
    let config = ConvTranspose3dConfig::default();
    let deconv = ConvTranspose3d::new(vs.root() / "d3", 2, 3, [2, 3, 4], config);
    assert_eq!(entries(&deconv), [entry("weight", &[2, 3, 2, 3, 4], F), entry("bias", &[3], F)]);
}

#[test]
#[should_panic(expected = "Only \"zeros\" padding mode is supported for ConvTranspose2d")]
fn conv_transpose_rejects_padding_modes() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose2dConfig { padding_mode: PaddingMode::Reflect, ..Default::default() };
    let _ = ConvTranspose2d::new(vs.root(), 2, 2, [3, 3], config);
}

#[test]
#[should_panic(expected = "out_channels must be divisible by groups")]
fn conv_transpose_rejects_bad_groups() {
    let vs = VarStore::new(Device::Cpu);
    let config = ConvTranspose1dConfig { groups: 2, ..Default::default() };
    let _ = ConvTranspose1d::new(vs.root(), 4, 3, [3], config);
}

#[test]
fn instance_norm_state() {
    let vs = VarStore::new(Device::Cpu);
    let config =
        InstanceNormConfig { affine: true, track_running_stats: true, ..Default::default() };
    let norm = InstanceNorm2d::new(vs.root() / "full", 5, config);
    assert_eq!(
        entries(&norm),
        [
            entry("weight", &[5], F),
            entry("bias", &[5], F),
            entry("running_mean", &[5], F),
            entry("running_var", &[5], F),
            entry("num_batches_tracked", &[], Kind::Int64),
        ]
    );
    let names: Vec<_> = norm.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["weight", "bias"]);
    let names: Vec<_> = norm.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["running_mean", "running_var", "num_batches_tracked"]);
    // Only the parameters are trainable.
    assert_eq!(vs.trainable_variables().len(), 2);

    let plain = InstanceNorm1d::new(vs.root() / "plain", 5, InstanceNormConfig::default());
    assert!(entries(&plain).is_empty());
    let config = InstanceNormConfig { track_running_stats: true, ..Default::default() };
    let stats = InstanceNorm3d::new(vs.root() / "stats", 3, config);
    let names: Vec<_> = stats.state_dict().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["running_mean", "running_var", "num_batches_tracked"]);
    assert!(stats.named_parameters().is_empty());
}

#[test]
fn layer_norm_state() {
    let vs = VarStore::new(Device::Cpu);
    let shape = vec![4, 6];
    let config = LayerNormConfig::default();
    let norm = LayerNorm::new(vs.root() / "a", &shape.clone(), config);
    assert_eq!(entries(&norm), [entry("weight", &[4, 6], F), entry("bias", &[4, 6], F)]);
    let config = LayerNormConfig { bias: false, ..Default::default() };
    let norm = LayerNorm::new(vs.root() / "b", &shape.clone(), config);
    assert_eq!(entries(&norm), [entry("weight", &[4, 6], F)]);
    let config = LayerNormConfig { elementwise_affine: false, ..Default::default() };
    assert!(entries(&LayerNorm::new(vs.root() / "c", &shape, config)).is_empty());
}

#[test]
fn group_norm_state() {
    let vs = VarStore::new(Device::Cpu);
    let norm = GroupNorm::new(vs.root(), 2, 6, GroupNormConfig::default());
    assert_eq!(entries(&norm), [entry("weight", &[6], F), entry("bias", &[6], F)]);
    let config = GroupNormConfig { affine: false, ..Default::default() };
    assert!(entries(&GroupNorm::new(vs.root() / "plain", 3, 6, config)).is_empty());
}

#[test]
#[should_panic(expected = "num_channels must be divisible by num_groups")]
fn group_norm_rejects_bad_groups() {
    let vs = VarStore::new(Device::Cpu);
    let _ = GroupNorm::new(vs.root(), 4, 6, GroupNormConfig::default());
}

#[test]
fn prelu_and_embedding_state() {
    let vs = VarStore::new(Device::Cpu);
    let prelu = PReLU::new(vs.root() / "p", PReLUConfig::default());
    assert_eq!(entries(&prelu), [entry("weight", &[1], F)]);
    let prelu =
        PReLU::new(vs.root() / "q", PReLUConfig { num_parameters: 7, ..Default::default() });
    assert_eq!(entries(&prelu), [entry("weight", &[7], F)]);
    let embedding = Embedding::new(vs.root() / "e", 10, 3, EmbeddingConfig::default());
    assert_eq!(entries(&embedding), [entry("weight", &[10, 3], F)]);
    assert_eq!(embedding.padding_idx, None);
}

#[test]
#[should_panic(expected = "Padding_idx must be within num_embeddings")]
fn embedding_rejects_bad_padding_idx() {
    let vs = VarStore::new(Device::Cpu);
    let config = EmbeddingConfig { padding_idx: Some(-5), ..Default::default() };
    let _ = Embedding::new(vs.root(), 4, 2, config);
}

#[test]
fn kinds() {
    let vs = VarStore::new(Device::Cpu);
    let root = vs.root();
    let conv1 = Conv1d::new(&root / "a", 1, 1, [1], Conv1dConfig::default());
    let conv3 = Conv3d::new(&root / "b", 1, 1, [1; 3], Conv3dConfig::default());
    let convt1 = ConvTranspose1d::new(&root / "c", 1, 1, [1], ConvTranspose1dConfig::default());
    let convt2 = ConvTranspose2d::new(&root / "d", 1, 1, [1; 2], ConvTranspose2dConfig::default());
    let convt3 = ConvTranspose3d::new(&root / "e", 1, 1, [1; 3], ConvTranspose3dConfig::default());
    let in_config = InstanceNormConfig::default();
    let in1 = InstanceNorm1d::new(&root / "f", 1, in_config);
    let in2 = InstanceNorm2d::new(&root / "g", 1, in_config);
    let in3 = InstanceNorm3d::new(&root / "h", 1, in_config);
    let ln = LayerNorm::new(&root / "i", &[1], LayerNormConfig::default());
    let gn = GroupNorm::new(&root / "j", 1, 1, GroupNormConfig::default());
    let prelu = PReLU::new(&root / "k", PReLUConfig::default());
    let emb = Embedding::new(&root / "l", 1, 1, EmbeddingConfig::default());
    let modules: &[(&dyn ModuleTree, &str)] = &[
        (&conv1, "Conv1d"),
        (&conv3, "Conv3d"),
        (&convt1, "ConvTranspose1d"),
        (&convt2, "ConvTranspose2d"),
        (&convt3, "ConvTranspose3d"),
        (&in1, "InstanceNorm1d"),
        (&in2, "InstanceNorm2d"),
        (&in3, "InstanceNorm3d"),
        (&ln, "LayerNorm"),
        (&gn, "GroupNorm"),
        (&prelu, "PReLU"),
        (&emb, "Embedding"),
        (&MaxPool1d::default(), "MaxPool1d"),
        (&MaxPool3d::default(), "MaxPool3d"),
        (&AvgPool1d::default(), "AvgPool1d"),
        (&AvgPool3d::default(), "AvgPool3d"),
        (&AdaptiveAvgPool1d::default(), "AdaptiveAvgPool1d"),
        (&AdaptiveAvgPool2d::default(), "AdaptiveAvgPool2d"),
        (&AdaptiveAvgPool3d::default(), "AdaptiveAvgPool3d"),
        (&AdaptiveMaxPool1d::default(), "AdaptiveMaxPool1d"),
        (&AdaptiveMaxPool2d::default(), "AdaptiveMaxPool2d"),
        (&AdaptiveMaxPool3d::default(), "AdaptiveMaxPool3d"),
        (&Dropout1d::default(), "Dropout1d"),
        (&Dropout2d::default(), "Dropout2d"),
        (&Dropout3d::default(), "Dropout3d"),
        (&ReLU6::default(), "ReLU6"),
        (&LeakyReLU::default(), "LeakyReLU"),
        (&ELU::default(), "ELU"),
        (&GELU::default(), "GELU"),
        (&SiLU::default(), "SiLU"),
        (&Mish::default(), "Mish"),
        (&Sigmoid {}, "Sigmoid"),
        (&Tanh {}, "Tanh"),
        (&Hardswish::default(), "Hardswish"),
        (&Hardsigmoid::default(), "Hardsigmoid"),
        (&Softmax::default(), "Softmax"),
        (&LogSoftmax::default(), "LogSoftmax"),
        (&Identity {}, "Identity"),
        (&Unflatten::default(), "Unflatten"),
        (&Upsample::default(), "Upsample"),
        (&PixelShuffle::default(), "PixelShuffle"),
        (&ZeroPad2d::default(), "ZeroPad2d"),
    ];
    for (module, kind) in modules {
        assert_eq!(module.kind(), *kind);
    }
}

#[test]
fn defaults_match_pytorch() {
    let conv = Conv3dConfig::default();
    assert_eq!(
        (conv.stride, conv.padding, conv.dilation),
        ([1; 3], Padding::Explicit([0; 3]), [1; 3])
    );
    assert!(conv.bias && conv.groups == 1 && conv.padding_mode == PaddingMode::Zeros);
    let deconv = ConvTranspose2dConfig::default();
    assert_eq!((deconv.stride, deconv.padding, deconv.output_padding), ([1, 1], [0, 0], [0, 0]));
    assert_eq!((deconv.dilation, deconv.groups, deconv.bias), ([1, 1], 1, true));
    let norm = InstanceNormConfig::default();
    assert_eq!(
        (norm.eps, norm.momentum, norm.affine, norm.track_running_stats),
        (1e-5, Some(0.1), false, false)
    );
    let norm = LayerNormConfig::default();
    assert_eq!((norm.eps, norm.elementwise_affine, norm.bias), (1e-5, true, true));
    let norm = GroupNormConfig::default();
    assert_eq!((norm.eps, norm.affine), (1e-5, true));
    let prelu = PReLUConfig::default();
    assert_eq!((prelu.num_parameters, prelu.init), (1, 0.25));
    assert_eq!(EmbeddingConfig::default().padding_idx, None);
    let pool = AvgPool1d::default();
    assert!(pool.count_include_pad && !pool.ceil_mode && pool.divisor_override.is_none());
    assert_eq!(MaxPool3d::default().dilation, [1; 3]);
    assert_eq!(AdaptiveAvgPool2d::default().output_size, [None, None]);
    assert_eq!(LeakyReLU::default().negative_slope, 0.01);
    assert_eq!(ELU::default().alpha, 1.0);
    assert_eq!(GELU::default().approximate, GeluApproximate::None);
    assert_eq!(GeluApproximate::Tanh.as_str(), "tanh");
    assert_eq!(Dropout2d::default().p, 0.5);
    assert_eq!(Softmax::default().dim, None);
    let up = Upsample::default();
    assert_eq!(
        (up.size, up.scale_factor, up.mode, up.align_corners),
        (None, None, UpsampleMode::Nearest, None)
    );
    assert_eq!(UpsampleMode::Bilinear.as_str(), "bilinear");
}
