//! The tutorial's SimpleCNN, compiled both ways (build.rs API and `model!`), run on libtorch and
//! compared with PyTorch's own module (tests/fixtures/simple_cnn.json, from
//! scripts/reference/simple_cnn.py).

mod support;

use cnnc::ModuleTree;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

mod from_file {
    include!(concat!(env!("OUT_DIR"), "/simple_cnn.rs"));
}

mod from_macro {
    cnnc::model! {
        model SimpleCNN {
            input x: [N, 3, 32, 32]
            layer1 = Sequential {
                conv1 = Conv2d(3, 32, 3, 1, padding=1)
                relu1 = ReLU(true)
                pool1 = MaxPool2d(2, 2)
            }
            layer2 = Sequential { conv2 = Conv2d(32, 64, 3, 1, padding=1); relu2 = ReLU(true); pool2 = MaxPool2d(2, 2) }
            layer3 = Sequential { conv3 = Conv2d(64, 128, 3, 1, padding=1); relu3 = ReLU(true); pool3 = MaxPool2d(2, 2) }
            layer4 = Sequential {
                fc1 = Linear(_, 512)
                fc_relu1 = ReLU(true)
                fc2 = Linear(512, 64)
                fc_relu2 = ReLU(true)
                fc3 = Linear(64, 10)
            }
            forward(x) { x -> layer1 -> layer2 -> layer3 -> flatten(1) -> layer4 }
            init {
                Conv2d.weight = normal(0, 1)
                Conv2d.bias = zeros
                Linear.weight = normal(0, 1)
            }
        }
    }
}

mod without_init {
    cnnc::model! {
        model Plain {
            input x: [N, 3, 32, 32]
            layer1 = Sequential { conv1 = Conv2d(3, 32, 3, 1, padding=1); relu1 = ReLU(true); pool1 = MaxPool2d(2, 2) }
            layer2 = Sequential { conv2 = Conv2d(32, 64, 3, 1, padding=1); relu2 = ReLU(true); pool2 = MaxPool2d(2, 2) }
            layer3 = Sequential { conv3 = Conv2d(64, 128, 3, 1, padding=1); relu3 = ReLU(true); pool3 = MaxPool2d(2, 2) }
            layer4 = Sequential { fc1 = Linear(2048, 512); fc_relu1 = ReLU(true); fc2 = Linear(512, 64); fc_relu2 = ReLU(true); fc3 = Linear(64, 10) }
            forward(x) { x -> layer1 -> layer2 -> layer3 -> flatten(1) -> layer4 }
        }
    }
}

/// Runs `check` on a fresh model from each front door.
fn both(check: impl Fn(&dyn Model, &nn::VarStore)) {
    let vs = nn::VarStore::new(Device::Cpu);
    check(&from_file::SimpleCnn::new(&vs.root()), &vs);
    let vs = nn::VarStore::new(Device::Cpu);
    check(&from_macro::SimpleCnn::new(&vs.root()), &vs);
}

trait Model: ModuleT + ModuleTree {}
impl<T: ModuleT + ModuleTree> Model for T {}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match v {
            serde_json::Value::Array(pair) => format!("{} {}", pair[0].as_str().unwrap(), pair[1]),
            other => other.as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn forward_maps_a_batch_to_ten_logits() {
    both(|model, _| {
        let x = Tensor::randn([8, 3, 32, 32], (Kind::Float, Device::Cpu));
        assert_eq!(model.forward_t(&x, false).size(), [8, 10]);
        assert_eq!(model.forward_t(&x, true).size(), [8, 10]);
    });
    assert_eq!(from_file::SimpleCnn::INPUT_SHAPE, [3, 32, 32]);
    assert_eq!(from_file::SimpleCnn::NUM_PARAMETERS, 1_175_818);
}

#[test]
fn an_input_of_another_shape_fails_loudly() {
    // The model is declared for 32x32 images; 28x28 would run through the convolutions and
    // give a wrong answer, or fail deep inside libtorch. The check names the model, the
    // dimension and both sizes, from either front door.
    for (name, model) in [
        (
            "file",
            Box::new(|vs: &nn::VarStore| -> Box<dyn Model> {
                Box::new(from_file::SimpleCnn::new(&vs.root()))
            }) as Box<dyn Fn(&nn::VarStore) -> Box<dyn Model>>,
        ),
        (
            "macro",
            Box::new(|vs: &nn::VarStore| -> Box<dyn Model> {
                Box::new(from_macro::SimpleCnn::new(&vs.root()))
            }),
        ),
    ] {
        let vs = nn::VarStore::new(Device::Cpu);
        let model = model(&vs);
        let small = Tensor::zeros([2, 3, 28, 28], (Kind::Float, Device::Cpu));
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = model.forward_t(&small, false);
        }))
        .expect_err(name);
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert_eq!(
            message,
            "SimpleCNN: input `x` has size 28 in dimension 2, where SimpleCNN declares 32: \
             [N, 3, 32, 32], got [2, 3, 28, 28]",
            "{name}"
        );
        let unbatched = Tensor::zeros([3, 32, 32], (Kind::Float, Device::Cpu));
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = model.forward_t(&unbatched, false);
        }))
        .expect_err(name);
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert!(
            message.contains("has 3 dimensions, [3, 32, 32], but SimpleCNN declares 4"),
            "{message}"
        );
    }
}

#[test]
fn module_and_parameter_names_equal_pytorch() {
    let reference = support::fixture("simple_cnn.json");
    both(|model, vs| {
        let children: Vec<String> =
            model.named_children().iter().map(|(n, m)| format!("{n} \"{}\"", m.kind())).collect();
        assert_eq!(children, strings(&reference["named_children"]));
        let modules: Vec<String> =
            model.named_modules().iter().map(|(n, m)| format!("{n} \"{}\"", m.kind())).collect();
        assert_eq!(modules, strings(&reference["named_modules"]));
        let parameters: Vec<String> =
            model.named_parameters().into_iter().map(|(n, _)| n).collect();
        assert_eq!(parameters, strings(&reference["named_parameters"]));

        let state: Vec<(String, Vec<i64>)> =
            model.state_dict().iter().map(|(n, t)| (n.clone(), t.size())).collect();
        let expected: Vec<(String, Vec<i64>)> = reference["state_dict"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert_eq!(e[2], "float32");
                let dims = e[1].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
                (e[0].as_str().unwrap().to_string(), dims)
            })
            .collect();
        assert_eq!(state, expected);
        // The VarStore holds exactly the state_dict names, so PyTorch weights load unchanged.
        let mut stored: Vec<String> = vs.variables().into_keys().collect();
        let mut names: Vec<String> = expected.into_iter().map(|(n, _)| n).collect();
        stored.sort();
        names.sort();
        assert_eq!(stored, names);
        assert_eq!(model.num_parameters(), reference["num_parameters"].as_i64().unwrap());
    });
}

#[test]
fn output_equals_pytorch_for_the_same_weights() {
    let reference = support::fixture("simple_cnn.json");
    let expected = support::json_tensor(&reference["output"]);
    let x = support::fill(&[8, 3, 32, 32], reference["input"]["seed"].as_i64().unwrap());
    both(|model, _| {
        support::fill_state_dict(&model.state_dict());
        let y = tch::no_grad(|| model.forward_t(&x, false));
        let diff = support::max_abs_diff(&y, &expected);
        eprintln!("max |rust - pytorch| = {diff:e}");
        assert!(diff < 1e-5, "max |rust - pytorch| = {diff}");
        // A wrong weight would not pass: the outputs are of order 1.
        assert!(expected.abs().max().double_value(&[]) > 0.5);
    });
}

fn std_of(t: &Tensor) -> f64 {
    t.to_kind(Kind::Double).std(true).double_value(&[])
}

#[test]
fn init_rules_apply_at_construction() {
    both(|model, _| {
        for (name, module) in model.named_modules() {
            match module.kind() {
                "Conv2d" => {
                    let w = module.parameter("weight").unwrap();
                    assert!((std_of(w) - 1.0).abs() < 0.1, "{name}.weight std {}", std_of(w));
                    let b = module.parameter("bias").unwrap();
                    assert_eq!(b.abs().max().double_value(&[]), 0.0, "{name}.bias is zero");
                }
                "Linear" => {
                    let w = module.parameter("weight").unwrap();
                    assert!((std_of(w) - 1.0).abs() < 0.1, "{name}.weight std {}", std_of(w));
                    // No rule for Linear.bias: PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
                    let b = module.parameter("bias").unwrap();
                    let bound = 1.0 / (w.size()[1] as f64).sqrt();
                    let max = b.abs().max().double_value(&[]);
                    assert!(
                        max <= bound && max > bound / 2.0,
                        "{name}.bias max {max}, bound {bound}"
                    );
                }
                _ => {}
            }
        }
    });
}

#[test]
fn default_init_matches_pytorch_in_distribution() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = without_init::Plain::new(&vs.root());
    for (name, t) in model.named_parameters() {
        let size = t.size();
        // fan_in = in_channels * kh * kw (Conv2d) or in_features (Linear); the bias uses the
        // weight's fan_in, and the weight of the same layer comes first.
        let module = &name[..name.rfind('.').unwrap()];
        let weight = model
            .named_parameters()
            .into_iter()
            .find(|(n, _)| n == &format!("{module}.weight"))
            .unwrap()
            .1;
        let fan_in: i64 = weight.size()[1..].iter().product();
        let bound = 1.0 / (fan_in as f64).sqrt();
        let max = t.abs().max().double_value(&[]);
        assert!(max <= bound, "{name}: max {max} > bound {bound}");
        if size.iter().product::<i64>() >= 1000 {
            let expected = bound / 3f64.sqrt();
            assert!(
                (std_of(t) - expected).abs() / expected < 0.05,
                "{name}: std {} vs {expected}",
                std_of(t)
            );
        }
    }
}

#[test]
fn reinitialise_by_layer_kind_and_by_name_like_the_tutorial() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = without_init::Plain::new(&vs.root());
    // Section 7.2: for m in model.modules(): if isinstance(m, nn.Conv2d): ...
    for (_, module) in model.named_modules() {
        match module.kind() {
            "Conv2d" => {
                cnnc::init::normal_(module.parameter("weight").unwrap(), 0.0, 1.0);
                cnnc::init::zeros_(module.parameter("bias").unwrap());
            }
            "Linear" => {
                cnnc::init::constant_(module.parameter("weight").unwrap(), 0.25);
            }
            _ => {}
        }
    }
    // And by name.
    for (name, t) in model.named_parameters() {
        if name == "layer4.fc3.bias" {
            cnnc::init::ones_(t);
        }
    }
    let w = &model.layer1.conv1.weight;
    assert!((std_of(w) - 1.0).abs() < 0.15);
    assert_eq!(
        model.layer2.conv2.bias.as_ref().unwrap().abs().sum(Kind::Double).double_value(&[]),
        0.0
    );
    assert_eq!(model.layer4.fc2.weight.mean(Kind::Double).double_value(&[]), 0.25);
    assert_eq!(model.layer4.fc3.bias.as_ref().unwrap().mean(Kind::Double).double_value(&[]), 1.0);
    // The VarStore sees the same tensors: the hook changed the variables an optimizer trains.
    let stored = vs.variables()["layer4.fc2.weight"].mean(Kind::Double).double_value(&[]);
    assert_eq!(stored, 0.25);
}
