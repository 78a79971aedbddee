//! torchvision's classic networks written in cnnc (examples/lenet5.cnn, alexnet.cnn, vgg.cnn,
//! resnet.cnn, mobilenet_v2.cnn) and a small U-Net (examples/unet.cnn), compiled through the
//! build.rs API and compared with torchvision itself
//! (tests/fixtures/torchvision.json, from scripts/reference/torchvision_models.py): the same
//! state_dict keys, shapes and order, the same initialisation, and eval-mode outputs within 1e-4
//! of the largest output (1e-5 for LeNet-5) for the same weights and input.

mod support;

use tch::nn;
use tch::Device;

include!(concat!(env!("OUT_DIR"), "/lenet5.rs"));
include!(concat!(env!("OUT_DIR"), "/alexnet.rs"));
include!(concat!(env!("OUT_DIR"), "/vgg.rs"));
include!(concat!(env!("OUT_DIR"), "/resnet.rs"));
include!(concat!(env!("OUT_DIR"), "/mobilenet_v2.rs"));
include!(concat!(env!("OUT_DIR"), "/unet.rs"));

fn check(name: &str, tolerance: f64, build: fn(&nn::Path) -> Box<dyn support::Model>) {
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = build(&vs.root());
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
