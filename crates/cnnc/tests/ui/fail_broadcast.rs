cnnc::model! {
    model Net {
        input x: [N, 8, 16, 16]
        down = Conv2d(8, 16, 3, stride=2, padding=1)
        forward(x) {
            y = x -> down
            relu(y + x)
        }
    }
}

fn main() {}
