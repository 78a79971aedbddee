//! Parses arbitrary UTF-8 text; only a panic counts as a failure.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        let _ = cnnc_syntax::parse(source);
    }
});
