cnnc::model! {
    model Net {
        input x: [N, 3, 8, 8]
        conv = Conv2D(3, 8, 3)
        act = ReLU(inplac=true)
    }
}

fn main() {
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let _ = Net::new(&vs.root());
}
