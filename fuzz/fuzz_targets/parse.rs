//! Parses and formats arbitrary UTF-8 text. A panic is a failure, and so is a formatted text
//! that formats differently again or no longer parses to the same syntax tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let Ok(tree) = cnnc_syntax::parse(source) else { return };
    let formatted = cnnc_syntax::format(source).expect("a source that parses formats");
    assert_eq!(cnnc_syntax::format(&formatted).ok().as_ref(), Some(&formatted), "idempotent");
    let again = cnnc_syntax::parse(&formatted).expect("formatted text parses");
    assert_eq!(again.models.len(), tree.models.len());
    assert_eq!(again.blocks.len(), tree.blocks.len());
});
