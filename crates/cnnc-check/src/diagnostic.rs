//! Checker diagnostics: a stable code, a message, a primary span, related spans where the cause
//! lives elsewhere, and a help line.

use std::fmt;

use cnnc_syntax::Span;
use miette::{Diagnostic, LabeledSpan, Severity};

/// The stable code of a diagnostic. Codes never change meaning; the diagnostics index in
/// `docs/diagnostics.md` has an example of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The source is not valid syntax.
    Parse,
    /// A name is declared twice in one scope.
    DuplicateName,
    /// A name is used but never declared.
    UndefinedName,
    /// A layer kind that the catalogue does not have.
    UnknownLayer,
    /// A keyword argument that the layer does not take.
    UnknownArgument,
    /// An argument given twice, by position and by keyword or twice by keyword.
    DuplicateArgument,
    /// A required argument that is missing.
    MissingArgument,
    /// More positional arguments than the layer takes.
    TooManyArguments,
    /// A positional argument after a keyword argument.
    ArgumentOrder,
    /// An argument of the wrong type.
    ArgumentType,
    /// An argument of the right type whose value is out of range.
    ArgumentValue,
    /// A model without exactly one `input`, or with more than one `forward`.
    ModelStructure,
    /// A constant expression of the wrong type, dividing by zero, overflowing, indexing out of
    /// range, or calling a function with arguments that do not bind.
    ConstExpr,
    /// A block whose body or use does not fit the rules for blocks.
    BlockStructure,
    /// A block that contains itself.
    Recursion,
    /// A `Linear` whose `in_features` differs from the features it receives.
    LinearIn,
    /// A layer whose input channels or features differ from what it receives.
    Channels,
    /// A spatial size that shrinks below 1.
    Collapse,
    /// `groups` that does not divide the channels.
    Groups,
    /// An input of a rank the layer does not accept.
    Rank,
    /// A run-time size where a known one is needed, one the checker cannot follow, or input sizes
    /// that fail what the layers need of them.
    SymbolicSize,
    /// A size computation that overflows 64 bits.
    Overflow,
    /// A `_` that the checker cannot infer.
    Infer,
    /// A call in `forward` with wrong arguments.
    ForwardCall,
    /// Operands of `+` or `*` whose shapes do not broadcast.
    Broadcast,
    /// Tensors that `cat` cannot join.
    Cat,
    /// A `reshape` to a different number of elements.
    Reshape,
    /// An init rule whose target does not exist.
    InitTarget,
    /// An initialiser that does not exist or does not apply to its parameter.
    Initializer,
    /// A parameter or buffer of the model that a weights file lacks.
    WeightsMissing,
    /// A tensor of a weights file that the model does not have.
    WeightsUnexpected,
    /// A tensor of a weights file whose shape differs from the model's.
    WeightsShape,
    /// A tensor of a weights file whose element type differs from the model's.
    WeightsDtype,
    /// A weights file whose names all carry a prefix the model's do not, such as `module.`.
    WeightsPrefix,
    /// A warning: a child that `forward` never calls.
    UnusedChild,
    /// A warning: a `Linear` that infers `_` from the last size of an input of four or more
    /// dimensions, which usually means a forgotten `flatten`.
    LinearLastDim,
}

impl Code {
    /// Every code, in the order of the diagnostics index.
    pub const ALL: &'static [Code] = &[
        Code::Parse,
        Code::DuplicateName,
        Code::UndefinedName,
        Code::UnknownLayer,
        Code::UnknownArgument,
        Code::DuplicateArgument,
        Code::MissingArgument,
        Code::TooManyArguments,
        Code::ArgumentOrder,
        Code::ArgumentType,
        Code::ArgumentValue,
        Code::ModelStructure,
        Code::ConstExpr,
        Code::BlockStructure,
        Code::Recursion,
        Code::LinearIn,
        Code::Channels,
        Code::Collapse,
        Code::Groups,
        Code::Rank,
        Code::SymbolicSize,
        Code::Overflow,
        Code::Infer,
        Code::ForwardCall,
        Code::Broadcast,
        Code::Cat,
        Code::Reshape,
        Code::InitTarget,
        Code::Initializer,
        Code::WeightsMissing,
        Code::WeightsUnexpected,
        Code::WeightsShape,
        Code::WeightsDtype,
        Code::WeightsPrefix,
        Code::UnusedChild,
        Code::LinearLastDim,
    ];

    /// The code as printed, such as `shape::linear_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Parse => "syntax::parse",
            Code::DuplicateName => "name::duplicate",
            Code::UndefinedName => "name::undefined",
            Code::UnknownLayer => "name::unknown_layer",
            Code::UnknownArgument => "arg::unknown",
            Code::DuplicateArgument => "arg::duplicate",
            Code::MissingArgument => "arg::missing",
            Code::TooManyArguments => "arg::too_many",
            Code::ArgumentOrder => "arg::order",
            Code::ArgumentType => "arg::type",
            Code::ArgumentValue => "arg::value",
            Code::ModelStructure => "model::structure",
            Code::ConstExpr => "const::expr",
            Code::BlockStructure => "block::structure",
            Code::Recursion => "block::recursive",
            Code::LinearIn => "shape::linear_in",
            Code::Channels => "shape::channels",
            Code::Collapse => "shape::collapse",
            Code::Groups => "shape::groups",
            Code::Rank => "shape::rank",
            Code::SymbolicSize => "shape::symbolic",
            Code::Overflow => "shape::overflow",
            Code::Infer => "shape::infer",
            Code::ForwardCall => "forward::call",
            Code::Broadcast => "shape::broadcast",
            Code::Cat => "shape::cat",
            Code::Reshape => "shape::reshape",
            Code::InitTarget => "init::target",
            Code::Initializer => "init::initializer",
            Code::WeightsMissing => "weights::missing",
            Code::WeightsUnexpected => "weights::unexpected",
            Code::WeightsShape => "weights::shape",
            Code::WeightsDtype => "weights::dtype",
            Code::WeightsPrefix => "weights::prefix",
            Code::UnusedChild => "lint::unused_child",
            Code::LinearLastDim => "lint::linear_last_dim",
        }
    }
}

impl Code {
    /// Whether diagnostics of this code are warnings, which do not stop a build, rather than
    /// errors.
    pub fn is_warning(self) -> bool {
        matches!(self, Code::UnusedChild | Code::LinearLastDim)
    }

    /// What the code means, in one sentence.
    pub fn summary(self) -> &'static str {
        match self {
            Code::Parse => "The source is not valid syntax.",
            Code::DuplicateName => "A name is declared twice in one scope.",
            Code::UndefinedName => "A name is used but never declared.",
            Code::UnknownLayer => "A layer kind that the catalogue does not have.",
            Code::UnknownArgument => "A keyword argument that the layer does not take.",
            Code::DuplicateArgument => {
                "An argument given twice, by position and by keyword or twice by keyword."
            }
            Code::MissingArgument => "A required argument that is missing.",
            Code::TooManyArguments => "More positional arguments than the layer takes.",
            Code::ArgumentOrder => "A positional argument after a keyword argument.",
            Code::ArgumentType => "An argument of the wrong type.",
            Code::ArgumentValue => "An argument of the right type whose value is out of range.",
            Code::ModelStructure => {
                "A model without exactly one `input`, or with more than one `forward`."
            }
            Code::ConstExpr => {
                "A constant expression of the wrong type, dividing by zero, overflowing, indexing out of range, or calling a function with arguments that do not bind."
            }
            Code::BlockStructure => "A block whose body or use does not fit the rules for blocks.",
            Code::Recursion => "A block that contains itself.",
            Code::LinearIn => {
                "A `Linear` whose `in_features` differs from the features it receives."
            }
            Code::Channels => {
                "A layer whose input channels or features differ from what it receives."
            }
            Code::Collapse => "A spatial size that shrinks below 1.",
            Code::Groups => "`groups` that does not divide the channels.",
            Code::Rank => "An input of a rank the layer does not accept.",
            Code::SymbolicSize => {
                "A run-time size where a known one is needed, or input sizes the layers cannot take."
            }
            Code::Overflow => "A size computation that overflows 64 bits.",
            Code::Infer => "A `_` that the checker cannot infer.",
            Code::ForwardCall => "A call in `forward` with wrong arguments.",
            Code::Broadcast => "Operands of `+` or `*` whose shapes do not broadcast.",
            Code::Cat => "Tensors that `cat` cannot join.",
            Code::Reshape => "A `reshape` to a different number of elements.",
            Code::InitTarget => "An init rule whose target does not exist.",
            Code::Initializer => {
                "An initialiser that does not exist or does not apply to its parameter."
            }
            Code::WeightsMissing => "A parameter or buffer of the model that a weights file lacks.",
            Code::WeightsUnexpected => "A tensor of a weights file that the model does not have.",
            Code::WeightsShape => {
                "A tensor of a weights file whose shape differs from the model's."
            }
            Code::WeightsDtype => {
                "A tensor of a weights file whose element type differs from the model's."
            }
            Code::WeightsPrefix => {
                "A weights file whose names all carry a prefix the model's do not, such as \
                 `module.`."
            }
            Code::UnusedChild => "A warning: a child that `forward` never calls.",
            Code::LinearLastDim => {
                "A warning: a `Linear` that infers `_` from the last size of an input of four or \
                 more dimensions, which usually means a forgotten `flatten`."
            }
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a `.cnn` source.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// The headline.
    pub message: String,
    /// Where the problem is, and what to say there.
    pub primary: (Span, String),
    /// Other places that explain the cause, such as where a shape came from.
    pub related: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
    /// Replacements of the source text that fix it, where they are certain.
    pub fixes: Vec<(Span, String)>,
}

impl Error {
    /// A new error with a primary span and label.
    pub fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Error {
            code,
            message: message.into(),
            primary: (span, label.into()),
            related: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// An error that follows from one already reported, such as a use of a constant whose
    /// definition failed: it stops the computation and is then dropped.
    pub fn follow_on(span: Span) -> Self {
        Error::new(Code::ConstExpr, "", span, "")
    }

    /// Whether this is a [`Error::follow_on`] error.
    pub fn is_follow_on(&self) -> bool {
        self.message.is_empty()
    }

    /// Adds a replacement of `span` by `text` that fixes the problem.
    pub fn with_fix(mut self, span: Span, text: impl Into<String>) -> Self {
        self.fixes.push((span, text.into()));
        self
    }

    /// Adds a related span.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.primary.0
    }

    /// Whether both report the same problem at the same place (related spans aside), as
    /// different uses of one block can.
    pub fn same_problem(&self, other: &Error) -> bool {
        self.code == other.code
            && self.primary.0 == other.primary.0
            && self.message == other.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.code.is_warning() { Severity::Warning } else { Severity::Error })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, label) = &self.primary;
        let primary = LabeledSpan::new_primary_with_span(Some(label.clone()), *span);
        let related = self
            .related
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

impl From<cnnc_syntax::SyntaxError> for Error {
    fn from(e: cnnc_syntax::SyntaxError) -> Self {
        let mut error = Error::new(Code::Parse, e.message, e.span, e.label);
        error.help = e.help;
        error.fixes.extend(e.fix.map(|fix| *fix));
        error
    }
}
