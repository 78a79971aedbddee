//! The pixel shuffle, pixel unshuffle and channel shuffle layers.
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

/// Rearranges `[*, C, H * r, W * r]` into `[*, C * r^2, H, W]`, like `torch.nn.PixelUnshuffle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PixelUnshuffle {
    /// The factor `r` by which the spatial dimensions shrink.
    pub downscale_factor: i64,
}

impl tch::nn::Module for PixelUnshuffle {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.pixel_unshuffle(self.downscale_factor)
    }
}

impl ModuleTree for PixelUnshuffle {
    fn kind(&self) -> &'static str {
        "PixelUnshuffle"
    }
}

/// Splits the channels (dimension 1) into `groups` groups and interleaves them, like
/// `torch.nn.ChannelShuffle`: `[N, g * k, *]` is viewed as `[N, g, k, *]`, transposed to
/// `[N, k, g, *]` and flattened back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelShuffle {
    /// The number of groups; it divides the channels.
    pub groups: i64,
}

impl tch::nn::Module for ChannelShuffle {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.channel_shuffle(self.groups)
    }
}

impl ModuleTree for ChannelShuffle {
    fn kind(&self) -> &'static str {
        "ChannelShuffle"
    }
}
