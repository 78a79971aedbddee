//! The upsampling layer.
use crate::ModuleTree;
use tch::Tensor;

/// The interpolation of an [`Upsample`] layer, like its `mode` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UpsampleMode {
    /// Nearest neighbour, for 3-D, 4-D and 5-D inputs (`"nearest"`).
    #[default]
    Nearest,
    /// Linear, for 3-D inputs (`"linear"`).
    Linear,
    /// Bilinear, for 4-D inputs (`"bilinear"`).
    Bilinear,
    /// Bicubic, for 4-D inputs (`"bicubic"`).
    Bicubic,
    /// Trilinear, for 5-D inputs (`"trilinear"`).
    Trilinear,
}

impl UpsampleMode {
    /// The name PyTorch uses for this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            UpsampleMode::Nearest => "nearest",
            UpsampleMode::Linear => "linear",
            UpsampleMode::Bilinear => "bilinear",
            UpsampleMode::Bicubic => "bicubic",
            UpsampleMode::Trilinear => "trilinear",
        }
    }
}

/// Upsamples the spatial dimensions of `[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]` inputs,
/// like `torch.nn.Upsample` (which calls `F.interpolate`).
///
/// Exactly one of `size` and `scale_factor` is given; a single value applies to every spatial
/// dimension. With `scale_factor` each output dimension is `floor(input * scale)` and the scales
/// are passed on to the interpolation, like PyTorch. The forward pass panics like PyTorch on
/// invalid arguments or a mode that does not fit the input's rank.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Upsample {
    /// Output spatial size (default `None`).
    pub size: Option<Vec<i64>>,
    /// Multiplier of the spatial size (default `None`).
    pub scale_factor: Option<Vec<f64>>,
    /// The interpolation (default [`UpsampleMode::Nearest`]).
    pub mode: UpsampleMode,
    /// Aligns the corner pixels of input and output (default `None`, which is `false` for the
    /// interpolating modes); only allowed with the interpolating modes.
    pub align_corners: Option<bool>,
}

/// One value per spatial dimension: a single value is repeated, otherwise there must be `dim`.
fn per_dim<T: Copy>(values: &[T], dim: usize, mismatch: impl FnOnce() -> String) -> Vec<T> {
    match values {
        [value] => vec![*value; dim],
        _ if values.len() == dim => values.to_vec(),
        _ => panic!("{}", mismatch()),
    }
}

impl Upsample {
    /// The output spatial size and the scales passed to libtorch, like `F.interpolate`.
    fn output_size_and_scales(&self, spatial: &[i64]) -> (Vec<i64>, Vec<Option<f64>>) {
        let dim = spatial.len();
        match (&self.size, &self.scale_factor) {
            (Some(_), Some(_)) => panic!("only one of size or scale_factor should be defined"),
            (None, None) => panic!("either size or scale_factor should be defined"),
            (Some(size), None) => {
                let size = per_dim(size, dim, || {
                    format!(
                        "Input and output must have the same number of spatial dimensions, but \
                         got input with spatial dimensions of {spatial:?} and output size of \
                         {size:?}. Please provide input tensor in (N, C, d1, d2, ...,dK) format \
                         and output size in (o1, o2, ...,oK) format."
                    )
                });
                (size, vec![None; dim])
            }
            (None, Some(scale)) => {
                let scale = per_dim(scale, dim, || {
                    format!(
                        "Input and scale_factor must have the same number of spatial dimensions, \
                         but got input with spatial dimensions of {spatial:?} and scale_factor \
                         of shape {scale:?}. Please provide input tensor in (N, C, d1, d2, \
                         ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                    )
                });
                let size = spatial.iter().zip(&scale).map(|(&i, &s)| (i as f64 * s) as i64);
                (size.collect(), scale.into_iter().map(Some).collect())
            }
        }
    }
}

impl Upsample {
    /// Resamples `xs` to the spatial sizes `size`, taken at run time (from another tensor, as
    /// `F.interpolate(x, size=y.shape[2:])`), with this layer's mode and `align_corners`; its own
    /// `size` and `scale_factor` are not used.
    pub fn resize(&self, xs: &Tensor, size: &[i64]) -> Tensor {
        let spatial = xs.dim().saturating_sub(2);
        if size.len() != spatial {
            panic!(
                "Input and output must have the same number of spatial dimensions, but got input \
                 with spatial dimensions of {:?} and output size of {size:?}.",
                xs.size().get(2..).unwrap_or(&[])
            );
        }
        self.resample(xs, size.to_vec(), vec![None; spatial])
    }

    fn resample(&self, xs: &Tensor, out: Vec<i64>, s: Vec<Option<f64>>) -> Tensor {
        use UpsampleMode::*;
        let mode = self.mode;
        if mode == Nearest && self.align_corners.is_some() {
            panic!(
                "align_corners option can only be set with the interpolating modes: linear | \
                 bilinear | bicubic | trilinear"
            );
        }
        let align = self.align_corners.unwrap_or(false);
        let rank = xs.dim();
        match (rank, mode) {
            (3, Nearest) => xs.upsample_nearest1d(out, s[0]),
            (4, Nearest) => xs.upsample_nearest2d(out, s[0], s[1]),
            (5, Nearest) => xs.upsample_nearest3d(out, s[0], s[1], s[2]),
            (3, Linear) => xs.upsample_linear1d(out, align, s[0]),
            (4, Bilinear) => xs.upsample_bilinear2d(out, align, s[0], s[1]),
            (5, Trilinear) => xs.upsample_trilinear3d(out, align, s[0], s[1], s[2]),
            (4, Bicubic) => xs.upsample_bicubic2d(out, align, s[0], s[1]),
            (3..=5, Linear | Bilinear | Trilinear) => {
                let needed = match mode {
                    Linear => 3,
                    Bilinear => 4,
                    _ => 5,
                };
                panic!("Got {rank}D input, but {} mode needs {needed}D input", mode.as_str())
            }
            _ => panic!(
                "Input Error: Only 3D, 4D and 5D input Tensors supported (got {rank}D) for the \
                 modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact \
                 (got {})",
                mode.as_str()
            ),
        }
    }
}

impl tch::nn::Module for Upsample {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let shape = xs.size();
        let (out, s) = self.output_size_and_scales(shape.get(2..).unwrap_or(&[]));
        self.resample(xs, out, s)
    }
}

impl ModuleTree for Upsample {
    fn kind(&self) -> &'static str {
        "Upsample"
    }
}
