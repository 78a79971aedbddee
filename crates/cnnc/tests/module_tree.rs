//! Names and order of modules, parameters, buffers and state-dict entries.
use cnnc::nn::{BatchNorm2d, BatchNormConfig, Conv2d, Conv2dConfig, Linear, LinearConfig, ReLU};
use cnnc::ModuleTree;
use tch::nn::{Path, VarStore};
use tch::{Device, Kind, Tensor};

struct Block {
    conv: Conv2d,
    relu: ReLU,
    bn: BatchNorm2d,
}

impl ModuleTree for Block {
    fn kind(&self) -> &'static str {
        "Sequential"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        vec![("0", &self.conv), ("1", &self.relu), ("2", &self.bn)]
    }
}

struct Net {
    features: Block,
    fc: Linear,
    scale: Tensor,
}

impl ModuleTree for Net {
    fn kind(&self) -> &'static str {
        "Net"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        vec![("features", &self.features), ("fc", &self.fc)]
    }

    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        vec![("scale", &self.scale)]
    }
}

fn net(vs: &Path) -> Net {
    let f = vs / "features";
    let conv = Conv2dConfig::default();
    let bn = BatchNormConfig::default();
    Net {
        features: Block {
            conv: Conv2d::new(&f / "0", 3, 4, [3, 3], conv),
            relu: ReLU { inplace: true },
            bn: BatchNorm2d::new(&f / "2", 4, bn),
        },
        fc: Linear::new(vs / "fc", 16, 10, LinearConfig::default()),
        scale: vs.ones("scale", &[1]),
    }
}

fn names<T>(entries: &[(String, T)]) -> Vec<&str> {
    entries.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn named_modules_in_prefix_order() {
    let vs = VarStore::new(Device::Cpu);
    let net = net(&vs.root());
    let modules = net.named_modules();
    assert_eq!(names(&modules), ["", "features", "features.0", "features.1", "features.2", "fc"]);
    let kinds: Vec<_> = modules.iter().map(|(_, m)| m.kind()).collect();
    assert_eq!(kinds, ["Net", "Sequential", "Conv2d", "ReLU", "BatchNorm2d", "Linear"]);
    assert_eq!(names(&net.named_children()), ["features", "fc"]);
    assert_eq!(names(&net.features.named_children()), ["0", "1", "2"]);
}

#[test]
fn named_parameters_and_buffers() {
    let vs = VarStore::new(Device::Cpu);
    let net = net(&vs.root());
    assert_eq!(
        names(&net.named_parameters()),
        [
            "scale",
            "features.0.weight",
            "features.0.bias",
            "features.2.weight",
            "features.2.bias",
            "fc.weight",
            "fc.bias"
        ]
    );
    assert_eq!(
        names(&net.named_buffers()),
        ["features.2.running_mean", "features.2.running_var", "features.2.num_batches_tracked"]
    );
    assert_eq!(net.num_parameters(), 1 + (4 * 3 * 3 * 3 + 4) + (4 + 4) + (16 * 10 + 10));
}

#[test]
fn state_dict_order_and_tensors() {
    let vs = VarStore::new(Device::Cpu);
    let net = net(&vs.root());
    let state = net.state_dict();
    assert_eq!(
        names(&state),
        [
            "scale",
            "features.0.weight",
            "features.0.bias",
            "features.2.weight",
            "features.2.bias",
            "features.2.running_mean",
            "features.2.running_var",
            "features.2.num_batches_tracked",
            "fc.weight",
            "fc.bias"
        ]
    );
    let shapes: Vec<_> = state.iter().map(|(_, t)| t.size()).collect();
    let expected: [&[i64]; 10] =
        [&[1], &[4, 3, 3, 3], &[4], &[4], &[4], &[4], &[4], &[], &[10, 16], &[10]];
    assert_eq!(shapes, expected);
    let (_, count) = &state[7];
    assert_eq!(count.kind(), Kind::Int64);
    assert_eq!(count.int64_value(&[]), 0);
    assert!(!count.requires_grad());

    // The var store holds the same tensors under the same names.
    let variables = vs.variables();
    let mut stored: Vec<_> = variables.keys().map(String::as_str).collect();
    let mut listed = names(&state);
    stored.sort_unstable();
    listed.sort_unstable();
    assert_eq!(stored, listed);
    for (name, t) in &state {
        assert_eq!(variables[name].data_ptr(), t.data_ptr(), "{name}");
    }
    let trainable = vs.trainable_variables().len();
    assert_eq!(trainable, net.named_parameters().len());
}

#[test]
fn walks_through_trait_objects() {
    let vs = VarStore::new(Device::Cpu);
    let net = net(&vs.root());
    let dynamic: &dyn ModuleTree = &net;
    assert_eq!(names(&dynamic.named_modules()), names(&net.named_modules()));
    assert_eq!(names(&dynamic.state_dict()), names(&net.state_dict()));
    assert_eq!(dynamic.num_parameters(), net.num_parameters());
    let (_, features) = &net.named_modules()[1];
    assert_eq!(names(&features.named_buffers()).len(), 3);
    assert_eq!(names(&features.named_parameters())[0], "0.weight");
}

#[test]
fn parameter_lookup() {
    let vs = VarStore::new(Device::Cpu);
    let net = net(&vs.root());
    let weight = net.features.conv.parameter("weight").map(Tensor::data_ptr);
    assert_eq!(weight, Some(net.features.conv.weight.data_ptr()));
    assert!(net.parameter("scale").is_some());
    assert!(net.parameter("fc.bias").is_some());
    assert!(net.parameter("features.2.bias").is_some());
    assert!(net.parameter("features.2.running_mean").is_none());
    assert!(net.parameter("weight").is_none());
    assert!(net.parameter("nothing.weight").is_none());
    assert!(net.features.relu.parameter("weight").is_none());
}

#[test]
fn optional_tensors_are_omitted() {
    let vs = VarStore::new(Device::Cpu);
    let root = vs.root();
    let conv = Conv2dConfig { bias: false, ..Default::default() };
    let conv = Conv2d::new(&root / "conv", 2, 2, [1, 1], conv);
    assert_eq!(names(&conv.named_parameters()), ["weight"]);
    let config =
        BatchNormConfig { affine: false, track_running_stats: false, ..Default::default() };
    let bn = BatchNorm2d::new(&root / "bn", 2, config);
    assert!(bn.state_dict().is_empty());
    assert_eq!(names(&bn.named_modules()), [""]);
    assert_eq!(vs.variables().len(), 1);
}
