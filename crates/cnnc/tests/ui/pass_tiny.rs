use cnnc::ModuleTree;
use tch::nn::ModuleT;

cnnc::model! {
    model Tiny {
        input x: [N, 1, 8, 8]
        conv = Conv2d(1, 4, 3, padding=1)
        head = Sequential { Flatten(); Linear(_, 3) }
        init { Conv2d.bias = zeros }
    }
}

fn main() {
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let model = Tiny::new(&vs.root());
    let _ = model.forward_t(&tch::Tensor::zeros([2, 1, 8, 8], tch::kind::FLOAT_CPU), false);
    assert_eq!(model.named_modules().len(), 5);
    assert_eq!(Tiny::INPUT_SHAPE, [1, 8, 8]);
    let _: &cnnc::nn::Linear = &model.head.1;
}
