//! Generated code against hand-written tch-rs and against PyTorch eager: cnnc's ResNet-18 and
//! MobileNetV2 (examples/resnet.cnn, examples/mobilenet_v2.cnn) and tch's hand-written
//! `tch::vision::resnet::resnet18` and `tch::vision::mobilenet::v2`, with the same weights, on 2
//! threads: the forward pass in eval mode, and forward and backward in train mode. cnnc and tch
//! run interleaved pass by pass, each first in turn, so that the machine's noise falls on both
//! alike; PyTorch eager times torchvision's models, loaded with the same weights and input, in
//! blocks of passes between theirs (benches/pytorch_eager.py, with the Python of
//! scripts/pytorch.sh in `CNNC_PYTHON`). The bench prints the median time of each and the ratios.
//!
//!     cargo bench --bench generated

use std::io::{BufRead, BufReader, Lines, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

// The generated files, of which only some models and items are used here.
#[allow(dead_code)]
mod resnet {
    include!(concat!(env!("OUT_DIR"), "/resnet.rs"));
}
#[allow(dead_code)]
mod mobilenet_v2 {
    include!(concat!(env!("OUT_DIR"), "/mobilenet_v2.rs"));
}

const ROUNDS: usize = 15;
/// The blocks the rounds are cut into, and the pause around PyTorch's blocks.
const BLOCKS: usize = 3;
const PAUSE: std::time::Duration = std::time::Duration::from_millis(300);
const BATCHES: [i64; 2] = [1, 8];

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// One pass, in seconds: the forward pass in eval mode, or forward and backward in train mode.
fn time(model: &dyn ModuleT, x: &Tensor, backward: bool) -> f64 {
    let start = Instant::now();
    if backward {
        model.forward_t(x, true).sum(Kind::Float).backward();
    } else {
        let y = tch::no_grad(|| model.forward_t(x, false));
        let _ = y.sum(Kind::Float).double_value(&[]);
    }
    start.elapsed().as_secs_f64()
}

/// Gives every variable of `theirs` the value of ours of the same name (torchvision's names on
/// both sides), then checks that both compute the same output.
fn same_weights(
    ours_vs: &nn::VarStore,
    ours: &dyn ModuleT,
    theirs_vs: &nn::VarStore,
    theirs: &dyn ModuleT,
) {
    let ours_vars = ours_vs.variables();
    tch::no_grad(|| {
        for (name, mut var) in theirs_vs.variables() {
            let value =
                ours_vars.get(&name).unwrap_or_else(|| panic!("no `{name}` in cnnc's model"));
            var.copy_(value);
        }
    });
    let x = Tensor::randn([2, 3, 224, 224], (Kind::Float, Device::Cpu));
    let (a, b) = tch::no_grad(|| (ours.forward_t(&x, false), theirs.forward_t(&x, false)));
    let diff = (&a - &b).abs().max().double_value(&[]);
    assert!(diff < 1e-3, "the two models disagree by {diff}");
}

/// PyTorch eager, timing one pass per request (benches/pytorch_eager.py).
struct Eager {
    child: Child,
    answers: Lines<BufReader<ChildStdout>>,
}

impl Eager {
    fn start() -> Option<Eager> {
        let python = std::env::var_os("CNNC_PYTHON")?;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/pytorch_eager.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("Python starts");
        let mut answers = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let ready = answers.next().and_then(Result::ok);
        assert_eq!(ready.as_deref(), Some("ready"), "PyTorch loads the models");
        Some(Eager { child, answers })
    }

    /// Sends a command that the script acknowledges with `loaded`.
    fn load(&mut self, command: &str) {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{command}").expect("a request");
        let answer = self.answers.next().and_then(Result::ok);
        assert_eq!(answer.as_deref(), Some("loaded"), "PyTorch loads `{command}`");
    }

    /// `passes` passes, in seconds each.
    fn times(&mut self, name: &str, pass: &str, batch: i64, passes: usize) -> Vec<f64> {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{name} {pass} {batch} {passes}").expect("a request");
        let answer = self.answers.next().and_then(Result::ok).expect("an answer");
        answer.split_whitespace().map(|ms| ms.parse::<f64>().expect("milliseconds") / 1e3).collect()
    }
}

/// Times cnnc's model `ours` (its variables in `vs`) against tch's `theirs` and PyTorch eager,
/// all with the same weights and input.
fn compare(
    name: &str,
    vs: &nn::VarStore,
    ours: &dyn ModuleT,
    theirs: &dyn ModuleT,
    eager: &mut Option<Eager>,
) {
    let x = Tensor::randn([8, 3, 224, 224], (Kind::Float, Device::Cpu));
    if let Some(eager) = eager.as_mut() {
        let dir = std::env::temp_dir();
        let (weights, input) = (
            dir.join(format!("cnnc-bench-{name}.safetensors")),
            dir.join("cnnc-bench-input.safetensors"),
        );
        vs.save(&weights).expect("weights saved");
        Tensor::write_safetensors(&[("input", &x)], &input).expect("input saved");
        eager.load(&format!("load {name} {}", weights.display()));
        eager.load(&format!("input {}", input.display()));
    }
    for backward in [false, true] {
        let pass = if backward { "forward+backward" } else { "forward" };
        for batch in BATCHES {
            let x = x.narrow(0, 0, batch);
            time(ours, &x, backward);
            time(theirs, &x, backward);
            let (mut t_ours, mut t_theirs, mut t_eager) = (Vec::new(), Vec::new(), Vec::new());
            // cnnc and tch alternate pass by pass, each first in turn. PyTorch runs in another
            // process, whose threads would compete with ours while they wait for work: it takes
            // blocks of passes between blocks of ours, after a pause.
            for block in 0..BLOCKS {
                for round in 0..ROUNDS / BLOCKS {
                    if (block + round) % 2 == 0 {
                        t_ours.push(time(ours, &x, backward));
                        t_theirs.push(time(theirs, &x, backward));
                    } else {
                        t_theirs.push(time(theirs, &x, backward));
                        t_ours.push(time(ours, &x, backward));
                    }
                }
                if let Some(eager) = eager.as_mut() {
                    std::thread::sleep(PAUSE);
                    t_eager.extend(eager.times(name, pass, batch, ROUNDS / BLOCKS));
                    std::thread::sleep(PAUSE);
                }
            }
            let (ours_ms, theirs_ms) = (median(t_ours) * 1e3, median(t_theirs) * 1e3);
            let mut line = format!(
                "{name} {pass} batch {batch}: cnnc {ours_ms:.1} ms, tch {theirs_ms:.1} ms (ratio {:.3})",
                ours_ms / theirs_ms
            );
            if !t_eager.is_empty() {
                let eager_ms = median(t_eager) * 1e3;
                line +=
                    &format!(", PyTorch eager {eager_ms:.1} ms (ratio {:.3})", ours_ms / eager_ms);
            }
            println!("{line}");
        }
    }
}

fn main() {
    tch::set_num_threads(2);
    tch::manual_seed(0);
    let mut eager = Eager::start();
    if eager.is_none() {
        println!(
            "CNNC_PYTHON is not set: no comparison with PyTorch eager (see scripts/pytorch.sh)"
        );
    }

    let ours_vs = nn::VarStore::new(Device::Cpu);
    let ours = resnet::ResNet18::new(&ours_vs.root());
    let theirs_vs = nn::VarStore::new(Device::Cpu);
    let theirs = tch::vision::resnet::resnet18(&theirs_vs.root(), 1000);
    same_weights(&ours_vs, &ours, &theirs_vs, &theirs);
    compare("ResNet18", &ours_vs, &ours, &theirs, &mut eager);

    let ours_vs = nn::VarStore::new(Device::Cpu);
    let ours = mobilenet_v2::MobileNetV2::new(&ours_vs.root());
    let theirs_vs = nn::VarStore::new(Device::Cpu);
    let theirs = tch::vision::mobilenet::v2(&theirs_vs.root(), 1000);
    same_weights(&ours_vs, &ours, &theirs_vs, &theirs);
    compare("MobileNetV2", &ours_vs, &ours, &theirs, &mut eager);
}
