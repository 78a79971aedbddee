//! `cnnc build --target pytorch`, checked with PyTorch itself: the modules generated for every
//! example and test fixture are imported and built by torch 2.13 (tests/support/
//! pytorch_target.py, with the Python of scripts/pytorch.sh in `CNNC_PYTHON`). Each model's
//! `state_dict` has the names, shapes and dtypes, in order, that the generated Rust registers,
//! and torchvision's where the model is one of torchvision's; and for the deterministic weights
//! and input of the reference data, its outputs are those that tests/torchvision.rs,
//! tests/blocks.rs and tests/catalogue.rs hold the generated Rust to.

mod support;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use cnnc_build::ir::{self, StateEntry};

/// Every `.cnn` file of the examples and the test fixtures.
fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        let entries = std::fs::read_dir(support::root().join(dir)).expect("a source folder");
        for entry in entries {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "cnn") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The Python with torch 2.13 and torchvision 0.28 that scripts/pytorch.sh installs.
fn python() -> PathBuf {
    match std::env::var_os("CNNC_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => panic!(
            "CNNC_PYTHON is not set: run the suite with scripts/test.sh, or set it to the Python \
             that scripts/pytorch.sh prints"
        ),
    }
}

/// The dtype of a `state_dict` entry as PyTorch names it.
fn dtype(entry: &StateEntry) -> &'static str {
    match format!("{:?}", entry.dtype).as_str() {
        "Int64" => "int64",
        _ => "float32",
    }
}

#[test]
fn generated_pytorch_modules_match_the_rust_code_and_pytorch() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let references: Vec<serde_json::Value> =
        ["torchvision.json", "segmentation.json", "blocks.json", "catalogue.json"]
            .iter()
            .map(|f| support::fixture(f))
            .collect();
    let mut requests = Vec::new();
    let mut expected: Vec<(String, Vec<StateEntry>, Option<&serde_json::Value>)> = Vec::new();
    for path in sources() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).expect("a source");
        let models = cnnc_build::check_source(&name, &source).expect("the sources check");
        let python = dir.path().join(format!("{}.py", path.file_stem().unwrap().to_string_lossy()));
        std::fs::write(&python, cnnc_build::generate_pytorch(&models, &name)).expect("written");
        for model in &models {
            let reference = references.iter().find_map(|r| r["models"].get(&model.name));
            requests.push(serde_json::json!({
                "file": python,
                "model": model.name,
                "input": reference.map(|r| r["input"].clone()),
                "indices": model.name == "EmbeddingNet",
            }));
            expected.push((model.name.clone(), ir::Model::state_dict(model), reference));
        }
    }
    assert!(expected.iter().filter(|(_, _, r)| r.is_some()).count() >= 25, "references found");

    let script = support::root().join("tests/support/pytorch_target.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("Python starts");
    let input = serde_json::to_vec(&requests).expect("JSON");
    child.stdin.take().expect("stdin").write_all(&input).expect("requests sent");
    let output = child.wait_with_output().expect("Python runs");
    assert!(output.status.success(), "the generated modules import, build and run in PyTorch");
    let results: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("results as JSON");
    assert_eq!(results.len(), expected.len());

    for (result, (name, state, reference)) in results.iter().zip(&expected) {
        let theirs: Vec<String> = result["state_dict"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {} {}", e[0].as_str().unwrap(), e[1], e[2].as_str().unwrap()))
            .collect();
        let ours: Vec<String> = state
            .iter()
            .map(|e| {
                let dims: Vec<String> = e.dims.iter().map(i64::to_string).collect();
                format!("{} [{}] {}", e.name, dims.join(","), dtype(e))
            })
            .collect();
        assert_eq!(theirs, ours, "{name}: the state_dict of the Rust code");
        let Some(reference) = reference else { continue };
        let names: Vec<&str> = reference["state_dict"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        let generated: Vec<&str> = state.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(generated, names, "{name}: the state_dict of the reference");
        let output = support::json_tensor(&result["output"]);
        support::assert_close(name, &output, &reference["output"], 1e-4);
        if let Some(more) = reference["more_outputs"].as_array() {
            let ours = result["more_outputs"].as_array().unwrap();
            assert_eq!(ours.len(), more.len(), "{name}: outputs");
            for (i, (a, b)) in ours.iter().zip(more).enumerate() {
                support::assert_close(
                    &format!("{name} output {}", i + 1),
                    &support::json_tensor(a),
                    b,
                    1e-4,
                );
            }
        }
    }
}
