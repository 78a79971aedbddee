//! Sizes known at run time: the floor-affine forms the checker keeps of an input size `H`, the
//! rules it derives where two of them must be equal, and whole models declared `[N, 3, H, W]`.
//! Each form is compared with PyTorch's formula evaluated at every `H` up to 200.

use cnnc_check::shape::{agreement, Agreement, FloorSize, SizeRule};

/// PyTorch's output size of a window (`torch.nn.Conv2d`, `MaxPool2d` with `ceil_mode=False`).
fn window(h: i64, kernel: i64, stride: i64, padding: i64, dilation: i64) -> i64 {
    (h + 2 * padding - dilation * (kernel - 1) - 1).div_euclid(stride) + 1
}

fn window_form(f: &FloorSize, kernel: i64, stride: i64, padding: i64, dilation: i64) -> FloorSize {
    let shift = 2 * padding - dilation * (kernel - 1) - 1;
    f.add(shift).unwrap().floor_div(stride).unwrap().add(1).unwrap()
}

#[test]
fn strided_windows_compose_exactly() {
    let h = FloorSize::named("H");
    // A ResNet stem and its stages: conv 7/2/3, max pool 3/2/1, then three stride-2 3×3 convs.
    let mut form = window_form(&h, 7, 2, 3, 1);
    form = window_form(&form, 3, 2, 1, 1);
    for _ in 0..3 {
        form = window_form(&form, 3, 2, 1, 1);
    }
    for size in 1..=200 {
        let mut expected = window(size, 7, 2, 3, 1);
        expected = window(expected, 3, 2, 1, 1);
        for _ in 0..3 {
            expected = window(expected, 3, 2, 1, 1);
        }
        assert_eq!(form.at(size), Some(expected), "H = {size}: {form}");
    }
    assert_eq!(form.to_string(), "(H + 31)//32");
    // Dilation and an odd kernel, then a transposed convolution (k 2, s 2): 2 * ((H - 5) // 3 + 1).
    let dilated = window_form(&h, 3, 3, 0, 2);
    let up = dilated.mul(2).unwrap();
    for size in 5..=200 {
        assert_eq!(up.at(size), Some(2 * window(size, 3, 3, 0, 2)), "H = {size}: {up}");
    }
}

#[test]
fn the_least_input_is_the_first_that_keeps_a_window() {
    let h = FloorSize::named("H");
    let form = window_form(&window_form(&h, 3, 2, 0, 1), 5, 1, 0, 1);
    let least = form.least_input_for(1).unwrap();
    assert!(form.at(least).unwrap() >= 1 && form.at(least - 1).unwrap() < 1, "{form}: {least}");
    assert_eq!(least, 11);
}

#[test]
fn a_scaled_size_divided_by_a_non_divisor_is_not_followed() {
    let h = FloorSize::named("H");
    assert_eq!(h.mul(3).unwrap().floor_div(2), None);
    assert!(h.mul(4).unwrap().floor_div(2).is_some());
}

#[test]
fn sizes_take_their_simplest_form_under_the_rules() {
    use cnnc_check::shape::{simplified, Dim, Sym};
    let dim = |f: FloorSize| Dim::Symbolic(Sym::Floor(f));
    let h = FloorSize::named("H");
    let up = h.floor_div(8).unwrap().mul(8).unwrap();
    let by_8 = SizeRule::Residues { name: "H".into(), modulus: 8, residues: vec![0] };
    assert_eq!(simplified(&dim(up), std::slice::from_ref(&by_8)), dim(h));
    // 2*((H + 1)//2) is H + 1 for odd H only: no simpler form without a rule.
    let even_up = h.add(1).unwrap().floor_div(2).unwrap().mul(2).unwrap();
    assert_eq!(simplified(&dim(even_up), &[]), dim(even_up));
    let odd = SizeRule::Residues { name: "H".into(), modulus: 2, residues: vec![1] };
    assert_eq!(simplified(&dim(even_up), &[odd]).to_string(), "H + 1");
    // A rule on another size does not apply.
    let w_by_8 = SizeRule::Residues { name: "W".into(), modulus: 8, residues: vec![0] };
    assert_eq!(simplified(&dim(up), &[w_by_8]), dim(up));
}

#[test]
fn equal_sizes_are_found_by_their_remainders() {
    let dim = |f: FloorSize| cnnc_check::shape::Dim::Symbolic(cnnc_check::shape::Sym::Floor(f));
    let h = FloorSize::named("H");
    // A U-Net skip: the upsampled 2 * (H//8) against the encoder's H//4.
    let up = h.floor_div(8).unwrap().mul(2).unwrap();
    let skip = h.floor_div(4).unwrap();
    let rule = SizeRule::Residues { name: "H".into(), modulus: 8, residues: vec![0, 1, 2, 3] };
    assert_eq!(agreement(&dim(up), &dim(skip)), Agreement::When(rule.clone()));
    for size in 0..=200 {
        assert_eq!(rule.allows(size), up.at(size) == skip.at(size), "H = {size}");
    }
    assert_eq!(rule.to_string(), "H % 8 in 0..=3");
    // Different rates never agree for long; a size against itself always does.
    assert_eq!(agreement(&dim(h), &dim(h.mul(2).unwrap())), Agreement::Never);
    assert_eq!(agreement(&dim(skip), &dim(skip)), Agreement::Always);
    // (H + 1)//2 * 2 and H + (H % 2): equal for every H.
    let rounded_up = h.add(1).unwrap().floor_div(2).unwrap().mul(2).unwrap();
    let divisible = SizeRule::Residues { name: "H".into(), modulus: 2, residues: vec![0] };
    assert_eq!(agreement(&dim(rounded_up), &dim(h)), Agreement::When(divisible.clone()));
    let by_8 = SizeRule::Residues { name: "H".into(), modulus: 8, residues: vec![0] };
    assert!(by_8.implies(&rule) && by_8.implies(&divisible));
    assert!(!rule.implies(&by_8) && !divisible.implies(&rule));
}

#[test]
fn a_model_with_run_time_sizes_lists_what_it_needs() {
    let source = "model M {\n    input x: [N, 3, H, W]\n    down = Conv2d(3, 8, 3, stride=2, padding=1)\n    \
                  up = ConvTranspose2d(8, 3, 2, stride=2)\n    forward(x) { x + up(down(x)) }\n}\n";
    let models = cnnc_check::check_source(source).expect("it checks");
    let rules: Vec<String> = models[0].requirements.iter().map(|r| r.rule.to_string()).collect();
    // 2 * ((H - 1)//2 + 1) == H  <=>  H even; the padded window fits any H >= 1.
    assert_eq!(rules, ["H divisible by 2", "W divisible by 2"]);
    let sizes = [("x".to_string(), vec![1, 3, 9, 8])];
    let file = cnnc_syntax::parse(source).unwrap();
    let errors = cnnc_check::check_at(&file, &sizes).unwrap_err();
    assert_eq!(
        errors[0].message,
        "M: input `x` has H = 9, but `+` of [N, 3, H, W] and [N, 3, 2*((H + 1)//2), 2*((W + 1)//2)] needs H divisible by 2"
    );
    let sizes = [("x".to_string(), vec![1, 3, 10, 8])];
    let models = cnnc_check::check_at(&file, &sizes).expect("even sizes check");
    assert_eq!(models[0].output().to_string(), "[1, 3, 10, 8]");
    // Under its rules, the symbolic output is the input's size.
    let models = cnnc_check::check_source(source).expect("it checks");
    assert_eq!(models[0].output().to_string(), "[N, 3, H, W]");
}

#[test]
fn padding_follows_run_time_sizes_and_needs_room_to_crop() {
    let source = "model P {\n    input x: [N, 3, H, W]\n    pad = ZeroPad2d((-2, 1, 3, -4))\n    \
                  mirror = ReflectionPad2d(2)\n}\n";
    let models = cnnc_check::check_source(source).expect("it checks");
    assert_eq!(models[0].output().to_string(), "[N, 3, H + 3, W + 3]");
    let rules: Vec<String> = models[0].requirements.iter().map(|r| r.rule.to_string()).collect();
    // Cropping 2 then adding 1 leaves W - 1 >= 1; cropping 4 needs H >= 4; reflecting 2 needs a
    // size of 3 after the crop, which W >= 4 and H >= 4 give.
    assert_eq!(rules, ["H >= 4", "W >= 4"]);
}
