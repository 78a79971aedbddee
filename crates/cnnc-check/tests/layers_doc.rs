//! `docs/layers.md` lists every layer of the catalogue with its signature; it is generated from
//! the catalogue and must stay equal to it. Regenerate it with `CNNC_UPDATE_DOCS=1`.

use cnnc_check::args::signature;
use cnnc_check::layers::CATALOGUE;

fn layers_doc() -> String {
    let mut out = String::from(
        "# Layers\n\n\
         The layers cnnc knows, with their `torch.nn` signatures (same names, order and defaults). \
         Layers with parameters or buffers are built as `cnnc::nn::<Layer>::new(vs, <required \
         arguments>, <Config> { .. })`, as tch's `nn::conv2d(vs, i, o, k, cfg)`: the required \
         arguments in order, the optional ones in the config; the others are plain structs. Every output shape is checked against libtorch by \
         `tests/differential.rs`, and parameter names, shapes, dtypes, default initialisation and \
         outputs against PyTorch by `tests/catalogue.rs`.\n\n\
         This file is generated from the catalogue (`crates/cnnc-check/src/layers/`); regenerate it \
         with `CNNC_UPDATE_DOCS=1 cargo test -p cnnc-check --test layers_doc`.\n\n\
         | layer | signature | runtime |\n|---|---|---|\n",
    );
    for spec in CATALOGUE {
        let runtime = match spec.config {
            Some(config) => {
                let required: Vec<&str> = spec
                    .params
                    .iter()
                    .filter(|p| matches!(p.default, cnnc_check::args::Default::Required))
                    .map(|p| p.name)
                    .collect();
                let mut args = vec!["vs"];
                args.extend(required);
                args.push(config);
                format!("`{}::new({})`", spec.name, args.join(", "))
            }
            None => format!("`{}`", spec.name),
        };
        let signature = signature(spec.name, spec.params).replace('|', "\\|");
        out.push_str(&format!("| `{}` | {signature} | {runtime} |\n", spec.name));
    }
    out
}

#[test]
fn layers_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/layers.md");
    let expected = layers_doc();
    if std::env::var_os("CNNC_UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/layers.md is out of date; regenerate it with CNNC_UPDATE_DOCS=1"
    );
}

/// Every layer is found by its name, so no two layers share one.
#[test]
fn every_layer_is_found_by_its_name() {
    for spec in CATALOGUE {
        let found = cnnc_check::layers::lookup(spec.name).expect("a layer of the catalogue");
        assert!(std::ptr::eq(found, *spec), "`{}` names two layers", spec.name);
    }
    assert!(cnnc_check::layers::lookup("Conv").is_none());
}
