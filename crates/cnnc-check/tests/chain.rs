//! A body without `forward` runs its children in order: its computation is a chain of them, cut
//! into named values every 32 children.

use cnnc_check::check_source;
use cnnc_check::ir::{Expr, ExprKind, Link};

/// A model of `n` children `c0`, `c1`, ...: `Linear`s of 8 features with `ReLU`s between them,
/// the last `Linear` giving 4.
fn long_model(n: usize) -> String {
    let mut source = String::from("model Long {\n    input x: [N, 8]\n");
    for i in 0..n {
        let layer = match i {
            _ if i == n - 1 => "Linear(8, 4)",
            _ if i % 2 == 0 => "Linear(8, 8)",
            _ => "ReLU()",
        };
        source.push_str(&format!("    c{i} = {layer}\n"));
    }
    source.push_str("}\n");
    source
}

/// The input's name and the links of a chain.
fn chain(e: &Expr) -> (&str, &[Link]) {
    let ExprKind::Chain { input, links } = &e.kind else { panic!("a chain: {e:?}") };
    let ExprKind::Value(name) = &input.kind else { panic!("a chain on a value: {input:?}") };
    assert_eq!(e.shape.to_string(), links.last().expect("links").shape.to_string());
    (name, links)
}

#[test]
fn children_in_order_are_chained_in_stretches() {
    let models = check_source(&long_model(70)).expect("the model checks");
    let forward = &models[0].forward;
    let names: Vec<&str> = forward.lets.iter().map(|(name, _)| &**name).collect();
    assert_eq!(names, ["x_1", "x_2"]);
    let stretches = [chain(&forward.lets[0].1), chain(&forward.lets[1].1), chain(&forward.result)];
    let inputs: Vec<&str> = stretches.iter().map(|(input, _)| *input).collect();
    assert_eq!(inputs, ["x", "x_1", "x_2"]);
    let lengths: Vec<usize> = stretches.iter().map(|(_, links)| links.len()).collect();
    assert_eq!(lengths, [32, 32, 6]);
    // Each child once, in order, with the output shape the trace gives it.
    let links: Vec<&Link> = stretches.iter().flat_map(|(_, links)| links.iter()).collect();
    let trace = &models[0].trace;
    assert_eq!(links.len(), trace.len());
    for (i, (link, row)) in links.iter().zip(trace).enumerate() {
        assert_eq!(*link.name, format!("c{i}"));
        assert_eq!(*row.name, format!("c{i}"));
        assert_eq!(link.shape, row.output, "c{i}");
    }
    assert_eq!(forward.result.shape.to_string(), "[N, 4]");
}

#[test]
fn a_short_body_is_one_chain_and_an_empty_one_is_its_input() {
    let models = check_source(&long_model(3)).expect("the model checks");
    assert!(models[0].forward.lets.is_empty());
    let (input, links) = chain(&models[0].forward.result);
    assert_eq!(input, "x");
    let names: Vec<&str> = links.iter().map(|l| &*l.name).collect();
    assert_eq!(names, ["c0", "c1", "c2"]);
    let models = check_source("model Empty { input x: [N, 8] }").expect("the model checks");
    let result = &models[0].forward.result;
    assert!(matches!(&result.kind, ExprKind::Value(name) if &**name == "x"), "{result:?}");
}

#[test]
fn a_block_without_forward_chains_its_named_children() {
    let source = "block Two(c) {\n    a = Linear(c, c)\n    b = ReLU()\n}\n\
                  model M { input x: [N, 4]; two = Two(4) }\n";
    let models = check_source(source).expect("the model checks");
    let def = models[0].blocks.iter().find(|b| b.name == "Two").expect("used");
    let forward = def.forward.as_ref().expect("a chain of its children");
    let (input, links) = chain(&forward.result);
    assert_eq!(input, forward.input);
    let names: Vec<&str> = links.iter().map(|l| &*l.name).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn a_block_without_forward_runs_every_child_some_use_declares_in_body_order() {
    // The first use declares neither `b` nor `c`, the second `c`, the third `b`: the definition
    // runs all of them in the order of the body, each absent one as the identity.
    let source = "block Opt(d, f) {\n    a = Linear(4, 4)\n    if d { b = ReLU() }\n    \
                  if f { c = Tanh() }\n    e = Linear(4, 4)\n}\n\
                  model M { input x: [N, 4]; p = Opt(false, false); q = Opt(false, true); \
                  r = Opt(true, false) }\n";
    let models = check_source(source).expect("the model checks");
    let def = models[0].blocks.iter().find(|b| b.name == "Opt").expect("used");
    let forward = def.forward.as_ref().expect("a chain of its children");
    let (_, links) = chain(&forward.result);
    let names: Vec<&str> = links.iter().map(|l| &*l.name).collect();
    assert_eq!(names, ["a", "b", "c", "e"]);
}
