//! Activation layers, and `Softmax`, `LogSoftmax`, `Softmin` and `Identity`.
use crate::ModuleTree;
use tch::Tensor;

/// Whether an activation with `inplace` may overwrite `xs`: only where autograd does not track
/// it, so that no value a backward pass needs is lost.
fn in_place(inplace: bool, xs: &Tensor) -> bool {
    inplace && !xs.requires_grad()
}

/// `y`, written into `xs` where the activation works in place (see [`in_place`]).
fn overwrite(inplace: bool, xs: &Tensor, y: Tensor) -> Tensor {
    if in_place(inplace, xs) {
        xs.shallow_clone().copy_(&y);
        xs.shallow_clone()
    } else {
        y
    }
}

/// Implements `ModuleTree` with the given PyTorch class name, and `Module` with `$forward`.
macro_rules! activation {
    ($name:ident, |$self:ident, $xs:ident| $forward:expr) => {
        impl tch::nn::Module for $name {
            fn forward(&$self, $xs: &Tensor) -> Tensor {
                $forward
            }
        }

        impl ModuleTree for $name {
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

/// Applies the rectified linear unit `max(0, x)` element-wise, like `torch.nn.ReLU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReLU {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(ReLU, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().relu_()
} else {
    xs.relu()
});

/// Applies `min(max(0, x), 6)` element-wise, like `torch.nn.ReLU6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReLU6 {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(ReLU6, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().relu6_()
} else {
    xs.relu6()
});

/// Applies `x` for `x > 0` and `negative_slope * x` otherwise, like `torch.nn.LeakyReLU`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakyReLU {
    /// Slope for negative inputs (default 0.01).
    pub negative_slope: f64,
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

impl Default for LeakyReLU {
    fn default() -> Self {
        LeakyReLU { negative_slope: 0.01, inplace: false }
    }
}

activation!(LeakyReLU, |self, xs| overwrite(
    self.inplace,
    xs,
    xs.where_self(&xs.gt(0.0), &(xs * self.negative_slope))
));

/// Applies `x` for `x > 0` and `alpha * (exp(x) - 1)` otherwise, like `torch.nn.ELU`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ELU {
    /// Scale of the negative part (default 1.0).
    pub alpha: f64,
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

impl Default for ELU {
    fn default() -> Self {
        ELU { alpha: 1.0, inplace: false }
    }
}

activation!(ELU, |self, xs| {
    let y = if self.alpha == 1.0 {
        xs.elu()
    } else {
        xs.where_self(&xs.gt(0.0), &(xs.expm1() * self.alpha))
    };
    overwrite(self.inplace, xs, y)
});

/// The approximation of [`GELU`], like its `approximate` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GeluApproximate {
    /// The exact `x * Φ(x)` (`"none"`).
    #[default]
    None,
    /// The tanh approximation (`"tanh"`).
    Tanh,
}

impl GeluApproximate {
    /// The name PyTorch uses for this approximation.
    pub fn as_str(self) -> &'static str {
        match self {
            GeluApproximate::None => "none",
            GeluApproximate::Tanh => "tanh",
        }
    }
}

/// Applies the Gaussian error linear unit `x * Φ(x)` element-wise, like `torch.nn.GELU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GELU {
    /// The approximation used (default [`GeluApproximate::None`]).
    pub approximate: GeluApproximate,
}

activation!(GELU, |self, xs| xs.gelu(self.approximate.as_str()));

/// Applies `x * sigmoid(x)` element-wise, like `torch.nn.SiLU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SiLU {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(SiLU, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().silu_()
} else {
    xs.silu()
});

/// Applies `x * tanh(softplus(x))` element-wise, like `torch.nn.Mish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mish {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(Mish, |self, xs| overwrite(self.inplace, xs, xs.mish()));

/// Applies the logistic sigmoid `1 / (1 + exp(-x))` element-wise, like `torch.nn.Sigmoid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sigmoid;

activation!(Sigmoid, |self, xs| xs.sigmoid());

/// Applies the hyperbolic tangent element-wise, like `torch.nn.Tanh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tanh;

activation!(Tanh, |self, xs| xs.tanh());

/// Applies `x * relu6(x + 3) / 6` element-wise, like `torch.nn.Hardswish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hardswish {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(Hardswish, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().hardswish_()
} else {
    xs.hardswish()
});

/// Applies `relu6(x + 3) / 6` element-wise, like `torch.nn.Hardsigmoid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hardsigmoid {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(Hardsigmoid, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().hardsigmoid_()
} else {
    xs.hardsigmoid()
});

/// Applies `log(1 + exp(beta * x)) / beta` element-wise, and `x` where `beta * x > threshold`,
/// like `torch.nn.Softplus`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Softplus {
    /// The `beta` of the formula (default 1.0).
    pub beta: f64,
    /// Above this value of `beta * x` the function is linear (default 20.0).
    pub threshold: f64,
}

impl Default for Softplus {
    fn default() -> Self {
        Softplus { beta: 1.0, threshold: 20.0 }
    }
}

activation!(Softplus, |self, xs| if self.beta == 1.0 && self.threshold == 20.0 {
    xs.softplus()
} else {
    let scaled = xs * self.beta;
    xs.where_self(&scaled.gt(self.threshold), &(scaled.exp().log1p() / self.beta))
});

/// Applies `softmax(-x)` along `dim`, like `torch.nn.Softmin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Softmin {
    /// The dimension (default `None`: PyTorch's implicit choice, as for [`Softmax`]).
    pub dim: Option<i64>,
}

activation!(Softmin, |self, xs| (-xs).softmax(softmax_dim(self.dim, xs), None));

/// Clamps each element to `[min_val, max_val]`, like `torch.nn.Hardtanh`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hardtanh {
    /// The lower bound (default -1.0).
    pub min_val: f64,
    /// The upper bound (default 1.0).
    pub max_val: f64,
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

impl Default for Hardtanh {
    fn default() -> Self {
        Hardtanh { min_val: -1.0, max_val: 1.0, inplace: false }
    }
}

activation!(Hardtanh, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().clamp_(self.min_val, self.max_val)
} else {
    xs.clamp(self.min_val, self.max_val)
});

/// Applies the scaled exponential linear unit element-wise, like `torch.nn.SELU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SELU {
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

activation!(SELU, |self, xs| if in_place(self.inplace, xs) {
    xs.shallow_clone().selu_()
} else {
    xs.selu()
});

/// Applies `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))` element-wise, like
/// `torch.nn.CELU`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CELU {
    /// The `alpha` of the formula, not 0 (default 1.0).
    pub alpha: f64,
    /// Overwrites the input, as PyTorch does, where autograd does not track it (eval mode,
    /// inference, `no_grad`); elsewhere the result is a new tensor with the same values.
    pub inplace: bool,
}

impl Default for CELU {
    fn default() -> Self {
        CELU { alpha: 1.0, inplace: false }
    }
}

activation!(CELU, |self, xs| {
    let y = if self.alpha == 1.0 {
        xs.celu()
    } else {
        xs.clamp_min(0.0) + ((xs / self.alpha).expm1() * self.alpha).clamp_max(0.0)
    };
    overwrite(self.inplace, xs, y)
});

/// Applies `log(sigmoid(x))` element-wise, like `torch.nn.LogSigmoid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogSigmoid;

activation!(LogSigmoid, |self, xs| xs.log_sigmoid());

/// Applies `x / (1 + |x|)` element-wise, like `torch.nn.Softsign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Softsign;

activation!(Softsign, |self, xs| xs / (xs.abs() + 1.0));

/// Applies `x - tanh(x)` element-wise, like `torch.nn.Tanhshrink`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tanhshrink;

activation!(Tanhshrink, |self, xs| xs - xs.tanh());

/// Zeroes the elements within `[-lambd, lambd]`, like `torch.nn.Hardshrink`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hardshrink {
    /// The half-width of the zeroed band (default 0.5).
    pub lambd: f64,
}

impl Default for Hardshrink {
    fn default() -> Self {
        Hardshrink { lambd: 0.5 }
    }
}

activation!(Hardshrink, |self, xs| xs.where_self(&xs.abs().gt(self.lambd), &xs.zeros_like()));

/// Zeroes the elements within `[-lambd, lambd]` and moves the others `lambd` towards 0, like
/// `torch.nn.Softshrink`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Softshrink {
    /// The half-width of the zeroed band, at least 0 (default 0.5).
    pub lambd: f64,
}

impl Default for Softshrink {
    fn default() -> Self {
        Softshrink { lambd: 0.5 }
    }
}

activation!(Softshrink, |self, xs| {
    let shrunk = xs - xs.sign() * self.lambd;
    shrunk.where_self(&xs.abs().gt(self.lambd), &xs.zeros_like())
});

/// Splits `dim` in halves `a` and `b` and computes `a * sigmoid(b)`, like `torch.nn.GLU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GLU {
    /// The dimension split in halves (default -1).
    pub dim: i64,
}

impl Default for GLU {
    fn default() -> Self {
        GLU { dim: -1 }
    }
}

activation!(GLU, |self, xs| xs.glu(self.dim));

/// The dimension `torch.nn.functional.softmax` picks when none is given
/// (`_get_softmax_dim`): 0 for inputs of rank 0, 1 or 3, and 1 otherwise.
fn softmax_dim(dim: Option<i64>, xs: &Tensor) -> i64 {
    dim.unwrap_or(match xs.dim() {
        0 | 1 | 3 => 0,
        _ => 1,
    })
}

/// Rescales the slices along `dim` to probabilities, `exp(x) / sum(exp(x))`, like
/// `torch.nn.Softmax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Softmax {
    /// The dimension normalized over (default `None`: PyTorch's legacy choice, 0 for inputs of
    /// rank 0, 1 or 3 and 1 otherwise).
    pub dim: Option<i64>,
}

activation!(Softmax, |self, xs| xs.softmax(softmax_dim(self.dim, xs), None));

/// Applies `log(softmax(x))` along `dim`, like `torch.nn.LogSoftmax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogSoftmax {
    /// The dimension normalized over (default `None`: PyTorch's legacy choice, as for
    /// [`Softmax`]).
    pub dim: Option<i64>,
}

activation!(LogSoftmax, |self, xs| xs.log_softmax(softmax_dim(self.dim, xs), None));

/// Returns its input, like `torch.nn.Identity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Identity;

activation!(Identity, |self, xs| xs.shallow_clone());
