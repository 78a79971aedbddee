//! Generated names stay apart and tuple outputs keep the values they share: the models of
//! tests/fixtures/hygiene.cnn compile and run.

use cnnc::ModuleTree;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

include!(concat!(env!("OUT_DIR"), "/hygiene.rs"));

#[test]
fn a_nested_type_next_to_a_model_of_its_name_takes_the_next_free_name() {
    let vs = nn::VarStore::new(Device::Cpu);
    let net = Net::new(&vs.root());
    let _: &NetLayer12 = &net.layer1;
    let other = NetLayer1::new(&vs.root().sub("other"));
    let x = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
    assert_eq!(net.forward_t(&x, false).size(), [2, 4]);
    assert_eq!(other.forward_t(&x, false).size(), [2, 2]);
    let names: Vec<String> = other.state_dict().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["self.weight", "self.bias", "type.weight", "type.bias"]);
}

#[test]
fn a_model_named_crate_is_a_type_of_its_own() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = Crate::new(&vs.root());
    let x = Tensor::ones([3, 4], (Kind::Float, Device::Cpu));
    assert_eq!(model.forward_t(&x, false).size(), [3, 2]);
}

#[test]
fn tuple_outputs_that_share_a_value_are_equal_to_it() {
    let vs = nn::VarStore::new(Device::Cpu);
    let model = TwoPools::new(&vs.root());
    let x = Tensor::randn([2, 3, 8, 8], (Kind::Float, Device::Cpu));
    let (p, pooled, again) = model.forward_outputs(&x, false);
    assert_eq!(p.size(), [2, 4, 6, 6]);
    assert_eq!(pooled.size(), [2, 4, 3, 3]);
    assert!(p.equal(&again));
    assert!(pooled.equal(&p.max_pool2d([1, 1], [2, 2], [0, 0], [1, 1], false)));
}
