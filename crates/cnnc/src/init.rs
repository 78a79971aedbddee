//! Parameter initialization, mirroring `torch.nn.init`.
//!
//! Every function fills an existing tensor in place without recording gradients, so it can be
//! applied to the trainable variables of a [`tch::nn::VarStore`]. Like their PyTorch counterparts
//! the fill functions return the tensor (as a shallow clone).
use tch::{nn::Init, TchError, Tensor};

/// The non-linear function that follows a layer, for [`calculate_gain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nonlinearity {
    /// The identity (`"linear"`).
    Linear,
    /// Any convolution or transposed convolution (`"conv1d"`, `"conv2d"`, ...).
    Conv,
    /// `"sigmoid"`.
    Sigmoid,
    /// `"tanh"`.
    Tanh,
    /// `"relu"`.
    Relu,
    /// `"leaky_relu"`, whose negative slope is the gain's parameter.
    LeakyRelu,
    /// `"selu"`.
    Selu,
}

/// Which fan the Kaiming initializations scale by.
///
/// `FanIn` preserves the magnitude of the variance of the weights in the forward pass, `FanOut`
/// in the backward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FanMode {
    /// `"fan_in"`.
    #[default]
    FanIn,
    /// `"fan_out"`.
    FanOut,
}

/// Computes `(fan_in, fan_out)` of a weight tensor like `init._calculate_fan_in_and_fan_out`.
///
/// Returns an error for tensors with fewer than 2 dimensions.
pub fn f_calculate_fan_in_and_fan_out(tensor: &Tensor) -> Result<(i64, i64), TchError> {
    let size = tensor.size();
    if size.len() < 2 {
        return Err(TchError::Shape(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
                .to_string(),
        ));
    }
    let receptive_field_size: i64 = size[2..].iter().product();
    Ok((size[1] * receptive_field_size, size[0] * receptive_field_size))
}

/// Computes `(fan_in, fan_out)` of a weight tensor like `init._calculate_fan_in_and_fan_out`.
///
/// # Panics
///
/// Panics if the tensor has fewer than 2 dimensions.
pub fn calculate_fan_in_and_fan_out(tensor: &Tensor) -> (i64, i64) {
    match f_calculate_fan_in_and_fan_out(tensor) {
        Ok(fans) => fans,
        Err(err) => panic!("{err}"),
    }
}

/// The recommended gain for a non-linearity, like `init.calculate_gain`.
///
/// `param` is the negative slope of [`Nonlinearity::LeakyRelu`] (default 0.01) and is ignored
/// otherwise.
pub fn calculate_gain(nonlinearity: Nonlinearity, param: Option<f64>) -> f64 {
    match nonlinearity {
        Nonlinearity::Linear | Nonlinearity::Conv | Nonlinearity::Sigmoid => 1.0,
        Nonlinearity::Tanh => 5.0 / 3.0,
        Nonlinearity::Relu => 2f64.sqrt(),
        Nonlinearity::LeakyRelu => {
            let negative_slope = param.unwrap_or(0.01);
            (2.0 / (1.0 + negative_slope * negative_slope)).sqrt()
        }
        Nonlinearity::Selu => 3.0 / 4.0,
    }
}

/// The bound `1 / sqrt(fan_in)` of PyTorch's default `Conv*d` and `Linear` initialization
/// (0 when `fan_in` is 0).
///
/// It is the bound of `kaiming_uniform_(a = sqrt(5))` for the weight and of the uniform bias.
pub fn pytorch_default_bound(fan_in: i64) -> f64 {
    if fan_in == 0 {
        0.0
    } else {
        1.0 / (fan_in as f64).sqrt()
    }
}

/// Runs an in-place operation on a handle to `tensor` without recording gradients.
fn fill(tensor: &Tensor, f: impl FnOnce(&mut Tensor)) {
    let mut handle = tensor.shallow_clone();
    tch::no_grad(|| f(&mut handle));
}

/// Fills `tensor` with values drawn from `U(a, b)`, like `init.uniform_`.
pub fn uniform_(tensor: &Tensor, a: f64, b: f64) {
    fill(tensor, |t| {
        let _ = t.uniform_(a, b);
    })
}

/// Fills `tensor` with values drawn from `N(mean, std^2)`, like `init.normal_`.
///
/// # Example
///
/// ```
/// use cnnc::nn::{Linear, LinearConfig};
///
/// let vs = tch::nn::VarStore::new(tch::Device::Cpu);
/// let fc = Linear::new(vs.root() / "fc", 256, 128, LinearConfig::default());
/// cnnc::init::normal_(&fc.weight, 0.0, 0.01);
/// let std = fc.weight.std(true).double_value(&[]);
/// assert!((std - 0.01).abs() < 0.001);
/// ```
pub fn normal_(tensor: &Tensor, mean: f64, std: f64) {
    fill(tensor, |t| {
        let _ = t.normal_(mean, std);
    })
}

/// Fills `tensor` with `val`, like `init.constant_`.
pub fn constant_(tensor: &Tensor, val: f64) {
    fill(tensor, |t| {
        let _ = t.fill_(val);
    })
}

/// Fills `tensor` with zeros, like `init.zeros_`.
pub fn zeros_(tensor: &Tensor) {
    fill(tensor, |t| {
        let _ = t.zero_();
    })
}

/// Fills `tensor` with ones, like `init.ones_`.
pub fn ones_(tensor: &Tensor) {
    constant_(tensor, 1.0)
}

fn xavier_std(tensor: &Tensor, gain: f64) -> f64 {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(tensor);
    gain * (2.0 / (fan_in + fan_out) as f64).sqrt()
}

/// Glorot uniform initialization, like `init.xavier_uniform_`: `U(-a, a)` with
/// `a = gain * sqrt(6 / (fan_in + fan_out))`.
///
/// # Panics
///
/// Panics if the tensor has fewer than 2 dimensions.
pub fn xavier_uniform_(tensor: &Tensor, gain: f64) {
    let a = 3f64.sqrt() * xavier_std(tensor, gain);
    uniform_(tensor, -a, a)
}

/// Glorot normal initialization, like `init.xavier_normal_`: `N(0, std^2)` with
/// `std = gain * sqrt(2 / (fan_in + fan_out))`.
///
/// # Panics
///
/// Panics if the tensor has fewer than 2 dimensions.
pub fn xavier_normal_(tensor: &Tensor, gain: f64) {
    let std = xavier_std(tensor, gain);
    normal_(tensor, 0.0, std)
}

/// The standard deviation of the Kaiming initializations, `None` for zero-element tensors.
fn kaiming_std(tensor: &Tensor, a: f64, mode: FanMode, nonlinearity: Nonlinearity) -> Option<f64> {
    if tensor.size().contains(&0) {
        return None;
    }
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(tensor);
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    Some(calculate_gain(nonlinearity, Some(a)) / (fan as f64).sqrt())
}

/// He uniform initialization, like `init.kaiming_uniform_`: `U(-bound, bound)` with
/// `bound = gain * sqrt(3 / fan)`.
///
/// `a` is the negative slope used by [`Nonlinearity::LeakyRelu`]; PyTorch's defaults are
/// `a = 0`, [`FanMode::FanIn`] and [`Nonlinearity::LeakyRelu`]. Zero-element tensors are left
/// unchanged.
///
/// # Panics
///
/// Panics if the tensor has fewer than 2 dimensions.
pub fn kaiming_uniform_(tensor: &Tensor, a: f64, mode: FanMode, nonlinearity: Nonlinearity) {
    if let Some(std) = kaiming_std(tensor, a, mode, nonlinearity) {
        let bound = 3f64.sqrt() * std;
        uniform_(tensor, -bound, bound);
    }
}

/// He normal initialization, like `init.kaiming_normal_`: `N(0, std^2)` with
/// `std = gain / sqrt(fan)`.
///
/// The arguments are those of [`kaiming_uniform_`]. Zero-element tensors are left unchanged.
///
/// # Panics
///
/// Panics if the tensor has fewer than 2 dimensions.
pub fn kaiming_normal_(tensor: &Tensor, a: f64, mode: FanMode, nonlinearity: Nonlinearity) {
    if let Some(std) = kaiming_std(tensor, a, mode, nonlinearity) {
        normal_(tensor, 0.0, std);
    }
}

/// Re-fills `tensor` in place from a tch [`Init`].
///
/// `Const`, `Randn` and `Uniform` use the functions above; the other variants use tch's own
/// [`Init::set`].
pub fn apply(init: Init, tensor: &Tensor) {
    match init {
        Init::Const(val) => constant_(tensor, val),
        Init::Randn { mean, stdev } => normal_(tensor, mean, stdev),
        Init::Uniform { lo, up } => uniform_(tensor, lo, up),
        other => fill(tensor, |t| other.set(t)),
    }
}

/// Re-fills the parameters of `module` named `names` (dotted `state_dict` names) from `init`,
/// like `init.<fn>_(module.get_parameter(name))` for each of them.
///
/// # Panics
///
/// Panics if a name is not a parameter of `module`.
pub fn apply_named(module: &dyn crate::ModuleTree, init: Init, names: &[&str]) {
    for name in names {
        let tensor = module
            .parameter(name)
            .unwrap_or_else(|| panic!("`{name}` is not a parameter of this {}", module.kind()));
        apply(init, tensor);
    }
}
