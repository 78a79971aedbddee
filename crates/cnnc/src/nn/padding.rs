//! Padding layers.
use crate::ModuleTree;
use tch::Tensor;

/// A layer that pads its input's last dimensions with zeros.
macro_rules! zero_pad {
    ($name:ident, $n:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name {
            /// A (before, after) pair per padded dimension, the last dimension first; negative
            /// values crop.
            pub padding: [i64; $n],
        }

        impl tch::nn::Module for $name {
            fn forward(&self, xs: &Tensor) -> Tensor {
                xs.constant_pad_nd(self.padding)
            }
        }

        impl ModuleTree for $name {
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

zero_pad!(ZeroPad1d, 2, "Pads the last dimension with zeros, like `torch.nn.ZeroPad1d`.");
zero_pad!(ZeroPad2d, 4, "Pads the last two dimensions with zeros, like `torch.nn.ZeroPad2d`.");
zero_pad!(ZeroPad3d, 6, "Pads the last three dimensions with zeros, like `torch.nn.ZeroPad3d`.");

/// A layer that pads its input's last dimensions with a constant.
macro_rules! constant_pad {
    ($name:ident, $n:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        pub struct $name {
            /// A (before, after) pair per padded dimension, the last dimension first; negative
            /// values crop.
            pub padding: [i64; $n],
            /// The value of the added elements.
            pub value: f64,
        }

        impl tch::nn::Module for $name {
            fn forward(&self, xs: &Tensor) -> Tensor {
                xs.pad(self.padding, "constant", Some(self.value))
            }
        }

        impl ModuleTree for $name {
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

constant_pad!(
    ConstantPad1d,
    2,
    "Pads the last dimension with a constant, like `torch.nn.ConstantPad1d`."
);
constant_pad!(
    ConstantPad2d,
    4,
    "Pads the last two dimensions with a constant, like `torch.nn.ConstantPad2d`."
);
constant_pad!(
    ConstantPad3d,
    6,
    "Pads the last three dimensions with a constant, like `torch.nn.ConstantPad3d`."
);

/// A layer that pads its input's last dimensions from the input itself, as `F.pad` does in the
/// mode `$mode`.
macro_rules! mode_pad {
    ($name:ident, $n:literal, $mode:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name {
            /// A (before, after) pair per padded dimension, the last dimension first.
            pub padding: [i64; $n],
        }

        impl tch::nn::Module for $name {
            fn forward(&self, xs: &Tensor) -> Tensor {
                xs.pad(self.padding, $mode, None)
            }
        }

        impl ModuleTree for $name {
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

mode_pad!(
    ReflectionPad1d,
    2,
    "reflect",
    "Pads the last dimension with its reflection, like `torch.nn.ReflectionPad1d`."
);
mode_pad!(
    ReflectionPad2d,
    4,
    "reflect",
    "Pads the last two dimensions with their reflection, like `torch.nn.ReflectionPad2d`."
);
mode_pad!(
    ReflectionPad3d,
    6,
    "reflect",
    "Pads the last three dimensions with their reflection, like `torch.nn.ReflectionPad3d`."
);
mode_pad!(
    ReplicationPad1d,
    2,
    "replicate",
    "Pads the last dimension with copies of its edge, like `torch.nn.ReplicationPad1d`."
);
mode_pad!(
    ReplicationPad2d,
    4,
    "replicate",
    "Pads the last two dimensions with copies of their edges, like `torch.nn.ReplicationPad2d`."
);
mode_pad!(
    ReplicationPad3d,
    6,
    "replicate",
    "Pads the last three dimensions with copies of their edges, like `torch.nn.ReplicationPad3d`."
);
mode_pad!(
    CircularPad1d,
    2,
    "circular",
    "Pads the last dimension by wrapping it around, like `torch.nn.CircularPad1d`."
);
mode_pad!(
    CircularPad2d,
    4,
    "circular",
    "Pads the last two dimensions by wrapping them around, like `torch.nn.CircularPad2d`."
);
mode_pad!(
    CircularPad3d,
    6,
    "circular",
    "Pads the last three dimensions by wrapping them around, like `torch.nn.CircularPad3d`."
);
