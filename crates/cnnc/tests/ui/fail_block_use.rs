cnnc::model! {
    block Down(cin, cout) {
        Conv2d(cin, cout, 3, stride=2, padding=1)
        BatchNorm2d(cin)
    }

    model Net {
        input x: [N, 3, 32, 32]
        down1 = Down(3, 3)
        down2 = Down(3, 16)
    }
}

fn main() {
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let _net = Net::new(&vs.root());
}
