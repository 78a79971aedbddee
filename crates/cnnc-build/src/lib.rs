//! Compiles `.cnn` network definitions into tch-rs module code.
//!
//! This crate is the pipeline behind every front door: source → parse → check → generate.
//! [`compile_source`] turns a source text into checked models and formatted Rust code, or into
//! [`Diagnostics`] that render like rustc's errors. [`Config`] is the `build.rs` API, in the
//! style of prost-build:
//!
//! ```no_run
//! // in build.rs's main:
//! if let Err(error) = cnnc_build::compile(&["src/simple_cnn.cnn"]) {
//!     eprintln!("{error}"); // the diagnostics, drawn as rustc draws errors
//!     std::process::exit(1);
//! }
//! ```
//!
//! ```ignore
//! // src/main.rs
//! include!(concat!(env!("OUT_DIR"), "/simple_cnn.rs"));
//! ```

mod diagnostics;
pub mod graph;
mod summary;
mod weights;

use std::fmt;
use std::path::{Path, PathBuf};

pub use cnnc_check::{ir, Code, Error};
pub use diagnostics::{render_io_error, Diagnostics, Format, JSON_SCHEMA};
pub use summary::{
    summary_json, summary_rows, summary_table, totals, SummaryOptions, SummaryRow, Totals,
};
pub use weights::{check_weights, parse_header, read_safetensors_header, TensorInfo};

/// The result of compiling one source text.
#[derive(Debug)]
pub struct Compiled {
    /// The checked models.
    pub models: Vec<ir::Model>,
    /// The generated Rust source, formatted, with an `@generated` header.
    pub code: String,
}

/// Parses, checks and generates code for a source text; `name` is the file name shown in
/// diagnostics and in the generated header.
pub fn compile_source(name: &str, source: &str) -> Result<Compiled, Diagnostics> {
    let models = check_source(name, source)?;
    let code = cnnc_codegen::generate_file(&models, name);
    Ok(Compiled { models, code })
}

/// Parses and checks a source text without generating code.
pub fn check_source(name: &str, source: &str) -> Result<Vec<ir::Model>, Diagnostics> {
    cnnc_check::check_source(source).map_err(|errors| Diagnostics::new(name, source, errors))
}

/// Parses and checks a `.cnn` source at given input sizes: `sizes` names an input and gives its
/// whole shape, as `cnnc check --input x=1,3,512,512` does. The models' shapes are then numbers.
pub fn check_source_at(
    name: &str,
    source: &str,
    sizes: &[(String, Vec<i64>)],
) -> Result<Vec<ir::Model>, Diagnostics> {
    let file = cnnc_syntax::parse(source)
        .map_err(|e| Diagnostics::new(name, source, vec![Error::from(e)]))?;
    cnnc_check::check_at(&file, sizes).map_err(|errors| Diagnostics::new(name, source, errors))
}

/// An error of a file-level compilation: the file could not be read or written, or its source
/// has errors. `Debug` prints what `Display` prints, so that a build script's `unwrap()` or
/// `expect()` shows the diagnostics as rustc draws errors.
pub enum CompileError {
    /// Reading the source or writing the output failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The source has errors.
    Source(Diagnostics),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            CompileError::Source(diagnostics) => write!(f, "{}", diagnostics.render(Format::Plain)),
        }
    }
}

impl fmt::Debug for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for CompileError {}

/// Compiles a `.cnn` file into Rust source text. Diagnostics show the path as given; the
/// generated header names the file.
pub fn compile_file(path: &Path) -> Result<Compiled, CompileError> {
    let source = read_source(path)?;
    let shown = path.display().to_string();
    let models = check_source(&shown, &source).map_err(CompileError::Source)?;
    Ok(generate(models, &file_name(path)))
}

/// The name of the file `path` as the header of generated code shows it.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The model of `models` named `name`, or with no name the only one; otherwise a message that
/// lists the models.
pub fn find_model<'m>(
    models: &'m [ir::Model],
    name: Option<&str>,
) -> Result<&'m ir::Model, String> {
    let found = match name {
        Some(name) => models.iter().find(|m| m.name == name),
        None if models.len() == 1 => models.first(),
        None => None,
    };
    found.ok_or_else(|| {
        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
        match name {
            Some(name) => format!("no model `{name}`; the models are {}", names.join(", ")),
            None => format!("name the model with --model: {}", names.join(", ")),
        }
    })
}

/// The diagnostics index (docs/diagnostics.md): a section per code, each with an example.
const INDEX: &str = include_str!("../../../docs/diagnostics.md");

/// The entry of the diagnostics index about `code`, or the codes there are.
pub fn explain(code: &str) -> Result<&'static str, Vec<&'static str>> {
    let heading = format!("## {code}\n");
    let Some(start) = INDEX.find(&heading) else {
        return Err(INDEX.lines().filter_map(|line| line.strip_prefix("## ")).collect());
    };
    let section = &INDEX[start..];
    let end =
        section[heading.len()..].find("\n## ").map_or(section.len(), |i| i + heading.len() + 1);
    Ok(&section[..end])
}

/// Generates the code of checked models; `name` is the source file named in the header.
pub fn generate(models: Vec<ir::Model>, name: &str) -> Compiled {
    let code = cnnc_codegen::generate_file(&models, name);
    Compiled { models, code }
}

/// PyTorch code of checked models: one `nn.Module` class per model and block, with the same
/// `state_dict` keys, initialisation rules and forward computation as the generated Rust;
/// `name` is the source file named in the header.
pub fn generate_pytorch(models: &[ir::Model], name: &str) -> String {
    cnnc_pytorch::generate_file(models, name)
}

/// The text of a file.
pub fn read_source(path: &Path) -> Result<String, CompileError> {
    std::fs::read_to_string(path)
        .map_err(|error| CompileError::Io { path: path.to_path_buf(), error })
}

/// Writes `contents` to `path` atomically: a reader sees the old file or the new one, never a
/// partial write, and on failure the old file is left untouched. A symbolic link is written
/// through to its target, an existing file keeps its permissions, and a read-only file is an
/// error.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = resolve_link(path)?;
            resolved.as_path()
        }
        _ => path,
    };
    let permissions = match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().readonly() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is read-only",
            ))
        }
        Ok(meta) => Some(meta.permissions()),
        Err(_) => None,
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the output path names no file")
    })?;
    let tmp = dir.join(format!(".{}.{}.tmp", file_name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, contents)
        .and_then(|()| match permissions {
            Some(permissions) => std::fs::set_permissions(&tmp, permissions),
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// The file a chain of symbolic links ends at, which need not exist yet.
fn resolve_link(link: &Path) -> std::io::Result<PathBuf> {
    let mut path = link.to_path_buf();
    // As many hops as Linux follows before it reports a loop.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "too many levels of symbolic links"))
}

/// Configuration for compiling `.cnn` files from a `build.rs`.
#[derive(Debug, Default, Clone)]
pub struct Config {
    out_dir: Option<PathBuf>,
}

impl Config {
    /// A configuration that writes to `$OUT_DIR`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes generated files to `dir` instead of `$OUT_DIR`.
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Compiles each file to `<out_dir>/<file stem>.rs` and tells cargo to rerun the build
    /// script when a source changes. Nothing is written for a file with errors.
    pub fn compile(&self, files: &[impl AsRef<Path>]) -> Result<(), CompileError> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => {
                std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| CompileError::Io {
                    path: PathBuf::from("$OUT_DIR"),
                    error: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "OUT_DIR is not set; call this from build.rs",
                    ),
                })?
            }
        };
        for file in files {
            let file = file.as_ref();
            println!("cargo:rerun-if-changed={}", file.display());
            let compiled = compile_file(file)?;
            let stem = file
                .file_stem()
                .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
            let out = out_dir.join(format!("{stem}.rs"));
            write_atomically(&out, &compiled.code)
                .map_err(|error| CompileError::Io { path: out, error })?;
        }
        Ok(())
    }
}

/// Compiles `.cnn` files into `$OUT_DIR`, from a `build.rs`.
pub fn compile(files: &[impl AsRef<Path>]) -> Result<(), CompileError> {
    Config::new().compile(files)
}

/// The table of a checked model as `cnnc check` prints it, with every layer.
pub fn summary(model: &ir::Model) -> String {
    summary_table(model, SummaryOptions::default())
}
