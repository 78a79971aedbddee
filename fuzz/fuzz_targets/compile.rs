//! Runs the whole pipeline (parse, check, generate code) on arbitrary UTF-8 text, rendering any
//! errors; only a panic counts as a failure.
#![no_main]

use cnnc_build::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    if let Err(diagnostics) = cnnc_build::compile_source("fuzz.cnn", source) {
        let _ = diagnostics.render(Format::Json);
        let _ = diagnostics.render(Format::Plain);
    }
});
