//! `cnnc`: checks `.cnn` network definitions and compiles them to tch-rs code.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use cnnc_build::{CompileError, Format, SummaryOptions};

#[derive(Parser)]
#[command(
    name = "cnnc",
    version,
    about = "Compile .cnn network definitions to tch-rs code",
    after_help = "Exit status: 0 on success, 1 when a source has errors, 2 for a wrong command \
                  line, 3 when a file cannot be read or written. A file named `-` is standard \
                  input (or output, for -o)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
    /// When human-readable diagnostics use colours.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// `--deny warnings` makes warnings fail like errors: exit status 1, nothing written.
    #[arg(long, global = true, value_enum)]
    deny: Option<Deny>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Every warning.
    Warnings,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and print every layer with its output shape and parameter count.
    Check {
        /// The `.cnn` files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only the model of this name.
        #[arg(long)]
        model: Option<String>,
        /// Fold the rows of modules nested deeper than this into their ancestor
        /// (`layer1.conv1` is at depth 2).
        #[arg(long)]
        depth: Option<usize>,
        /// The batch size of the memory estimate.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..))]
        batch: i64,
        /// Check at these input sizes, the whole shape of a named input: `x=1,3,512,512`.
        /// They must fit the declared input and what its layers need of its run-time sizes.
        #[arg(long = "input", value_name = "NAME=SIZES", value_parser = input_sizes)]
        inputs: Vec<(String, Vec<i64>)>,
    },
    /// Compile files to Rust (or PyTorch). Nothing is written for a file with errors.
    Build {
        /// The `.cnn` files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What to generate: tch-rs modules, or PyTorch `nn.Module` classes.
        #[arg(long, value_enum, default_value_t = Target::Rust)]
        target: Target,
        /// The output file, for one input; standard output when absent or `-`.
        #[arg(short, long, conflicts_with = "out_dir")]
        output: Option<PathBuf>,
        /// A folder to write `<file stem>.rs` into, one per input.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Check a safetensors weights file against a model: missing, unexpected, mis-shaped and
    /// mistyped tensors. Only the file's header is read.
    Weights {
        /// The `.cnn` file; `-` reads standard input.
        file: PathBuf,
        /// The `.safetensors` file.
        weights: PathBuf,
        /// The model to check, for a file with several.
        #[arg(long)]
        model: Option<String>,
    },
    /// Draw a model's forward pass, with the shape of every value: SVG for an `-o` ending in
    /// `.svg` (laid out by Graphviz's `dot`), Graphviz DOT otherwise.
    Graph {
        /// The `.cnn` file; `-` reads standard input.
        file: PathBuf,
        /// The model to draw, for a file with several.
        #[arg(long)]
        model: Option<String>,
        /// Draw `Sequential`s nested deeper than this as one node.
        #[arg(long, default_value_t = 2)]
        depth: usize,
        /// The output file; standard output when absent or `-`.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Lay files out canonically, keeping line breaks and comments; `-` formats standard input to
    /// standard output.
    Fmt {
        /// The `.cnn` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write nothing; list the files that are not formatted and exit with status 1.
        #[arg(long)]
        check: bool,
    },
    /// Explain an error code, such as `shape::linear_in`, with an example.
    Explain {
        /// The code.
        code: String,
    },
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiagnosticFormat {
    /// Drawn as rustc draws errors.
    Human,
    /// One JSON object per diagnostic, one per line (schema: docs/json-diagnostics.md).
    Json,
    /// One line per diagnostic: `file:line:col: error[code]: message`.
    Short,
    /// `human` with colours (`--color always`).
    #[value(hide = true)]
    Fancy,
    /// `human` without colours (`--color never`).
    #[value(hide = true)]
    Plain,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// tch-rs modules (`.rs`).
    Rust,
    /// PyTorch `nn.Module` classes (`.py`), with the same `state_dict` and forward.
    Pytorch,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    /// Colours when standard error is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colours.
    Always,
    /// Never colours.
    Never,
}

impl Cli {
    /// The format diagnostics are rendered in.
    fn diagnostics(&self) -> Format {
        let colours = match (self.format, self.color) {
            (DiagnosticFormat::Json, _) => return Format::Json,
            (DiagnosticFormat::Short, _) => return Format::Short,
            (DiagnosticFormat::Fancy, _) | (_, Color::Always) => true,
            (DiagnosticFormat::Plain, _) | (_, Color::Never) => false,
            (DiagnosticFormat::Human, Color::Auto) => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        if colours {
            Format::Fancy
        } else {
            Format::Plain
        }
    }
}

/// Exit status for a source with errors.
const SOURCE_ERRORS: u8 = 1;
/// Exit status for a wrong command line.
const USAGE: u8 = 2;
/// Exit status for a file that cannot be read or written.
const IO_ERROR: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.diagnostics();
    let lints = Lints { format, deny: cli.deny == Some(Deny::Warnings) };
    let errors = match &cli.command {
        Command::Check { files, model, depth, batch, inputs } => {
            let table = Table {
                model: model.as_deref(),
                options: SummaryOptions { depth: *depth, batch: *batch },
                json: cli.format == DiagnosticFormat::Json,
            };
            files.iter().map(|file| check(file, &table, inputs, lints)).collect()
        }
        Command::Build { files, target, output, out_dir } => {
            if files.len() > 1 && out_dir.is_none() {
                eprintln!("error: several files need --out-dir, to write one output file each");
                return ExitCode::from(USAGE);
            }
            let (output, out_dir) = (output.as_deref(), out_dir.as_deref());
            files.iter().map(|file| build(file, *target, output, out_dir, lints)).collect()
        }
        Command::Weights { file, weights: path, model } => {
            vec![weights(file, path, model.as_deref(), lints)]
        }
        Command::Graph { file, model, depth, output } => {
            vec![graph(file, model.as_deref(), *depth, output.as_deref(), lints)]
        }
        Command::Fmt { files, check } => {
            let results: Vec<Result<bool, CompileError>> =
                files.iter().map(|file| fmt(file, *check)).collect();
            let unformatted = results.iter().any(|r| matches!(r, Ok(false)));
            let status = report(results.into_iter().map(|r| r.map(|_| ())).collect(), format);
            if status == ExitCode::SUCCESS && unformatted {
                return ExitCode::from(SOURCE_ERRORS);
            }
            return status;
        }
        Command::Explain { code } => return explain(code),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "cnnc", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
    };
    report(errors, format)
}

/// Prints the errors of each file and returns the exit status: I/O errors outrank source errors.
fn report(results: Vec<Result<(), CompileError>>, format: Format) -> ExitCode {
    let mut status = 0;
    for error in results.into_iter().filter_map(Result::err) {
        let text = match error {
            CompileError::Source(diagnostics) => {
                status = status.max(SOURCE_ERRORS);
                diagnostics.render(format)
            }
            CompileError::Io { path, error } => {
                status = status.max(IO_ERROR);
                cnnc_build::render_io_error(&path, &error, format)
            }
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    ExitCode::from(status)
}

/// How warnings are printed, and whether they fail.
#[derive(Clone, Copy)]
struct Lints {
    format: Format,
    deny: bool,
}

/// A source file: the name diagnostics show, and its text.
fn read(file: &Path) -> Result<(String, String), CompileError> {
    Ok(if is_stdio(file) {
        (STDIN.to_string(), read_stdin()?)
    } else {
        (file.display().to_string(), cnnc_build::read_source(file)?)
    })
}

/// A checked source file.
struct Checked {
    models: Vec<cnnc_build::ir::Model>,
    /// The name diagnostics show.
    shown: String,
    /// The text.
    source: String,
    /// The file name the header of generated code shows.
    header_name: String,
}

/// Reads and checks a file (`-`: standard input) and prints its warnings; warnings are errors
/// under `--deny warnings`.
fn checked(file: &Path, lints: Lints) -> Result<Checked, CompileError> {
    let (shown, source) = read(file)?;
    let models = cnnc_build::check_source(&shown, &source).map_err(CompileError::Source)?;
    let warnings = cnnc_build::Diagnostics::warnings(&shown, &source, &models);
    if !warnings.is_empty() {
        if lints.deny {
            return Err(CompileError::Source(warnings));
        }
        let _ = std::io::stderr().write_all(warnings.render(lints.format).as_bytes());
    }
    let header_name = if is_stdio(file) { shown.clone() } else { cnnc_build::file_name(file) };
    Ok(Checked { models, shown, source, header_name })
}

/// `x=1,3,512,512`: an input's name and its sizes.
fn input_sizes(text: &str) -> Result<(String, Vec<i64>), String> {
    let (name, sizes) = text.split_once('=').ok_or("expected NAME=SIZES, such as x=1,3,512,512")?;
    let sizes = sizes
        .split(',')
        .map(|s| s.trim().parse::<i64>().ok().filter(|&n| n >= 1))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| format!("`{sizes}` is not a list of positive sizes, such as 1,3,512,512"))?;
    Ok((name.trim().to_string(), sizes))
}

/// Whether `path` stands for standard input or output.
fn is_stdio(path: &Path) -> bool {
    path == Path::new("-")
}

/// The name diagnostics show for standard input.
const STDIN: &str = "<stdin>";

fn read_stdin() -> Result<String, CompileError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| CompileError::Io { path: PathBuf::from(STDIN), error })?;
    Ok(text)
}

/// What `check` prints.
struct Table<'a> {
    /// Only the model of this name.
    model: Option<&'a str>,
    options: SummaryOptions,
    /// One JSON object per model instead of a table.
    json: bool,
}

fn check(
    file: &Path,
    table: &Table,
    inputs: &[(String, Vec<i64>)],
    lints: Lints,
) -> Result<(), CompileError> {
    let checked = if inputs.is_empty() {
        checked(file, lints)?
    } else {
        let (shown, source) = read(file)?;
        let models =
            cnnc_build::check_source_at(&shown, &source, inputs).map_err(CompileError::Source)?;
        Checked { models, header_name: shown.clone(), shown, source }
    };
    let models: Vec<&cnnc_build::ir::Model> = match table.model {
        Some(name) => vec![pick(&checked, Some(name), file)?],
        None => checked.models.iter().collect(),
    };
    if table.json {
        for model in models {
            print(&format!("{}\n", cnnc_build::summary_json(model, table.options)));
        }
    } else {
        let text: Vec<String> =
            models.iter().map(|m| cnnc_build::summary_table(m, table.options)).collect();
        print(&text.join("\n"));
    }
    // The process ends after the last file: a model's tree is left for the operating system to
    // reclaim at once (freeing a 100,000-layer model node by node took about 60 ms of 0.9 s).
    std::mem::forget(checked);
    Ok(())
}

fn build(
    file: &Path,
    target: Target,
    output: Option<&Path>,
    out_dir: Option<&Path>,
    lints: Lints,
) -> Result<(), CompileError> {
    let checked = checked(file, lints)?;
    let (code, extension) = match target {
        Target::Rust => (cnnc_build::generate(checked.models, &checked.header_name).code, "rs"),
        Target::Pytorch => {
            (cnnc_build::generate_pytorch(&checked.models, &checked.header_name), "py")
        }
    };
    let path = match (output, out_dir) {
        (Some(path), _) if !is_stdio(path) => Some(path.to_path_buf()),
        (_, Some(dir)) => {
            let stem = file.file_stem().filter(|_| !is_stdio(file));
            let stem = stem.map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
            Some(dir.join(format!("{stem}.{extension}")))
        }
        _ => None,
    };
    match path {
        Some(path) => cnnc_build::write_atomically(&path, &code)
            .map_err(|error| CompileError::Io { path, error }),
        None => {
            print(&code);
            Ok(())
        }
    }
}

fn weights(
    file: &Path,
    weights: &Path,
    model: Option<&str>,
    lints: Lints,
) -> Result<(), CompileError> {
    let checked = checked(file, lints)?;
    let chosen = pick(&checked, model, file)?;
    let (name, source) = (&checked.shown, &checked.source);
    let tensors = cnnc_build::read_safetensors_header(weights)
        .map_err(|error| CompileError::Io { path: weights.to_path_buf(), error })?;
    let shown = weights.display().to_string();
    let errors = cnnc_build::check_weights(chosen, &tensors, &shown);
    if !errors.is_empty() {
        return Err(CompileError::Source(cnnc_build::Diagnostics::new(name, source, errors)));
    }
    let elements: i64 = tensors.values().map(|t| t.shape.iter().product::<i64>()).sum();
    print(&format!(
        "`{shown}` matches `{}`: {} tensors, {} elements\n",
        chosen.name,
        tensors.len(),
        cnnc_build::ir::thousands(elements)
    ));
    Ok(())
}

/// The model of `checked` named `wanted`, or its only model.
fn pick<'c>(
    checked: &'c Checked,
    wanted: Option<&str>,
    file: &Path,
) -> Result<&'c cnnc_build::ir::Model, CompileError> {
    cnnc_build::find_model(&checked.models, wanted).map_err(|message| {
        let error = std::io::Error::new(std::io::ErrorKind::InvalidInput, message);
        CompileError::Io { path: file.to_path_buf(), error }
    })
}

fn graph(
    file: &Path,
    model: Option<&str>,
    depth: usize,
    output: Option<&Path>,
    lints: Lints,
) -> Result<(), CompileError> {
    let checked = checked(file, lints)?;
    let model = pick(&checked, model, file)?;
    let dot = cnnc_build::graph::dot(model, depth);
    match output.filter(|path| !is_stdio(path)) {
        Some(path) => {
            let text = if path.extension().is_some_and(|e| e == "svg") {
                cnnc_build::graph::svg(&dot)
                    .map_err(|error| CompileError::Io { path: path.to_path_buf(), error })?
            } else {
                dot
            };
            cnnc_build::write_atomically(path, &text)
                .map_err(|error| CompileError::Io { path: path.to_path_buf(), error })
        }
        None => {
            print(&dot);
            Ok(())
        }
    }
}

/// Formats a file in place, or with `check` only compares; returns whether it was formatted.
fn fmt(file: &Path, check: bool) -> Result<bool, CompileError> {
    let (shown, source) = read(file)?;
    let formatted = cnnc_syntax::format(&source).map_err(|error| {
        let error = cnnc_build::Error::from(error);
        CompileError::Source(cnnc_build::Diagnostics::new(&shown, &source, vec![error]))
    })?;
    if is_stdio(file) {
        print(&formatted);
        return Ok(true);
    }
    if formatted == source {
        return Ok(true);
    }
    if check {
        eprintln!("{shown}: not formatted");
        return Ok(false);
    }
    cnnc_build::write_atomically(file, &formatted)
        .map_err(|error| CompileError::Io { path: file.to_path_buf(), error })?;
    Ok(true)
}

/// Prints the section of the diagnostics index about `code`.
fn explain(code: &str) -> ExitCode {
    match cnnc_build::explain(code) {
        Ok(section) => {
            print(section);
            ExitCode::SUCCESS
        }
        Err(codes) => {
            eprintln!(
                "error: no diagnostic has the code `{code}`; the codes are {}",
                codes.join(", ")
            );
            ExitCode::from(USAGE)
        }
    }
}

/// Prints to standard output, ignoring a closed pipe (`cnnc check net.cnn | head`).
fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}
