//! `init` rules, resolved onto the parameters of a checked model.

use super::*;

/// Resolves the `init` rules onto the parameters of the checked model. Path rules take
/// precedence over kind rules; among rules of one kind, the last one wins.
pub(super) fn apply_init_rules(
    model: &ast::Model,
    result: &mut ir::Model,
    errors: &mut Vec<Error>,
) {
    let mut by_path: Vec<(String, String, init::Initializer, &ast::InitRule)> = Vec::new();
    let mut by_kind: Vec<(&'static LayerSpec, String, init::Initializer, &ast::InitRule)> =
        Vec::new();
    for rule in &model.init {
        let (param, owner) = rule.target.split_last().expect("a target has at least two segments");
        let Some(initializer) = init::resolve(rule, errors) else { continue };
        let first = &owner[0];
        let is_child = result.children.iter().any(|c| *c.name == *first.name);
        // `ShiftedWindowAttention.qkv.weight`: a layer kind, and a tensor name that may have dots.
        let kind = layers::lookup(&first.name);
        if let Some(kind) = kind.filter(|_| owner.len() > 1 && !is_child) {
            let names: Vec<&str> = rule.target[1..].iter().map(|s| s.name.as_str()).collect();
            by_kind.push((kind, names.join("."), initializer, rule));
            continue;
        }
        if owner.len() == 1 && !is_child {
            let Some(kind) = kind else {
                let mut names: Vec<&str> = result.children.iter().map(|c| &*c.name).collect();
                names.extend(layers::CATALOGUE.iter().map(|s| s.name));
                let help = match suggest(&first.name, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a rule targets a layer kind (`Conv2d.weight`) or a layer path (`layer1.conv1.weight`)".into(),
                };
                errors.push(
                    Error::new(
                        Code::InitTarget,
                        format!(
                            "`{}` is neither a child of `{}` nor a layer kind",
                            first.name, model.name.name
                        ),
                        first.span,
                        "unknown target",
                    )
                    .with_help(help),
                );
                continue;
            };
            by_kind.push((kind, param.name.to_string(), initializer, rule));
            continue;
        }
        let path: Vec<&str> = owner.iter().map(|s| s.name.as_str()).collect();
        let path = path.join(".");
        // `encoder.pos_embedding`: a `Parameter` child is itself the tensor.
        let whole = format!("{path}.{}", param.name);
        if let Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) = result.node(&whole) {
            if layer.spec.name == "Parameter" {
                by_path.push((whole, String::new(), initializer, rule));
                continue;
            }
        }
        // `features.1.0.attn.qkv.weight`: a tensor whose name has dots, of a layer.
        if let Some((layer_path, tensor)) = dotted_tensor(result, &rule.target) {
            by_path.push((layer_path, tensor, initializer, rule));
            continue;
        }
        match result.node(&path) {
            Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) => {
                if !layer.tensors.iter().any(|t| t.def.name == param.name && t.def.kind == TensorKind::Parameter) {
                    let names: Vec<&str> = layer
                        .tensors
                        .iter()
                        .filter(|t| t.def.kind == TensorKind::Parameter)
                        .map(|t| t.def.name)
                        .collect();
                    errors.push(
                        Error::new(
                            Code::InitTarget,
                            format!("`{path}` has no parameter `{}`", param.name),
                            param.span,
                            "no such parameter",
                        )
                        .with_help(if names.is_empty() {
                            format!("`{path}` ({}) has no parameters", layer.spec.name)
                        } else {
                            format!("the parameters of `{path}` are {}", names.join(", "))
                        }),
                    );
                    continue;
                }
                by_path.push((path, param.name.to_string(), initializer, rule));
            }
            Some(node) => errors.push(
                Error::new(
                    Code::InitTarget,
                    match &node.body {
                        ir::NodeBody::Block(b) => format!("`{path}` is a `{}` block, not a layer", b.block),
                        _ => format!("`{path}` is a Sequential, not a layer"),
                    },
                    rule.target_span,
                    "has no parameters of its own",
                )
                .with_help(format!("name one of its layers, such as `{path}.0.{}`", param.name)),
            ),
            None => errors.push(
                Error::new(
                    Code::InitTarget,
                    format!("no child `{path}` in `{}`", model.name.name),
                    rule.target_span,
                    "not found",
                )
                .with_help("a rule targets a layer kind (`Conv2d.weight`) or a layer path (`layer1.conv1.weight`)"),
            ),
        }
    }

    // Without rules that apply, every tensor keeps PyTorch's default.
    if by_path.is_empty() && by_kind.is_empty() {
        return;
    }
    let mut kind_used = vec![false; by_kind.len()];
    let mut kind_seen = vec![false; by_kind.len()];
    // Distributions worked out so far, by rule and tensor sizes: a network's many layers of
    // one kind and size share them.
    let mut lowered: Vec<(*const init::Initializer, layers::TensorDims, ir::InitDist)> = Vec::new();
    visit_layers_mut(&mut result.children, &mut |path, layer| {
        for tensor in &mut layer.tensors {
            if tensor.def.kind != TensorKind::Parameter {
                continue;
            }
            let path_rule =
                by_path.iter().rev().find(|(p, name, ..)| p == path && *name == tensor.def.name);
            let kind_rule = by_kind.iter().enumerate().rev().find(|(_, (kind, name, ..))| {
                std::ptr::eq(*kind, layer.spec) && name == tensor.def.name
            });
            let chosen = match (path_rule, kind_rule) {
                (Some((_, _, init, _)), _) => Some(init),
                (None, Some((i, (_, _, init, _)))) => {
                    kind_used[i] = true;
                    Some(init)
                }
                (None, None) => None,
            };
            if let Some(init) = chosen {
                let dims = &tensor.def.dims;
                let known = lowered.iter().find(|(i, d, _)| std::ptr::eq(*i, init) && d == dims);
                if let Some((.., dist)) = known {
                    tensor.init = Some(*dist);
                    continue;
                }
                let name = tensor.def.name;
                match init.lower(dims, &|| ir::tensor_path(path, name)) {
                    Ok(dist) => {
                        lowered.push((init, dims.clone(), dist));
                        tensor.init = Some(dist);
                    }
                    Err(e) => {
                        if !errors.contains(&e) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        for (i, (kind, ..)) in by_kind.iter().enumerate() {
            kind_seen[i] |= std::ptr::eq(*kind, layer.spec);
        }
    });
    for (i, (kind, param, _, rule)) in by_kind.iter().enumerate() {
        if kind_seen[i] && !kind_used[i] {
            let overridden =
                by_kind.iter().skip(i + 1).any(|(k, p, ..)| std::ptr::eq(*k, *kind) && p == param);
            if !overridden {
                errors.push(
                    Error::new(
                        Code::InitTarget,
                        format!(
                            "no `{}` in `{}` has a parameter `{param}`",
                            kind.name, model.name.name
                        ),
                        rule.target.last().map_or(rule.target_span, |s| s.span),
                        "no such parameter",
                    )
                    .with_help(format!("check the parameter name, or whether the `{}` layers have it (bias=false removes `bias`)", kind.name)),
                );
            }
        }
    }
}

/// For a target such as `features.1.0.attn.qkv.weight`, the path of the layer it starts with
/// and the name of that layer's parameter, which has dots (`qkv.weight`).
fn dotted_tensor(model: &ir::Model, target: &[ast::Ident]) -> Option<(String, String)> {
    let names: Vec<&str> = target.iter().map(|s| s.name.as_str()).collect();
    (1..names.len().saturating_sub(1)).rev().find_map(|split| {
        let path = names[..split].join(".");
        let tensor = names[split..].join(".");
        match model.node(&path) {
            Some(ir::Node { body: ir::NodeBody::Layer(layer), .. }) => layer
                .tensors
                .iter()
                .any(|t| t.def.name == tensor && t.def.kind == TensorKind::Parameter)
                .then_some((path, tensor)),
            _ => None,
        }
    })
}

fn visit_layers_mut(nodes: &mut [ir::Node], f: &mut impl FnMut(&str, &mut ir::Layer)) {
    for node in nodes {
        match &mut node.body {
            ir::NodeBody::Layer(layer) => f(&node.path, layer),
            body => visit_layers_mut(body.children_mut(), f),
        }
    }
}
