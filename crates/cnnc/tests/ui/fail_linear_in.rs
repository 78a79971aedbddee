use tch::nn::ModuleT;

cnnc::model! {
    model Net {
        input x: [N, 3, 28, 28]
        features = Sequential { Conv2d(3, 8, 3, padding=1); MaxPool2d(2) }
        forward(x) { x -> features -> flatten(1) -> fc }
        fc = Linear(2048, 10)
    }
}

fn main() {
    // Uses of the model add no errors of their own.
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let model = Net::new(&vs.root());
    let _ = model.forward_t(&tch::Tensor::zeros([1, 3, 28, 28], tch::kind::FLOAT_CPU), false);
}
