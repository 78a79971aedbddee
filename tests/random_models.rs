//! Property test: random valid models (tests/generate/random_models.rs), with blocks, parameters,
//! loops, conditions, optional children, `+`, `*`, `cat`, `chunk` and several outputs. Each one
//! checks, the shapes the checker predicts equal the generator's, the generated Rust of all of
//! them compiles as one crate (build.rs), and on libtorch every output has the predicted shape.

// The test reads the generated models; build.rs also uses their blocks and runner.
#[allow(dead_code)]
#[path = "generate/random_models.rs"]
mod random_models;
#[path = "generate/rng.rs"]
mod rng;

include!(concat!(env!("OUT_DIR"), "/random_models.rs"));
include!(concat!(env!("OUT_DIR"), "/random_runner.rs"));

/// As many as build.rs generates.
const RANDOM_MODELS: usize = 60;
const SEED: &str = include_str!(concat!(env!("OUT_DIR"), "/random_seed.txt"));
const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/random_models.cnn"));

fn models() -> Vec<random_models::RandomModel> {
    random_models::generate(SEED.parse().expect("a seed"), RANDOM_MODELS)
}

/// A shape without the batch dimension, as the checker prints it.
fn shape(batch: &str, dims: &[i64]) -> String {
    let dims: Vec<String> =
        std::iter::once(batch.to_string()).chain(dims.iter().map(i64::to_string)).collect();
    format!("[{}]", dims.join(", "))
}

#[test]
fn every_random_model_checks_with_the_generators_shapes() {
    let checked = cnnc_build::check_source("random_models.cnn", SOURCE)
        .unwrap_or_else(|d| panic!("{}", d.render(cnnc_build::Format::Plain)));
    let models = models();
    assert_eq!(checked.len(), models.len());
    for (ir, model) in checked.iter().zip(&models) {
        assert_eq!(ir.name, model.name);
        let predicted: Vec<String> = std::iter::once(ir.output())
            .chain(ir.forward.more_results.iter().map(|e| &e.shape))
            .map(ToString::to_string)
            .collect();
        let expected: Vec<String> = model.outputs.iter().map(|o| shape("N", o)).collect();
        assert_eq!(predicted, expected, "{}", model.source);
    }
}

#[test]
fn every_random_model_runs_with_the_predicted_shapes() {
    let models = models();
    let results = run_random_models();
    assert_eq!(results.len(), models.len());
    for ((name, sizes), model) in results.iter().zip(&models) {
        assert_eq!(*name, model.name);
        let expected: Vec<Vec<i64>> = model
            .outputs
            .iter()
            .map(|o| std::iter::once(2).chain(o.iter().copied()).collect())
            .collect();
        assert_eq!(sizes, &expected, "{}", model.source);
    }
}
