//! The build.rs API as a build script uses it.

#[test]
fn debug_of_a_compile_error_is_the_rendered_diagnostics() {
    // A build script that calls `unwrap()` shows the diagnostics, not a dump of the source.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("net.cnn");
    std::fs::write(&path, "model M {\n    input x: [N, 4]\n    fc = Linear(3, 2)\n}\n").unwrap();
    let error = cnnc_build::compile_file(&path).expect_err("Linear(3, 2) on 4 features");
    let debug = format!("{error:?}");
    assert_eq!(debug, error.to_string());
    assert!(debug.contains("shape::linear_in") && debug.contains("fc = Linear(3, 2)"), "{debug}");
    assert!(!debug.contains("\\n"), "no escaped source text: {debug}");
}
