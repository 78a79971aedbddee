//! Parser for the cnnc network language.
//!
//! [`parse`] turns the text of a `.cnn` file into a [`File`] syntax tree whose every node carries
//! its [`Span`]. The grammar lives in `grammar/cnnc.pest` at the repository root.

pub mod ast;
mod format;
mod habits;
mod parser;

pub use ast::*;
pub use format::format;
pub use habits::suggest;
pub use parser::{parse, SyntaxError, MAX_CHAIN, MAX_ELSE_IFS, MAX_NESTING};
