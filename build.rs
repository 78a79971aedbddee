//! Compiles the example and fixture models with the build.rs API, for the end-to-end tests.

fn main() {
    if let Err(e) = cnnc_build::compile(&[
        "examples/simple_cnn.cnn",
        "tests/fixtures/tiny_net.cnn",
        "tests/fixtures/catalogue.cnn",
        "tests/fixtures/blocks.cnn",
        "tests/fixtures/hygiene.cnn",
        "examples/lenet5.cnn",
        "examples/alexnet.cnn",
        "examples/vgg.cnn",
        "examples/resnet.cnn",
        "examples/mobilenet_v2.cnn",
        "examples/mobilenet_v3.cnn",
        "examples/unet.cnn",
        "examples/densenet.cnn",
        "examples/shufflenet_v2.cnn",
        "examples/googlenet.cnn",
        "examples/efficientnet.cnn",
        "examples/convnext.cnn",
    ]) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
