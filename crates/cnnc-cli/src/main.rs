//! `cnnc`: checks `.cnn` network definitions and compiles them to tch-rs code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cnnc_build::{CompileError, Format};

#[derive(Parser)]
#[command(name = "cnnc", version, about = "Compile .cnn network definitions to tch-rs code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticFormat::Auto)]
    format: DiagnosticFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Check a file and print every layer with its output shape and parameter count.
    Check {
        /// The `.cnn` file.
        file: PathBuf,
    },
    /// Explain an error code, such as `shape::linear_in`, with an example.
    Explain {
        /// The code.
        code: String,
    },
    /// Compile a file to Rust. Nothing is written when the file has errors.
    Build {
        /// The `.cnn` file.
        file: PathBuf,
        /// The output file; standard output when absent or `-`.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DiagnosticFormat {
    /// Colours when standard error is a terminal and NO_COLOR is unset.
    Auto,
    /// Colours.
    Fancy,
    /// No colours.
    Plain,
    /// One JSON object per diagnostic, one per line (schema: docs/json-diagnostics.md).
    Json,
    /// One line per diagnostic: `file:line:col: error[code]: message`.
    Short,
}

impl DiagnosticFormat {
    fn resolve(self) -> Format {
        match self {
            DiagnosticFormat::Auto
                if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
            {
                Format::Fancy
            }
            DiagnosticFormat::Auto | DiagnosticFormat::Plain => Format::Plain,
            DiagnosticFormat::Fancy => Format::Fancy,
            DiagnosticFormat::Json => Format::Json,
            DiagnosticFormat::Short => Format::Short,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.format.resolve();
    let result = match &cli.command {
        Command::Check { file } => check(file),
        Command::Build { file, output } => build(file, output.as_deref()),
        Command::Explain { code } => return explain(code),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let text = match error {
                CompileError::Source(diagnostics) => diagnostics.render(format),
                CompileError::Io { path, error } => {
                    cnnc_build::render_io_error(&path, &error, format)
                }
            };
            let _ = std::io::stderr().write_all(text.as_bytes());
            ExitCode::FAILURE
        }
    }
}

fn check(file: &Path) -> Result<(), CompileError> {
    let models = cnnc_build::check_file(file)?;
    let text: Vec<String> = models.iter().map(cnnc_build::summary).collect();
    print(&text.join("\n"));
    Ok(())
}

fn build(file: &Path, output: Option<&Path>) -> Result<(), CompileError> {
    let compiled = cnnc_build::compile_file(file)?;
    match output.filter(|path| *path != Path::new("-")) {
        Some(path) => cnnc_build::write_atomically(path, &compiled.code)
            .map_err(|error| CompileError::Io { path: path.to_path_buf(), error }),
        None => {
            print(&compiled.code);
            Ok(())
        }
    }
}

/// The diagnostics index: a section per code, each with an example.
const INDEX: &str = include_str!("../../../docs/diagnostics.md");

/// Prints the section of the diagnostics index about `code`.
fn explain(code: &str) -> ExitCode {
    let heading = format!("## {code}\n");
    let Some(start) = INDEX.find(&heading) else {
        let codes: Vec<&str> = INDEX.lines().filter_map(|line| line.strip_prefix("## ")).collect();
        let _ = std::io::stderr().write_all(
            format!(
                "error: no diagnostic has the code `{code}`; the codes are {}\n",
                codes.join(", ")
            )
            .as_bytes(),
        );
        return ExitCode::FAILURE;
    };
    let section = &INDEX[start..];
    let end =
        section[heading.len()..].find("\n## ").map_or(section.len(), |i| i + heading.len() + 1);
    print(&section[..end]);
    ExitCode::SUCCESS
}

/// Prints to standard output, ignoring a closed pipe (`cnnc check net.cnn | head`).
fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}
