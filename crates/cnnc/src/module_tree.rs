//! PyTorch-style introspection of a tree of modules.
//!
//! A module reports its class name, its direct children and its own parameters and buffers;
//! the provided methods walk the tree and build the dotted names PyTorch uses
//! (`features.0.weight`, `bn1.running_mean`, ...), in PyTorch's order.
use tch::Tensor;

/// Upcasts to a `&dyn ModuleTree`; implemented for every sized [`ModuleTree`].
pub trait AsModuleTree {
    /// This module as a trait object.
    fn as_module_tree(&self) -> &dyn ModuleTree;
}

impl<T: ModuleTree> AsModuleTree for T {
    fn as_module_tree(&self) -> &dyn ModuleTree {
        self
    }
}

/// A module that exposes its sub-modules, parameters and buffers like a `torch.nn.Module`.
///
/// Implementors provide [`kind`](ModuleTree::kind) and whichever of
/// [`children`](ModuleTree::children), [`local_parameters`](ModuleTree::local_parameters) and
/// [`local_buffers`](ModuleTree::local_buffers) apply; the remaining methods are provided.
/// All methods are available on `dyn ModuleTree` too.
///
/// # Example
///
/// ```
/// use cnnc::nn::{BatchNorm2d, BatchNormConfig, Conv2d, Conv2dConfig, ReLU, Sequential};
/// use cnnc::ModuleTree;
///
/// let vs = tch::nn::VarStore::new(tch::Device::Cpu);
/// let root = vs.root();
/// let mut block = Sequential::new();
/// block.push(Conv2d::new(&root / "0", 3, 8, [3, 3], Conv2dConfig::default()));
/// block.push(BatchNorm2d::new(&root / "1", 8, BatchNormConfig::default()));
/// block.push(ReLU { inplace: true });
///
/// let names: Vec<String> = block.state_dict().into_iter().map(|(name, _)| name).collect();
/// assert_eq!(names[..3], ["0.weight", "0.bias", "1.weight"]);
/// assert_eq!(names.last().map(String::as_str), Some("1.num_batches_tracked"));
/// let kinds: Vec<&str> = block.named_modules().into_iter().map(|(_, m)| m.kind()).collect();
/// assert_eq!(kinds, ["Sequential", "Conv2d", "BatchNorm2d", "ReLU"]);
/// ```
pub trait ModuleTree: AsModuleTree {
    /// PyTorch class name: `"Conv2d"`, `"Sequential"`, or the model's name.
    fn kind(&self) -> &'static str;

    /// Direct children in registration order.
    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        Vec::new()
    }

    /// This module's own parameters, in registration order (weight before bias).
    fn local_parameters(&self) -> Vec<(&'static str, &Tensor)> {
        Vec::new()
    }

    /// This module's own buffers, in registration order.
    fn local_buffers(&self) -> Vec<(&'static str, &Tensor)> {
        Vec::new()
    }

    /// The parameter registered under `name`, like `Module.get_parameter`.
    ///
    /// A plain name (`"weight"`) is looked up among this module's own parameters; a dotted name
    /// (`"conv1.weight"`) is looked up in the named child.
    fn parameter(&self, name: &str) -> Option<&Tensor> {
        match name.split_once('.') {
            None => self.local_parameters().into_iter().find(|(n, _)| *n == name).map(|(_, t)| t),
            Some((child, rest)) => {
                let (_, child) = self.children().into_iter().find(|(n, _)| *n == child)?;
                child.parameter(rest)
            }
        }
    }

    /// Direct children with owned names, like `Module.named_children`.
    fn named_children(&self) -> Vec<(String, &dyn ModuleTree)> {
        self.children().into_iter().map(|(n, m)| (n.to_string(), m)).collect()
    }

    /// All modules in prefix order, this one first under the name `""`, like
    /// `Module.named_modules`.
    fn named_modules(&self) -> Vec<(String, &dyn ModuleTree)> {
        walk::named_modules(self.as_module_tree())
    }

    /// All parameters with their dotted names, like `Module.named_parameters`.
    fn named_parameters(&self) -> Vec<(String, &Tensor)> {
        walk::named_parameters(self.as_module_tree())
    }

    /// All buffers with their dotted names, like `Module.named_buffers`.
    fn named_buffers(&self) -> Vec<(String, &Tensor)> {
        walk::named_buffers(self.as_module_tree())
    }

    /// Parameters and buffers in `Module.state_dict` order: for each module in
    /// [`named_modules`](ModuleTree::named_modules) order, its parameters then its buffers.
    fn state_dict(&self) -> Vec<(String, &Tensor)> {
        walk::state_dict(self.as_module_tree())
    }

    /// Total number of elements over all parameters.
    fn num_parameters(&self) -> i64 {
        walk::num_parameters(self.as_module_tree())
    }
}

/// The tree walks behind the provided methods.
mod walk {
    use super::ModuleTree;
    use tch::Tensor;

    pub(super) fn named_modules(module: &dyn ModuleTree) -> Vec<(String, &dyn ModuleTree)> {
        let mut out = Vec::new();
        collect_modules(module, String::new(), &mut out);
        out
    }

    pub(super) fn named_parameters(module: &dyn ModuleTree) -> Vec<(String, &Tensor)> {
        collect_tensors(module, |m| m.local_parameters())
    }

    pub(super) fn named_buffers(module: &dyn ModuleTree) -> Vec<(String, &Tensor)> {
        collect_tensors(module, |m| m.local_buffers())
    }

    pub(super) fn state_dict(module: &dyn ModuleTree) -> Vec<(String, &Tensor)> {
        collect_tensors(module, |m| {
            let mut tensors = m.local_parameters();
            tensors.extend(m.local_buffers());
            tensors
        })
    }

    pub(super) fn num_parameters(module: &dyn ModuleTree) -> i64 {
        named_parameters(module).iter().map(|(_, t)| t.numel() as i64).sum()
    }

    fn collect_tensors<'a>(
        module: &'a dyn ModuleTree,
        local: impl Fn(&'a dyn ModuleTree) -> Vec<(&'static str, &'a Tensor)>,
    ) -> Vec<(String, &'a Tensor)> {
        named_modules(module)
            .into_iter()
            .flat_map(|(prefix, m)| local(m).into_iter().map(move |(n, t)| (join(&prefix, n), t)))
            .collect()
    }

    fn collect_modules<'a>(
        module: &'a dyn ModuleTree,
        prefix: String,
        out: &mut Vec<(String, &'a dyn ModuleTree)>,
    ) {
        let children = module.children();
        out.push((prefix.clone(), module));
        for (name, child) in children {
            collect_modules(child, join(&prefix, name), out);
        }
    }

    fn join(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    }
}
