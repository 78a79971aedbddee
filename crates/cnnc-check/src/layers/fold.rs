//! `Unfold` (sliding blocks to columns, `im2col`) and `Fold` (columns back to an image,
//! `col2im`).

use super::conv::windows;
use super::{no_tensors, spatial, LayerSpec, ShapeCtx};
use crate::args::{ArgType, DefaultValue, Param};
use crate::diagnostic::{Code, Error};
use crate::shape::{Dim, Shape};

/// `nn.Unfold`: `[N, C, H, W]` to `[N, C·kh·kw, L]`, `L` blocks.
pub static UNFOLD: LayerSpec = LayerSpec {
    name: "Unfold",
    params: &[
        Param::required("kernel_size", ArgType::Ints(2)).min(1.0),
        Param::optional("dilation", ArgType::Ints(2), DefaultValue::Int(1)).min(1.0),
        Param::optional("padding", ArgType::Ints(2), DefaultValue::Int(0)).min(0.0),
        Param::optional("stride", ArgType::Ints(2), DefaultValue::Int(1)).min(1.0),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: unfold_shape,
    tensors: no_tensors,
};

/// `nn.Fold`: `[N, C·kh·kw, L]` to `[N, C, output_size]`, summing where blocks overlap.
pub static FOLD: LayerSpec = LayerSpec {
    name: "Fold",
    params: &[
        Param::required("output_size", ArgType::Ints(2)).min(1.0),
        Param::required("kernel_size", ArgType::Ints(2)).min(1.0),
        Param::optional("dilation", ArgType::Ints(2), DefaultValue::Int(1)).min(1.0),
        Param::optional("padding", ArgType::Ints(2), DefaultValue::Int(0)).min(0.0),
        Param::optional("stride", ArgType::Ints(2), DefaultValue::Int(1)).min(1.0),
    ],
    config: None,
    init_params: &[],
    uses_train: false,
    inputs: 1,
    infer: fold_shape,
    tensors: no_tensors,
};

fn unfold_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[3, 4], "[N, C, H, W] or [C, H, W]")?;
    let rank = ctx.input.shape.rank();
    let c = ctx.known_dim(rank - 3, "number of channels")?;
    let kernel = ctx.args.ints("kernel_size").to_vec();
    let Some(channels) = kernel.iter().try_fold(c, |n, &k| n.checked_mul(k)) else {
        return ctx.overflow();
    };
    // The number of blocks along each axis is the output size of a window of this geometry.
    let windows = windows(ctx.args, false);
    let blocks = spatial(ctx, &windows)?;
    let (h, w) = (&blocks.0[rank - 2], &blocks.0[rank - 1]);
    let count = match (h.known(), w.known()) {
        (Some(h), Some(w)) => match h.checked_mul(w) {
            Some(n) => Dim::Known(n),
            None => return ctx.overflow(),
        },
        _ => match Dim::opaque(format!("({h})*({w})")) {
            Ok(count) => count,
            Err(message) => {
                let path = ctx.path.to_string();
                let (span, note) = (ctx.input.span, ctx.input.note());
                return ctx.error(
                    Error::new(
                        Code::SymbolicSize,
                        format!("`{path}`: {message}"),
                        ctx.args.call_span,
                        "size too long to follow",
                    )
                    .with_related(span, note)
                    .with_help("declare fixed sizes in the model's input"),
                );
            }
        },
    };
    let mut dims = ctx.input.shape.0[..rank - 3].to_vec();
    dims.push(Dim::Known(channels));
    dims.push(count);
    Some(Shape::from(dims))
}

fn fold_shape(ctx: &mut ShapeCtx<'_>) -> Option<Shape> {
    ctx.expect_rank(&[2, 3], "[N, C·kh·kw, L] or [C·kh·kw, L]")?;
    let rank = ctx.input.shape.rank();
    let columns = ctx.known_dim(rank - 2, "number of columns")?;
    let count = ctx.known_dim(rank - 1, "number of blocks")?;
    let output = ctx.args.ints("output_size").to_vec();
    let kernel = ctx.args.ints("kernel_size").to_vec();
    let Some(area) = kernel.iter().try_fold(1i64, |n, &k| n.checked_mul(k)) else {
        return ctx.overflow();
    };
    if columns % area != 0 {
        let span = ctx.args.span("kernel_size");
        let (input, note) = (ctx.input.span, ctx.input.note());
        return ctx.error(
            Error::new(
                Code::ArgumentValue,
                format!(
                    "`{}`: {columns} columns are not a multiple of the kernel's {} × {} = {area} positions",
                    ctx.path, kernel[0], kernel[1]
                ),
                span,
                format!("{area} positions per block"),
            )
            .with_related(input, note)
            .with_help("the columns are channels × kernel positions, as Unfold makes them"),
        );
    }
    // The blocks of a window of this geometry over the output size.
    let windows = windows(ctx.args, false);
    let mut blocks = 1i64;
    for (axis, (&size, window)) in output.iter().zip(&windows).enumerate() {
        let Some(n) = super::blocks_along(size, *window) else {
            let span = ctx.args.span("output_size");
            return ctx.error(
                Error::new(
                    Code::ArgumentValue,
                    format!(
                        "`{}`: no block of kernel {} fits output size {size} in dimension {axis}",
                        ctx.path, window.kernel
                    ),
                    span,
                    "too small for a block",
                )
                .with_help("use a larger output size, more padding or a smaller kernel"),
            );
        };
        let Some(product) = blocks.checked_mul(n) else { return ctx.overflow() };
        blocks = product;
    }
    if blocks != count {
        let span = ctx.args.span("output_size");
        let (input, note) = (ctx.input.span, ctx.input.note());
        return ctx.error(
            Error::new(
                Code::ArgumentValue,
                format!(
                    "`{}`: output size {} × {} holds {blocks} blocks, but the input has {count}",
                    ctx.path, output[0], output[1]
                ),
                span,
                format!("{blocks} blocks"),
            )
            .with_related(input, note)
            .with_help("the output size, kernel, stride, padding and dilation must give as many blocks as the input has"),
        );
    }
    let mut dims = ctx.input.shape.0[..rank - 2].to_vec();
    dims.push(Dim::Known(columns / area));
    dims.extend(output.iter().map(|&n| Dim::Known(n)));
    Some(Shape::from(dims))
}
