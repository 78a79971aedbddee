//! The number functions of constant expressions, with Python's meaning: `int`, `float`,
//! `round` (ties to even), `floor`, `ceil`, `min`, `max`, `abs`, `pow`, `sqrt` and `log`.
//!
//! Types are static, so that generated code has one Rust type per expression: where Python's
//! result type depends on the values (`min(1, 2.5)` is the integer 1), the result here is a
//! float of the same value.

use crate::consts::{Const, ConstType};

/// A number function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstFn {
    /// `int(x)`: truncates a float towards zero.
    Int,
    /// `float(x)`.
    Float,
    /// `round(x)`: to the nearest integer, ties to even (Python's `round` with one argument).
    Round,
    /// `floor(x)`, as an integer (`math.floor`).
    Floor,
    /// `ceil(x)`, as an integer (`math.ceil`).
    Ceil,
    /// `min(a, b, ...)`.
    Min,
    /// `max(a, b, ...)`.
    Max,
    /// `abs(x)`.
    Abs,
    /// `pow(a, b)`: an integer for two integers (`b` at least 0), a float otherwise.
    Pow,
    /// `sqrt(x)` (`math.sqrt`).
    Sqrt,
    /// `log(x)` or `log(x, base)` (`math.log`).
    Log,
}

/// Every function, for lookups and suggestions.
pub const FUNCTIONS: &[ConstFn] = &[
    ConstFn::Int,
    ConstFn::Float,
    ConstFn::Round,
    ConstFn::Floor,
    ConstFn::Ceil,
    ConstFn::Min,
    ConstFn::Max,
    ConstFn::Abs,
    ConstFn::Pow,
    ConstFn::Sqrt,
    ConstFn::Log,
];

impl ConstFn {
    /// The function's name as written.
    pub fn name(self) -> &'static str {
        match self {
            ConstFn::Int => "int",
            ConstFn::Float => "float",
            ConstFn::Round => "round",
            ConstFn::Floor => "floor",
            ConstFn::Ceil => "ceil",
            ConstFn::Min => "min",
            ConstFn::Max => "max",
            ConstFn::Abs => "abs",
            ConstFn::Pow => "pow",
            ConstFn::Sqrt => "sqrt",
            ConstFn::Log => "log",
        }
    }

    /// The function of a name.
    pub fn lookup(name: &str) -> Option<ConstFn> {
        FUNCTIONS.iter().copied().find(|f| f.name() == name)
    }

    /// How it is called, for messages.
    pub fn signature(self) -> &'static str {
        match self {
            ConstFn::Min => "min(a, b, ...)",
            ConstFn::Max => "max(a, b, ...)",
            ConstFn::Pow => "pow(base, exponent)",
            ConstFn::Log => "log(x) or log(x, base)",
            ConstFn::Int => "int(x)",
            ConstFn::Float => "float(x)",
            ConstFn::Round => "round(x)",
            ConstFn::Floor => "floor(x)",
            ConstFn::Ceil => "ceil(x)",
            ConstFn::Abs => "abs(x)",
            ConstFn::Sqrt => "sqrt(x)",
        }
    }

    /// Whether it takes `n` arguments.
    pub fn takes(self, n: usize) -> bool {
        match self {
            ConstFn::Min | ConstFn::Max => n >= 2,
            ConstFn::Pow => n == 2,
            ConstFn::Log => n == 1 || n == 2,
            _ => n == 1,
        }
    }

    /// The type of the result for arguments of these types (all numbers), and the type each
    /// argument is converted to first.
    pub fn types(self, args: &[ConstType]) -> (ConstType, ConstType) {
        let all_int = args.iter().all(|t| *t == ConstType::Int);
        let numbers = if all_int { ConstType::Int } else { ConstType::Float };
        match self {
            ConstFn::Int | ConstFn::Round | ConstFn::Floor | ConstFn::Ceil => {
                (ConstType::Int, numbers)
            }
            ConstFn::Float | ConstFn::Sqrt | ConstFn::Log => (ConstType::Float, ConstType::Float),
            ConstFn::Min | ConstFn::Max | ConstFn::Abs | ConstFn::Pow => (numbers.clone(), numbers),
        }
    }

    /// Applies the function to arguments already converted to the argument type of
    /// [`ConstFn::types`].
    pub fn apply(self, args: &[Const]) -> Result<Const, String> {
        let float = |c: &Const| match c {
            Const::Int(n) => *n as f64,
            Const::Float(x) => *x,
            _ => f64::NAN,
        };
        let to_int = |x: f64| -> Result<Const, String> {
            // i64::MAX as f64 rounds up to 2^63, which does not fit.
            if x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64 {
                Ok(Const::Int(x as i64))
            } else {
                Err(format!("{x:?} does not fit in a 64-bit integer"))
            }
        };
        let pick = |better: fn(f64, f64) -> bool| -> Const {
            let mut best = args[0].clone();
            for a in &args[1..] {
                if better(float(a), float(&best)) {
                    best = a.clone();
                }
            }
            best
        };
        Ok(match (self, args) {
            (ConstFn::Int | ConstFn::Round | ConstFn::Floor | ConstFn::Ceil, [Const::Int(n)]) => {
                Const::Int(*n)
            }
            (ConstFn::Int, [x]) => to_int(float(x).trunc())?,
            (ConstFn::Round, [x]) => to_int(float(x).round_ties_even())?,
            (ConstFn::Floor, [x]) => to_int(float(x).floor())?,
            (ConstFn::Ceil, [x]) => to_int(float(x).ceil())?,
            (ConstFn::Float, [x]) => Const::Float(float(x)),
            (ConstFn::Min, _) => pick(|a, b| a < b),
            (ConstFn::Max, _) => pick(|a, b| a > b),
            (ConstFn::Abs, [Const::Int(n)]) => {
                Const::Int(n.checked_abs().ok_or("the result overflows 64 bits")?)
            }
            (ConstFn::Abs, [x]) => Const::Float(float(x).abs()),
            (ConstFn::Pow, [Const::Int(a), Const::Int(b)]) => {
                let exponent = u32::try_from(*b).map_err(|_| {
                    format!("an integer power needs an exponent from 0 to {}", u32::MAX)
                })?;
                Const::Int(a.checked_pow(exponent).ok_or("the result overflows 64 bits")?)
            }
            (ConstFn::Pow, [a, b]) => Const::Float(float(a).powf(float(b))),
            (ConstFn::Sqrt, [x]) if float(x) < 0.0 => {
                return Err("the square root of a negative number".into())
            }
            (ConstFn::Sqrt, [x]) => Const::Float(float(x).sqrt()),
            (ConstFn::Log, [x, ..]) if float(x) <= 0.0 => {
                return Err("the logarithm of a number that is not positive".into())
            }
            (ConstFn::Log, [x]) => Const::Float(float(x).ln()),
            (ConstFn::Log, [_, base]) if float(base) <= 0.0 || float(base) == 1.0 => {
                return Err("a logarithm's base is positive and not 1".into());
            }
            (ConstFn::Log, [x, base]) => Const::Float(float(x).log(float(base))),
            _ => return Err(format!("`{}` takes {}", self.name(), self.signature())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Const::{Float, Int};

    fn call(f: &str, args: &[Const]) -> Result<Const, String> {
        let f = ConstFn::lookup(f).expect("a function");
        let types: Vec<ConstType> = args.iter().map(|a| a.ty()).collect();
        let (_, arg_ty) = f.types(&types);
        let args: Vec<Const> = args
            .iter()
            .map(|a| match (a, &arg_ty) {
                (Int(n), ConstType::Float) => Float(*n as f64),
                (a, _) => a.clone(),
            })
            .collect();
        f.apply(&args)
    }

    #[test]
    fn python_values() {
        // round: ties to even, as Python's round(0.5) == 0 and round(2.5) == 2.
        assert_eq!(call("round", &[Float(0.5)]), Ok(Int(0)));
        assert_eq!(call("round", &[Float(2.5)]), Ok(Int(2)));
        assert_eq!(call("round", &[Float(-1.5)]), Ok(Int(-2)));
        assert_eq!(call("int", &[Float(-2.7)]), Ok(Int(-2)));
        assert_eq!(call("floor", &[Float(-2.5)]), Ok(Int(-3)));
        assert_eq!(call("ceil", &[Float(2.1)]), Ok(Int(3)));
        assert_eq!(call("max", &[Int(8), Int(3), Int(12)]), Ok(Int(12)));
        assert_eq!(call("min", &[Int(1), Float(2.5)]), Ok(Float(1.0)));
        assert_eq!(call("pow", &[Int(2), Int(10)]), Ok(Int(1024)));
        assert_eq!(call("pow", &[Float(2.0), Int(-1)]), Ok(Float(0.5)));
        assert_eq!(call("abs", &[Int(-3)]), Ok(Int(3)));
        assert_eq!(call("sqrt", &[Int(16)]), Ok(Float(4.0)));
        assert_eq!(call("log", &[Int(8), Int(2)]), Ok(Float(3.0)));
        assert_eq!(call("float", &[Int(3)]), Ok(Float(3.0)));
    }

    #[test]
    fn out_of_range_is_an_error() {
        assert!(call("int", &[Float(1e19)]).is_err());
        assert!(call("round", &[Float(f64::INFINITY)]).is_err());
        assert!(call("pow", &[Int(2), Int(64)]).is_err());
        assert!(call("pow", &[Int(2), Int(-1)]).is_err());
        assert!(call("abs", &[Int(i64::MIN)]).is_err());
        assert!(call("sqrt", &[Int(-1)]).is_err());
        assert!(call("log", &[Int(0)]).is_err());
        assert!(call("log", &[Int(8), Int(1)]).is_err());
    }
}
