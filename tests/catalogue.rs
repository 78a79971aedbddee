//! Every layer of the catalogue, compiled through the build.rs API and compared with PyTorch's
//! own modules (tests/fixtures/catalogue.json, from scripts/reference/catalogue.py): state_dict
//! names, shapes and dtypes; default initialisation; and eval-mode outputs for the same weights.

mod support;

use tch::nn;
use tch::Device;

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

fn check(name: &str, build: fn(&nn::Path) -> Box<dyn support::Model>) {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = support::seeded(|| build(&vs.root()));
    support::assert_parity("catalogue.json", name, model.as_ref(), 1e-5);
}

#[test]
fn conv1d_family() {
    check("Conv1dNet", |p| Box::new(Conv1dNet::new(p)));
}

#[test]
fn conv2d_family() {
    check("Conv2dNet", |p| Box::new(Conv2dNet::new(p)));
}

#[test]
fn conv3d_family() {
    check("Conv3dNet", |p| Box::new(Conv3dNet::new(p)));
}

#[test]
fn activations() {
    check("Activations", |p| Box::new(Activations::new(p)));
}

#[test]
fn more_activations() {
    check("MoreActivations", |p| Box::new(MoreActivations::new(p)));
}

#[test]
fn paddings() {
    check("Paddings", |p| Box::new(Paddings::new(p)));
}

#[test]
fn fill_paddings() {
    check("FillPaddings", |p| Box::new(FillPaddings::new(p)));
}

#[test]
fn pixel_unshuffle_and_local_response_norm() {
    check("Unshuffle", |p| Box::new(Unshuffle::new(p)));
}

#[test]
fn unfold_and_fold() {
    check("SlidingBlocks", |p| Box::new(SlidingBlocks::new(p)));
}

#[test]
fn more_layers() {
    check("MoreLayers", |p| Box::new(MoreLayers::new(p)));
}

#[test]
fn embedding() {
    check("EmbeddingNet", |p| Box::new(EmbeddingNet::new(p)));
}

#[test]
fn forward_language() {
    check("ForwardOps", |p| Box::new(ForwardOps::new(p)));
}

#[test]
fn multi_head_self_attention() {
    // Batch first and sequence first, with and without biases: `in_proj_weight`, `in_proj_bias`
    // and `out_proj` as PyTorch names them, and PyTorch's outputs.
    check("Attention", |p| Box::new(Attention::new(p)));
}

#[test]
fn bilinear() {
    // Two tensors in, `weight` [out, in1, in2] and `bias` as PyTorch names them; the features
    // of the first layer are inferred from its two inputs.
    check("Pairs", |p| Box::new(Pairs::new(p)));
}

#[test]
fn shifted_window_attention() {
    // torchvision's Swin layer: padding to whole windows, a shift along both sizes and along
    // the columns only, and the relative position bias with its index buffer.
    check("Windows", |p| Box::new(Windows::new(p)));
}
