//! Constant expressions: Python's integer arithmetic, types and errors.

use cnnc_check::consts::{eval, Const, Env};
use cnnc_check::Code;

/// Evaluates the first argument of `L(<expr>)` with `c = 7`, `f = 0.5`, `b = true`.
fn value(expr: &str) -> Result<Const, Code> {
    let source = format!("model M {{ x = L({expr}) }}");
    let file = cnnc_syntax::parse(&source).expect("the expression parses");
    let cnnc_syntax::Item::Child(child) = &file.models[0].items[0] else { panic!("a child") };
    let cnnc_syntax::Module::Layer(call) = &child.module else { panic!("a layer") };
    let env: Env = [("c", Const::Int(7)), ("f", Const::Float(0.5)), ("b", Const::Bool(true))]
        .into_iter()
        .collect();
    eval(&call.args[0].value, &env).map_err(|e| e.code)
}

#[test]
fn integer_division_and_remainder_floor_like_python() {
    assert_eq!(value("c / 2"), Ok(Const::Int(3)));
    assert_eq!(value("-c / 2"), Ok(Const::Int(-4)));
    assert_eq!(value("c / -2"), Ok(Const::Int(-4)));
    assert_eq!(value("c % 3"), Ok(Const::Int(1)));
    assert_eq!(value("-c % 3"), Ok(Const::Int(2)));
    assert_eq!(value("c % -3"), Ok(Const::Int(-2)));
    assert_eq!(value("(3 - 1) / 2"), Ok(Const::Int(1)));
}

#[test]
fn floats_mix_with_integers() {
    assert_eq!(value("c * f"), Ok(Const::Float(3.5)));
    assert_eq!(value("1.0 / (c + 1)"), Ok(Const::Float(0.125)));
    assert_eq!(value("c + 1 == 8"), Ok(Const::Bool(true)));
    assert_eq!(value("f < 1 && b"), Ok(Const::Bool(true)));
    assert_eq!(value("!b || c != 7"), Ok(Const::Bool(false)));
    assert_eq!(value("if c > 5 { c } else { f }"), Ok(Const::Float(7.0)));
    assert_eq!(value("if b { 1 } else { 2 } * 3"), Ok(Const::Int(3)));
}

#[test]
fn precedence_is_rusts() {
    assert_eq!(value("1 + 2 * 3"), Ok(Const::Int(7)));
    assert_eq!(value("(1 + 2) * 3"), Ok(Const::Int(9)));
    assert_eq!(value("10 - 4 - 3"), Ok(Const::Int(3)));
    assert_eq!(value("-c * 2"), Ok(Const::Int(-14)));
}

#[test]
fn errors_have_codes() {
    assert_eq!(value("c / 0"), Err(Code::ConstExpr));
    assert_eq!(value("c % 0"), Err(Code::ConstExpr));
    assert_eq!(value("b + 1"), Err(Code::ConstExpr));
    assert_eq!(value("c && b"), Err(Code::ConstExpr));
    assert_eq!(value("9223372036854775807 + c"), Err(Code::ConstExpr));
    assert_eq!(value("if c { 1 } else { 2 }"), Err(Code::ConstExpr));
    assert_eq!(value("if b { 1 } else { true }"), Err(Code::ConstExpr));
    assert_eq!(value("d + 1"), Err(Code::UndefinedName));
}
