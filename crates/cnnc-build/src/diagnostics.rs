//! Rendering checker errors for people (rustc-like text, or one line each) and for tools
//! (JSON, one object per line, in the versioned schema of docs/json-diagnostics.md).

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
    /// One JSON object per line (see [`JSON_SCHEMA`]).
    Json,
    /// One line per diagnostic, as compilers print: `file:line:col: error[code]: message`.
    Short,
}

/// The name and version of the JSON diagnostics schema, the `schema` field of every object.
pub const JSON_SCHEMA: &str = "cnnc-diagnostic/1";

/// The errors of one source text, together with that text.
#[derive(Clone)]
pub struct Diagnostics {
    name: String,
    source: String,
    /// The errors, in the order they were found.
    pub errors: Vec<Error>,
}

impl Diagnostics {
    /// The warnings of checked models, with the source text they were checked from.
    pub fn warnings(name: &str, source: &str, models: &[crate::ir::Model]) -> Self {
        let warnings = models.iter().flat_map(|m| m.warnings.iter().cloned()).collect();
        Self::new(name, source, warnings)
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Errors of the source text `source`, shown under the file name `name`.
    pub fn new(name: &str, source: &str, errors: Vec<Error>) -> Self {
        Diagnostics { name: name.to_string(), source: source.to_string(), errors }
    }

    /// Renders every error.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.errors.iter().map(|e| self.json(e) + "\n").collect(),
            Format::Short => self.errors.iter().map(|e| self.short(e) + "\n").collect(),
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
                let warnings = self.errors.iter().filter(|e| e.code.is_warning()).count();
                let errors = self.errors.len() - warnings;
                let plural = |n: usize| if n == 1 { "" } else { "s" };
                if errors > 0 {
                    out.push_str(&format!(
                        "error: could not compile `{}` due to {errors} previous error{}\n",
                        self.name,
                        plural(errors)
                    ));
                } else if warnings > 0 {
                    out.push_str(&format!(
                        "warning: `{}` generated {warnings} warning{}\n",
                        self.name,
                        plural(warnings)
                    ));
                }
                out
            }
        }
    }

    fn json(&self, error: &Error) -> String {
        let span = |(span, label): &(cnnc_syntax::Span, String)| {
            let range = span.range();
            let (start, end) = (self.position(range.start), self.position(range.end));
            serde_json::json!({
                "start": span.start,
                "end": span.end,
                "line": start.line,
                "column": start.column,
                "column_utf16": start.column_utf16,
                "end_line": end.line,
                "end_column": end.column,
                "end_column_utf16": end.column_utf16,
                "label": label,
            })
        };
        serde_json::json!({
            "schema": JSON_SCHEMA,
            "file": self.name,
            "code": error.code.as_str(),
            "severity": severity(error),
            "message": error.message,
            "primary": span(&error.primary),
            "related": error.related.iter().map(span).collect::<Vec<_>>(),
            "help": error.help,
            "fixes": error.fixes.iter().map(|(at, text)| {
                let mut fix = span(&(*at, String::new()));
                fix["replacement"] = serde_json::Value::from(text.as_str());
                if let Some(object) = fix.as_object_mut() {
                    object.remove("label");
                }
                fix
            }).collect::<Vec<_>>(),
        })
        .to_string()
    }

    fn short(&self, error: &Error) -> String {
        let at = self.position(error.primary.0.range().start);
        format!(
            "{}:{}:{}: {}[{}]: {}",
            self.name,
            at.line,
            at.column,
            severity(error),
            error.code.as_str(),
            error.message
        )
    }

    /// The 1-based line and column of a byte offset, the column counted in characters and in
    /// UTF-16 code units (as the Language Server Protocol counts).
    fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let text = &before[line_start..];
        Position {
            line: before.matches('\n').count() + 1,
            column: text.chars().count() + 1,
            column_utf16: text.encode_utf16().count() + 1,
        }
    }
}

/// `"warning"` or `"error"`.
fn severity(error: &Error) -> &'static str {
    if error.code.is_warning() {
        "warning"
    } else {
        "error"
    }
}

/// A place in the source text.
struct Position {
    line: usize,
    column: usize,
    column_utf16: usize,
}

impl fmt::Debug for Diagnostics {
    /// The file name and the errors; the source text is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnostics")
            .field("name", &self.name)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

/// An error reading or writing a file, rendered in `format`; `path` is shown as given.
pub fn render_io_error(path: &std::path::Path, error: &std::io::Error, format: Format) -> String {
    let path = path.display();
    match format {
        Format::Json => {
            let value = serde_json::json!({
                "schema": JSON_SCHEMA,
                "file": path.to_string(),
                "code": "io",
                "severity": "error",
                "message": error.to_string(),
                "primary": null,
                "related": [],
                "help": null,
                "fixes": [],
            });
            format!("{value}\n")
        }
        Format::Short => format!("{path}: error[io]: {error}\n"),
        Format::Fancy | Format::Plain => format!("error: {path}: {error}\n"),
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Format::Plain))
    }
}

impl std::error::Error for Diagnostics {}
