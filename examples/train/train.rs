//! Trains the same `Digits` model in Rust, with tch's SGD, on the training split that
//! examples/train/train_ddp.py saved, with a progress bar and the loss per epoch, and reports its
//! accuracy on the test split. Run through examples/train/run.sh.

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use tch::nn::{ModuleT, OptimizerConfig, Sgd, VarStore};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/digits.rs"));

const EPOCHS: i64 = 15;
const BATCH: i64 = 64;

fn split(path: &Path) -> Result<(Tensor, Tensor), Box<dyn Error>> {
    let mut tensors: HashMap<String, Tensor> =
        Tensor::read_safetensors(path)?.into_iter().collect();
    let images = tensors.remove("images").ok_or("no `images`")?;
    let labels = tensors.remove("labels").ok_or("no `labels`")?;
    Ok((images, labels))
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new("examples/train/data");
    let (images, labels) = split(&data.join("digits_train.safetensors"))?;
    let (test_images, test_labels) = split(&data.join("digits_test.safetensors"))?;
    tch::manual_seed(0);
    let vs = VarStore::new(Device::Cpu);
    let model = Digits::new(&vs.root());
    let mut optimizer = Sgd { momentum: 0.9, ..Default::default() }.build(&vs, 0.05)?;

    let n = images.size()[0];
    let batches = (n + BATCH - 1) / BATCH;
    let style = ProgressStyle::with_template("epoch {prefix:>2}/15 {bar:30} {pos}/{len} batches")?;
    for epoch in 1..=EPOCHS {
        let bar = ProgressBar::new(batches as u64).with_style(style.clone());
        bar.set_prefix(epoch.to_string());
        let order = Tensor::randperm(n, (Kind::Int64, Device::Cpu));
        let (mut total, mut seen) = (0.0, 0);
        for start in (0..n).step_by(BATCH as usize) {
            let index = order.narrow(0, start, BATCH.min(n - start));
            let (x, y) = (images.index_select(0, &index), labels.index_select(0, &index));
            let loss = model.forward_t(&x, true).cross_entropy_for_logits(&y);
            optimizer.backward_step(&loss);
            total += loss.double_value(&[]) * index.size()[0] as f64;
            seen += index.size()[0];
            bar.inc(1);
        }
        bar.finish_and_clear();
        println!("epoch {epoch:2}/{EPOCHS}: loss {:.4}", total / seen as f64);
    }
    let predicted = tch::no_grad(|| model.forward_t(&test_images, false)).argmax(1, false);
    let correct = predicted.eq_tensor(&test_labels).sum(Kind::Int64).int64_value(&[]);
    let total = test_labels.size()[0];
    println!(
        "Rust-trained test accuracy: {:.2}% ({correct}/{total})",
        100.0 * correct as f64 / total as f64
    );
    Ok(())
}
