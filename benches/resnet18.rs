//! Generated code against hand-written tch-rs: cnnc's ResNet-18 (examples/resnet.cnn) and
//! `tch::vision::resnet::resnet18` with the same weights, in eval mode on 2 threads. The two run
//! interleaved, so that the machine's noise falls on both alike; the bench prints the median
//! time of each and their ratio.
//!
//!     cargo bench --bench resnet18

use std::time::Instant;

use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/resnet.rs"));

const ROUNDS: usize = 15;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn time(model: &dyn ModuleT, x: &Tensor) -> f64 {
    let start = Instant::now();
    let y = tch::no_grad(|| model.forward_t(x, false));
    let _ = y.sum(Kind::Float).double_value(&[]);
    start.elapsed().as_secs_f64()
}

fn main() {
    tch::set_num_threads(2);
    tch::manual_seed(0);
    let ours_vs = nn::VarStore::new(Device::Cpu);
    let ours = ResNet18::new(&ours_vs.root());
    let theirs_vs = nn::VarStore::new(Device::Cpu);
    let theirs = tch::vision::resnet::resnet18(&theirs_vs.root(), 1000);
    // The same weights: every variable of tch's model gets the value of ours of the same name
    // (the names are torchvision's in both).
    let ours_vars = ours_vs.variables();
    tch::no_grad(|| {
        for (name, mut var) in theirs_vs.variables() {
            let value =
                ours_vars.get(&name).unwrap_or_else(|| panic!("no `{name}` in cnnc's model"));
            var.copy_(value);
        }
    });
    let x = Tensor::randn([8, 3, 224, 224], (Kind::Float, Device::Cpu));
    let (a, b) = tch::no_grad(|| (ours.forward_t(&x, false), theirs.forward_t(&x, false)));
    let diff = (&a - &b).abs().max().double_value(&[]);
    assert!(diff < 1e-4, "the two models disagree by {diff}");
    println!("same weights, same outputs (max difference {diff:.1e}); {ROUNDS} interleaved rounds");
    for batch in [1, 8] {
        let x = x.narrow(0, 0, batch);
        time(&ours, &x);
        time(&theirs, &x);
        let (mut t_ours, mut t_theirs) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            t_ours.push(time(&ours, &x));
            t_theirs.push(time(&theirs, &x));
        }
        let (ours_ms, theirs_ms) = (median(t_ours) * 1e3, median(t_theirs) * 1e3);
        println!(
            "batch {batch}: cnnc {ours_ms:.1} ms, tch::vision {theirs_ms:.1} ms, ratio {:.3}",
            ours_ms / theirs_ms
        );
    }
}
