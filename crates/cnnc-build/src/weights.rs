//! Checking a safetensors weights file against a model before anything runs: missing,
//! unexpected, mis-shaped and mistyped tensors, each a diagnostic at the `.cnn` line that
//! declares the parameter. Only the file's header is read, so multi-gigabyte files cost nothing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use cnnc_check::layers::DType;

use crate::{ir, Code, Error};

/// The largest header read: safetensors headers are JSON of a few hundred bytes per tensor.
const MAX_HEADER: u64 = 100 << 20;

/// The name, element type and shape of a tensor in a weights file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// The element type as safetensors names it: `F32`, `I64`, `F16`, ...
    pub dtype: String,
    /// The shape.
    pub shape: Vec<i64>,
}

/// The tensors a safetensors file holds, by name, read from its header only.
pub fn read_safetensors_header(path: &Path) -> std::io::Result<BTreeMap<String, TensorInfo>> {
    let mut file = std::fs::File::open(path)?;
    let mut length = [0u8; 8];
    file.read_exact(&mut length).map_err(|_| invalid("the file is too short for safetensors"))?;
    let length = u64::from_le_bytes(length);
    if length > MAX_HEADER {
        return Err(invalid("the safetensors header is larger than 100 MiB"));
    }
    let mut header = Vec::new();
    file.take(length).read_to_end(&mut header)?;
    if header.len() as u64 != length {
        return Err(invalid("the file ends inside its safetensors header"));
    }
    parse_header(&header)
}

/// The tensors of a safetensors header (the JSON after the length).
pub fn parse_header(header: &[u8]) -> std::io::Result<BTreeMap<String, TensorInfo>> {
    let json: serde_json::Value = serde_json::from_slice(header)
        .map_err(|e| invalid(&format!("the safetensors header is not JSON: {e}")))?;
    let entries = json.as_object().ok_or_else(|| invalid("the safetensors header is not a map"))?;
    let mut tensors = BTreeMap::new();
    for (name, entry) in entries.iter().filter(|(name, _)| *name != "__metadata__") {
        let bad = || invalid(&format!("tensor `{name}` has no dtype and shape"));
        let dtype = entry.get("dtype").and_then(|d| d.as_str()).ok_or_else(bad)?;
        let shape = entry
            .get("shape")
            .and_then(|s| s.as_array())
            .and_then(|dims| dims.iter().map(|d| d.as_i64()).collect::<Option<Vec<i64>>>())
            .ok_or_else(bad)?;
        tensors.insert(name.clone(), TensorInfo { dtype: dtype.to_string(), shape });
    }
    Ok(tensors)
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string())
}

/// Compares the tensors of a weights file with the `state_dict` of `model`; `file` names the
/// weights file in messages. No errors means the file loads into the model unchanged.
pub fn check_weights(
    model: &ir::Model,
    tensors: &BTreeMap<String, TensorInfo>,
    file: &str,
) -> Vec<Error> {
    let expected = model.state_dict();
    if let Some(error) = prefix_difference(model, &expected, tensors, file) {
        return vec![error];
    }
    let mut errors = Vec::new();
    let mut known = std::collections::HashSet::new();
    for entry in &expected {
        known.insert(entry.name.as_str());
        let Some(found) = tensors.get(&entry.name) else {
            errors.push(
                Error::new(
                    Code::WeightsMissing,
                    format!("`{file}` has no tensor `{}`", entry.name),
                    entry.span,
                    format!("declares `{}`", entry.name),
                )
                .with_help("train or export the weights from this definition, or check its names"),
            );
            continue;
        };
        if found.shape != entry.dims {
            errors.push(
                Error::new(
                    Code::WeightsShape,
                    format!(
                        "`{}` is {:?} in the model but {:?} in `{file}`",
                        entry.name, entry.dims, found.shape
                    ),
                    entry.span,
                    format!("declares {:?}", entry.dims),
                )
                .with_help("the file was saved from a network with other sizes"),
            );
        }
        let dtype = safetensors_dtype(entry.dtype);
        if found.dtype != dtype {
            errors.push(
                Error::new(
                    Code::WeightsDtype,
                    format!(
                        "`{}` is {dtype} in the model but {} in `{file}`",
                        entry.name, found.dtype
                    ),
                    entry.span,
                    format!("holds {dtype}"),
                )
                .with_help(format!("convert the file's tensors to {dtype} before saving")),
            );
        }
    }
    for name in tensors.keys().filter(|name| !known.contains(name.as_str())) {
        errors.push(
            Error::new(
                Code::WeightsUnexpected,
                format!("`{file}` has a tensor `{name}` that `{}` does not declare", model.name),
                model.name_span,
                "this model",
            )
            .with_help("the file was saved from another network, or from a newer version of it"),
        );
    }
    errors
}

/// When no name matches but every name of the file is one of the model's behind a common
/// prefix (`module.` from DistributedDataParallel, `model.` from Lightning), that prefix.
fn prefix_difference(
    model: &ir::Model,
    expected: &[ir::StateEntry],
    tensors: &BTreeMap<String, TensorInfo>,
    file: &str,
) -> Option<Error> {
    if expected.iter().any(|e| tensors.contains_key(&e.name)) {
        return None;
    }
    let first = tensors.keys().next()?;
    let names: std::collections::HashSet<&str> = expected.iter().map(|e| e.name.as_str()).collect();
    let prefix = first.char_indices().filter(|&(_, c)| c == '.').map(|(i, _)| &first[..=i]).find(
        |prefix| {
            tensors.keys().all(|n| n.strip_prefix(prefix).is_some_and(|rest| names.contains(rest)))
        },
    )?;
    let origin = match prefix {
        "module." => " (as DistributedDataParallel saves)",
        "model." => " (as PyTorch Lightning saves)",
        _ => "",
    };
    Some(
        Error::new(
            Code::WeightsPrefix,
            format!("every name in `{file}` starts with `{prefix}`{origin}"),
            model.name_span,
            "names here have no prefix",
        )
        .with_help(format!(
            "strip the prefix before saving: `{{k.removeprefix(\"{prefix}\"): v for k, v in \
             state_dict.items()}}`"
        )),
    )
}

/// The safetensors name of an element type.
fn safetensors_dtype(dtype: DType) -> &'static str {
    match dtype {
        DType::Float => "F32",
        DType::Int64 => "I64",
    }
}
