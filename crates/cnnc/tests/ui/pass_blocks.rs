cnnc::model! {
    block Residual(c, stride = 1) {
        conv = Conv2d(c, c, 3, stride=stride, padding=1)
        if stride > 1 { pool = AvgPool2d(stride) }
        forward(x) { relu(conv(x) + pool(x)) }
    }

    block Tower(c, n) {
        Residual(c, 2)
        for _ in 1..n { Residual(c) }
    }

    model Net = Tower(8, 3) { input x: [N, 8, 16, 16] }
}

fn main() {
    use tch::nn::ModuleT;
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let net = Net::new(&vs.root());
    let y = net.forward_t(&tch::Tensor::zeros([1, 8, 16, 16], (tch::Kind::Float, tch::Device::Cpu)), false);
    assert_eq!(y.size(), [1, 8, 8, 8]);
    let _residual: Residual = Residual::new(&(vs.root() / "other"), 4, 1);
}
