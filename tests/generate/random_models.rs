//! Random valid models for the property test (tests/random_models.rs). The build script writes
//! them into one `.cnn` file, compiles it into one Rust file, and writes a runner that runs each
//! model on libtorch; the generator tracks every shape so that the test can compare three
//! answers: the generator's, the checker's and libtorch's.

/// Blocks with parameters, defaults, a condition with an optional child, a loop, and forward
/// graphs with `+`, `*`, `cat` and `chunk`. Every model uses them with its own values.
pub const BLOCKS: &str = "\
block Res(cin, cout, stride = 1) {
    conv = Conv2d(cin, cout, 3, stride=stride, padding=1, bias=false)
    bn = BatchNorm2d(cout)
    if stride != 1 || cin != cout {
        downsample = Conv2d(cin, cout, 1, stride=stride, bias=false)
    }
    forward(x) { relu((x -> conv -> bn) + downsample(x)) }
}

block Stack(c, n) {
    for _ in 0..n { Conv2d(c, c, 3, padding=1); ReLU() }
}

block Split(c) {
    let half = c / 2
    mix = Conv2d(half, half, 1)
    forward(x) {
        l, r = chunk(x, 2, dim=1)
        cat([mix(l) * r, r + l], dim=1)
    }
}
";

/// A generated model: its source and the output shapes it must have for a batch of `N`.
pub struct RandomModel {
    pub name: String,
    pub source: String,
    /// The input shape without the batch dimension.
    pub input: Vec<i64>,
    /// The shape of each output without the batch dimension.
    pub outputs: Vec<Vec<i64>>,
}

use crate::rng::Rng;

/// `count` models from `seed`.
pub fn generate(seed: u64, count: usize) -> Vec<RandomModel> {
    let mut rng = Rng(seed | 1);
    (0..count).map(|i| model(&mut rng, i)).collect()
}

fn model(rng: &mut Rng, index: usize) -> RandomModel {
    let name = format!("Random{index}");
    let mut c = 2 * rng.int(1, 4);
    let mut h = rng.int(4, 12);
    let w = h + rng.int(0, 3);
    let mut w_now = w;
    let input = vec![c, h, w];
    let mut body = String::new();
    let mut stages = Vec::new();
    for s in 0..rng.int(1, 5) {
        let stage = format!("s{s}");
        let layer = match rng.int(0, 5) {
            0 => {
                let cout = 2 * rng.int(1, 4);
                let stride = if h >= 2 && w_now >= 2 { rng.int(1, 2) } else { 1 };
                let text = format!("Res({c}, {cout}, stride={stride})");
                c = cout;
                h = (h - 1) / stride + 1;
                w_now = (w_now - 1) / stride + 1;
                text
            }
            1 => format!("Stack({c}, {})", rng.int(0, 2)),
            2 => format!("Split({c})"),
            3 if h >= 2 && w_now >= 2 => {
                h /= 2;
                w_now /= 2;
                "MaxPool2d(2)".to_string()
            }
            _ => format!("BatchNorm2d({c})"),
        };
        body.push_str(&format!("    {stage} = {layer}\n"));
        stages.push(stage);
    }
    let chain = stages.join(" -> ");
    let features = c * h * w_now;
    let (forward, outputs) = match rng.int(0, 2) {
        0 => (String::new(), vec![vec![c, h, w_now]]),
        1 => (
            format!("    forward(x) {{\n        y = x -> {chain}\n        (y, (y * y) -> flatten(1))\n    }}\n"),
            vec![vec![c, h, w_now], vec![features]],
        ),
        _ => {
            let classes = rng.int(2, 10);
            body.push_str(&format!("    head = Linear(_, {classes})\n"));
            (
                format!("    forward(x) {{\n        y = x -> {chain}\n        (y -> flatten(1) -> head, y + y)\n    }}\n"),
                vec![vec![classes], vec![c, h, w_now]],
            )
        }
    };
    let source = format!(
        "model {name} {{\n    input x: [N, {}, {}, {w}]\n{body}{forward}}}\n",
        input[0], input[1]
    );
    RandomModel { name, source, input, outputs }
}

/// The Rust code of `run_random_models`, which runs every model on zeros with a batch of 2 and
/// returns its name and output sizes.
pub fn runner(models: &[RandomModel]) -> String {
    let mut code = String::from(
        "/// Runs every random model; returns its name and the sizes of its outputs.\n\
         pub fn run_random_models() -> Vec<(&'static str, Vec<Vec<i64>>)> {\n\
         let vs = tch::nn::VarStore::new(tch::Device::Cpu);\n\
         let mut results = Vec::new();\n",
    );
    for model in models {
        let dims: Vec<String> = model.input.iter().map(i64::to_string).collect();
        let name = &model.name;
        let outputs = if model.outputs.len() == 1 {
            "vec![tch::nn::ModuleT::forward_t(&m, &x, false).size()]".to_string()
        } else {
            let parts: Vec<String> =
                (0..model.outputs.len()).map(|i| format!("out.{i}.size()")).collect();
            format!("{{ let out = m.forward_outputs(&x, false); vec![{}] }}", parts.join(", "))
        };
        code.push_str(&format!(
            "{{ let m = {name}::new(&(vs.root() / \"{name}\"));\n\
             let x = tch::Tensor::zeros([2, {}], (tch::Kind::Float, tch::Device::Cpu));\n\
             results.push((\"{name}\", {outputs})); }}\n",
            dims.join(", ")
        ));
    }
    code.push_str("results\n}\n");
    code
}
