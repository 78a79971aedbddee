//! Tensor shapes whose sizes are either known or symbolic (such as the batch size `N`).

use std::fmt;

/// One dimension of a tensor shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    /// A size known at compile time.
    Known(i64),
    /// A size known only at run time, named in the model's `input` declaration.
    Symbolic(String),
}

impl Dim {
    /// The size, if known.
    pub fn known(&self) -> Option<i64> {
        match self {
            Dim::Known(n) => Some(*n),
            Dim::Symbolic(_) => None,
        }
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Symbolic(s) => f.write_str(s),
        }
    }
}

/// The shape of a tensor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape(pub Vec<Dim>);

impl Shape {
    /// The number of elements per unit of the symbolic sizes (each counts as 1); `None` when
    /// it does not fit in 64 bits.
    pub fn elements(&self) -> Option<i64> {
        self.0.iter().try_fold(1i64, |n, d| match d {
            Dim::Known(k) => n.checked_mul(*k),
            Dim::Symbolic(_) => Some(n),
        })
    }

    /// The number of elements of one sample: the sizes after the first (batch) dimension
    /// multiplied; `None` when one is symbolic or the product overflows.
    pub fn known_elements_after_batch(&self) -> Option<i64> {
        self.0.iter().skip(1).try_fold(1i64, |n, d| n.checked_mul(d.known()?))
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// The shape with dimension `index` replaced.
    pub fn with(&self, index: usize, dim: Dim) -> Shape {
        let mut dims = self.0.clone();
        dims[index] = dim;
        Shape(dims)
    }

    /// The dimensions that are known, or `None` if any is symbolic.
    pub fn known_dims(&self) -> Option<Vec<i64>> {
        self.0.iter().map(Dim::known).collect()
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}
