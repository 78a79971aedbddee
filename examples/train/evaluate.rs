//! Loads the weights that examples/train/train_ddp.py trained in PyTorch into the generated
//! `Digits` module and reports its accuracy on the same test split, which must equal PyTorch's.
//! Run through examples/train/run.sh.

use std::error::Error;
use std::path::Path;

use tch::nn::{ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/digits.rs"));

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new("examples/train/data");
    let mut vs = VarStore::new(Device::Cpu);
    let model = Digits::new(&vs.root());
    vs.load(data.join("digits.safetensors"))?;

    let test: std::collections::HashMap<String, Tensor> =
        Tensor::read_safetensors(data.join("digits_test.safetensors"))?.into_iter().collect();
    let (images, labels) = (&test["images"], &test["labels"]);
    let predicted = tch::no_grad(|| model.forward_t(images, false)).argmax(1, false);
    let correct = predicted.eq_tensor(labels).sum(Kind::Int64).int64_value(&[]);
    let total = labels.size()[0];
    println!(
        "Rust test accuracy with PyTorch's weights: {:.2}% ({correct}/{total})",
        100.0 * correct as f64 / total as f64
    );

    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("pytorch_accuracy.json"))?)?;
    let theirs = reference["correct"].as_i64().ok_or("no `correct` in pytorch_accuracy.json")?;
    if correct != theirs {
        return Err(
            format!("PyTorch classified {theirs} test images correctly, Rust {correct}").into()
        );
    }
    println!("equal to PyTorch's");
    Ok(())
}
