//! The table `cnnc check` prints, in the spirit of torchinfo's `summary()`, computed without
//! running anything: each layer and op in forward order with its output shape, parameters and
//! multiply-accumulates, optionally grouped by module down to a depth, then the totals and the
//! memory that parameters, buffers and activations take for a batch size.

use rustc_hash::FxHashMap as HashMap;

use cnnc_check::layers::{DType, TensorKind};
use cnnc_check::shape::Shape;

use crate::ir;

/// What to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Rows of modules nested deeper than this many levels are folded into their ancestor at
    /// this depth (`layer1.conv1` is at depth 2); `None` shows every layer.
    pub depth: Option<usize>,
    /// The batch size for the memory estimate.
    pub batch: i64,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions { depth: None, batch: 1 }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The module path (`layer1.conv1`), or the op as written (`flatten(1)`).
    pub name: String,
    /// The call with its resolved arguments, or the kind of a folded module.
    pub call: String,
    /// The output shape.
    pub output: Shape,
    /// Trainable parameter elements.
    pub parameters: i64,
    /// Multiply-accumulates per sample, where known.
    pub macs: Option<i64>,
}

/// The totals of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    /// Trainable parameter elements (every parameter of a cnnc model is trainable).
    pub parameters: i64,
    /// Buffer elements, such as BatchNorm's running statistics.
    pub buffers: i64,
    /// Multiply-accumulates per sample of the rows, where known.
    pub macs: Option<i64>,
    /// Bytes of parameters.
    pub parameter_bytes: i64,
    /// Bytes of buffers.
    pub buffer_bytes: i64,
    /// Bytes of every layer's and op's output for the batch size (the forward pass's
    /// activations), where known.
    pub activation_bytes: Option<i64>,
}

/// The rows of a model's table.
pub fn summary_rows(model: &ir::Model, options: SummaryOptions) -> Vec<SummaryRow> {
    rows_with(model, &layers_by_path(model), options)
}

/// [`summary_rows`] with the model's layers already indexed by path.
fn rows_with(model: &ir::Model, layers: &Layers<'_>, options: SummaryOptions) -> Vec<SummaryRow> {
    let row_of = |row: &ir::TraceRow, layer: Option<&ir::Layer>| SummaryRow {
        name: row.name.to_string(),
        call: layer.map_or_else(String::new, |layer| layer.args.call_text(layer.spec.name, None)),
        output: row.output.clone(),
        parameters: row.parameters,
        macs: row_macs(row, layer),
    };
    let Some(depth) = options.depth else {
        return model.trace.iter().map(|row| row_of(row, layer_of(layers, row))).collect();
    };
    let mut folded: Vec<SummaryRow> = Vec::new();
    for row in &model.trace {
        let layer = layer_of(layers, row);
        // The ancestor at `depth` of a layer nested deeper: `layer1` of `layer1.0.conv1` at 1.
        let end = match depth {
            0 => Some(0),
            _ => row.name.match_indices('.').nth(depth - 1).map(|(end, _)| end),
        };
        let (ancestor, layer) = match (end, layer) {
            (Some(end), Some(layer)) => (&row.name[..end], layer),
            _ => {
                folded.push(row_of(row, layer));
                continue;
            }
        };
        let macs = row_macs(row, Some(layer));
        match folded.last_mut() {
            Some(last) if last.name == ancestor => {
                last.output = row.output.clone();
                last.parameters += row.parameters;
                last.macs = last.macs.zip(macs).and_then(|(a, b)| a.checked_add(b));
            }
            _ => folded.push(SummaryRow {
                call: kind_of(model, ancestor),
                name: ancestor.to_string(),
                output: row.output.clone(),
                parameters: row.parameters,
                macs,
            }),
        }
    }
    folded
}

/// The totals of a model, for `batch` samples.
pub fn totals(model: &ir::Model, batch: i64) -> Totals {
    totals_with(model, &layers_by_path(model), batch)
}

/// [`totals`] with the model's layers already indexed by path.
fn totals_with(model: &ir::Model, layers: &Layers<'_>, batch: i64) -> Totals {
    let (mut parameters, mut buffers, mut parameter_bytes, mut buffer_bytes) =
        (0i64, 0i64, 0i64, 0i64);
    for (kind, dtype, n) in all_tensors(model) {
        let size = n.saturating_mul(if dtype == DType::Int64 { 8 } else { 4 });
        if kind == TensorKind::Parameter {
            parameters = parameters.saturating_add(n);
            parameter_bytes = parameter_bytes.saturating_add(size);
        } else {
            buffers = buffers.saturating_add(n);
            buffer_bytes = buffer_bytes.saturating_add(size);
        }
    }
    let macs = model
        .trace
        .iter()
        .try_fold(0i64, |n, row| n.checked_add(row_macs(row, layer_of(layers, row))?));
    let activations = model
        .trace
        .iter()
        .try_fold(0i64, |n, row| n.checked_add(row.output.known_elements_after_batch()?));
    Totals {
        parameters,
        buffers,
        macs,
        parameter_bytes,
        buffer_bytes,
        activation_bytes: activations
            .and_then(|n| n.checked_mul(4))
            .and_then(|n| n.checked_mul(batch.max(1))),
    }
}

/// The table as `cnnc check` prints it.
pub fn summary_table(model: &ir::Model, options: SummaryOptions) -> String {
    let number = |n: Option<i64>| n.map_or("?".to_string(), ir::thousands);
    let mut rows: Vec<[String; 5]> = vec![
        ["layer".into(), "call".into(), "output".into(), "params".into(), "MACs".into()],
        ["input".into(), String::new(), model.input.to_string(), String::new(), String::new()],
    ];
    let layers = layers_by_path(model);
    for row in rows_with(model, &layers, options) {
        let params = if row.parameters > 0 { ir::thousands(row.parameters) } else { String::new() };
        let macs = match row.macs {
            Some(0) => String::new(),
            macs => number(macs),
        };
        rows.push([row.name, row.call, row.output.to_string(), params, macs]);
    }
    rows.push([
        "output".into(),
        String::new(),
        model.output().to_string(),
        String::new(),
        String::new(),
    ]);
    for (i, extra) in model.forward.more_results.iter().enumerate() {
        rows.push([
            format!("output {}", i + 2),
            String::new(),
            extra.shape.to_string(),
            String::new(),
            String::new(),
        ]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2, w3, w4) = (width(0), width(1), width(2), width(3), width(4));
    let mut out = format!("model {}\n", model.name);
    for [name, call, shape, params, macs] in &rows {
        let line = format!("  {name:<w0$}  {call:<w1$}  {shape:<w2$}  {params:>w3$}  {macs:>w4$}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for requirement in &model.requirements {
        out.push_str(&format!("needs {}: {}\n", requirement.rule, requirement.needed_by));
    }
    let totals = totals_with(model, &layers, options.batch);
    out.push_str(&format!(
        "parameters: {} (trainable {}, non-trainable 0); buffers: {}\n",
        ir::thousands(totals.parameters),
        ir::thousands(totals.parameters),
        ir::thousands(totals.buffers)
    ));
    out.push_str(&format!("MACs per sample: {}\n", number(totals.macs)));
    out.push_str(&format!(
        "memory for a batch of {}: parameters {}, buffers {}, activations {}\n",
        options.batch,
        bytes(Some(totals.parameter_bytes)),
        bytes(Some(totals.buffer_bytes)),
        bytes(totals.activation_bytes)
    ));
    out
}

/// The summary as JSON (schema `cnnc-summary/1`).
pub fn summary_json(model: &ir::Model, options: SummaryOptions) -> serde_json::Value {
    let layers = layers_by_path(model);
    let rows: Vec<serde_json::Value> = rows_with(model, &layers, options)
        .into_iter()
        .map(|row| {
            serde_json::json!({
                "name": row.name,
                "call": row.call,
                "output": row.output.to_string(),
                "parameters": row.parameters,
                "macs": row.macs,
            })
        })
        .collect();
    let totals = totals_with(model, &layers, options.batch);
    serde_json::json!({
        "schema": "cnnc-summary/1",
        "model": model.name,
        "input": model.input.to_string(),
        "outputs": std::iter::once(model.output())
            .chain(model.forward.more_results.iter().map(|e| &e.shape))
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        "rows": rows,
        "needs": model
            .requirements
            .iter()
            .map(|r| serde_json::json!({ "rule": r.rule.to_string(), "needed_by": r.needed_by }))
            .collect::<Vec<_>>(),
        "parameters": totals.parameters,
        "trainable_parameters": totals.parameters,
        "non_trainable_parameters": 0,
        "buffers": totals.buffers,
        "macs": totals.macs,
        "batch": options.batch,
        "parameter_bytes": totals.parameter_bytes,
        "buffer_bytes": totals.buffer_bytes,
        "activation_bytes": totals.activation_bytes,
    })
}

/// Multiply-accumulates per sample of a layer, counted for convolutions and (bi)linear layers: one
/// per weight element and output position (input position, for a transposed convolution, whose
/// every input element meets every weight); bias additions are not counted. This is what
/// fvcore counts (tests/macs.rs). Other layers count 0; `None` where a size is symbolic.
fn macs(layer: &ir::Layer, output: &Shape) -> Option<i64> {
    let Some(weight) = layer.tensors.iter().find(|t| t.def.name == "weight") else {
        return Some(0);
    };
    let weight = weight.def.checked_numel()?;
    let after_batch = output.known_elements_after_batch()?;
    match layer.spec.name {
        "Conv1d" | "Conv2d" | "Conv3d" => {
            let channels = output.0.get(1)?.known()?;
            let positions = after_batch / channels.max(1);
            weight.checked_mul(positions)
        }
        // A bilinear layer's weight, [out, in1, in2], is one multiply-accumulate per element.
        "Linear" | "Bilinear" => {
            let features = output.0.last()?.known()?;
            let positions = after_batch / features.max(1);
            weight.checked_mul(positions)
        }
        "ConvTranspose1d" | "ConvTranspose2d" | "ConvTranspose3d" => {
            // The input size of each spatial dimension, from the output size:
            // out = (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
            let spatial =
                &output.0[output.0.len().checked_sub(layer.args.ints("kernel_size").len())?..];
            let arg = |name: &str, i: usize| layer.args.ints(name).get(i).copied();
            let mut positions = 1i64;
            for (i, dim) in spatial.iter().enumerate() {
                let out = dim.known()?;
                let (k, s) = (arg("kernel_size", i)?, arg("stride", i)?);
                let (p, d, op) =
                    (arg("padding", i)?, arg("dilation", i)?, arg("output_padding", i)?);
                let input = (out - 1 - op - d * (k - 1) + 2 * p) / s.max(1) + 1;
                positions = positions.checked_mul(input)?;
            }
            weight.checked_mul(positions)
        }
        _ => Some(0),
    }
}

/// The layers of a model by path.
type Layers<'m> = HashMap<&'m str, &'m ir::Layer>;

/// The layer a trace row is the output of; `None` for an op.
fn layer_of<'m>(layers: &Layers<'m>, row: &ir::TraceRow) -> Option<&'m ir::Layer> {
    layers.get(&*row.name).copied()
}

/// The multiply-accumulates of a trace row: its layer's, or none for an op.
fn row_macs(row: &ir::TraceRow, layer: Option<&ir::Layer>) -> Option<i64> {
    layer.map_or(Some(0), |layer| macs(layer, &row.output))
}

/// Every layer of the model by path.
fn layers_by_path(model: &ir::Model) -> Layers<'_> {
    fn walk<'m>(nodes: &'m [ir::Node], out: &mut HashMap<&'m str, &'m ir::Layer>) {
        for node in nodes {
            match &node.body {
                ir::NodeBody::Layer(layer) => {
                    out.insert(&*node.path, layer);
                }
                body => walk(body.children(), out),
            }
        }
    }
    let mut out = HashMap::with_capacity_and_hasher(model.trace.len(), Default::default());
    walk(&model.children, &mut out);
    out
}

/// The kind of the module at `path`, for a folded row: a block's name, `Sequential` or
/// `ModuleList`.
fn kind_of(model: &ir::Model, path: &str) -> String {
    match model.node(path).map(|n| &n.body) {
        Some(ir::NodeBody::Block(instance)) => instance.block.clone(),
        Some(ir::NodeBody::Sequential(_)) => "Sequential".into(),
        Some(ir::NodeBody::ModuleList(_)) => "ModuleList".into(),
        Some(ir::NodeBody::Layer(layer)) => layer.spec.name.into(),
        None => String::new(),
    }
}

/// The kind, element type and element count of every parameter and buffer.
fn all_tensors(model: &ir::Model) -> Vec<(TensorKind, DType, i64)> {
    fn walk(nodes: &[ir::Node], out: &mut Vec<(TensorKind, DType, i64)>) {
        for node in nodes {
            match &node.body {
                ir::NodeBody::Layer(layer) => out.extend(
                    layer
                        .tensors
                        .iter()
                        .map(|t| (t.def.kind, t.def.dtype, t.def.checked_numel().unwrap_or(0))),
                ),
                body => walk(body.children(), out),
            }
        }
    }
    let mut out = Vec::new();
    walk(&model.children, &mut out);
    out
}

/// A byte count as people read it: `4.5 MiB`.
fn bytes(n: Option<i64>) -> String {
    let Some(n) = n else { return "?".into() };
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}
