//! Tensor shapes whose sizes are either known or symbolic (such as the batch size `N`, or a
//! height `H // 4` that follows from an input declared `[N, 3, H, W]`).

use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

/// One dimension of a tensor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dim {
    /// A size known at compile time.
    Known(i64),
    /// A size known only at run time, computed from a size named in the model's `input`.
    Symbolic(Sym),
}

impl Dim {
    /// The size, if known.
    pub fn known(&self) -> Option<i64> {
        match self {
            Dim::Known(n) => Some(*n),
            Dim::Symbolic(_) => None,
        }
    }

    /// The run-time size `name` itself.
    pub fn named(name: &str) -> Dim {
        Dim::Symbolic(Sym::Floor(FloorSize::named(name)))
    }

    /// A run-time size that is followed only by its text, such as `N*C` after a flatten; an
    /// error message when the text is longer than [`MAX_SIZE_TEXT`], as repeated joins of a
    /// tensor with itself make it (each doubles it).
    pub fn opaque(text: String) -> Result<Dim, String> {
        if text.len() > MAX_SIZE_TEXT {
            let start: String = text.chars().take(40).collect();
            return Err(format!(
                "the run-time size `{start}...` grows too long to follow ({} characters)",
                text.len()
            ));
        }
        Ok(Dim::Symbolic(Sym::Opaque(SizeName::new(&text))))
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Symbolic(s) => write!(f, "{s}"),
        }
    }
}

/// The longest text of a run-time size computed from several (`N*C`) that shapes follow.
pub const MAX_SIZE_TEXT: usize = 256;

/// A size known only at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sym {
    /// A size that is a floor-affine function of one input size.
    Floor(FloorSize),
    /// A size from several run-time sizes, such as `N*C`; equal only to the same text.
    Opaque(SizeName),
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sym::Floor(size) => write!(f, "{size}"),
            Sym::Opaque(text) => f.write_str(text),
        }
    }
}

/// The name of an input size (`H`), or the text of a size computed from several (`N*C`),
/// interned: each distinct text is stored once for the life of the process, so that shapes,
/// which name them in every dimension after an input `[N, 3, H, W]`, are plain values that copy
/// as bytes. A model has a handful of such texts.
#[derive(Clone, Copy)]
pub struct SizeName(&'static str);

impl SizeName {
    /// The interned `name`.
    pub fn new(name: &str) -> SizeName {
        static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        // The set is only added to, so a panic elsewhere cannot leave it inconsistent.
        let mut names =
            NAMES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&interned) = names.get(name) {
            return SizeName(interned);
        }
        let interned: &'static str = Box::leak(name.into());
        names.insert(interned);
        SizeName(interned)
    }
}

impl std::ops::Deref for SizeName {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for SizeName {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}

impl Eq for SizeName {}

impl std::hash::Hash for SizeName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl fmt::Debug for SizeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for SizeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `scale * ((name + offset) // divisor) + shift`: the sizes that strides, pooling, padding,
/// transposed convolutions and integer upsampling make of an input size `name`. The form is kept
/// normalised (`0 <= offset < divisor`, and `offset == 0` when `divisor == 1`), so that equal
/// functions of one name compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloorSize {
    /// The input size it is computed from, as declared (`H`).
    pub name: SizeName,
    /// Multiplies the quotient; at least 1.
    pub scale: i64,
    /// Added to the input size before dividing.
    pub offset: i64,
    /// Divides, rounding down; at least 1.
    pub divisor: i64,
    /// Added at the end.
    pub shift: i64,
}

impl FloorSize {
    /// The size `name` itself.
    pub fn named(name: &str) -> FloorSize {
        FloorSize { name: SizeName::new(name), scale: 1, offset: 0, divisor: 1, shift: 0 }
    }

    fn normalised(mut self) -> Option<FloorSize> {
        if self.divisor == 1 {
            self.shift = self.shift.checked_add(self.scale.checked_mul(self.offset)?)?;
            self.offset = 0;
        } else {
            let whole = self.offset.div_euclid(self.divisor);
            self.offset = self.offset.rem_euclid(self.divisor);
            self.shift = self.shift.checked_add(self.scale.checked_mul(whole)?)?;
        }
        Some(self)
    }

    /// `self + k`; `None` on overflow.
    pub fn add(&self, k: i64) -> Option<FloorSize> {
        Some(FloorSize { shift: self.shift.checked_add(k)?, ..*self })
    }

    /// `self * k` for `k >= 1`; `None` on overflow.
    pub fn mul(&self, k: i64) -> Option<FloorSize> {
        Some(FloorSize {
            scale: self.scale.checked_mul(k)?,
            shift: self.shift.checked_mul(k)?,
            ..*self
        })
    }

    /// `self // k` for `k >= 1`, rounding down; `None` when the result has no floor-affine form
    /// (the scale is neither 1 nor a multiple of `k`) or overflows.
    pub fn floor_div(&self, k: i64) -> Option<FloorSize> {
        if self.scale % k == 0 {
            let shift = self.shift.div_euclid(k);
            return Some(FloorSize { scale: self.scale / k, shift, ..*self });
        }
        if self.scale != 1 {
            return None;
        }
        // (q + b) // k with q = (h + c) // m is (h + c + b*m) // (m*k).
        FloorSize {
            name: self.name,
            scale: 1,
            offset: self.offset.checked_add(self.shift.checked_mul(self.divisor)?)?,
            divisor: self.divisor.checked_mul(k)?,
            shift: 0,
        }
        .normalised()
    }

    /// The value for an input size `h >= 0`; `None` on overflow.
    pub fn at(&self, h: i64) -> Option<i64> {
        let quotient = h.checked_add(self.offset)?.div_euclid(self.divisor);
        self.scale.checked_mul(quotient)?.checked_add(self.shift)
    }

    /// The smallest input size for which the value is at least `bound`; `None` on overflow.
    pub fn least_input_for(&self, bound: i64) -> Option<i64> {
        // scale * q + shift >= bound  <=>  q >= ceil((bound - shift) / scale)
        //                             <=>  h >= that * divisor - offset.
        let need = bound.checked_sub(self.shift)?;
        let quotient = need.div_euclid(self.scale) + i64::from(need.rem_euclid(self.scale) != 0);
        quotient.checked_mul(self.divisor)?.checked_sub(self.offset)
    }
}

impl fmt::Display for FloorSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FloorSize { name, scale, offset, divisor, shift } = self;
        let base = match (*offset, *divisor) {
            (_, 1) => name.to_string(),
            (0, m) => format!("{name}//{m}"),
            (c, m) => format!("({name} + {c})//{m}"),
        };
        match (*scale, *divisor) {
            (1, _) => f.write_str(&base)?,
            (a, 1) => write!(f, "{a}*{base}")?,
            (a, _) => write!(f, "{a}*({base})")?,
        }
        match *shift {
            0 => Ok(()),
            b if b > 0 => write!(f, " + {b}"),
            b => write!(f, " - {}", b.unsigned_abs()),
        }
    }
}

/// How two sizes compare over every input size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// Equal for every input size.
    Always,
    /// Equal only for the input sizes that the rule allows.
    When(SizeRule),
    /// Not equal, or equal for too few sizes to be meant.
    Never,
}

/// The input sizes a model accepts beyond the declared rank and fixed sizes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SizeRule {
    /// `name >= least`.
    AtLeast { name: String, least: i64 },
    /// `name % modulus` is one of `residues` (sorted, each below `modulus`).
    Residues { name: String, modulus: i64, residues: Vec<i64> },
}

/// The largest modulus whose residues are listed (ten halvings); sizes with a longer period are
/// not followed. It bounds the work of comparing two sizes.
const MAX_PERIOD: i64 = 1 << 10;

impl SizeRule {
    /// The input size the rule is about.
    pub fn name(&self) -> &str {
        match self {
            SizeRule::AtLeast { name, .. } | SizeRule::Residues { name, .. } => name,
        }
    }

    /// Whether every size this rule allows is allowed by `other` too (both about one name);
    /// rules with a longer common period than the checker follows are not compared.
    pub fn implies(&self, other: &SizeRule) -> bool {
        match (self, other) {
            (SizeRule::AtLeast { least: a, .. }, SizeRule::AtLeast { least: b, .. }) => a >= b,
            (SizeRule::Residues { modulus: m, .. }, SizeRule::Residues { modulus: n, .. }) => {
                lcm(*m, *n)
                    .filter(|&p| p <= MAX_PERIOD)
                    .is_some_and(|p| (0..p).all(|h| !self.allows(h) || other.allows(h)))
            }
            _ => false,
        }
    }

    /// Whether the input size `size` satisfies the rule.
    pub fn allows(&self, size: i64) -> bool {
        match self {
            SizeRule::AtLeast { least, .. } => size >= *least,
            SizeRule::Residues { modulus, residues, .. } => {
                residues.binary_search(&size.rem_euclid(*modulus)).is_ok()
            }
        }
    }
}

impl fmt::Display for SizeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeRule::AtLeast { name, least } => write!(f, "{name} >= {least}"),
            SizeRule::Residues { name, modulus, residues } => match residues.as_slice() {
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

/// Compares two sizes over every value of the input sizes they come from.
pub fn agreement(x: &Dim, y: &Dim) -> Agreement {
    if x == y {
        return Agreement::Always;
    }
    let (Dim::Symbolic(Sym::Floor(a)), Dim::Symbolic(Sym::Floor(b))) = (x, y) else {
        return Agreement::Never;
    };
    // Both grow like scale/divisor per unit of the input; different rates meet at most once.
    let same_rate = a.scale.checked_mul(b.divisor) == b.scale.checked_mul(a.divisor);
    if a.name != b.name || !same_rate {
        return Agreement::Never;
    }
    let Some(modulus) = lcm(a.divisor, b.divisor).filter(|&m| m <= MAX_PERIOD) else {
        return Agreement::Never;
    };
    // With equal rates the difference repeats with period `modulus` (a multiple of both
    // divisors), so the residues where it is zero say everything.
    let residues: Vec<i64> = (0..modulus).filter(|&r| a.at(r) == b.at(r)).collect();
    match residues.len() {
        0 => Agreement::Never,
        n if n as i64 == modulus => Agreement::Always,
        _ => Agreement::When(SizeRule::Residues { name: a.name.to_string(), modulus, residues }),
    }
}

/// The smallest input size of at least 1 that meets every rule (all about one name), or `None`
/// if none does; rules whose common period is longer than the checker follows count as met.
pub fn least_allowed<'r>(rules: impl Iterator<Item = &'r SizeRule> + Clone) -> Option<i64> {
    let least = rules
        .clone()
        .filter_map(|r| match r {
            SizeRule::AtLeast { least, .. } => Some(*least),
            SizeRule::Residues { .. } => None,
        })
        .fold(1, i64::max);
    let period = rules
        .clone()
        .filter_map(|r| match r {
            SizeRule::Residues { modulus, .. } => Some(*modulus),
            SizeRule::AtLeast { .. } => None,
        })
        .try_fold(1, lcm);
    let Some(period) = period.filter(|&p| p <= MAX_PERIOD) else { return Some(least) };
    (least..least.checked_add(period)?).find(|&h| rules.clone().all(|r| r.allows(h)))
}

/// `dim` in its simplest form for the input sizes that `rules` allow: `8*(H//8)` is `H` where
/// `H` must be divisible by 8. A size that the rules make `k*H + c` becomes that.
pub fn simplified(dim: &Dim, rules: &[SizeRule]) -> Dim {
    let Dim::Symbolic(Sym::Floor(f)) = dim else { return *dim };
    if f.divisor == 1 || f.scale % f.divisor != 0 {
        return *dim;
    }
    let slope = f.scale / f.divisor;
    let mine: Vec<&SizeRule> = rules.iter().filter(|r| r.name() == &*f.name).collect();
    let period = mine
        .iter()
        .filter_map(|r| match r {
            SizeRule::Residues { modulus, .. } => Some(*modulus),
            SizeRule::AtLeast { .. } => None,
        })
        .try_fold(f.divisor, lcm)
        .filter(|&p| p <= MAX_PERIOD);
    let Some(period) = period else { return *dim };
    // Over one period of allowed sizes, `f(h) - slope*h` must be one constant.
    let mut offsets = (0..period)
        .filter(|&h| mine.iter().all(|r| !matches!(r, SizeRule::Residues { .. }) || r.allows(h)))
        .map(|h| Some(f.at(h)? - slope.checked_mul(h)?));
    let Some(Some(shift)) = offsets.next() else { return *dim };
    if !offsets.all(|o| o == Some(shift)) {
        return *dim;
    }
    let form = FloorSize { name: f.name, scale: slope, offset: 0, divisor: 1, shift };
    Dim::Symbolic(Sym::Floor(form))
}

fn lcm(a: i64, b: i64) -> Option<i64> {
    let gcd = |mut x: i64, mut y: i64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    (a / gcd(a, b)).checked_mul(b)
}

/// The shape of a tensor. Its sizes are shared: a clone refers to the same sizes, as the many
/// rows, values and expressions of a checked model that have one shape do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape(pub Rc<[Dim]>);

impl From<Vec<Dim>> for Shape {
    fn from(dims: Vec<Dim>) -> Shape {
        Shape(dims.into())
    }
}

impl FromIterator<Dim> for Shape {
    fn from_iter<I: IntoIterator<Item = Dim>>(dims: I) -> Shape {
        Shape(dims.into_iter().collect())
    }
}

impl Shape {
    /// The shape of a scalar, with no dimensions.
    pub fn scalar() -> Shape {
        thread_local! {
            static SCALAR: Rc<[Dim]> = Rc::new([]);
        }
        Shape(SCALAR.with(Rc::clone))
    }

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
        if self.0[index] == dim {
            return self.clone();
        }
        let dims = self.0.iter().enumerate();
        dims.map(|(i, &d)| if i == index { dim } else { d }).collect()
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
