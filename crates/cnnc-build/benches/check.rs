//! Parse-and-check time: the reference networks, and generated models that grow 10× per step,
//! so that the cost per layer can be read off side by side (BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// `RUSTFLAGS="--cfg cnnc_mimalloc"` measures with mimalloc instead of the system allocator,
/// as a host with a fast allocator (rustc, for `model!`) runs the checker.
#[cfg(cnnc_mimalloc)]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIMPLE_CNN: &str = include_str!("../../../examples/simple_cnn.cnn");
const RESNET: &str = include_str!("../../../examples/resnet.cnn");

/// The ResNet blocks with only the ResNet-50 model.
fn resnet50() -> String {
    RESNET
        .lines()
        .filter(|line| !line.starts_with("model ") || line.starts_with("model ResNet50 "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// A model of `layers` children: `Linear`, `ReLU`, `Linear`, ...
fn flat(layers: usize) -> String {
    let mut source = String::from("model Flat {\n    input x: [N, 8]\n");
    for i in 0..layers / 2 {
        source.push_str(&format!("    fc{i} = Linear(8, 8)\n    relu{i} = ReLU()\n"));
    }
    source.push_str("}\n");
    source
}

/// A block whose loop declares `layers` children.
fn looped(layers: usize) -> String {
    format!(
        "block Stack(n) {{\n    for _ in 0..n {{ Linear(8, 8); ReLU() }}\n}}\n\
         model Looped {{ input x: [N, 8]; stack = Stack({}) }}\n",
        layers / 2
    )
}

/// A block constant that adds up `operands` copies of a parameter.
fn long_let(operands: usize) -> String {
    let sum = vec!["c"; operands].join(" + ");
    format!(
        "block Wide(c) {{\n    let w = {sum}\n    Linear(c, w)\n}}\n\
         model L {{ input x: [N, 2]; wide = Wide(2) }}\n"
    )
}

fn check(source: &str) {
    let models = cnnc_build::check_source("bench.cnn", source).expect("the benchmark model checks");
    criterion::black_box(models);
}

fn reference_networks(c: &mut Criterion) {
    let resnet50 = resnet50();
    check(&resnet50);
    c.bench_function("check/simple_cnn", |b| b.iter(|| check(SIMPLE_CNN)));
    c.bench_function("check/resnet50", |b| b.iter(|| check(&resnet50)));
    c.bench_function("parse/resnet50", |b| {
        b.iter(|| criterion::black_box(cnnc_syntax::parse(&resnet50).is_ok()))
    });
    let parsed = cnnc_syntax::parse(&resnet50).expect("ResNet-50 parses");
    c.bench_function("check_parsed/resnet50", |b| {
        b.iter(|| criterion::black_box(cnnc_check::check(&parsed).is_ok()))
    });
    c.bench_function("check/let_50_operands", |b| {
        let source = long_let(50);
        b.iter(|| check(&source))
    });
    c.bench_function("build/let_50_operands", |b| {
        let source = long_let(50);
        b.iter(|| criterion::black_box(cnnc_build::compile_source("bench.cnn", &source).is_ok()))
    });
}

fn scaling(c: &mut Criterion) {
    for (name, make) in [("flat", flat as fn(usize) -> String), ("looped", looped)] {
        let mut group = c.benchmark_group(format!("check/{name}"));
        group.sample_size(10);
        for layers in [1_000, 10_000, 100_000] {
            let source = make(layers);
            group.throughput(Throughput::Elements(layers as u64));
            group.bench_with_input(BenchmarkId::from_parameter(layers), &source, |b, s| {
                b.iter(|| check(s))
            });
        }
        group.finish();
    }
    // The same sizes, parsing and checking apart.
    for (name, make) in [("flat", flat as fn(usize) -> String), ("looped", looped)] {
        let mut parse = c.benchmark_group(format!("parse/{name}"));
        parse.sample_size(10);
        for layers in [10_000, 100_000] {
            let source = make(layers);
            parse.bench_with_input(BenchmarkId::from_parameter(layers), &source, |b, s| {
                b.iter(|| criterion::black_box(cnnc_syntax::parse(s).is_ok()))
            });
        }
        parse.finish();
        let mut check = c.benchmark_group(format!("check_parsed/{name}"));
        check.sample_size(10);
        for layers in [10_000, 100_000] {
            let parsed = cnnc_syntax::parse(&make(layers)).expect("the benchmark model parses");
            check.bench_with_input(BenchmarkId::from_parameter(layers), &parsed, |b, p| {
                b.iter(|| criterion::black_box(cnnc_check::check(p).is_ok()))
            });
        }
        check.finish();
    }
}

criterion_group!(benches, reference_networks, scaling);
criterion_main!(benches);
