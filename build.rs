//! Compiles the example and fixture models with the build.rs API, for the end-to-end tests, and
//! the random models of the property test (tests/random_models.rs).

#[path = "tests/generate/random_models.rs"]
mod random_models;
#[path = "tests/generate/rng.rs"]
mod rng;

use std::path::PathBuf;

/// The seed and number of the random models; `CNNC_RANDOM_SEED` picks other ones.
const RANDOM_SEED: u64 = 0x5eed_cafe;
const RANDOM_MODELS: usize = 60;

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
        "examples/mnasnet.cnn",
        "examples/regnet.cnn",
        "examples/vit.cnn",
        "examples/swin.cnn",
        "examples/convnext.cnn",
        "examples/segmentation.cnn",
        "examples/train/digits.cnn",
    ]) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    if let Err(e) = write_random_models() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

/// Writes the random models as one `.cnn` file, compiles it, and writes their runner.
fn write_random_models() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=CNNC_RANDOM_SEED");
    println!("cargo:rerun-if-changed=tests/generate");
    let seed = match std::env::var("CNNC_RANDOM_SEED") {
        Ok(text) => text.parse()?,
        Err(_) => RANDOM_SEED,
    };
    let models = random_models::generate(seed, RANDOM_MODELS);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut source = String::from(random_models::BLOCKS);
    for model in &models {
        source.push('\n');
        source.push_str(&model.source);
    }
    let cnn = out_dir.join("random_models.cnn");
    std::fs::write(&cnn, source)?;
    cnnc_build::compile(&[&cnn])?;
    std::fs::write(out_dir.join("random_runner.rs"), random_models::runner(&models))?;
    std::fs::write(out_dir.join("random_seed.txt"), seed.to_string())?;
    Ok(())
}
