//! torchvision's networks written in cnnc (examples/lenet5.cnn, alexnet.cnn, vgg.cnn,
//! resnet.cnn, mobilenet_v2.cnn, mobilenet_v3.cnn, densenet.cnn, shufflenet_v2.cnn,
//! googlenet.cnn, efficientnet.cnn, mnasnet.cnn, regnet.cnn, vit.cnn, swin.cnn, convnext.cnn,
//! segmentation.cnn: FCN-ResNet50 and DeepLabV3-ResNet50, from tests/fixtures/segmentation.json)
//! and a small U-Net (examples/unet.cnn), compiled through the build.rs API and compared with torchvision itself
//! (tests/fixtures/torchvision.json, from scripts/reference/torchvision_models.py): the same
//! state_dict keys, shapes and order, the same initialisation, and eval-mode outputs within 1e-4
//! of the largest output (1e-5 for LeNet-5 and the U-Net) for the same weights (filled by the
//! same formula on both sides) and input. LeNet-5 and the U-Net also load weights exported from
//! PyTorch as safetensors.

mod support;

use tch::nn;
use tch::Device;

include!(concat!(env!("OUT_DIR"), "/lenet5.rs"));
include!(concat!(env!("OUT_DIR"), "/alexnet.rs"));
include!(concat!(env!("OUT_DIR"), "/vgg.rs"));
include!(concat!(env!("OUT_DIR"), "/resnet.rs"));
include!(concat!(env!("OUT_DIR"), "/mobilenet_v2.rs"));
include!(concat!(env!("OUT_DIR"), "/unet.rs"));
include!(concat!(env!("OUT_DIR"), "/densenet.rs"));
// Files that define blocks of the same name get modules of their own (where the models'
// constants go unused).
#[allow(dead_code)]
mod shufflenet {
    include!(concat!(env!("OUT_DIR"), "/shufflenet_v2.rs"));
}
use shufflenet::ShuffleNetV2;
include!(concat!(env!("OUT_DIR"), "/googlenet.rs"));
#[allow(dead_code)]
mod efficientnet {
    include!(concat!(env!("OUT_DIR"), "/efficientnet.rs"));
}
use efficientnet::{EfficientNetB0, EfficientNetB3};
#[allow(dead_code)]
mod convnext {
    include!(concat!(env!("OUT_DIR"), "/convnext.rs"));
}
use convnext::ConvNeXtTiny;
#[allow(dead_code)]
mod mobilenet_v3 {
    include!(concat!(env!("OUT_DIR"), "/mobilenet_v3.rs"));
}
use mobilenet_v3::{LrasppMobileNetV3Large, MobileNetV3Large, MobileNetV3Small};
#[allow(dead_code)]
mod mnasnet {
    include!(concat!(env!("OUT_DIR"), "/mnasnet.rs"));
}
use mnasnet::MnasNet10;
#[allow(dead_code)]
mod regnet {
    include!(concat!(env!("OUT_DIR"), "/regnet.rs"));
}
use regnet::RegNetY400Mf;
#[allow(dead_code)]
mod vit {
    include!(concat!(env!("OUT_DIR"), "/vit.rs"));
}
use vit::ViTb16;
#[allow(dead_code)]
mod swin {
    include!(concat!(env!("OUT_DIR"), "/swin.rs"));
}
use swin::SwinT;
#[allow(dead_code)]
mod segmentation {
    include!(concat!(env!("OUT_DIR"), "/segmentation.rs"));
}
use segmentation::{DeepLabV3ResNet50, FcnResNet50};

fn check(name: &str, tolerance: f64, build: fn(&nn::Path) -> Box<dyn support::Model>) {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| build(&vs.root()));
    support::assert_parity("torchvision.json", name, model.as_ref(), tolerance);
}

#[test]
fn lenet5() {
    check("LeNet5", 1e-5, |p| Box::new(LeNet5::new(p)));
}

#[test]
fn alexnet() {
    check("AlexNet", 1e-4, |p| Box::new(AlexNet::new(p)));
}

#[test]
fn vgg16() {
    check("VGG16", 1e-4, |p| Box::new(Vgg16::new(p)));
}

#[test]
fn vgg11_bn() {
    check("VGG11BN", 1e-4, |p| Box::new(Vgg11Bn::new(p)));
}

#[test]
fn resnet18() {
    check("ResNet18", 1e-4, |p| Box::new(ResNet18::new(p)));
}

#[test]
fn resnet34() {
    check("ResNet34", 1e-4, |p| Box::new(ResNet34::new(p)));
}

#[test]
fn resnet50() {
    check("ResNet50", 1e-4, |p| Box::new(ResNet50::new(p)));
}

#[test]
fn resnet101() {
    check("ResNet101", 1e-4, |p| Box::new(ResNet101::new(p)));
}

#[test]
fn resnet152() {
    check("ResNet152", 1e-4, |p| Box::new(ResNet152::new(p)));
}

#[test]
fn mobilenet_v2() {
    check("MobileNetV2", 1e-4, |p| Box::new(MobileNetV2::new(p)));
}

#[test]
fn unet() {
    check("UNet", 1e-5, |p| Box::new(UNet::new(p)));
}

/// The U-Net is declared `[N, 3, H, W]`: the same compiled code at a second size.
#[test]
fn unet_at_another_size() {
    check("UNet at 40x56", 1e-5, |p| Box::new(UNet::new(p)));
}

/// At a size its skip connections do not line up for, the U-Net's `forward_t` panics with the
/// message `cnnc check --input` gives for the same size.
#[test]
fn unet_rejects_a_size_its_skips_do_not_line_up_for() {
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/unet.cnn"),
    )
    .expect("the example");
    let sizes = [("x".to_string(), vec![1, 3, 36, 40])];
    let diagnostics = cnnc_build::check_source_at("unet.cnn", &source, &sizes).unwrap_err();
    let expected = diagnostics.errors[0].message.clone();
    assert_eq!(
        expected,
        "UNet: input `x` has H = 36, but `cat` of [N, 16, 8*(H//8), 8*(W//8)] and \
         [N, 16, H, W] needs H divisible by 8"
    );
    let vs = nn::VarStore::new(Device::Cpu);
    let model = UNet::new(&vs.root());
    let x = tch::Tensor::zeros([1, 3, 36, 40], (tch::Kind::Float, Device::Cpu));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        use tch::nn::ModuleT;
        model.forward_t(&x, false)
    }))
    .expect_err("36 is not a multiple of 8");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert_eq!(*message, expected);
    // Sizes that meet every rule are accepted, and too small a one names the pooling layer.
    assert_eq!(UNet::INPUT.mismatch(&[2, 3, 40, 56]), Ok(()));
    let small = UNet::INPUT.mismatch(&[1, 3, 4, 8]).unwrap_err();
    assert_eq!(small, "UNet: input `x` has H = 4, but `down3.0` (MaxPool2d) needs H >= 8");
}

/// FCN-ResNet50 is declared `[N, 3, H, W]`, and resizes its result to the input's size: the
/// same compiled code against torchvision at 32×32 and at 16×24.
#[test]
fn fcn_resnet50_at_two_sizes() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| FcnResNet50::new(&vs.root()));
    support::assert_parity("segmentation.json", "FCNResNet50", &model, 1e-4);
    // The weights are filled now; the second size compares the output.
    let name = "FCNResNet50 at 16x24";
    let reference = &support::fixture("segmentation.json")["models"][name];
    assert_eq!(reference["input"], serde_json::json!([1, 3, 16, 24]));
    let x = support::fill(&[1, 3, 16, 24], 1000);
    let y = tch::no_grad(|| nn::ModuleT::forward_t(&model, &x, false));
    support::assert_close(name, &y, &reference["output"], 1e-4);
}

#[test]
fn deeplabv3_resnet50_at_two_sizes() {
    // ASPP: a `ModuleList` called entry by entry, and ASPPPooling, a `Sequential` with a forward
    // of its own (`children(x)`), resized back to the features' size.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| DeepLabV3ResNet50::new(&vs.root()));
    support::assert_parity("segmentation.json", "DeepLabV3ResNet50", &model, 1e-4);
    let name = "DeepLabV3ResNet50 at 24x16";
    let reference = &support::fixture("segmentation.json")["models"][name];
    assert_eq!(reference["input"], serde_json::json!([1, 3, 24, 16]));
    let x = support::fill(&[1, 3, 24, 16], 1000);
    let y = tch::no_grad(|| nn::ModuleT::forward_t(&model, &x, false));
    support::assert_close(name, &y, &reference["output"], 1e-4);
}

#[test]
fn lraspp_mobilenet_v3_large_at_two_sizes() {
    // A dilated MobileNetV3-Large backbone whose intermediate features are slices of its
    // entries (`backbone[0..5](x)`, `backbone[5..17](low)`), and a head with two inputs.
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| LrasppMobileNetV3Large::new(&vs.root()));
    support::assert_parity("segmentation.json", "LRASPPMobileNetV3Large", &model, 1e-4);
    let name = "LRASPPMobileNetV3Large at 16x48";
    let reference = &support::fixture("segmentation.json")["models"][name];
    assert_eq!(reference["input"], serde_json::json!([1, 3, 16, 48]));
    let x = support::fill(&[1, 3, 16, 48], 1000);
    let y = tch::no_grad(|| nn::ModuleT::forward_t(&model, &x, false));
    support::assert_close(name, &y, &reference["output"], 1e-4);
}

#[test]
fn densenet121() {
    check("DenseNet121", 1e-4, |p| Box::new(DenseNet121::new(p)));
}

#[test]
fn shufflenet_v2() {
    check("ShuffleNetV2", 1e-4, |p| Box::new(ShuffleNetV2::new(p)));
}

#[test]
fn efficientnet_b0() {
    check("EfficientNetB0", 1e-4, |p| Box::new(EfficientNetB0::new(p)));
}

#[test]
fn efficientnet_b3() {
    check("EfficientNetB3", 1e-4, |p| Box::new(EfficientNetB3::new(p)));
}

#[test]
fn mobilenet_v3_small() {
    check("MobileNetV3Small", 1e-4, |p| Box::new(MobileNetV3Small::new(p)));
}

#[test]
fn mobilenet_v3_large() {
    check("MobileNetV3Large", 1e-4, |p| Box::new(MobileNetV3Large::new(p)));
}

#[test]
fn mnasnet1_0() {
    check("MNASNet1_0", 1e-4, |p| Box::new(MnasNet10::new(p)));
}

#[test]
fn regnet_y_400mf() {
    check("RegNetY400MF", 1e-4, |p| Box::new(RegNetY400Mf::new(p)));
}

#[test]
fn vit_b_16() {
    check("ViTB16", 1e-4, |p| Box::new(ViTb16::new(p)));
}

#[test]
fn swin_t() {
    // Shifted windows: a relative position bias (a parameter and an index buffer), rolled and
    // masked windows in every other block, and patch merging by strided slices.
    check("SwinT", 1e-4, |p| Box::new(SwinT::new(p)));
}

#[test]
fn convnext_tiny() {
    check("ConvNeXtTiny", 1e-4, |p| Box::new(ConvNeXtTiny::new(p)));
}

#[test]
fn googlenet_with_auxiliary_outputs() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| GoogLeNet::new(&vs.root()));
    support::assert_parity("torchvision.json", "GoogLeNet", &model, 1e-4);
    // The weights are filled now; the auxiliary heads against torchvision's.
    let reference = &support::fixture("torchvision.json")["models"]["GoogLeNet"];
    let x = support::fill(&[1, 3, 224, 224], 1000);
    let (main, aux2, aux1) = tch::no_grad(|| model.forward_outputs(&x, false));
    support::assert_close("GoogLeNet main", &main, &reference["output"], 1e-4);
    support::assert_close("GoogLeNet aux2", &aux2, &reference["more_outputs"][0], 1e-4);
    support::assert_close("GoogLeNet aux1", &aux1, &reference["more_outputs"][1], 1e-4);
}

/// Loads weights that PyTorch initialised and saved (tests/fixtures/<name>.safetensors, from
/// scripts/reference/exported_weights.py) and compares the eval-mode output with PyTorch's.
fn check_exported(name: &str, tolerance: f64, build: fn(&nn::Path) -> Box<dyn support::Model>) {
    let mut vs = nn::VarStore::new(Device::Cpu);
    let model = build(&vs.root());
    let file = support::root().join(format!("tests/fixtures/{}.safetensors", name.to_lowercase()));
    vs.load(&file).expect("the exported state_dict has the model's names and shapes");
    let reference = &support::fixture("exported.json")["models"][name];
    let input: Vec<i64> =
        reference["input"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
    let y = tch::no_grad(|| model.forward_t(&support::fill(&input, 1000), false));
    support::assert_close(
        &format!("{name} (exported weights)"),
        &y,
        &reference["output"],
        tolerance,
    );
}

#[test]
fn lenet5_with_weights_exported_from_pytorch() {
    check_exported("LeNet5", 1e-5, |p| Box::new(LeNet5::new(p)));
}

#[test]
fn unet_with_weights_exported_from_pytorch() {
    check_exported("UNet", 1e-5, |p| Box::new(UNet::new(p)));
}
