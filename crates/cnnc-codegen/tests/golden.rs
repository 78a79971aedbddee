//! The generated code of every example and test fixture, snapshot-tested, so that any change in
//! what `cnnc build` prints shows up in review.

use std::path::Path;

fn generated(path: &Path) -> String {
    let source = std::fs::read_to_string(path).expect("the file is readable");
    let models = cnnc_check::check_source(&source)
        .unwrap_or_else(|errors| panic!("{} has errors: {errors:?}", path.display()));
    let name = path.file_name().expect("a file name").to_string_lossy();
    cnnc_codegen::generate_file(&models, &name)
}

#[test]
fn every_example_generates_its_golden_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<_> = ["examples", "tests/fixtures"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("the folder exists"))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "cnn"))
        .collect();
    files.sort();
    assert!(files.len() >= 17, "examples and fixtures: {files:?}");
    for path in files {
        let stem = path.file_stem().expect("a file stem").to_string_lossy().into_owned();
        insta::assert_snapshot!(stem, generated(&path));
    }
}
