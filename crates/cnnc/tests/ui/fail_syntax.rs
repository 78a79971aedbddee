cnnc::model! {
    model Net {
        input x: [N, 4]
        fc = Linear(4, 2,, )
    }
}

fn main() {}
