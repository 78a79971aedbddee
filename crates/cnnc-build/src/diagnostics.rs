//! Rendering checker errors for people (rustc-like text) and for tools (JSON).

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};

use crate::Error;

/// How to render diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text with Unicode art and colours, for terminals.
    Fancy,
    /// Text with Unicode art and no colours, for logs and snapshots.
    Plain,
    /// One JSON object per line.
    Json,
}

/// The errors of one source text, together with that text.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    name: String,
    source: String,
    /// The errors, in the order they were found.
    pub errors: Vec<Error>,
}

impl Diagnostics {
    /// Errors of the source text `source`, shown under the file name `name`.
    pub fn new(name: &str, source: &str, errors: Vec<Error>) -> Self {
        Diagnostics { name: name.to_string(), source: source.to_string(), errors }
    }

    /// Renders every error.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.errors.iter().map(|e| self.json(e) + "\n").collect(),
            Format::Fancy | Format::Plain => {
                let theme = if format == Format::Fancy {
                    GraphicalTheme::unicode()
                } else {
                    GraphicalTheme::unicode_nocolor()
                };
                let handler =
                    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
                let mut out = String::new();
                for error in &self.errors {
                    let report = miette::Report::new(error.clone())
                        .with_source_code(NamedSource::new(&self.name, self.source.clone()));
                    handler
                        .render_report(&mut out, report.as_ref())
                        .expect("writing to a String cannot fail");
                    out.push('\n');
                }
                let count = self.errors.len();
                out.push_str(&format!(
                    "error: could not compile `{}` due to {count} previous error{}\n",
                    self.name,
                    if count == 1 { "" } else { "s" }
                ));
                out
            }
        }
    }

    fn json(&self, error: &Error) -> String {
        let span = |(span, label): &(cnnc_syntax::Span, String)| {
            let (line, column) = self.line_column(span.start);
            serde_json::json!({
                "start": span.start,
                "end": span.end,
                "line": line,
                "column": column,
                "label": label,
            })
        };
        serde_json::json!({
            "file": self.name,
            "code": error.code.as_str(),
            "severity": "error",
            "message": error.message,
            "primary": span(&error.primary),
            "related": error.related.iter().map(span).collect::<Vec<_>>(),
            "help": error.help,
        })
        .to_string()
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.source[..offset.min(self.source.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Format::Plain))
    }
}

impl std::error::Error for Diagnostics {}
