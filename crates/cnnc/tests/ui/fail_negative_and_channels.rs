cnnc::model! {
    model Net {
        input x: [N, 3, 8, 8]
        conv1 = Conv2d(3, 16, 3)
        conv2 = Conv2d(8, 16, 3, stride=-1)
    }
}

fn main() {}
