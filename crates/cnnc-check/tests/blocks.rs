//! Blocks in the checker: every use expanded with its own values, and the merged definition
//! that generated code is written from.

use cnnc_check::ir::{BlockItem, BlockModule, ExprKind, NodeBody};
use cnnc_check::{check_source, Code};

const RESNET: &str = include_str!("../../../examples/resnet.cnn");

fn codes(source: &str) -> Vec<Code> {
    check_source(source).expect_err("the source has errors").iter().map(|e| e.code).collect()
}

#[test]
fn each_use_is_expanded_with_its_own_values() {
    let models = check_source(RESNET).expect("the ResNets check");
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["ResNet18", "ResNet34", "ResNet50", "ResNet101", "ResNet152"]);
    // torchvision's counts: sum(p.numel() for p in resnetXX().parameters())
    let counts: Vec<i64> = models.iter().map(|m| m.num_parameters()).collect();
    assert_eq!(counts, [11_689_512, 21_797_672, 25_557_032, 44_549_160, 60_192_808]);
    let resnet18 = &models[0];
    assert!(resnet18.node("layer1.0.downsample").is_none(), "64 -> 64 at stride 1");
    assert!(resnet18.node("layer2.0.downsample.0").is_some());
    assert!(resnet18.node("layer2.1.downsample").is_none());
    let Some(NodeBody::Block(layer4)) = resnet18.node("layer4").map(|n| &n.body) else {
        panic!("layer4 is a use of ResLayer")
    };
    assert_eq!(layer4.block, "ResLayer");
    assert_eq!(layer4.children.len(), 2);
    // ResNet-50's first block widens 64 to 256, so it has a projection.
    assert!(models[2].node("layer1.0.downsample.1").is_some());
    assert_eq!(models[4].node("layer3").map(|n| n.body.children().len()), Some(36));
}

#[test]
fn definitions_merge_every_use() {
    let models = check_source(RESNET).expect("the ResNets check");
    let res_layer = models[0].blocks.iter().find(|b| b.name == "ResLayer").expect("used");
    // ResNet18 alone takes the BasicBlock branch; the definition is shared by the file, where
    // ResNet50 takes the other one, so both are there.
    let [BlockItem::If { then, otherwise, .. }] = res_layer.items.as_slice() else {
        panic!("one condition: {:?}", res_layer.items)
    };
    assert!(!then.iter().any(|i| matches!(i, BlockItem::Unreached)));
    assert!(!otherwise.iter().any(|i| matches!(i, BlockItem::Unreached)));
    let basic = models[0].blocks.iter().find(|b| b.name == "BasicBlock").expect("used");
    let downsample = basic.items.iter().find_map(|item| match item {
        BlockItem::If { then, .. } => then.first(),
        _ => None,
    });
    assert!(matches!(
        downsample,
        Some(BlockItem::Child { optional: true, module: BlockModule::Sequential(_), .. })
    ));
    // Arguments that depend on parameters keep their expressions; literals their values.
    let conv1 = basic.items.iter().find_map(|item| match item {
        BlockItem::Child {
            name: Some(n), module: BlockModule::Layer { layer, dynamic }, ..
        } if n == "conv1" => Some((layer, dynamic)),
        _ => None,
    });
    let (layer, dynamic) = conv1.expect("conv1 is a layer");
    let dynamic: Vec<&str> = layer
        .args
        .params
        .iter()
        .zip(dynamic)
        .filter(|(_, d)| d.is_some())
        .map(|(p, _)| p.name)
        .collect();
    assert_eq!(dynamic, ["in_channels", "out_channels", "stride"]);
}

#[test]
fn branches_no_use_reaches_are_marked() {
    let source = "block B(c, wide = false) {
        conv = Conv2d(c, c, 1)
        if wide { extra = Conv2d(c, c, 1) }
        forward(x) { if wide { extra(conv(x)) } else { conv(x) } }
    }
    model M { input x: [N, 4, 2, 2]; b = B(4) }";
    let models = check_source(source).expect("checks");
    let def = &models[0].blocks[0];
    assert!(
        matches!(&def.items[1], BlockItem::If { then, .. } if matches!(then[..], [BlockItem::Unreached]))
    );
    let forward = def.forward.as_ref().expect("called");
    assert!(matches!(&forward.result.kind, ExprKind::If { then: None, otherwise: Some(_), .. }));
}

#[test]
fn block_errors() {
    let model = "model M { input x: [N, 4, 2, 2]; b = B(4) }";
    // A use with the wrong number of arguments, a block with itself inside.
    assert_eq!(
        codes(&format!("block B(c, d) {{ Conv2d(c, d, 1) }} {model}")),
        [Code::MissingArgument]
    );
    assert_eq!(
        codes(&format!("block B(c) {{ if c > 1 {{ B(c - 1) }} }} {model}")),
        [Code::Recursion]
    );
    // Names the generated code needs for itself.
    assert_eq!(
        codes(&format!("block B(seq) {{ Conv2d(seq, seq, 1) }} {model}")),
        [Code::DuplicateName]
    );
    assert_eq!(
        codes(&format!("block B(c) {{ let conv = c; conv = Conv2d(c, c, 1); forward(x) {{ conv(x) }} }} {model}")),
        [Code::DuplicateName]
    );
    assert_eq!(
        codes("model M { input x: [N, 4]; forward(train) { train } }"),
        [Code::DuplicateName]
    );
    // A constant changes type between uses.
    assert_eq!(
        codes("block B(c) { Identity() } model M { input x: [N, 4]; a = B(1); b = B(true) }"),
        [Code::ConstExpr]
    );
    // A block may not share a name with a layer or a model.
    assert_eq!(
        codes("block Conv2d(c) { Identity() } model M { input x: [N, 4]; a = Identity() }"),
        [Code::DuplicateName]
    );
    assert_eq!(
        codes("block M(c) { Identity() } model M { input x: [N, 4]; a = Identity() }"),
        [Code::DuplicateName]
    );
}
