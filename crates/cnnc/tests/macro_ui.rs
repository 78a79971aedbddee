//! `model!` as a user's crate sees it: a valid model compiles, and each error in the macro input
//! is one compile error at the right tokens, with no follow-on errors from code using the model.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
