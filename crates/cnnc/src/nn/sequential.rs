//! A container of modules that run in order, built at run time.
use std::fmt;
use std::ops::Range;

use tch::nn::ModuleT;
use tch::Tensor;

use crate::ModuleTree;

/// A module of a [`Sequential`]: any tch module with PyTorch-style introspection.
pub trait Layer: ModuleT + ModuleTree {}

impl<T: ModuleT + ModuleTree> Layer for T {}

/// Modules that run in order, named `0`, `1`, ... like `torch.nn.Sequential`.
///
/// Generated code uses it inside blocks, where conditions and loops decide the entries.
#[derive(Default)]
pub struct Sequential {
    names: Vec<String>,
    layers: Vec<Box<dyn Layer>>,
}

impl Sequential {
    /// An empty `Sequential`, which passes its input through.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a module under the next index.
    pub fn push(&mut self, layer: impl Layer + 'static) {
        self.names.push(self.layers.len().to_string());
        self.layers.push(Box::new(layer));
    }

    /// Appends a module under `name`, like `Sequential(OrderedDict(...))`.
    pub fn push_named(&mut self, name: &str, layer: impl Layer + 'static) {
        self.names.push(name.to_string());
        self.layers.push(Box::new(layer));
    }

    /// The number of modules.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// The module named `name` (`"0"`, or a name given with [`Self::push_named`]), for a
    /// forward that calls one entry on its own (`convs.0(x)` in a `.cnn` file).
    ///
    /// # Panics
    ///
    /// If there is no such entry.
    pub fn entry(&self, name: &str) -> &dyn Layer {
        match self.names.iter().position(|n| n == name) {
            Some(at) => self.layers[at].as_ref(),
            None => {
                panic!("this Sequential has no entry `{name}`; its entries are {:?}", self.names)
            }
        }
    }

    /// Runs the entries `range` in order, like PyTorch's `seq[start:end](x)` (`features[0..5](x)`
    /// in a `.cnn` file).
    ///
    /// # Panics
    ///
    /// If the range goes past the entries.
    pub fn forward_range_t(&self, xs: &Tensor, range: Range<usize>, train: bool) -> Tensor {
        let layers = &self.layers[range];
        match layers.split_first() {
            None => xs.shallow_clone(),
            Some((first, rest)) => {
                rest.iter().fold(first.forward_t(xs, train), |x, layer| layer.forward_t(&x, train))
            }
        }
    }

    /// Whether there are no modules.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

impl fmt::Debug for Sequential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.layers.iter().map(|l| l.kind())).finish()
    }
}

impl ModuleT for Sequential {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        self.forward_range_t(xs, 0..self.layers.len(), train)
    }
}

impl ModuleTree for Sequential {
    fn kind(&self) -> &'static str {
        "Sequential"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.layers.iter().map(|l| l.as_module_tree()))
            .collect()
    }
}

/// Modules that a forward calls one at a time, numbered `0`, `1`, ... like
/// `torch.nn.ModuleList`.
///
/// Generated code uses it for a `ModuleList { ... }` inside a block. Like PyTorch's, it has no
/// forward of its own: its entries are called by [`Self::entry`] (`convs.0(x)` in a `.cnn`
/// file).
#[derive(Debug, Default)]
pub struct ModuleList(Sequential);

impl ModuleList {
    /// An empty `ModuleList`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a module under the next index.
    pub fn push(&mut self, layer: impl Layer + 'static) {
        self.0.push(layer);
    }

    /// The number of modules.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no modules.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The module numbered `name` (`"0"`).
    ///
    /// # Panics
    ///
    /// If there is no such entry.
    pub fn entry(&self, name: &str) -> &dyn Layer {
        self.0.entry(name)
    }

    /// Runs the entries `range` in order (`convs[0..2](x)` in a `.cnn` file).
    ///
    /// # Panics
    ///
    /// If the range goes past the entries.
    pub fn forward_range_t(&self, xs: &Tensor, range: Range<usize>, train: bool) -> Tensor {
        self.0.forward_range_t(xs, range, train)
    }
}

/// A `ModuleList` may be an entry of a [`Sequential`], as in PyTorch, but is never run as one.
impl ModuleT for ModuleList {
    /// # Panics
    ///
    /// Always, as PyTorch's `ModuleList.forward` raises: the checker rejects a `.cnn` file that
    /// runs a `ModuleList` as a whole.
    fn forward_t(&self, _xs: &Tensor, _train: bool) -> Tensor {
        panic!("a ModuleList does not run its entries in order; call them one by one")
    }
}

impl ModuleTree for ModuleList {
    fn kind(&self) -> &'static str {
        "ModuleList"
    }

    fn children(&self) -> Vec<(&str, &dyn ModuleTree)> {
        self.0.children()
    }
}
