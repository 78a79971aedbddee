//! Two children of one scope with one name, or with names that become one Rust field, are
//! reported where they are declared: among the other messages, in the order of the source.

use cnnc_check::check_source;

/// The messages for `source`, in order.
fn messages(source: &str) -> Vec<String> {
    match check_source(source) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| e.message.clone()).collect(),
    }
}

/// Asserts that each message contains its part of `expected`, in order.
fn assert_in_order(found: &[String], expected: &[&str]) {
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (message, part) in found.iter().zip(expected) {
        assert!(message.contains(part), "expected {part:?} in {message:?}; all: {found:#?}");
    }
}

#[test]
fn duplicates_come_in_source_order_among_other_messages() {
    let found = messages(
        "model M {
            input x: [N, 4]
            a = Linear(4, 4)
            b = Bogus(1)
            a = ReLU()
            c = Linear(4, 4, width=2)
            Fc = ReLU()
            fc = ReLU()
            s = Sequential { r = ReLU(); r = ReLU(); Missing() }
            a = Tanh()
        }",
    );
    let expected = [
        "`Bogus`",
        "`a` is declared twice",
        "`width`",
        "`Fc` and `fc` would both become the Rust field `fc`",
        "`s.r` is declared twice",
        "`Missing`",
        "`a` is declared twice",
    ];
    assert_in_order(&found, &expected);
}

#[test]
fn duplicates_in_a_block_are_reported_in_each_use_at_their_place() {
    let found = messages(
        "block B(n) {
            a = Linear(n, n)
            a = ReLU()
            q = Bogus()
        }
        model M { input x: [N, 4]; first = B(4); second = B(4); first = ReLU() }",
    );
    let expected = [
        "`first.a` is declared twice",
        "`Bogus`",
        "`second.a` is declared twice",
        "`first` is declared twice",
    ];
    assert_in_order(&found, &expected);
}
