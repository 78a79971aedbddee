//! The counts of `cnnc check`'s table against a PyTorch-side counter: for every example network
//! with reference data (tests/fixtures/macs.json, from scripts/reference/macs.py, which runs
//! fvcore's FlopCountAnalysis on the same networks in PyTorch), the multiply-accumulates per
//! sample and the parameter count are equal.

use std::path::Path;

#[test]
fn macs_and_parameters_agree_with_fvcore() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("tests/fixtures/macs.json")).expect("the fixture");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let reference = reference["models"].as_object().expect("models");
    let text =
        std::fs::read_to_string(root.join("tests/fixtures/torchvision.json")).expect("the fixture");
    let torchvision: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut compared = Vec::new();
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .expect("the examples")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cnn"))
        .collect();
    examples.sort();
    for path in examples {
        let source = std::fs::read_to_string(&path).expect("a source");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let models = cnnc_build::check_source(&name, &source).expect("the examples check");
        for model in &models {
            let Some(expected) = reference.get(&model.name) else { continue };
            // A model with run-time sizes other than the batch (the U-Net's `H` and `W`) is
            // counted at the input size of its reference output.
            let at_reference_size;
            let model = if model.input.0[1..].iter().all(|d| d.known().is_some()) {
                model
            } else {
                let input = &torchvision["models"][&model.name]["input"];
                let sizes: Vec<i64> = input
                    .as_array()
                    .expect("an input shape")
                    .iter()
                    .flat_map(|d| d.as_i64())
                    .collect();
                let input_name = &model.forward.input;
                let checked =
                    cnnc_build::check_source_at(&name, &source, &[(input_name.clone(), sizes)])
                        .expect("the reference size checks");
                at_reference_size = checked.into_iter().find(|m| m.name == model.name);
                at_reference_size.as_ref().expect("the model")
            };
            let totals = cnnc_build::totals(model, 1);
            assert_eq!(
                totals.macs,
                expected["macs"].as_i64(),
                "{}: MACs per sample, as fvcore counts them",
                model.name
            );
            assert_eq!(
                totals.parameters,
                expected["parameters"].as_i64().unwrap(),
                "{}: parameters",
                model.name
            );
            compared.push(model.name.clone());
        }
    }
    assert_eq!(
        compared.len(),
        reference.len(),
        "every reference model is an example: {compared:?}"
    );
}
