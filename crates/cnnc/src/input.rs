//! The declared input of a generated model, which its `forward_t` checks before computing.

use std::collections::HashMap;
use std::fmt;

use tch::Tensor;

/// One dimension of a declared input shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// A size fixed by the declaration, such as `3` in `[N, 3, 32, 32]`.
    Fixed(i64),
    /// A size known at run time, such as `N`; the same name is the same size throughout.
    Named(&'static str),
}

/// The input a model declares (`input x: [N, 3, 32, 32]`).
///
/// # Example
///
/// ```
/// use cnnc::{Dim, InputShape};
///
/// let input = InputShape {
///     model: "SimpleCNN",
///     name: "x",
///     dims: &[Dim::Named("N"), Dim::Fixed(3), Dim::Fixed(32), Dim::Fixed(32)],
///     rules: &[],
/// };
/// assert!(input.mismatch(&[8, 3, 32, 32]).is_ok());
/// let message = input.mismatch(&[8, 3, 28, 28]).unwrap_err();
/// assert!(message.starts_with("SimpleCNN: input `x` has size 28 in dimension 2"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InputShape {
    /// The model's name as written in the `.cnn` file.
    pub model: &'static str,
    /// The input's name.
    pub name: &'static str,
    /// The declared dimensions.
    pub dims: &'static [Dim],
    /// What the model needs of its named sizes, as the checker worked it out.
    pub rules: &'static [SizeRule],
}

/// A rule on a named input size that a model's layers need, such as `H >= 32` for a window to
/// fit, or `H divisible by 16` for a skip connection to line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRule {
    /// `name >= least`.
    AtLeast {
        /// The named size.
        name: &'static str,
        /// Its least value.
        least: i64,
        /// The layer or operation that needs it.
        needed_by: &'static str,
    },
    /// `name % modulus` is one of `residues`.
    Residues {
        /// The named size.
        name: &'static str,
        /// The period.
        modulus: i64,
        /// The allowed remainders, sorted.
        residues: &'static [i64],
        /// The layer or operation that needs it.
        needed_by: &'static str,
    },
}

impl SizeRule {
    fn name(&self) -> &'static str {
        match *self {
            SizeRule::AtLeast { name, .. } | SizeRule::Residues { name, .. } => name,
        }
    }

    fn allows(&self, size: i64) -> bool {
        match *self {
            SizeRule::AtLeast { least, .. } => size >= least,
            SizeRule::Residues { modulus, residues, .. } => {
                residues.binary_search(&size.rem_euclid(modulus)).is_ok()
            }
        }
    }

    fn needed_by(&self) -> &'static str {
        match *self {
            SizeRule::AtLeast { needed_by, .. } | SizeRule::Residues { needed_by, .. } => needed_by,
        }
    }
}

/// Written as `cnnc check` writes the checker's rules.
impl fmt::Display for SizeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SizeRule::AtLeast { name, least, .. } => write!(f, "{name} >= {least}"),
            SizeRule::Residues { name, modulus, residues, .. } => match residues {
                [0] => write!(f, "{name} divisible by {modulus}"),
                [one] => write!(f, "{name} % {modulus} == {one}"),
                [first, .., last] if last - first + 1 == residues.len() as i64 => {
                    write!(f, "{name} % {modulus} in {first}..={last}")
                }
                _ => {
                    let list: Vec<String> = residues.iter().map(i64::to_string).collect();
                    write!(f, "{name} % {modulus} in {{{}}}", list.join(", "))
                }
            },
        }
    }
}

impl InputShape {
    /// Panics, naming the model, the dimension and both sizes, unless `input` has the declared
    /// rank, every fixed size, one size for each name, and named sizes that meet the rules.
    pub fn check(&self, input: &Tensor) {
        if let Err(message) = self.mismatch(&input.size()) {
            panic!("{message}");
        }
    }

    /// Why a tensor of shape `sizes` is not this input, if it is not.
    pub fn mismatch(&self, sizes: &[i64]) -> Result<(), String> {
        let (model, name) = (self.model, self.name);
        if sizes.len() != self.dims.len() {
            return Err(format!(
                "{model}: input `{name}` has {} dimensions, {sizes:?}, but {model} declares {}: {self}",
                sizes.len(),
                self.dims.len()
            ));
        }
        let mut named: HashMap<&str, (usize, i64)> = HashMap::new();
        for (i, (dim, &size)) in self.dims.iter().zip(sizes).enumerate() {
            match *dim {
                Dim::Fixed(expected) if expected != size => {
                    return Err(format!(
                        "{model}: input `{name}` has size {size} in dimension {i}, where {model} \
                         declares {expected}: {self}, got {sizes:?}"
                    ));
                }
                Dim::Named(n) => match named.get(n) {
                    Some(&(first, earlier)) if earlier != size => {
                        return Err(format!(
                            "{model}: input `{name}` has size {size} in dimension {i} and {earlier} \
                             in dimension {first}, both declared `{n}`: {self}, got {sizes:?}"
                        ));
                    }
                    Some(_) => {}
                    None => {
                        named.insert(n, (i, size));
                    }
                },
                Dim::Fixed(_) => {}
            }
        }
        for rule in self.rules {
            let Some(&(_, size)) = named.get(rule.name()) else { continue };
            if !rule.allows(size) {
                return Err(format!(
                    "{model}: input `{name}` has {} = {size}, but {} needs {rule}",
                    rule.name(),
                    rule.needed_by()
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Display for InputShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, dim) in self.dims.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            match dim {
                Dim::Fixed(n) => write!(f, "{n}")?,
                Dim::Named(n) => write!(f, "{n}")?,
            }
        }
        write!(f, "]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: InputShape = InputShape {
        model: "SimpleCNN",
        name: "x",
        dims: &[Dim::Named("N"), Dim::Fixed(3), Dim::Named("S"), Dim::Named("S")],
        rules: &[
            SizeRule::AtLeast { name: "S", least: 4, needed_by: "`pool` (MaxPool2d)" },
            SizeRule::Residues {
                name: "S",
                modulus: 16,
                residues: &[0, 1, 2, 3, 4, 5, 6, 7],
                needed_by: "`cat` of [N, 8, S//8, S//8] and [N, 8, 2*(S//16), 2*(S//16)]",
            },
        ],
    };

    #[test]
    fn accepts_the_declared_shape_at_any_named_size() {
        assert_eq!(INPUT.mismatch(&[1, 3, 32, 32]), Ok(()));
        assert_eq!(INPUT.mismatch(&[8, 3, 7, 7]), Ok(()));
        assert_eq!(INPUT.mismatch(&[8, 3, 16, 16]), Ok(()));
    }

    #[test]
    fn names_the_rule_a_named_size_breaks_and_what_needs_it() {
        assert_eq!(INPUT.mismatch(&[1, 3, 36, 36]), Ok(()));
        assert_eq!(
            INPUT.mismatch(&[1, 3, 2, 2]).unwrap_err(),
            "SimpleCNN: input `x` has S = 2, but `pool` (MaxPool2d) needs S >= 4"
        );
        assert_eq!(
            INPUT.mismatch(&[1, 3, 24, 24]).unwrap_err(),
            "SimpleCNN: input `x` has S = 24, but `cat` of [N, 8, S//8, S//8] and \
             [N, 8, 2*(S//16), 2*(S//16)] needs S % 16 in 0..=7"
        );
    }

    #[test]
    fn names_the_model_the_dimension_and_both_sizes() {
        let message = INPUT.mismatch(&[2, 4, 32, 32]).unwrap_err();
        assert_eq!(
            message,
            "SimpleCNN: input `x` has size 4 in dimension 1, where SimpleCNN declares 3: \
             [N, 3, S, S], got [2, 4, 32, 32]"
        );
        let message = INPUT.mismatch(&[3, 32, 32]).unwrap_err();
        assert!(message.contains("has 3 dimensions"), "{message}");
        let message = INPUT.mismatch(&[2, 3, 32, 16]).unwrap_err();
        assert!(message.contains("size 16 in dimension 3 and 32 in dimension 2"), "{message}");
    }

    #[test]
    #[should_panic(expected = "SimpleCNN: input `x` has size 28 in dimension 2")]
    fn check_panics_on_a_mismatch() {
        let fixed = InputShape {
            dims: &[Dim::Named("N"), Dim::Fixed(3), Dim::Fixed(32), Dim::Fixed(32)],
            ..INPUT
        };
        fixed.check(&Tensor::zeros([1, 3, 28, 32], (tch::Kind::Float, tch::Device::Cpu)));
    }
}
