//! Differential test of the shape checker against libtorch.
//!
//! For every layer, hundreds of pseudo-random argument and input combinations (edge cases
//! included: kernels larger than the input, ceil_mode boundaries, dilation, strides larger than
//! the kernel, groups, odd sizes, out-of-range values) go through the cnnc front end (parse and
//! check). The same arguments then run on libtorch directly, through the ops that `torch.nn`
//! calls, together with the checks that `torch.nn`'s Python code makes before calling them. The
//! checker's predicted shape must equal libtorch's, and the checker must reject exactly the
//! combinations libtorch rejects.

use std::collections::BTreeMap;

use tch::{Kind, TchError, Tensor};

#[path = "generate/rng.rs"]
mod rng;

use rng::Rng;

impl Rng {
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
    /// Mostly valid sizes, sometimes zero or negative to probe rejection.
    fn size(&mut self, lo: i64, hi: i64) -> i64 {
        if self.chance(0.04) {
            self.int(-1, 0)
        } else {
            self.int(lo, hi)
        }
    }
    fn ints(&mut self, d: usize, lo: i64, hi: i64) -> Vec<i64> {
        let first = self.size(lo, hi);
        if self.chance(0.5) {
            vec![first; d]
        } else {
            (0..d).map(|_| self.size(lo, hi)).collect()
        }
    }
}

/// Writes a tuple argument as cnnc source: one integer when all are equal, else a tuple.
fn tuple(v: &[i64]) -> String {
    if v.iter().all(|&x| x == v[0]) && v.len() > 1 || v.len() == 1 {
        v[0].to_string()
    } else {
        format!("({})", v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    }
}

type Oracle = Box<dyn Fn(&Tensor) -> Result<Tensor, TchError>>;

/// One combination: the layer as cnnc source, the input shape, and the same layer on libtorch.
struct Case {
    layer: String,
    input: Vec<i64>,
    oracle: Oracle,
    /// Whether libtorch's answer depends on the backend it picks at run time (thread count,
    /// batch size): transposed convolutions with a zero dilation or an empty output pass the
    /// oneDNN path and fail the reference path. The checker must reject these.
    backend_dependent: bool,
}

fn fail(message: &str) -> TchError {
    TchError::Torch(message.to_string())
}

fn zeros(dims: &[i64]) -> Result<Tensor, TchError> {
    Tensor::f_zeros(dims, (Kind::Float, tch::Device::Cpu))
}

/// An input shape with `spatial` spatial dims after channels, batched or not.
fn channel_input(rng: &mut Rng, channels: i64, spatial: usize, lo: i64, hi: i64) -> Vec<i64> {
    let mut dims = Vec::new();
    if rng.chance(0.8) {
        dims.push(rng.int(1, 2));
    }
    dims.push(channels);
    dims.extend((0..spatial).map(|_| rng.int(lo, hi)));
    dims
}

fn conv(rng: &mut Rng, d: usize) -> Case {
    let groups = rng.pick(&[1, 1, 1, 2, 3]);
    let in_channels = rng.pick(&[1, 2, 3, 4, 6]);
    let out_channels = rng.pick(&[1, 2, 4, 6]);
    let kernel = rng.ints(d, 1, 5);
    let stride = if rng.chance(0.3) { vec![1; d] } else { rng.ints(d, 1, 4) };
    // Explicit padding, or "same" / "valid".
    let named = if rng.chance(0.25) { Some(rng.pick(&["same", "valid"])) } else { None };
    let padding = rng.ints(d, 0, 3);
    let dilation = rng.ints(d, 1, 3);
    let mode =
        if rng.chance(0.2) { rng.pick(&["reflect", "replicate", "circular"]) } else { "zeros" };
    let bias = rng.chance(0.7);
    let input_channels = if rng.chance(0.9) { in_channels } else { in_channels + 1 };
    let input = channel_input(rng, input_channels, d, 1, 12);
    let padding_src = named.map_or_else(|| tuple(&padding), |n| format!("\"{n}\""));
    let layer = format!(
        "Conv{d}d({in_channels}, {out_channels}, {}, stride={}, padding={padding_src}, dilation={}, groups={groups}, bias={bias}, padding_mode=\"{mode}\")",
        tuple(&kernel), tuple(&stride), tuple(&dilation)
    );
    let oracle: Oracle = Box::new(move |x| {
        // nn.ConvNd.__init__
        if in_channels % groups != 0 || out_channels % groups != 0 {
            return Err(fail("in_channels and out_channels must be divisible by groups"));
        }
        if named == Some("same") && stride.iter().any(|&s| s != 1) {
            return Err(fail("padding='same' is not supported for strided convolutions"));
        }
        let mut dims = vec![out_channels, in_channels / groups];
        dims.extend(&kernel);
        let weight = zeros(&dims)?;
        let bias_t = if bias { Some(zeros(&[out_channels])?) } else { None };
        let (s, dl) = (stride.as_slice(), dilation.as_slice());
        if named == Some("same") && mode == "zeros" {
            return match d {
                1 => x.f_conv1d_padding(&weight, bias_t.as_ref(), s, "same", dl, groups),
                2 => x.f_conv2d_padding(&weight, bias_t.as_ref(), s, "same", dl, groups),
                _ => x.f_conv3d_padding(&weight, bias_t.as_ref(), s, "same", dl, groups),
            };
        }
        // (left, right) per spatial dimension, as nn.ConvNd computes them.
        let sides: Vec<(i64, i64)> = (0..d)
            .map(|i| match named {
                Some("same") => {
                    let total = dilation[i] * (kernel[i] - 1);
                    (total / 2, total - total / 2)
                }
                Some(_) => (0, 0),
                None => (padding[i], padding[i]),
            })
            .collect();
        let (x, padding) = if mode == "zeros" {
            (x.shallow_clone(), sides.iter().map(|p| p.0).collect::<Vec<_>>())
        } else {
            // nn.ConvNd._conv_forward: F.pad with the mode, then an unpadded convolution.
            let pad: Vec<i64> = sides.iter().rev().flat_map(|&(l, r)| [l, r]).collect();
            (x.f_pad(pad.as_slice(), mode, None::<f64>)?, vec![0; d])
        };
        let p = padding.as_slice();
        match d {
            1 => x.f_conv1d(&weight, bias_t.as_ref(), s, p, dl, groups),
            2 => x.f_conv2d(&weight, bias_t.as_ref(), s, p, dl, groups),
            _ => x.f_conv3d(&weight, bias_t.as_ref(), s, p, dl, groups),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn conv_transpose(rng: &mut Rng, d: usize) -> Case {
    let groups = rng.pick(&[1, 1, 2, 3]);
    let in_channels = rng.pick(&[1, 2, 3, 4, 6]);
    let out_channels = rng.pick(&[1, 2, 4, 6]);
    let kernel = rng.ints(d, 1, 4);
    let stride = rng.ints(d, 1, 3);
    let padding = rng.ints(d, 0, 3);
    let output_padding = rng.ints(d, 0, 2);
    let dilation = rng.ints(d, 1, 2);
    let input_channels = if rng.chance(0.9) { in_channels } else { in_channels + 2 };
    let input = channel_input(rng, input_channels, d, 1, 6);
    let spatial_in = &input[input.len() - d..];
    let backend_dependent = dilation.contains(&0)
        || (0..d).any(|i| {
            (spatial_in[i] - 1) * stride[i] - 2 * padding[i]
                + dilation[i] * (kernel[i] - 1)
                + output_padding[i]
                + 1
                == 0
        });
    let layer = format!(
        "ConvTranspose{d}d({in_channels}, {out_channels}, {}, stride={}, padding={}, output_padding={}, groups={groups}, dilation={})",
        tuple(&kernel), tuple(&stride), tuple(&padding), tuple(&output_padding), tuple(&dilation)
    );
    let oracle: Oracle = Box::new(move |x| {
        if in_channels % groups != 0 || out_channels % groups != 0 {
            return Err(fail("in_channels and out_channels must be divisible by groups"));
        }
        let mut dims = vec![in_channels, out_channels / groups];
        dims.extend(&kernel);
        let weight = zeros(&dims)?;
        let b = zeros(&[out_channels])?;
        let (s, p, op, dl) =
            (stride.as_slice(), padding.as_slice(), output_padding.as_slice(), dilation.as_slice());
        match d {
            1 => x.f_conv_transpose1d(&weight, Some(&b), s, p, op, groups, dl),
            2 => x.f_conv_transpose2d(&weight, Some(&b), s, p, op, groups, dl),
            _ => x.f_conv_transpose3d(&weight, Some(&b), s, p, op, groups, dl),
        }
    });
    Case { layer, input, oracle, backend_dependent }
}

fn max_pool(rng: &mut Rng, d: usize) -> Case {
    let kernel = rng.ints(d, 1, 5);
    let stride = if rng.chance(0.3) { None } else { Some(rng.ints(d, 1, 4)) };
    let padding = rng.ints(d, 0, 2);
    let dilation = rng.ints(d, 1, 3);
    let ceil = rng.chance(0.5);
    let input = channel_input(rng, 2, d, 1, 12);
    let stride_src = stride.as_ref().map_or(String::new(), |s| format!(", stride={}", tuple(s)));
    let layer = format!(
        "MaxPool{d}d({}{stride_src}, padding={}, dilation={}, ceil_mode={ceil})",
        tuple(&kernel),
        tuple(&padding),
        tuple(&dilation)
    );
    let oracle: Oracle = Box::new(move |x| {
        let stride = stride.clone().unwrap_or_else(|| kernel.clone());
        let (k, s, p, dl) =
            (kernel.as_slice(), stride.as_slice(), padding.as_slice(), dilation.as_slice());
        match d {
            1 => x.f_max_pool1d(k, s, p, dl, ceil),
            2 => x.f_max_pool2d(k, s, p, dl, ceil),
            _ => x.f_max_pool3d(k, s, p, dl, ceil),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn avg_pool(rng: &mut Rng, d: usize) -> Case {
    let kernel = rng.ints(d, 1, 5);
    let stride = rng.ints(d, 1, 4);
    let padding = rng.ints(d, 0, 2);
    let ceil = rng.chance(0.5);
    let include = rng.chance(0.5);
    let divisor = if d > 1 && rng.chance(0.2) { Some(rng.int(1, 4)) } else { None };
    let input = channel_input(rng, 2, d, 1, 12);
    let divisor_src = divisor.map_or(String::new(), |v| format!(", divisor_override={v}"));
    let layer = format!(
        "AvgPool{d}d({}, {}, {}, ceil_mode={ceil}, count_include_pad={include}{divisor_src})",
        tuple(&kernel),
        tuple(&stride),
        tuple(&padding)
    );
    let oracle: Oracle = Box::new(move |x| {
        let (k, s, p) = (kernel.as_slice(), stride.as_slice(), padding.as_slice());
        match d {
            1 => x.f_avg_pool1d(k, s, p, ceil, include),
            2 => x.f_avg_pool2d(k, s, p, ceil, include, divisor),
            _ => x.f_avg_pool3d(k, s, p, ceil, include, divisor),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn adaptive_pool(rng: &mut Rng, d: usize, max: bool) -> Case {
    let sizes: Vec<Option<i64>> =
        (0..d).map(|_| if rng.chance(0.2) { None } else { Some(rng.int(-1, 7)) }).collect();
    // Mostly [N, C, *] or [C, *]; sometimes a rank the layer does not take.
    let rank = if rng.chance(0.85) { d + rng.int(1, 2) as usize } else { rng.pick(&[d, d + 3]) };
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 9)).collect();
    let src: Vec<String> =
        sizes.iter().map(|s| s.map_or("None".into(), |n| n.to_string())).collect();
    let arg = if d == 1 { src[0].clone() } else { format!("({})", src.join(", ")) };
    let kind = if max { "Max" } else { "Avg" };
    let layer = format!("Adaptive{kind}Pool{d}d({arg})");
    let oracle: Oracle = Box::new(move |x| {
        // nn.AdaptiveXPoolNd: None keeps the input size.
        let n = x.dim();
        let size = x.size();
        let out: Vec<i64> =
            sizes.iter().enumerate().map(|(i, s)| s.unwrap_or(size[n - d + i])).collect();
        match (max, d) {
            (false, 1) => x.f_adaptive_avg_pool1d(out.as_slice()),
            (false, 2) => x.f_adaptive_avg_pool2d(out.as_slice()),
            (false, _) => x.f_adaptive_avg_pool3d(out.as_slice()),
            (true, 1) => x.f_adaptive_max_pool1d(out.as_slice()).map(|t| t.0),
            (true, 2) => x.f_adaptive_max_pool2d(out.as_slice()).map(|t| t.0),
            (true, _) => x.f_adaptive_max_pool3d(out.as_slice()).map(|t| t.0),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn batch_norm(rng: &mut Rng, d: usize) -> Case {
    let features = rng.pick(&[1, 3, 4]);
    let channels = if rng.chance(0.85) { features } else { features + 1 };
    let rank = match d {
        1 => rng.pick(&[2, 3]),
        2 => rng.pick(&[4, 4, 4, 3]),
        _ => rng.pick(&[5, 5, 5, 4]),
    };
    let mut input = vec![2, channels];
    input.extend((2..rank).map(|_| rng.int(1, 4)));
    let affine = rng.chance(0.7);
    let layer = format!("BatchNorm{d}d({features}, affine={affine})");
    let oracle: Oracle = Box::new(move |x| {
        // _BatchNorm._check_input_dim
        let ok = match d {
            1 => x.dim() == 2 || x.dim() == 3,
            2 => x.dim() == 4,
            _ => x.dim() == 5,
        };
        if !ok {
            return Err(fail("expected a different input dim"));
        }
        let (w, b) = (zeros(&[features])?, zeros(&[features])?);
        let (mean, var) = (zeros(&[features])?, zeros(&[features])?.f_add_scalar(1.0)?);
        let (w, b) = if affine { (Some(&w), Some(&b)) } else { (None, None) };
        x.f_batch_norm(w, b, Some(&mean), Some(&var), false, 0.1, 1e-5, false)
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn linear(rng: &mut Rng) -> Case {
    let in_features = rng.int(1, 6);
    let out_features = rng.size(1, 6);
    let rank = rng.int(1, 3);
    let mut input: Vec<i64> = (0..rank - 1).map(|_| rng.int(1, 3)).collect();
    input.push(if rng.chance(0.85) { in_features } else { in_features + 1 });
    let layer = format!("Linear({in_features}, {out_features})");
    let oracle: Oracle = Box::new(move |x| {
        let w = zeros(&[out_features, in_features])?;
        let b = zeros(&[out_features])?;
        x.f_linear(&w, Some(&b))
    });
    Case { layer, input, oracle, backend_dependent: false }
}

/// `nn.MultiheadAttention` called on one tensor (self-attention), through libtorch's native
/// multi-head attention, which `forward` calls in eval mode.
fn multihead_attention(rng: &mut Rng) -> Case {
    let rank = rng.int(1, 4);
    let batch_first = rng.chance(0.5);
    let heads = rng.int(1, 4);
    let mut embed = heads * rng.int(1, 4);
    if rng.chance(0.15) {
        embed += 1;
    }
    let mut input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    if let Some(last) = input.last_mut() {
        *last = if rng.chance(0.85) { embed } else { embed + 1 };
    }
    let bias = rng.chance(0.7);
    let layer =
        format!("MultiheadAttention({embed}, {heads}, bias={bias}, batch_first={batch_first})");
    let oracle: Oracle = Box::new(move |x| {
        // The Python side: the heads divide embed_dim (an assertion in `__init__`), the query
        // is 2-D or 3-D, and its last size is embed_dim.
        if embed % heads != 0 {
            return Err(fail("embed_dim must be divisible by num_heads"));
        }
        if !matches!(x.dim(), 2 | 3) || x.size().last() != Some(&embed) {
            return Err(fail("query should be unbatched 2D or batched 3D with embed_dim features"));
        }
        let (w, pw) = (zeros(&[3 * embed, embed])?, zeros(&[embed, embed])?);
        let (b, pb) = (zeros(&[3 * embed])?, zeros(&[embed])?);
        let q = match (x.dim(), batch_first) {
            (2, _) => x.f_unsqueeze(0)?,
            (_, true) => x.shallow_clone(),
            _ => x.f_transpose(0, 1)?,
        };
        let (out, _) = Tensor::f_internal_native_multi_head_attention(
            &q,
            &q,
            &q,
            embed,
            heads,
            &w,
            &b,
            &pw,
            &pb,
            None::<Tensor>,
            false,
            true,
            None,
        )?;
        match (x.dim(), batch_first) {
            (2, _) => out.f_squeeze_dim(0),
            (_, true) => Ok(out),
            _ => out.f_transpose(0, 1),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn softmax(rng: &mut Rng, log: bool) -> Case {
    let rank = rng.int(1, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 3)).collect();
    let dim = if rng.chance(0.2) { None } else { Some(rng.int(-5, 4)) };
    let name = if log { "LogSoftmax" } else { "Softmax" };
    let layer = format!("{name}({})", dim.map_or("None".to_string(), |d| format!("dim={d}")));
    let oracle: Oracle = Box::new(move |x| {
        // nn.Softmax with dim=None uses _get_softmax_dim.
        let dim = dim.unwrap_or(if matches!(x.dim(), 0 | 1 | 3) { 0 } else { 1 });
        if log {
            x.f_log_softmax(dim, None::<Kind>)
        } else {
            x.f_softmax(dim, None::<Kind>)
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn flatten(rng: &mut Rng) -> Case {
    let rank = rng.int(1, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    let (start, end) = (rng.int(-5, 4), rng.int(-5, 4));
    let layer = format!("Flatten({start}, {end})");
    Case {
        layer,
        input,
        oracle: Box::new(move |x| x.f_flatten(start, end)),
        backend_dependent: false,
    }
}

fn layer_norm(rng: &mut Rng) -> Case {
    let rank = rng.int(1, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    let k = rng.int(1, rank) as usize;
    let mut normalized: Vec<i64> = input[input.len() - k..].to_vec();
    if rng.chance(0.2) {
        normalized[0] += 1;
    }
    let src = if normalized.len() == 1 {
        normalized[0].to_string()
    } else {
        format!("({})", normalized.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    };
    let layer = format!("LayerNorm({src})");
    let oracle: Oracle = Box::new(move |x| {
        let w = zeros(&normalized)?;
        x.f_layer_norm(normalized.as_slice(), Some(&w), Some(&w), 1e-5, false)
    });
    Case { layer, input, oracle, backend_dependent: false }
}

/// torchvision's `LayerNorm2d`: `LayerNorm` over the channels of `[N, C, H, W]`.
fn layer_norm2d(rng: &mut Rng) -> Case {
    let rank = rng.int(3, 5);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    let mut channels = input[1];
    if rng.chance(0.2) {
        channels += 1;
    }
    let layer = format!("LayerNorm2d({channels})");
    let oracle: Oracle = Box::new(move |x| {
        let w = zeros(&[channels])?;
        // LayerNorm2d.forward: x.permute(0, 2, 3, 1), layer_norm, permute(0, 3, 1, 2).
        let y = x.f_permute([0, 2, 3, 1])?;
        y.f_layer_norm([channels].as_slice(), Some(&w), Some(&w), 1e-6, false)?
            .f_permute([0, 3, 1, 2])
    });
    Case { layer, input, oracle, backend_dependent: false }
}

/// torchvision's `Permute` module.
fn permute(rng: &mut Rng) -> Case {
    let rank = rng.int(1, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    let mut dims: Vec<i64> = (0..rank).collect();
    for i in (1..dims.len()).rev() {
        let j = rng.int(0, i as i64) as usize;
        dims.swap(i, j);
    }
    if rng.chance(0.2) {
        dims[0] = -dims[0] - 1;
    }
    if rng.chance(0.15) {
        dims.push(0);
    }
    let layer = format!(
        "Permute(({},))",
        dims.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );
    let oracle: Oracle = Box::new(move |x| x.f_permute(dims.as_slice()));
    Case { layer, input, oracle, backend_dependent: false }
}

fn group_norm(rng: &mut Rng) -> Case {
    let groups = rng.pick(&[1, 2, 3, 4]);
    let channels = rng.pick(&[2, 3, 4, 6, 8]);
    let rank = rng.int(1, 4);
    let mut input: Vec<i64> = (0..rank).map(|_| rng.int(1, 3)).collect();
    if rank >= 2 {
        input[1] = if rng.chance(0.85) { channels } else { channels + 1 };
    }
    let layer = format!("GroupNorm({groups}, {channels})");
    let oracle: Oracle = Box::new(move |x| {
        if channels % groups != 0 {
            return Err(fail("num_channels must be divisible by num_groups"));
        }
        let w = zeros(&[channels])?;
        x.f_group_norm(groups, Some(&w), Some(&w), 1e-5, false)
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn instance_norm(rng: &mut Rng, d: usize) -> Case {
    let features = rng.pick(&[1, 2, 3]);
    let affine = rng.chance(0.5);
    let track = rng.chance(0.5);
    let channels = if rng.chance(0.8) { features } else { features + 1 };
    let input = channel_input(rng, channels, d, 1, 4);
    let layer =
        format!("InstanceNorm{d}d({features}, affine={affine}, track_running_stats={track})");
    let oracle: Oracle = Box::new(move |x| {
        // _InstanceNorm.forward: a channel mismatch raises only with affine parameters.
        let channel_dim = x.dim() - d - 1;
        if x.dim() != d + 1 && x.dim() != d + 2 {
            return Err(fail("wrong input dim"));
        }
        if x.size()[channel_dim] != features && affine {
            return Err(fail("expected input's size at dim to match num_features"));
        }
        // Unbatched input runs as a batch of one.
        let x = if x.dim() == d + 1 { x.f_unsqueeze(0)? } else { x.shallow_clone() };
        let w = zeros(&[features])?;
        let (mean, var) = (zeros(&[features])?, zeros(&[features])?.f_add_scalar(1.0)?);
        let (w, b) = if affine { (Some(&w), Some(&w)) } else { (None, None) };
        let (m, v) = if track { (Some(&mean), Some(&var)) } else { (None, None) };
        let y = x.f_instance_norm(w, b, m, v, !track, 0.1, 1e-5, false)?;
        if y.dim() == d + 2 && channel_dim == 0 {
            y.f_squeeze_dim(0)
        } else {
            Ok(y)
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn glu(rng: &mut Rng) -> Case {
    let rank = rng.int(0, 4) as usize;
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    let dim = rng.int(-3, 3);
    Case {
        layer: format!("GLU({dim})"),
        input,
        oracle: Box::new(move |x| x.f_glu(dim)),
        backend_dependent: false,
    }
}

fn pixel_shuffle(rng: &mut Rng) -> Case {
    let r = rng.int(1, 3);
    let rank = rng.int(2, 4);
    let mut input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    if rank >= 3 && rng.chance(0.7) {
        input[rank as usize - 3] = r * r * rng.int(1, 2);
    }
    Case {
        layer: format!("PixelShuffle({r})"),
        input,
        oracle: Box::new(move |x| x.f_pixel_shuffle(r)),
        backend_dependent: false,
    }
}

fn pixel_unshuffle(rng: &mut Rng) -> Case {
    let r = rng.int(1, 3);
    let rank = rng.int(2, 4);
    let mut input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    if rank >= 3 && rng.chance(0.7) {
        let n = input.len();
        input[n - 1] = r * rng.int(1, 3);
        input[n - 2] = r * rng.int(1, 3);
    }
    Case {
        layer: format!("PixelUnshuffle({r})"),
        input,
        oracle: Box::new(move |x| x.f_pixel_unshuffle(r)),
        backend_dependent: false,
    }
}

/// The geometry of `Unfold` and `Fold`: kernel, dilation, padding and stride, two of each.
fn block_geometry(rng: &mut Rng) -> [Vec<i64>; 4] {
    let mut pair = |lo, hi| vec![rng.int(lo, hi), rng.int(lo, hi)];
    let (kernel, dilation) = (pair(1, 3), pair(1, 2));
    [kernel, dilation, pair(0, 2), pair(1, 3)]
}

fn unfold(rng: &mut Rng) -> Case {
    let [k, d, p, s] = block_geometry(rng);
    let channels = rng.int(1, 3);
    let input = channel_input(rng, channels, 2, 1, 7);
    Case {
        layer: format!(
            "Unfold({}, dilation={}, padding={}, stride={})",
            tuple(&k),
            tuple(&d),
            tuple(&p),
            tuple(&s)
        ),
        input,
        oracle: Box::new(move |x| {
            x.f_im2col(k.as_slice(), d.as_slice(), p.as_slice(), s.as_slice())
        }),
        backend_dependent: false,
    }
}

fn fold(rng: &mut Rng) -> Case {
    let [k, d, p, s] = block_geometry(rng);
    let out: Vec<i64> = (0..2).map(|_| rng.int(1, 7)).collect();
    // The blocks that fit, as PyTorch counts them; sometimes off by one, or none.
    let along = |i: usize| (out[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1).div_euclid(s[i]) + 1;
    let mut blocks = along(0).max(0) * along(1).max(0);
    if rng.chance(0.2) {
        blocks += 1;
    }
    let mut columns = rng.int(1, 3) * k[0] * k[1];
    if rng.chance(0.15) {
        columns += 1;
    }
    let mut input = vec![columns, blocks.max(1)];
    if rng.chance(0.8) {
        input.insert(0, rng.int(1, 2));
    }
    Case {
        layer: format!(
            "Fold({}, {}, dilation={}, padding={}, stride={})",
            tuple(&out),
            tuple(&k),
            tuple(&d),
            tuple(&p),
            tuple(&s)
        ),
        input,
        oracle: Box::new(move |x| {
            x.f_col2im(out.as_slice(), k.as_slice(), d.as_slice(), p.as_slice(), s.as_slice())
        }),
        backend_dependent: false,
    }
}

fn channel_shuffle(rng: &mut Rng) -> Case {
    let groups = rng.int(1, 4);
    let rank = rng.int(2, 5);
    let mut input: Vec<i64> = (0..rank).map(|_| rng.int(1, 4)).collect();
    if rank >= 3 && rng.chance(0.7) {
        input[1] = groups * rng.int(1, 3);
    }
    Case {
        layer: format!("ChannelShuffle({groups})"),
        input,
        oracle: Box::new(move |x| x.f_channel_shuffle(groups)),
        backend_dependent: false,
    }
}

/// `ReflectionPad{d}d`, `ReplicationPad{d}d` or `CircularPad{d}d`: `F.pad` in that mode.
fn mode_pad(rng: &mut Rng, d: usize, kind: &'static str, mode: &'static str) -> Case {
    let pad: Vec<i64> = (0..2 * d).map(|_| rng.int(0, 4)).collect();
    let mut input = channel_input(rng, 2, d, 1, 5);
    if rng.chance(0.15) {
        // Too few dimensions for the padding.
        input.drain(..input.len() - d);
    }
    Case {
        layer: format!("{kind}{d}d({})", tuple(&pad)),
        input,
        oracle: Box::new(move |x| x.f_pad(pad.as_slice(), mode, None)),
        backend_dependent: false,
    }
}

/// `ZeroPad{d}d`, or `ConstantPad{d}d` with a fill value.
fn pad(rng: &mut Rng, d: usize, constant: bool) -> Case {
    let pad: Vec<i64> = (0..2 * d).map(|_| rng.int(-3, 3)).collect();
    let input = channel_input(rng, 2, d, 1, 5);
    let layer = if constant {
        format!("ConstantPad{d}d({}, 0.5)", tuple(&pad))
    } else {
        format!("ZeroPad{d}d({})", tuple(&pad))
    };
    let value = if constant { 0.5 } else { 0.0 };
    Case {
        layer,
        input,
        oracle: Box::new(move |x| x.f_pad(pad.as_slice(), "constant", Some(value))),
        backend_dependent: false,
    }
}

fn unflatten(rng: &mut Rng) -> Case {
    let rank = rng.int(1, 3);
    let input: Vec<i64> = (0..rank).map(|_| rng.pick(&[1, 2, 4, 6, 12])).collect();
    let dim = rng.int(-3, 2);
    let mut sizes: Vec<i64> = (0..rng.int(1, 3)).map(|_| rng.pick(&[1, 2, 3, 4])).collect();
    if rng.chance(0.3) {
        sizes[0] = -1;
    }
    let src = if sizes.len() == 1 {
        format!("({},)", sizes[0])
    } else {
        format!("({})", sizes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    };
    let layer = format!("Unflatten({dim}, {src})");
    Case {
        layer,
        input,
        oracle: Box::new(move |x| x.f_unflatten(dim, sizes.as_slice())),
        backend_dependent: false,
    }
}

fn embedding(rng: &mut Rng) -> Case {
    let n = rng.int(1, 6);
    let dim = rng.int(1, 4);
    let padding_idx = if rng.chance(0.3) { Some(rng.int(-8, 8)) } else { None };
    let rank = rng.int(1, 3);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 3)).collect();
    let pad_src = padding_idx.map_or(String::new(), |p| format!(", padding_idx={p}"));
    let layer = format!("Embedding({n}, {dim}{pad_src})");
    let oracle: Oracle = Box::new(move |x| {
        // nn.Embedding.__init__
        if let Some(p) = padding_idx {
            if !(-n..n).contains(&p) {
                return Err(fail("padding_idx must be within num_embeddings"));
            }
        }
        let p = padding_idx.map_or(-1, |p| if p < 0 { p + n } else { p });
        let w = zeros(&[n, dim])?;
        Tensor::f_embedding(&w, &x.f_to_kind(Kind::Int64)?, p, false, false)
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn upsample(rng: &mut Rng) -> Case {
    let rank = rng.int(3, 5) as usize;
    let spatial = rank - 2;
    let input = channel_input(rng, 2, spatial, 1, 5);
    let input = if input.len() == rank { input } else { [vec![1], input].concat() };
    let mode = rng.pick(&["nearest", "nearest", "linear", "bilinear", "bicubic", "trilinear"]);
    let by_size = rng.chance(0.5);
    let size: Vec<i64> = (0..rng.pick(&[1, spatial])).map(|_| rng.int(1, 9)).collect();
    let scale: Vec<f64> =
        (0..rng.pick(&[1, spatial])).map(|_| rng.pick(&[0.5, 1.0, 1.5, 2.0, 3.0, 0.3])).collect();
    let align = if mode != "nearest" && rng.chance(0.5) { Some(rng.chance(0.5)) } else { None };
    let arg = if by_size {
        if size.len() == 1 {
            format!("size={}", size[0])
        } else {
            format!(
                "size=({})",
                size.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            )
        }
    } else if scale.len() == 1 {
        format!("scale_factor={:?}", scale[0])
    } else {
        format!(
            "scale_factor=({})",
            scale.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
        )
    };
    let align_src = align.map_or(String::new(), |a| format!(", align_corners={a}"));
    let layer = format!("Upsample({arg}, mode=\"{mode}\"{align_src})");
    let oracle: Oracle = Box::new(move |x| {
        // F.interpolate: sizes from size, or floor(input × scale) with the scales passed on.
        let dims = x.size();
        let out: Vec<i64> = (0..spatial)
            .map(|i| {
                if by_size {
                    size[i.min(size.len() - 1)]
                } else {
                    (dims[2 + i] as f64 * scale[i.min(scale.len() - 1)]).floor() as i64
                }
            })
            .collect();
        let scales: Vec<Option<f64>> = (0..spatial)
            .map(|i| if by_size { None } else { Some(scale[i.min(scale.len() - 1)]) })
            .collect();
        let o = out.as_slice();
        let a = align.unwrap_or(false);
        match (mode, x.dim()) {
            ("nearest", 3) => x.f_upsample_nearest1d(o, scales[0]),
            ("nearest", 4) => x.f_upsample_nearest2d(o, scales[0], scales[1]),
            ("nearest", 5) => x.f_upsample_nearest3d(o, scales[0], scales[1], scales[2]),
            ("linear", 3) => x.f_upsample_linear1d(o, a, scales[0]),
            ("bilinear", 4) => x.f_upsample_bilinear2d(o, a, scales[0], scales[1]),
            ("bicubic", 4) => x.f_upsample_bicubic2d(o, a, scales[0], scales[1]),
            ("trilinear", 5) => x.f_upsample_trilinear3d(o, a, scales[0], scales[1], scales[2]),
            _ => Err(fail("mode does not match the input rank")),
        }
    });
    Case { layer, input, oracle, backend_dependent: false }
}

fn prelu(rng: &mut Rng) -> Case {
    let n = rng.pick(&[1, 1, 2, 3]);
    let rank = rng.int(1, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 3)).collect();
    let layer = format!("PReLU({n})");
    let oracle: Oracle = Box::new(move |x| x.f_prelu(&zeros(&[n])?));
    Case { layer, input, oracle, backend_dependent: false }
}

/// A layer that maps each element on its own: any input shape, the same output shape. Only
/// argument values can be wrong (a dropout probability outside [0, 1]).
fn elementwise(rng: &mut Rng, name: &'static str) -> Case {
    let rank = rng.int(0, 4);
    let input: Vec<i64> = (0..rank).map(|_| rng.int(1, 3)).collect();
    let p = rng.pick(&[0.0, 0.3, 1.0, -0.5, 1.5]);
    let slope = rng.pick(&[0.01, 0.2, -1.0]);
    let (layer, op): (String, Oracle) = match name {
        "ReLU" => ("ReLU()".into(), Box::new(|x| x.f_relu())),
        "ReLU6" => ("ReLU6()".into(), Box::new(|x| x.f_clamp(0.0, 6.0))),
        "LeakyReLU" => (format!("LeakyReLU({slope:?})"), Box::new(move |x| x.f_leaky_relu())),
        "ELU" => (format!("ELU({slope:?})"), Box::new(|x| x.f_elu())),
        "GELU" => ("GELU(approximate=\"tanh\")".into(), Box::new(|x| x.f_gelu("tanh"))),
        "SiLU" => ("SiLU()".into(), Box::new(|x| x.f_silu())),
        "Mish" => ("Mish()".into(), Box::new(|x| x.f_mish())),
        "Sigmoid" => ("Sigmoid()".into(), Box::new(|x| x.f_sigmoid())),
        "Tanh" => ("Tanh()".into(), Box::new(|x| x.f_tanh())),
        "Hardswish" => ("Hardswish()".into(), Box::new(|x| x.f_hardswish())),
        "Hardsigmoid" => ("Hardsigmoid()".into(), Box::new(|x| x.f_hardsigmoid())),
        "Identity" => ("Identity()".into(), Box::new(|x| Ok(x.shallow_clone()))),
        "Softplus" => (format!("Softplus({:?}, 5.0)", slope), Box::new(|x| x.f_softplus())),
        "Softmin" => ("Softmin(dim=-1)".into(), Box::new(|x| x.f_softmax(-1, None::<tch::Kind>))),
        "Hardtanh" => {
            // `nn.Hardtanh` asserts max_val > min_val.
            let (low, high) = rng.pick(&[(-1.0, 1.0), (0.0, 6.0), (1.0, 1.0), (2.0, -2.0)]);
            let layer = format!("Hardtanh({low:?}, {high:?})");
            let op: Oracle = if high > low {
                Box::new(move |x| x.f_clamp(low, high))
            } else {
                Box::new(|_| Err(fail("max_val must be greater than min_val")))
            };
            (layer, op)
        }
        "SELU" => ("SELU()".into(), Box::new(|x| x.f_selu())),
        "CELU" => {
            let alpha = rng.pick(&[1.0, 0.5, 0.0]);
            let op: Oracle = if alpha == 0.0 {
                Box::new(|_| Err(fail("ZeroDivisionError: alpha cannot be 0 for CELU")))
            } else {
                Box::new(|x| x.f_celu())
            };
            (format!("CELU({alpha:?})"), op)
        }
        "LogSigmoid" => ("LogSigmoid()".into(), Box::new(|x| x.f_log_sigmoid())),
        "Softsign" => ("Softsign()".into(), Box::new(|x| x.f_abs())),
        "Tanhshrink" => ("Tanhshrink()".into(), Box::new(|x| x.f_tanh())),
        "Hardshrink" => ("Hardshrink(0.3)".into(), Box::new(|x| x.f_hardshrink())),
        "Softshrink" => {
            // `F.softshrink` rejects a negative lambd.
            let lambd = rng.pick(&[0.5, 0.0, -0.5]);
            let op: Oracle = if lambd < 0.0 {
                Box::new(|_| Err(fail("lambda must be greater or equal to 0")))
            } else {
                Box::new(|x| x.f_softshrink())
            };
            (format!("Softshrink({lambd:?})"), op)
        }
        "Dropout" => (format!("Dropout({p:?})"), Box::new(move |x| x.f_dropout(p, false))),
        // torchvision.ops.stochastic_depth returns its input in evaluation.
        "StochasticDepth" => {
            (format!("StochasticDepth({p:?}, \"row\")"), Box::new(|x| Ok(x.shallow_clone())))
        }
        // Dropout1d, Dropout2d, Dropout3d: the identity in evaluation. F.dropout1d rejects
        // inputs that are not 2-D or 3-D (the others only warn).
        _ => {
            let rank_ok = move |x: &Tensor| name != "Dropout1d" || matches!(x.dim(), 2 | 3);
            let op: Oracle = Box::new(move |x| {
                if !rank_ok(x) {
                    return Err(fail("dropout1d: Expected 2D or 3D input"));
                }
                x.f_feature_dropout(p, false)
            });
            (format!("{name}({p:?})"), op)
        }
    };
    let oracle: Oracle = Box::new(move |x| {
        // nn.Dropout / nn.Dropout2d: _DropoutNd.__init__ checks the probability, and so does
        // torchvision's stochastic_depth.
        if (name.starts_with("Dropout") || name == "StochasticDepth") && !(0.0..=1.0).contains(&p) {
            return Err(fail("dropout probability has to be between 0 and 1"));
        }
        op(x)
    });
    Case { layer, input, oracle, backend_dependent: false }
}

/// Layers that accept every input shape, so that only argument values can be rejected.
const ACCEPT_EVERY_SHAPE: &[&str] = &[
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Hardswish",
    "Hardsigmoid",
    "Identity",
    "Softplus",
    "Softmin",
    "SELU",
    "LogSigmoid",
    "Softsign",
    "Tanhshrink",
    "Hardshrink",
];

/// Makes one random case of a layer.
type Generator = fn(&mut Rng) -> Case;

/// Every generator, by layer name.
fn generators() -> Vec<(&'static str, Generator)> {
    vec![
        ("Conv1d", |r| conv(r, 1)),
        ("Conv2d", |r| conv(r, 2)),
        ("Conv3d", |r| conv(r, 3)),
        ("ConvTranspose1d", |r| conv_transpose(r, 1)),
        ("ConvTranspose2d", |r| conv_transpose(r, 2)),
        ("ConvTranspose3d", |r| conv_transpose(r, 3)),
        ("MaxPool1d", |r| max_pool(r, 1)),
        ("MaxPool2d", |r| max_pool(r, 2)),
        ("MaxPool3d", |r| max_pool(r, 3)),
        ("AvgPool1d", |r| avg_pool(r, 1)),
        ("AvgPool2d", |r| avg_pool(r, 2)),
        ("AvgPool3d", |r| avg_pool(r, 3)),
        ("AdaptiveAvgPool1d", |r| adaptive_pool(r, 1, false)),
        ("AdaptiveAvgPool2d", |r| adaptive_pool(r, 2, false)),
        ("AdaptiveAvgPool3d", |r| adaptive_pool(r, 3, false)),
        ("AdaptiveMaxPool1d", |r| adaptive_pool(r, 1, true)),
        ("AdaptiveMaxPool2d", |r| adaptive_pool(r, 2, true)),
        ("AdaptiveMaxPool3d", |r| adaptive_pool(r, 3, true)),
        ("BatchNorm1d", |r| batch_norm(r, 1)),
        ("BatchNorm2d", |r| batch_norm(r, 2)),
        ("BatchNorm3d", |r| batch_norm(r, 3)),
        ("InstanceNorm1d", |r| instance_norm(r, 1)),
        ("InstanceNorm2d", |r| instance_norm(r, 2)),
        ("InstanceNorm3d", |r| instance_norm(r, 3)),
        ("LayerNorm", layer_norm),
        ("LayerNorm2d", layer_norm2d),
        ("GroupNorm", group_norm),
        ("Linear", linear),
        ("MultiheadAttention", multihead_attention),
        ("Softmax", |r| softmax(r, false)),
        ("LogSoftmax", |r| softmax(r, true)),
        ("PReLU", prelu),
        ("Flatten", flatten),
        ("Unflatten", unflatten),
        ("Upsample", upsample),
        ("Embedding", embedding),
        ("PixelShuffle", pixel_shuffle),
        ("ChannelShuffle", channel_shuffle),
        ("Permute", permute),
        ("ZeroPad1d", |r| pad(r, 1, false)),
        ("ZeroPad2d", |r| pad(r, 2, false)),
        ("ZeroPad3d", |r| pad(r, 3, false)),
        ("ConstantPad1d", |r| pad(r, 1, true)),
        ("ConstantPad2d", |r| pad(r, 2, true)),
        ("ConstantPad3d", |r| pad(r, 3, true)),
        ("ReflectionPad1d", |r| mode_pad(r, 1, "ReflectionPad", "reflect")),
        ("ReflectionPad2d", |r| mode_pad(r, 2, "ReflectionPad", "reflect")),
        ("ReflectionPad3d", |r| mode_pad(r, 3, "ReflectionPad", "reflect")),
        ("ReplicationPad1d", |r| mode_pad(r, 1, "ReplicationPad", "replicate")),
        ("ReplicationPad2d", |r| mode_pad(r, 2, "ReplicationPad", "replicate")),
        ("ReplicationPad3d", |r| mode_pad(r, 3, "ReplicationPad", "replicate")),
        ("CircularPad1d", |r| mode_pad(r, 1, "CircularPad", "circular")),
        ("CircularPad2d", |r| mode_pad(r, 2, "CircularPad", "circular")),
        ("CircularPad3d", |r| mode_pad(r, 3, "CircularPad", "circular")),
        ("PixelUnshuffle", pixel_unshuffle),
        ("Unfold", unfold),
        ("Fold", fold),
        ("ReLU", |r| elementwise(r, "ReLU")),
        ("ReLU6", |r| elementwise(r, "ReLU6")),
        ("LeakyReLU", |r| elementwise(r, "LeakyReLU")),
        ("ELU", |r| elementwise(r, "ELU")),
        ("GELU", |r| elementwise(r, "GELU")),
        ("SiLU", |r| elementwise(r, "SiLU")),
        ("Mish", |r| elementwise(r, "Mish")),
        ("Sigmoid", |r| elementwise(r, "Sigmoid")),
        ("Tanh", |r| elementwise(r, "Tanh")),
        ("Hardswish", |r| elementwise(r, "Hardswish")),
        ("Softplus", |r| elementwise(r, "Softplus")),
        ("Softmin", |r| elementwise(r, "Softmin")),
        ("Hardtanh", |r| elementwise(r, "Hardtanh")),
        ("SELU", |r| elementwise(r, "SELU")),
        ("CELU", |r| elementwise(r, "CELU")),
        ("LogSigmoid", |r| elementwise(r, "LogSigmoid")),
        ("Softsign", |r| elementwise(r, "Softsign")),
        ("Tanhshrink", |r| elementwise(r, "Tanhshrink")),
        ("Hardshrink", |r| elementwise(r, "Hardshrink")),
        ("Softshrink", |r| elementwise(r, "Softshrink")),
        ("GLU", glu),
        ("Hardsigmoid", |r| elementwise(r, "Hardsigmoid")),
        ("Identity", |r| elementwise(r, "Identity")),
        ("Dropout", |r| elementwise(r, "Dropout")),
        ("Dropout1d", |r| elementwise(r, "Dropout1d")),
        ("Dropout2d", |r| elementwise(r, "Dropout2d")),
        ("Dropout3d", |r| elementwise(r, "Dropout3d")),
        ("StochasticDepth", |r| elementwise(r, "StochasticDepth")),
    ]
}

const CASES_PER_LAYER: usize = 300;

#[test]
fn checker_agrees_with_libtorch_on_every_layer() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut backend_dependent = 0;
    for (name, generate) in generators() {
        for _ in 0..CASES_PER_LAYER {
            let case = generate(&mut rng);
            let dims = case.input.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let source = format!("model M {{\n    input x: [{dims}]\n    l = {}\n}}\n", case.layer);
            let predicted = cnnc_build::check_source("case.cnn", &source)
                .map(|models| models[0].output().known_dims().expect("all sizes are known"));
            let actual = zeros(&case.input).and_then(|x| (case.oracle)(&x)).map(|y| y.size());
            let entry = counts.entry(name).or_default();
            if case.backend_dependent {
                backend_dependent += 1;
                if predicted.is_ok() {
                    disagreements.push(format!(
                        "{} on {:?}\n  checker accepts a backend-dependent case",
                        case.layer, case.input
                    ));
                }
                continue;
            }
            match (&predicted, &actual) {
                (Ok(p), Ok(a)) if p == a => entry.0 += 1,
                (Err(_), Err(_)) => entry.1 += 1,
                _ => {
                    let checker = match &predicted {
                        Ok(shape) => format!("{shape:?}"),
                        Err(d) => d
                            .errors
                            .iter()
                            .map(|e| format!("{}: {}", e.code, e.message))
                            .collect::<Vec<_>>()
                            .join("; "),
                    };
                    let torch = match &actual {
                        Ok(shape) => format!("{shape:?}"),
                        Err(e) => e.to_string().lines().next().unwrap_or_default().to_string(),
                    };
                    disagreements.push(format!(
                        "{} on {:?}\n  checker: {checker}\n  libtorch: {torch}",
                        case.layer, case.input
                    ));
                }
            }
        }
    }
    let (mut accepted, mut rejected) = (0, 0);
    for (name, (a, r)) in &counts {
        eprintln!("{name:<20} {a:>4} accepted, {r:>4} rejected, both agreeing with libtorch");
        accepted += a;
        rejected += r;
    }
    eprintln!(
        "total: {} cases: {accepted} accepted and {rejected} rejected by both, {backend_dependent} backend-dependent (rejected by the checker), {} disagreements",
        accepted + rejected + backend_dependent + disagreements.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, the first ones:\n{}",
        disagreements.len(),
        disagreements.iter().take(400).cloned().collect::<Vec<_>>().join("\n")
    );
    // Every layer is exercised both ways: accepted and rejected combinations (layers that take
    // every shape and have no argument to get wrong can only be accepted).
    for (name, (a, r)) in &counts {
        let rejectable = !ACCEPT_EVERY_SHAPE.contains(name);
        assert!(*a > 0 && (*r > 0 || !rejectable), "{name}: {a} accepted, {r} rejected");
    }
}
