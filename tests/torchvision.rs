//! torchvision's classic networks written in cnnc (examples/alexnet.cnn, vgg.cnn, lenet5.cnn),
//! compiled through the build.rs API and compared with torchvision itself
//! (tests/fixtures/torchvision.json, from scripts/reference/torchvision_models.py): the same
//! state_dict keys, shapes and order, the same initialisation, and eval-mode outputs within 1e-4
//! of the largest output (1e-5 for LeNet-5) for the same weights and input.

mod support;

use tch::nn;
use tch::Device;

include!(concat!(env!("OUT_DIR"), "/lenet5.rs"));
include!(concat!(env!("OUT_DIR"), "/alexnet.rs"));
include!(concat!(env!("OUT_DIR"), "/vgg.rs"));

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
