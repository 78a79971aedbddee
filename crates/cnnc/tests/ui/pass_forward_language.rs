use tch::nn::ModuleT;

cnnc::model! {
    model SqueezeExcite {
        input x: [N, 8, 6, 6]
        conv = Conv2d(8, 8, 3, padding=1)
        fc1 = Linear(8, 2)
        fc2 = Linear(2, 8)
        forward(x) {
            h = x -> conv -> relu
            s = h -> mean((2, 3)) -> fc1 -> relu -> fc2 -> sigmoid -> reshape(-1, 8, 1, 1)
            y = h * s + x * 0.5
            cat([y, x], dim=1) -> dropout(0.1)
        }
    }
}

fn main() {
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let model = SqueezeExcite::new(&vs.root());
    let y = model.forward_t(&tch::Tensor::zeros([2, 8, 6, 6], tch::kind::FLOAT_CPU), true);
    assert_eq!(y.size(), [2, 16, 6, 6]);
}
