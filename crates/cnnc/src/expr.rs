//! The integer arithmetic of cnnc's constant expressions, which follows Python: generated block
//! code computes layer arguments from block parameters with these. They serve generated code
//! and are not part of the documented API.

/// `x / y` of two integers, rounded towards negative infinity like Python's `x // y`.
///
/// # Panics
///
/// Panics if `y` is 0.
pub fn floor_div(x: i64, y: i64) -> i64 {
    let q = x / y;
    if x % y != 0 && (x < 0) != (y < 0) {
        q - 1
    } else {
        q
    }
}

/// `x % y` of two integers with the sign of `y`, like Python's `x % y`.
///
/// # Panics
///
/// Panics if `y` is 0.
pub fn floor_rem(x: i64, y: i64) -> i64 {
    let r = x % y;
    if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    }
}

/// `x % y` of two floats with the sign of `y`, like Python's `x % y`.
pub fn float_rem(x: f64, y: f64) -> f64 {
    x - y * (x / y).floor()
}

/// `pow(base, exp)` of two integers, as Python's `base ** exp`.
///
/// # Panics
///
/// Panics if `exp` is negative or the result overflows 64 bits.
pub fn int_pow(base: i64, exp: i64) -> i64 {
    u32::try_from(exp)
        .ok()
        .and_then(|exp| base.checked_pow(exp))
        .unwrap_or_else(|| panic!("pow({base}, {exp}) is not a 64-bit integer"))
}

/// Item `index` of a list, counting from the end for a negative index, like Python's `items[i]`.
///
/// # Panics
///
/// Panics if the index is out of range.
pub fn at<T: Copy>(items: &[T], index: i64) -> T {
    let n = items.len() as i64;
    let at = if index < 0 { index + n } else { index };
    match usize::try_from(at).ok().and_then(|at| items.get(at)) {
        Some(item) => *item,
        None => panic!("index {index} is out of range for {n} items"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python() {
        // Python: [(7 // 2, 7 % 2), (-7 // 2, -7 % 2), (7 // -2, 7 % -2), (-7 // -2, -7 % -2)]
        let cases = [(7, 2, 3, 1), (-7, 2, -4, 1), (7, -2, -4, -1), (-7, -2, 3, -1)];
        for (x, y, q, r) in cases {
            assert_eq!((floor_div(x, y), floor_rem(x, y)), (q, r), "{x} and {y}");
        }
        assert_eq!(float_rem(-7.5, 2.0), 0.5);
    }
}
