//! The pixel shuffle layer.
use crate::ModuleTree;
use tch::Tensor;

/// Rearranges `[*, C * r^2, H, W]` into `[*, C, H * r, W * r]`, like `torch.nn.PixelShuffle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PixelShuffle {
    /// The factor `r` by which the spatial dimensions grow.
    pub upscale_factor: i64,
}

impl tch::nn::Module for PixelShuffle {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.pixel_shuffle(self.upscale_factor)
    }
}

impl ModuleTree for PixelShuffle {
    fn kind(&self) -> &'static str {
        "PixelShuffle"
    }
}
