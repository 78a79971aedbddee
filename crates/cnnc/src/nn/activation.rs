//! Activation layers, and `Softmax`, `LogSoftmax` and `Identity`.
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
