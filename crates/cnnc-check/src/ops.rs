//! Shape rules of the forward language's operators and tensor functions: broadcasting, `cat`,
//! `reshape`, `permute`, `transpose` and `mean`. Each returns the new shape, or what is wrong.

use crate::layers::normalize_dim;
use crate::shape::{agreement, Agreement, Dim, Shape, SizeRule};

/// PyTorch's broadcasting: shapes align at the right; sizes must be equal or 1. A run-time size
/// broadcasts only with 1 or a size equal to it; where two run-time sizes are equal only for some
/// input sizes, the rule that says which is added to `rules`.
pub fn broadcast(a: &Shape, b: &Shape, rules: &mut Vec<SizeRule>) -> Result<Shape, String> {
    let rank = a.rank().max(b.rank());
    let at = |s: &Shape, i: usize| {
        let offset = rank - s.rank();
        if i < offset {
            Dim::Known(1)
        } else {
            s.0[i - offset]
        }
    };
    let mut dims = Vec::with_capacity(rank);
    for i in 0..rank {
        let (x, y) = (at(a, i), at(b, i));
        dims.push(match (&x, &y) {
            _ if x == y => x,
            (Dim::Known(1), _) => y,
            (_, Dim::Known(1)) => x,
            _ if equal_sizes(&x, &y, rules) => x,
            _ => {
                return Err(format!(
                "dimension {i} is {x} on the left and {y} on the right; sizes must be equal or 1"
            ))
            }
        });
    }
    Ok(Shape::from(dims))
}

/// Whether `x` and `y` are equal for every input size, or for some, whose rule joins `rules`.
fn equal_sizes(x: &Dim, y: &Dim, rules: &mut Vec<SizeRule>) -> bool {
    match agreement(x, y) {
        Agreement::Always => true,
        Agreement::When(rule) => {
            rules.push(rule);
            true
        }
        Agreement::Never => false,
    }
}

/// Why [`cat`] cannot join its tensors.
#[derive(Debug)]
pub enum CatFailure {
    /// The shapes do not fit together, or the joined size overflows.
    Mismatch(String),
    /// The joined run-time size is too long to follow ([`crate::shape::MAX_SIZE_TEXT`]).
    SizeTooLong(String),
}

impl From<String> for CatFailure {
    fn from(message: String) -> Self {
        CatFailure::Mismatch(message)
    }
}

impl From<&str> for CatFailure {
    fn from(message: &str) -> Self {
        CatFailure::Mismatch(message.to_string())
    }
}

/// `torch.cat`: equal ranks, equal sizes except along `dim`, which adds up. Run-time sizes
/// equal only for some input sizes add their rule to `rules`.
pub fn cat(
    shapes: &[Shape],
    dim: i64,
    rules: &mut Vec<SizeRule>,
) -> Result<(Shape, usize), CatFailure> {
    let first = shapes.first().ok_or("cat needs at least one tensor")?;
    let rank = first.rank();
    let d = normalize_dim(dim, rank.max(1))
        .ok_or_else(|| format!("dimension {dim} is out of range for rank-{rank} tensors"))?;
    let mut total = Some(0i64);
    let mut symbolic = Vec::new();
    for (k, shape) in shapes.iter().enumerate() {
        if shape.rank() != rank {
            return Err(format!(
                "tensor {k} has rank {}, but tensor 0 has rank {rank}",
                shape.rank()
            )
            .into());
        }
        for i in (0..rank).filter(|&i| i != d) {
            if !equal_sizes(&shape.0[i], &first.0[i], rules) {
                return Err(format!(
                    "tensor {k} is {shape} and tensor 0 is {first}: dimension {i} differs, and only dimension {d} may"
                )
                .into());
            }
        }
        match &shape.0[d] {
            Dim::Known(n) => total = total.and_then(|t| t.checked_add(*n)),
            Dim::Symbolic(s) => symbolic.push(s.to_string()),
        }
    }
    let size = match (total, symbolic.is_empty()) {
        (Some(n), true) => Dim::Known(n),
        (None, _) => return Err("the joined size overflows".into()),
        (Some(n), false) => {
            let mut parts = symbolic;
            if n > 0 {
                parts.push(n.to_string());
            }
            Dim::opaque(parts.join("+")).map_err(CatFailure::SizeTooLong)?
        }
    };
    Ok((first.with(d, size), d))
}

/// `torch.chunk(x, chunks, dim)`: pieces of size `ceil(size / chunks)` along `dim`, the last
/// one smaller when the size does not divide; there may be fewer pieces than `chunks`.
pub fn chunk(shape: &Shape, chunks: i64, dim: i64) -> Result<Vec<Shape>, String> {
    if chunks < 1 {
        return Err(format!("the number of chunks must be at least 1, found {chunks}"));
    }
    let rank = shape.rank();
    let d = normalize_dim(dim, rank)
        .ok_or_else(|| format!("dimension {dim} is out of range for {shape}"))?;
    let size = match &shape.0[d] {
        Dim::Known(n) => *n,
        Dim::Symbolic(s) => {
            return Err(format!(
                "dimension {d} has the run-time size {s}, so the pieces are unknown"
            ))
        }
    };
    if size == 0 {
        return Ok(vec![shape.clone()]);
    }
    let chunks = chunks.min(size);
    let piece = size / chunks + i64::from(size % chunks != 0);
    let mut shapes = Vec::new();
    let mut start = 0;
    while start < size {
        let len = piece.min(size - start);
        shapes.push(shape.with(d, Dim::Known(len)));
        start += len;
    }
    Ok(shapes)
}

/// `x.reshape(sizes)`: one size may be -1; a run-time size may only be absorbed by it.
pub fn reshape(shape: &Shape, sizes: &[i64]) -> Result<Shape, String> {
    if sizes.iter().filter(|&&s| s == -1).count() > 1 {
        return Err("only one size may be -1".into());
    }
    if let Some(bad) = sizes.iter().find(|&&s| s < -1) {
        return Err(format!("invalid size {bad}"));
    }
    let known: i64 = shape
        .0
        .iter()
        .filter_map(Dim::known)
        .try_fold(1i64, |a, n| a.checked_mul(n))
        .ok_or("the size overflows")?;
    let symbolic: Vec<String> = shape
        .0
        .iter()
        .filter_map(|d| match d {
            Dim::Symbolic(s) => Some(s.to_string()),
            Dim::Known(_) => None,
        })
        .collect();
    let target: i64 = sizes
        .iter()
        .filter(|&&s| s != -1)
        .try_fold(1i64, |a, &n| a.checked_mul(n))
        .ok_or("the size overflows")?;
    let has_wildcard = sizes.contains(&-1);
    let elements = if symbolic.is_empty() {
        known.to_string()
    } else {
        format!("{} × {known}", symbolic.join(" × "))
    };
    let fill = if !symbolic.is_empty() {
        if !has_wildcard {
            return Err(format!(
                "the input has {elements} elements; with a run-time size, one size must be -1"
            ));
        }
        if target == 0 || known % target != 0 {
            return Err(format!("{elements} elements do not divide into sizes {sizes:?}: {known} is not a multiple of {target}"));
        }
        let rest = known / target;
        let run_time: Vec<&Dim> = shape.0.iter().filter(|d| d.known().is_none()).collect();
        match (run_time.as_slice(), rest) {
            // The one run-time size passes through, as `N` in `reshape(-1, 8, 1, 1)`.
            ([only], 1) => **only,
            _ => {
                let mut parts = symbolic;
                if rest != 1 {
                    parts.push(rest.to_string());
                }
                Dim::opaque(parts.join("*"))?
            }
        }
    } else if has_wildcard {
        if target == 0 || known % target != 0 {
            return Err(format!("{elements} elements do not divide into sizes {sizes:?}"));
        }
        Dim::Known(known / target)
    } else if target != known {
        return Err(format!(
            "{elements} elements cannot take the shape {sizes:?} ({target} elements)"
        ));
    } else {
        Dim::Known(0)
    };
    Ok(Shape(sizes.iter().map(|&s| if s == -1 { fill } else { Dim::Known(s) }).collect()))
}

/// `x.permute(dims)`: a permutation of all dimensions.
pub fn permute(shape: &Shape, dims: &[i64]) -> Result<Shape, String> {
    let rank = shape.rank();
    if dims.len() != rank {
        return Err(format!(
            "permute needs {rank} dimensions for a rank-{rank} input, got {}",
            dims.len()
        ));
    }
    let mut seen = vec![false; rank];
    let mut out = Vec::with_capacity(rank);
    for &d in dims {
        let i = normalize_dim(d, rank)
            .ok_or_else(|| format!("dimension {d} is out of range for rank {rank}"))?;
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("dimension {d} appears twice"));
        }
        out.push(shape.0[i]);
    }
    Ok(Shape::from(out))
}

/// `x.transpose(a, b)`.
pub fn transpose(shape: &Shape, a: i64, b: i64) -> Result<Shape, String> {
    let rank = shape.rank().max(1);
    let i = normalize_dim(a, rank).ok_or_else(|| format!("dimension {a} is out of range"))?;
    let j = normalize_dim(b, rank).ok_or_else(|| format!("dimension {b} is out of range"))?;
    let mut dims = shape.0.to_vec();
    if !dims.is_empty() {
        dims.swap(i, j);
    }
    Ok(Shape::from(dims))
}

/// `torch.roll(x, shifts, dims)`: the shape stays; each shift goes with one dimension.
pub fn roll(shape: &Shape, shifts: &[i64], dims: &[i64]) -> Result<(), String> {
    if shifts.len() != dims.len() {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        return Err(format!(
            "{} shift{} for {} dimension{}: each shift goes with one dimension",
            shifts.len(),
            plural(shifts.len()),
            dims.len(),
            plural(dims.len())
        ));
    }
    let rank = shape.rank().max(1);
    match dims.iter().find(|&&d| normalize_dim(d, rank).is_none()) {
        Some(d) => Err(format!("dimension {d} is out of range for rank {}", shape.rank())),
        None => Ok(()),
    }
}

/// `x.mean(dims, keepdim)`.
pub fn mean(shape: &Shape, dims: &[i64], keepdim: bool) -> Result<Shape, String> {
    let rank = shape.rank().max(1);
    let mut reduced = Vec::new();
    for &d in dims {
        let i = normalize_dim(d, rank)
            .ok_or_else(|| format!("dimension {d} is out of range for rank {}", shape.rank()))?;
        if reduced.contains(&i) {
            return Err(format!("dimension {d} appears twice"));
        }
        reduced.push(i);
    }
    Ok(Shape(
        shape
            .0
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match (reduced.contains(&i), keepdim) {
                (false, _) => Some(*d),
                (true, true) => Some(Dim::Known(1)),
                (true, false) => None,
            })
            .collect(),
    ))
}

/// `x[items]`: an integer removes its dimension, a slice keeps the items from its start up to
/// its end (clamped to the size, as Python slices), and the dimensions after the items stay.
pub fn index(shape: &Shape, items: &[cnnc_syntax::IndexItem]) -> Result<Shape, String> {
    use cnnc_syntax::IndexItem;
    if items.len() > shape.rank() {
        return Err(format!("{} indices for {shape}, of rank {}", items.len(), shape.rank()));
    }
    let mut out = Vec::new();
    for (d, (item, dim)) in items.iter().zip(shape.0.iter()).enumerate() {
        if *item == IndexItem::ALL {
            out.push(*dim);
            continue;
        }
        let Some(n) = dim.known() else {
            return Err(format!(
                "dimension {d} of {shape} is known only at run time: only `:` takes all of it"
            ));
        };
        match *item {
            IndexItem::At(i) => {
                if !(-n <= i && i < n) {
                    return Err(format!(
                        "index {i} is out of range for dimension {d} of {shape}, of size {n}"
                    ));
                }
            }
            IndexItem::Slice { start, end, step } => {
                let clamp = |v: i64| if v < 0 { v.saturating_add(n).max(0) } else { v.min(n) };
                let (a, b) = (start.map_or(0, clamp), end.map_or(n, clamp));
                // Every `step`-th item from `a`, before `b`.
                let taken = (b - a).max(0);
                out.push(Dim::Known(taken / step + i64::from(taken % step != 0)));
            }
        }
    }
    out.extend(shape.0[items.len()..].iter().cloned());
    Ok(Shape::from(out))
}

/// `x.expand(sizes)`: the sizes align with the input's from the end; new dimensions come first
/// and take a size (not -1); an existing dimension keeps its size for -1 or its own size, and a
/// size of 1 grows to any size.
pub fn expand(shape: &Shape, sizes: &[Dim]) -> Result<Shape, String> {
    let (rank, new) = (shape.rank(), sizes.len());
    if new < rank {
        return Err(format!("{new} sizes for {shape}, of rank {rank}"));
    }
    let lead = new - rank;
    let mut out = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let keep = *size == Dim::Known(-1);
        if i < lead {
            match size {
                Dim::Known(n) if *n < 0 => {
                    return Err(format!("a new leading dimension takes a size, not {n}"))
                }
                _ => out.push(*size),
            }
            continue;
        }
        let have = &shape.0[i - lead];
        out.push(match (have, size) {
            _ if keep => *have,
            (_, Dim::Known(n)) if *n < 0 => return Err(format!("size {n} is not -1 or a size")),
            (Dim::Known(1), _) => *size,
            (a, b) if a == b => *a,
            (a, b) => {
                return Err(format!(
                    "dimension {} is {a}, which cannot become {b}: only a size of 1 grows",
                    i - lead
                ))
            }
        });
    }
    Ok(Shape::from(out))
}
