//! From pest pairs to the syntax tree.

use std::cell::Cell;

use miette::Diagnostic;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use thiserror::Error;

use crate::ast::*;
use crate::habits;

#[derive(pest_derive::Parser)]
#[grammar = "../../../grammar/cnnc.pest"]
struct CnnParser;

/// A source text that is not valid cnnc syntax.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(syntax::parse))]
pub struct SyntaxError {
    /// What went wrong, such as "expected a name or a layer".
    pub message: String,
    /// Where it went wrong.
    #[label("{label}")]
    pub span: Span,
    /// The label under the span.
    pub label: String,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
    /// A replacement of the source text that fixes it, where one is certain.
    pub fix: Option<Box<(Span, String)>>,
}

/// Parses the text of a `.cnn` file.
pub fn parse(source: &str) -> Result<File, SyntaxError> {
    if let Some(error) = too_long(source.len()) {
        return Err(error);
    }
    if let Some(offset) = too_deep(source) {
        return Err(beyond_limit(
            Span::new(offset, offset + 1),
            format!("brackets are nested more than {MAX_NESTING} deep"),
            "nested too deep",
            "flatten the structure; no network needs this depth",
        ));
    }
    if let Some(offset) = too_many_else_ifs(source) {
        return Err(beyond_limit(
            Span::new(offset, offset + 2),
            format!("this `if` has more than {MAX_ELSE_IFS} `else if` branches"),
            "too many branches",
            "choose with fewer branches; no network needs this many",
        ));
    }
    if let Some(error) = habits::scan(source) {
        return Err(error);
    }
    if source.len() > STRETCHES_FROM {
        if let Some(file) = parse_by_stretches(source) {
            return Ok(file);
        }
    }
    // Text that does not parse by stretches is parsed whole, which reports its errors as they
    // are in the file.
    parse_whole(source)
}

/// Files longer than this (a model of a few thousand layers) are parsed by stretches, to bound
/// the parser's memory; shorter ones whole, with one call into pest instead of one per item and
/// stretch, each of which costs some 3,700 instructions of its own.
const STRETCHES_FROM: usize = 64 * 1024;

/// Parses the text of a file with the `file` rule.
fn parse_whole(source: &str) -> Result<File, SyntaxError> {
    let mut pairs = CnnParser::parse(Rule::file, source).map_err(|e| syntax_error(source, e))?;
    let file = pairs.next().expect("the file rule always produces one pair");
    let (mut blocks, mut models, mut functions) = (Vec::new(), Vec::new(), Vec::new());
    for pair in file.into_inner() {
        match pair.as_rule() {
            Rule::model => models.push(model(pair)?),
            Rule::block => blocks.push(block(pair)?),
            Rule::function => functions.push(function(pair)?),
            _ => {}
        }
    }
    Ok(File { blocks, models, functions })
}

thread_local! {
    /// Where the text pest is parsing starts in the file: pest counts positions from the start
    /// of the text it is given, and a file parsed by stretches gives it one at a time.
    static OFFSET: Cell<usize> = const { Cell::new(0) };
}

/// Sets [`OFFSET`] until dropped, when it is set back.
struct Offset(usize);

impl Offset {
    fn at(offset: usize) -> Offset {
        Offset(OFFSET.with(|o| o.replace(offset)))
    }
}

impl Drop for Offset {
    fn drop(&mut self) {
        OFFSET.with(|o| o.set(self.0));
    }
}

/// Parses a file item by item (`file_item`), and a model's body a stretch of entries at a time
/// (`model_stretch`), so that pest's list of tokens, which a whole parse fills for the whole
/// file, holds one item or stretch; `None` for text that does not parse so, which the whole
/// parse then reports. Each part is parsed as the whole parse parses it: from the same position
/// to the end of the file.
fn parse_by_stretches(source: &str) -> Option<File> {
    let (mut blocks, mut models, mut functions) = (Vec::new(), Vec::new(), Vec::new());
    let start = CnnParser::parse(Rule::file_start, source).ok()?.next()?;
    let mut at = start.as_span().end();
    loop {
        let item = CnnParser::parse(Rule::file_item, &source[at..]).ok()?.next()?;
        let _offset = Offset::at(at);
        at += item.as_span().end();
        let pair = item.into_inner().next()?;
        match pair.as_rule() {
            Rule::block => blocks.push(block(pair).ok()?),
            Rule::function => functions.push(function(pair).ok()?),
            Rule::model_head => {
                let (model, end) = model_by_stretches(source, pair, at)?;
                models.push(model);
                at = end;
            }
            Rule::EOI => return Some(File { blocks, models, functions }),
            _ => return None,
        }
    }
}

/// The model whose `head` ends at `at`, read by stretches, and the offset after its `}`.
fn model_by_stretches(source: &str, head: Pair<Rule>, mut at: usize) -> Option<(Model, usize)> {
    let start = start(&head);
    let mut inner = head.into_inner();
    let mut model = empty_model(ident(inner.next()?), Span::new(start, start));
    for item in inner {
        model_entry(&mut model, item).ok()?;
    }
    loop {
        let stretch = CnnParser::parse(Rule::model_stretch, &source[at..]).ok()?.next()?;
        let _offset = Offset::at(at);
        at = end(&stretch);
        for item in stretch.into_inner() {
            if item.as_rule() == Rule::model_end {
                model.span = Span::new(start, at);
                return Some((model, at));
            }
            model_entry(&mut model, item).ok()?;
        }
    }
}

/// The error for input that nests beyond one of the parser's limits.
fn beyond_limit(span: Span, message: String, label: &str, help: &str) -> SyntaxError {
    SyntaxError { fix: None, message, span, label: label.into(), help: Some(help.into()) }
}

fn syntax_error(source: &str, error: pest::error::Error<Rule>) -> SyntaxError {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    if start >= source.trim_end().len() {
        if let Some(open) = habits::unclosed_brace(source) {
            let line = source[..open].matches('\n').count() + 1;
            return SyntaxError {
                fix: None,
                message: format!("the `{{` on line {line} is never closed"),
                span: Span::new(open, open + 1),
                label: "never closed".into(),
                help: Some("add a `}` after the last entry it encloses".into()),
            };
        }
    }
    if let Some(known) = habits::recognise(source, start) {
        return known;
    }
    // Point at the whole offending token, or at the end of input.
    let token_end = source[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(source.len(), |(i, _)| start + i);
    let end =
        end.max(token_end).max(start + source[start..].chars().next().map_or(0, char::len_utf8));
    let end = end.min(source.len());
    let found = if start >= source.len() {
        "end of input".to_string()
    } else {
        format!("`{}`", &source[start..end])
    };
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (message, label) = if expected.is_empty() {
        (format!("unexpected {found}"), "not expected here".to_string())
    } else {
        let list = join_alternatives(&expected);
        (format!("expected {list}, found {found}"), format!("expected {list}"))
    };
    let mut error = SyntaxError {
        fix: None,
        message,
        span: Span::new(start, end),
        label,
        help: help_for(source, start),
    };
    if start >= source.trim_end().len() {
        // At the end of input, point at the last token rather than past it.
        let last = source.trim_end().char_indices().last().map_or(0, |(i, _)| i);
        error.span = Span::new(last, source.trim_end().len());
        error.label = format!("{} after this", error.label);
    }
    error
}

/// A comment or string that the source never closes, by the offset where it opens.
pub(crate) enum Unclosed {
    /// A `/*` without its `*/`.
    Comment(usize),
    /// A `"` without a closing `"` on its line.
    String(usize),
}

/// Calls `f` with the offset and byte of every byte outside comments and strings (a string
/// ends with its line, as in the grammar); returns the comment or string left open at the end.
pub(crate) fn for_each_code_byte(source: &str, mut f: impl FnMut(usize, u8)) -> Option<Unclosed> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match source[i + 2..].find("*/") {
                Some(n) => i += n + 3,
                None => return Some(Unclosed::Comment(i)),
            },
            b'"' => match source[i + 1..].find(['"', '\n']) {
                Some(n) if bytes[i + 1 + n] == b'"' => i += n + 1,
                _ => return Some(Unclosed::String(i)),
            },
            b => f(i, b),
        }
        i += 1;
    }
    None
}

/// The most operands of one chain of operators (`a + b + ...`), stages of one pipeline
/// (`x -> a -> ...`) or prefix operators (`- - x`): longer chains nest deeper than any network
/// needs, and would exhaust the stack of the stages that walk them.
pub const MAX_CHAIN: usize = 256;

/// Rejects a chain with more than [`MAX_CHAIN`] parts.
fn check_chain(pair: &Pair<Rule>) -> Result<(), SyntaxError> {
    let parts = pair.clone().into_inner().count();
    if parts <= 2 * MAX_CHAIN {
        return Ok(());
    }
    Err(beyond_limit(
        span(pair),
        format!("this expression chains more than {MAX_CHAIN} operands or stages"),
        "too long",
        "split it into named values",
    ))
}

/// The deepest bracket nesting the parser accepts; deeper input is rejected before parsing so
/// that no input can exhaust the stack.
pub const MAX_NESTING: usize = 32;

/// The most `else if` branches of one `if`: each nests the next one, in the parser and in the
/// checker, as a bracket does, and a longer chain would exhaust the stack of a small thread.
pub const MAX_ELSE_IFS: usize = 100;

/// The offset of the `if` that makes a chain of `else if` branches longer than
/// [`MAX_ELSE_IFS`].
fn too_many_else_ifs(source: &str) -> Option<usize> {
    // The `else if`s so far of the chain at each bracket depth; a plain `if` starts a new one.
    // Brackets nest at most `MAX_NESTING` deep: `too_deep` has rejected the source otherwise.
    let mut chains = [0usize; MAX_NESTING + 1];
    let mut depth = 0usize;
    // Whether the last word was `else`, with only spaces after it.
    let mut after_else = false;
    let mut found = None;
    // The word being read, as its start and the offset after its last byte so far.
    let mut word: Option<(usize, usize)> = None;
    for_each_code_byte(source, |i, b| {
        let is_word_byte = b.is_ascii_alphanumeric() || b == b'_';
        // A comment or string between two bytes also ends a word.
        match word {
            Some((start, end)) if is_word_byte && end == i => {
                word = Some((start, i + 1));
                return;
            }
            Some((start, end)) => {
                // Bytes, not text: the next byte may be inside a multi-byte character.
                let text = &source.as_bytes()[start..end];
                if text == b"if" {
                    let chain = &mut chains[depth.min(MAX_NESTING)];
                    *chain = if after_else { *chain + 1 } else { 0 };
                    if *chain > MAX_ELSE_IFS {
                        found = found.or(Some(start));
                    }
                }
                after_else = text == b"else";
                word = None;
            }
            None => {}
        }
        if is_word_byte {
            word = Some((i, i + 1));
            return;
        }
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => return,
            b'{' | b'(' | b'[' => {
                depth += 1;
                chains[depth.min(MAX_NESTING)] = 0;
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        after_else = false;
    });
    found
}

/// The error for a source of `len` bytes, more than a [`Span`] can point into.
fn too_long(len: usize) -> Option<SyntaxError> {
    (len > MAX_SOURCE_LEN).then(|| {
        beyond_limit(
            Span::new(0, 0),
            format!("the source is {len} bytes long, more than {MAX_SOURCE_LEN}"),
            "too long",
            "split it into files of at most 4 GiB",
        )
    })
}

/// The offset of the first bracket nested deeper than [`MAX_NESTING`].
fn too_deep(source: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut found = None;
    for_each_code_byte(source, |i, b| match b {
        b'{' | b'(' | b'[' => {
            depth += 1;
            if depth > MAX_NESTING && found.is_none() {
                found = Some(i);
            }
        }
        b'}' | b')' | b']' => depth = depth.saturating_sub(1),
        _ => {}
    });
    found
}

/// A friendly name for a grammar rule, or `None` for rules that never appear alone in messages.
fn rule_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::model => "`model`",
        Rule::block => "`block`",
        Rule::if_items | Rule::if_expr | Rule::c_if => "`if`",
        Rule::for_items => "`for`",
        Rule::function => "`fn`",
        Rule::for_vars => "a loop variable",
        Rule::range_dots => "`..`",
        Rule::c_list => "a list",
        Rule::c_for => "`for` in a list",
        Rule::c_filter => "`if` in a list",
        Rule::c_subscript => "an index such as `[0]`",
        Rule::const_let => "`let`",
        Rule::let_names => "names in parentheses",
        Rule::block_param => "a parameter",
        Rule::cexpr => "a value",
        Rule::or_op | Rule::and_op | Rule::cmp_op | Rule::sum_op | Rule::prod_op => "an operator",
        Rule::input_decl => "`input`",
        Rule::forward => "`forward`",
        Rule::init_block => "`init`",
        Rule::child | Rule::ident | Rule::keyword | Rule::let_stmt | Rule::quoted_name => "a name",
        Rule::sequential | Rule::layer_call => "a layer",
        Rule::shape => "a shape such as `[N, 3, 32, 32]`",
        Rule::int => "an integer",
        Rule::float => "a float",
        Rule::bool => "a boolean",
        Rule::infer => "`_`",
        Rule::none => "`None`",
        Rule::string => "a string",
        Rule::tuple | Rule::ctuple => "a tuple",
        Rule::c_call | Rule::c_call_head => "a function call",
        Rule::arg => "an argument",
        Rule::expr
        | Rule::product
        | Rule::pipe
        | Rule::call
        | Rule::call_head
        | Rule::call_arg
        | Rule::list => "an expression",
        Rule::sizes_of => "sizes such as `size(x, 2..)`",
        Rule::tensor_index | Rule::index_item | Rule::index_slice => "an index such as `[:, 0]`",
        Rule::child_path => "a child's entry such as `convs.0`",
        Rule::child_slice => "a child's entries such as `features[0..5]`",
        Rule::add | Rule::sub | Rule::mul => "an operator",
        Rule::init_rule | Rule::target => "an init rule such as `Conv2d.weight = zeros`",
        Rule::segment => "a name",
        Rule::init_call => "an initialiser such as `normal(0, 1)`",
        Rule::EOI => "end of input",
        _ => return None,
    })
}

fn join_alternatives(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn help_for(source: &str, pos: usize) -> Option<String> {
    let rest = source.get(pos..).unwrap_or("");
    if rest.starts_with('=') && source[..pos].trim_end().ends_with('=') {
        return Some("use a single `=`".into());
    }
    if rest.starts_with('>') || rest.starts_with("- >") {
        return Some("the pipe operator is written `->`".into());
    }
    None
}

fn span(pair: &Pair<Rule>) -> Span {
    Span::new(start(pair), end(pair))
}

/// Where `pair` starts in the file.
fn start(pair: &Pair<Rule>) -> usize {
    OFFSET.with(Cell::get) + pair.as_span().start()
}

/// Where `pair` ends in the file.
fn end(pair: &Pair<Rule>) -> usize {
    OFFSET.with(Cell::get) + pair.as_span().end()
}

fn ident(pair: Pair<Rule>) -> Ident {
    Ident { name: pair.as_str().into(), span: span(&pair) }
}

fn model(pair: Pair<Rule>) -> Result<Model, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("model name"));
    let mut model = empty_model(name, whole);
    for item in inner {
        model_entry(&mut model, item)?;
    }
    Ok(model)
}

/// A model named `name` without entries yet.
fn empty_model(name: Ident, span: Span) -> Model {
    Model {
        name,
        base: None,
        inputs: Vec::new(),
        items: Vec::new(),
        forwards: Vec::new(),
        init: Vec::new(),
        span,
    }
}

/// Adds one part of a model after its name: its base, or an entry of its body.
fn model_entry(model: &mut Model, item: Pair<Rule>) -> Result<(), SyntaxError> {
    match item.as_rule() {
        Rule::model_base => {
            let call = item.into_inner().next().expect("the block of a model base");
            let Module::Layer(call) = module(call)? else { unreachable!("a layer call") };
            model.base = Some(call);
        }
        Rule::layer_call => {
            return Err(SyntaxError {
                fix: None,
                message: "a child of a model needs a name".into(),
                span: span(&item),
                label: "unnamed child".into(),
                help: Some(
                    "name it, such as `relu = ReLU()`; unnamed children belong in a \
                     `Sequential { ... }`, which numbers them 0, 1, ..."
                        .into(),
                ),
            })
        }
        Rule::input_decl => model.inputs.push(input(item)?),
        Rule::forward => model.forwards.push(forward(item)?),
        Rule::init_block => {
            for rule in item.into_inner() {
                model.init.push(init_rule(rule)?);
            }
        }
        _ => body_items(item, &mut model.items)?,
    }
    Ok(())
}

fn block(pair: Pair<Rule>) -> Result<Block, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("block name"));
    let mut block = Block {
        name,
        params: Vec::new(),
        items: Vec::new(),
        forwards: Vec::new(),
        inputs: Vec::new(),
        init: Vec::new(),
        span: whole,
    };
    for item in inner {
        match item.as_rule() {
            Rule::block_param => block.params.push(block_param(item)?),
            Rule::input_decl => block.inputs.push(input(item)?),
            Rule::forward => block.forwards.push(forward(item)?),
            Rule::init_block => {
                for rule in item.into_inner() {
                    block.init.push(init_rule(rule)?);
                }
            }
            _ => body_items(item, &mut block.items)?,
        }
    }
    Ok(block)
}

fn function(pair: Pair<Rule>) -> Result<Function, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("function name"));
    let (mut params, mut lets) = (Vec::new(), Vec::new());
    let mut result = None;
    for item in inner {
        match item.as_rule() {
            Rule::block_param => params.push(block_param(item)?),
            Rule::const_let => lets.extend(const_let(item)?),
            _ => result = Some(cexpr(item)?),
        }
    }
    let result = result.expect("the grammar requires a result");
    Ok(Function { name, params, lets, result, span: whole })
}

fn block_param(pair: Pair<Rule>) -> Result<BlockParam, SyntaxError> {
    let param_span = span(&pair);
    let mut parts = pair.into_inner();
    let name = ident(parts.next().expect("parameter name"));
    let default = parts.next().map(cexpr).transpose()?;
    Ok(BlockParam { name, default, span: param_span })
}

/// `let name = value`, or `let (a, b) = value`, which is `let a = value[0]` and
/// `let b = value[1]`.
fn const_let(pair: Pair<Rule>) -> Result<Vec<ConstLet>, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let target = inner.next().expect("constant name");
    let value = cexpr(inner.next().expect("constant value"))?;
    if target.as_rule() == Rule::ident {
        return Ok(vec![ConstLet { name: ident(target), value, span: whole }]);
    }
    let lets = target
        .into_inner()
        .map(ident)
        .enumerate()
        .map(|(i, name)| {
            let index = Value { kind: ValueKind::Int(i as i64), span: name.span };
            let kind = ValueKind::Index { base: Box::new(value.clone()), index: Box::new(index) };
            ConstLet { value: Value { kind, span: value.span }, name, span: whole }
        })
        .collect();
    Ok(lets)
}

/// A child, constant, condition or loop.
/// Adds the entries of one body item to `out` (a `let` that unpacks a tuple is several).
fn body_items(pair: Pair<Rule>, out: &mut Vec<Item>) -> Result<(), SyntaxError> {
    if pair.as_rule() == Rule::const_let {
        out.extend(const_let(pair)?.into_iter().map(Item::Let));
    } else {
        out.push(body_item(pair)?);
    }
    Ok(())
}

fn body_item(pair: Pair<Rule>) -> Result<Item, SyntaxError> {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::child => Ok(Item::Child(child(pair)?)),
        Rule::forward => Err(SyntaxError {
            fix: None,
            message: "a `forward` belongs to a model or block itself".into(),
            span: Span::new(whole.range().start, whole.range().start + "forward".len()),
            label: "inside a `Sequential`, `ModuleList`, `if` or `for`".into(),
            help: Some(
                "move it out to the body of the model or block; a `Sequential` runs its entries \
                 in order, and a block with unnamed children calls them with `children(x)`"
                    .into(),
            ),
        }),
        Rule::const_let => {
            let mut lets = const_let(pair)?;
            Ok(Item::Let(lets.remove(0)))
        }
        Rule::if_items => {
            let mut inner = pair.into_inner();
            let cond = cexpr(inner.next().expect("condition"))?;
            let then = items(inner.next().expect("then items"))?;
            let otherwise = match inner.next() {
                None => Vec::new(),
                Some(next) if next.as_rule() == Rule::if_items => vec![body_item(next)?],
                Some(next) => items(next)?,
            };
            Ok(Item::If(Box::new(IfItems { cond, then, otherwise, span: whole })))
        }
        Rule::for_items => {
            let mut inner = pair.into_inner();
            let pattern = inner.next().expect("loop variables");
            let unpack = pattern.as_str().starts_with('(');
            let vars = pattern.into_inner().map(ident).collect();
            let first = cexpr(inner.next().expect("what the loop goes over"))?;
            let next = inner.next().expect("loop body");
            let (over, body) = if next.as_rule() == Rule::range_dots {
                let end = cexpr(inner.next().expect("loop end"))?;
                (Iteration::Range { start: first, end }, inner.next().expect("loop body"))
            } else {
                (Iteration::Items(first), next)
            };
            let body = items(body)?;
            Ok(Item::For(Box::new(ForItems { vars, unpack, over, body, span: whole })))
        }
        _ => module(pair).map(|module| {
            let name_holes = Box::default();
            Item::Child(Child { name: None, name_holes, quoted: false, module, span: whole })
        }),
    }
}

fn items(pair: Pair<Rule>) -> Result<Vec<Item>, SyntaxError> {
    let mut out = Vec::new();
    for item in pair.into_inner() {
        body_items(item, &mut out)?;
    }
    Ok(out)
}

fn input(pair: Pair<Rule>) -> Result<Input, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("input name"));
    let shape = inner.next().expect("input shape");
    let shape_span = span(&shape);
    let dims = shape
        .into_inner()
        .map(|d| match d.as_rule() {
            Rule::int => int(&d).map(|v| Dim::Known(v, span(&d))),
            _ => Ok(Dim::Symbolic(ident(d))),
        })
        .collect::<Result<_, _>>()?;
    Ok(Input { name, dims, shape_span, span: whole })
}

fn child(pair: Pair<Rule>) -> Result<Child, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner.next().expect("child name");
    let mut name_holes = Vec::new();
    let quoted = first.as_rule() == Rule::quoted_name;
    let name = if quoted {
        let name_span = span(&first);
        let mut text = String::new();
        for part in first.into_inner() {
            match part.as_rule() {
                Rule::name_text => match name_holes.last_mut() {
                    Some((_, after)) => *after = part.as_str().to_string(),
                    None => text = part.as_str().to_string(),
                },
                _ => {
                    let value = cexpr(part.into_inner().next().expect("name number"))?;
                    name_holes.push((value, String::new()));
                }
            }
        }
        Ident { name: text.into(), span: name_span }
    } else {
        ident(first)
    };
    let mut next = inner.next().expect("child module");
    if next.as_rule() == Rule::name_index {
        let value = cexpr(next.into_inner().next().expect("index expression"))?;
        name_holes.push((value, String::new()));
        next = inner.next().expect("child module");
    }
    let module = module(next)?;
    let name_holes = name_holes.into_boxed_slice();
    Ok(Child { name: Some(name), name_holes, quoted, module, span: whole })
}

/// Rejects a named entry of a `ModuleList`, whose entries PyTorch numbers.
fn unnamed_entries(items: &[Item]) -> Result<(), SyntaxError> {
    for item in items {
        match item {
            Item::Child(Child { name: Some(name), span, .. }) => {
                return Err(SyntaxError {
                    fix: None,
                    message: format!(
                        "a `ModuleList` numbers its entries, so `{}` cannot be named",
                        name.name
                    ),
                    span: *span,
                    label: "named entry".into(),
                    help: Some(
                        "drop the name and call the entry by its number, as `convs.0(x)`; the \
                         entries of a `Sequential` may be named"
                            .into(),
                    ),
                });
            }
            Item::If(items) => {
                unnamed_entries(&items.then)?;
                unnamed_entries(&items.otherwise)?;
            }
            Item::For(items) => unnamed_entries(&items.body)?,
            Item::Child(_) | Item::Let(_) => {}
        }
    }
    Ok(())
}

fn module(pair: Pair<Rule>) -> Result<Module, SyntaxError> {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::sequential => {
            let mut inner = pair.into_inner();
            let kind = inner.next().expect("the Sequential or ModuleList keyword");
            let (keyword, list) = (span(&kind), kind.as_str() == "ModuleList");
            let mut items = Vec::new();
            for item in inner {
                body_items(item, &mut items)?;
            }
            if list {
                unnamed_entries(&items)?;
            }
            Ok(Module::Sequential(Sequential { keyword, list, items, span: whole }))
        }
        Rule::layer_call => {
            let mut inner = pair.into_inner();
            let kind = ident(inner.next().expect("layer kind"));
            Ok(Module::Layer(LayerCall { kind, args: each(inner, arg)?, span: whole }))
        }
        other => unreachable!("unexpected module {other:?}"),
    }
}

/// What `make` builds of each of `pairs`, in a list with room for those only: collected through
/// `Result`, a list of one or two arguments would get room for four.
fn each<'i, T>(
    pairs: impl ExactSizeIterator<Item = Pair<'i, Rule>>,
    make: impl Fn(Pair<'i, Rule>) -> Result<T, SyntaxError>,
) -> Result<Vec<T>, SyntaxError> {
    let mut made = Vec::with_capacity(pairs.len());
    for pair in pairs {
        made.push(make(pair)?);
    }
    Ok(made)
}

fn arg(pair: Pair<Rule>) -> Result<Arg, SyntaxError> {
    let whole = span(&pair);
    let mut keyword = None;
    let mut value_pair = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::keyword => keyword = Some(ident(part.into_inner().next().expect("keyword name"))),
            _ => value_pair = Some(part),
        }
    }
    let value = cexpr(value_pair.expect("argument value"))?;
    Ok(Arg { keyword, value, span: whole })
}

/// A constant expression; a plain literal comes out as that literal.
fn cexpr(pair: Pair<Rule>) -> Result<Value, SyntaxError> {
    match pair.as_rule() {
        Rule::cexpr => {
            check_chain(&pair)?;
            // Shunting-yard over the operand sequence: `operands` holds each value with the
            // offset of its first character (which may be a parenthesis or a prefix operator).
            let mut operands: Vec<(usize, Value)> = Vec::new();
            let mut ops: Vec<(ConstOp, Span)> = Vec::new();
            let mut prefix: Vec<(UnaryOp, usize)> = Vec::new();
            // The operand being read, before its prefix operators apply: subscripts bind
            // tighter (`-xs[0]` is `-(xs[0])`).
            let mut pending: Option<Pending> = None;
            let flush = |pending: &mut Option<Pending>, operands: &mut Vec<(usize, Value)>| {
                if let Some((start, mut acc, prefix)) = pending.take() {
                    for (op, op_start) in prefix.into_iter().rev() {
                        acc = apply_prefix(op, op_start, acc);
                    }
                    operands.push((start, acc));
                }
            };
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::c_subscript => {
                        let end = end(&part);
                        let index = cexpr(part.into_inner().next().expect("an index"))?;
                        if let Some((_, acc, _)) = pending.as_mut() {
                            let base = std::mem::replace(
                                acc,
                                Value { kind: ValueKind::Infer, span: Span::new(0, 0) },
                            );
                            let span = Span::new(base.span.range().start, end);
                            *acc = Value {
                                kind: ValueKind::Index {
                                    base: Box::new(base),
                                    index: Box::new(index),
                                },
                                span,
                            };
                        }
                    }
                    Rule::unary_op => {
                        let op = if part.as_str() == "-" { UnaryOp::Neg } else { UnaryOp::Not };
                        prefix.push((op, start(&part)));
                    }
                    Rule::or_op | Rule::and_op | Rule::cmp_op | Rule::sum_op | Rule::prod_op => {
                        flush(&mut pending, &mut operands);
                        let op = const_op(part.as_str());
                        let op_span = span(&part);
                        // Apply the operators that bind at least as tightly: all are left
                        // associative, and comparisons do not chain.
                        while let Some(&(top, top_span)) = ops.last() {
                            if top.precedence() < op.precedence() {
                                break;
                            }
                            if top.precedence() == op.precedence() && op.is_comparison() {
                                return Err(chained_comparison(top_span, op_span));
                            }
                            ops.pop();
                            reduce(&mut operands, top);
                        }
                        ops.push((op, op_span));
                    }
                    _ => {
                        let outer = start(&part);
                        let acc = cexpr(part)?;
                        let start = prefix.first().map_or(outer, |&(_, start)| start);
                        pending = Some((start, acc, std::mem::take(&mut prefix)));
                    }
                }
            }
            flush(&mut pending, &mut operands);
            while let Some((op, _)) = ops.pop() {
                reduce(&mut operands, op);
            }
            let (_, value) = operands.pop().expect("an operand");
            Ok(value)
        }
        Rule::ident => {
            let name = ident(pair);
            Ok(Value { kind: ValueKind::Name(name.name.into()), span: name.span })
        }
        Rule::c_call => {
            let whole = span(&pair);
            let mut inner = pair.into_inner();
            let head = inner.next().expect("function name");
            let name = ident(head.into_inner().next().expect("function name"));
            let args = inner.map(cexpr).collect::<Result<_, _>>()?;
            Ok(Value { kind: ValueKind::Call { name: Box::new(name), args }, span: whole })
        }
        Rule::c_list => {
            let whole = span(&pair);
            let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
            if let [item, repeat] = parts.as_slice() {
                if repeat.as_rule() == Rule::c_for {
                    let item = cexpr(item.clone())?;
                    let mut inner = repeat.clone().into_inner();
                    let pattern = inner.next().expect("loop variables");
                    let unpack = pattern.as_str().starts_with('(');
                    let vars = pattern.into_inner().map(ident).collect();
                    let first = cexpr(inner.next().expect("what the loop goes over"))?;
                    let mut over = Iteration::Items(first.clone());
                    let mut filter = None;
                    while let Some(part) = inner.next() {
                        if part.as_rule() == Rule::range_dots {
                            let end = cexpr(inner.next().expect("the range's end"))?;
                            over = Iteration::Range { start: first.clone(), end };
                        } else {
                            let cond = part.into_inner().next().expect("a condition");
                            filter = Some(cexpr(cond)?);
                        }
                    }
                    let comprehension = Comprehension { item, vars, unpack, over, filter };
                    let kind = ValueKind::Comprehension(Box::new(comprehension));
                    return Ok(Value { kind, span: whole });
                }
            }
            let items = parts.into_iter().map(cexpr).collect::<Result<_, _>>()?;
            Ok(Value { kind: ValueKind::List(items), span: whole })
        }
        Rule::c_if => {
            let whole = span(&pair);
            let mut inner = pair.into_inner();
            let mut next = || cexpr(inner.next().expect("condition and values")).map(Box::new);
            let (cond, then, otherwise) = (next()?, next()?, next()?);
            Ok(Value { kind: ValueKind::Cond { cond, then, otherwise }, span: whole })
        }
        Rule::ctuple => {
            let whole = span(&pair);
            let mut parts: Vec<Pair<Rule>> = pair.into_inner().collect();
            if parts.len() == 1 {
                // Parentheses that only group.
                return cexpr(parts.remove(0));
            }
            parts.retain(|p| p.as_rule() != Rule::tuple_comma);
            Ok(Value { kind: ValueKind::Tuple(each(parts.into_iter(), cexpr)?), span: whole })
        }
        _ => value(pair),
    }
}

/// An operand being read: where it starts, its value, and the prefix operators before it, which
/// apply after its subscripts.
type Pending = (usize, Value, Vec<(UnaryOp, usize)>);

/// The operator a `c_op` token spells.
fn const_op(text: &str) -> ConstOp {
    match text {
        "+" => ConstOp::Add,
        "-" => ConstOp::Sub,
        "*" => ConstOp::Mul,
        "/" => ConstOp::Div,
        "%" => ConstOp::Rem,
        "==" => ConstOp::Eq,
        "!=" => ConstOp::Ne,
        "<" => ConstOp::Lt,
        "<=" => ConstOp::Le,
        ">" => ConstOp::Gt,
        ">=" => ConstOp::Ge,
        "&&" => ConstOp::And,
        _ => ConstOp::Or,
    }
}

/// Replaces the last two operands with `lhs op rhs`, spanning from the left operand's first
/// character to the right operand's end.
fn reduce(operands: &mut Vec<(usize, Value)>, op: ConstOp) {
    let (_, rhs) = operands.pop().expect("a right operand");
    let (start, lhs) = operands.pop().expect("a left operand");
    let span = Span::new(start, rhs.span.range().end);
    let kind = ValueKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) };
    operands.push((start, Value { kind, span }));
}

/// `op operand` for a prefix operator at offset `start`; a negated number becomes a literal.
fn apply_prefix(op: UnaryOp, start: usize, operand: Value) -> Value {
    let span = Span::new(start, operand.span.range().end);
    match (op, &operand.kind) {
        (UnaryOp::Neg, ValueKind::Int(n)) if *n != i64::MIN => {
            Value { kind: ValueKind::Int(-n), span }
        }
        (UnaryOp::Neg, ValueKind::Float(x)) => Value { kind: ValueKind::Float(-x), span },
        _ => Value { kind: ValueKind::Unary { op, operand: Box::new(operand) }, span },
    }
}

/// `a < b < c`: Python would read `a < b and b < c`, Rust rejects it; the language asks for `&&`.
fn chained_comparison(first: Span, second: Span) -> SyntaxError {
    SyntaxError {
        fix: None,
        message: "comparisons do not chain".into(),
        span: Span { start: first.start, end: second.end },
        label: "two comparisons in a row".into(),
        help: Some("join them with `&&`, as in `a < b && b < c`".into()),
    }
}

fn value(pair: Pair<Rule>) -> Result<Value, SyntaxError> {
    let whole = span(&pair);
    let kind = match pair.as_rule() {
        Rule::int => ValueKind::Int(int(&pair)?),
        Rule::float => match pair.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() => ValueKind::Float(x),
            _ => {
                return Err(SyntaxError {
                    fix: None,
                    message: format!("float `{}` is out of range", pair.as_str()),
                    span: whole,
                    label: "not a finite 64-bit float".into(),
                    help: Some(format!("floats range up to {:e}", f64::MAX)),
                })
            }
        },
        Rule::bool => ValueKind::Bool(pair.as_str() == "true"),
        Rule::infer => ValueKind::Infer,
        Rule::none => ValueKind::None,
        Rule::string => ValueKind::Str(
            pair.into_inner().next().map_or(String::new(), |s| s.as_str().to_string()),
        ),
        Rule::tuple => ValueKind::Tuple(each(pair.into_inner(), value)?),
        other => unreachable!("unexpected value {other:?}"),
    };
    Ok(Value { kind, span: whole })
}

fn int(pair: &Pair<Rule>) -> Result<i64, SyntaxError> {
    pair.as_str().parse().map_err(|_| SyntaxError {
        fix: None,
        message: format!("integer `{}` does not fit in 64 bits", pair.as_str()),
        span: span(pair),
        label: "too large".into(),
        help: Some(format!("integers range from {} to {}", i64::MIN, i64::MAX)),
    })
}

fn forward(pair: Pair<Rule>) -> Result<Forward, SyntaxError> {
    let whole = span(&pair);
    let mut params = Vec::new();
    let mut lets = Vec::new();
    let mut results = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::ident => params.push(ident(part)),
            Rule::let_stmt => {
                let stmt_span = span(&part);
                let mut names = Vec::new();
                let mut value = None;
                for item in part.into_inner() {
                    match item.as_rule() {
                        Rule::ident => names.push(ident(item)),
                        _ => value = Some(expr(item)?),
                    }
                }
                let value = value.expect("let value");
                let name = names.remove(0);
                lets.push(Let { name, more_names: names, value, span: stmt_span });
            }
            Rule::expr => results.push(expr(part)?),
            Rule::outputs => {
                for output in part.into_inner() {
                    results.push(expr(output)?);
                }
            }
            other => unreachable!("unexpected forward item {other:?}"),
        }
    }
    let result = results.remove(0);
    Ok(Forward { params, lets, result, more_results: results, span: whole })
}

fn expr(pair: Pair<Rule>) -> Result<Expr, SyntaxError> {
    match pair.as_rule() {
        Rule::expr | Rule::product => {
            check_chain(&pair)?;
            let mut inner = pair.into_inner();
            let mut acc = expr(inner.next().expect("left operand"))?;
            while let Some(op) = inner.next() {
                let op = match op.as_str() {
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let rhs = expr(inner.next().expect("right operand"))?;
                let span = acc.span().to(rhs.span());
                acc = Expr::Binary { op, lhs: Box::new(acc), rhs: Box::new(rhs), span };
            }
            Ok(acc)
        }
        Rule::neg => {
            let whole = span(&pair);
            let operand = expr(pair.into_inner().next().expect("negated value"))?;
            Ok(Expr::Neg { operand: Box::new(operand), span: whole })
        }
        Rule::pipe => {
            check_chain(&pair)?;
            let mut inner = pair.into_inner();
            let mut acc = term(inner.next().expect("expression head"))?;
            for stage in inner {
                if stage.as_rule() == Rule::tensor_index {
                    acc = tensor_index(acc, stage)?;
                    continue;
                }
                if stage.as_rule() == Rule::child_slice {
                    let (name, range, span) = child_slice(stage)?;
                    acc = Expr::Call(slice_calls(&name, range, span, Some(acc), Vec::new()));
                    continue;
                }
                let mut call = match stage.as_rule() {
                    Rule::ident | Rule::child_path => {
                        let callee = ident(stage);
                        Call { span: callee.span, callee, piped: None, args: Vec::new() }
                    }
                    _ => call(stage)?,
                };
                call.piped = Some(Box::new(acc));
                acc = Expr::Call(call);
            }
            Ok(acc)
        }
        _ => term(pair),
    }
}

/// `input[...]`.
fn tensor_index(input: Expr, pair: Pair<Rule>) -> Result<Expr, SyntaxError> {
    let span = Span::new(input.span().range().start, end(&pair));
    let mut items = Vec::new();
    for item in pair.into_inner() {
        let part = item.into_inner().next().expect("an index item");
        items.push(match part.as_rule() {
            Rule::index_slice => {
                let (mut start, mut end, mut step) = (None, None, 1);
                for bound in part.into_inner() {
                    let rule = bound.as_rule();
                    let number = bound.into_inner().next().expect("a slice bound's integer");
                    let value = int(&number)?;
                    match rule {
                        Rule::slice_start => start = Some(value),
                        Rule::slice_end => end = Some(value),
                        _ if value > 0 => step = value,
                        _ => {
                            return Err(SyntaxError {
                                fix: None,
                                message: format!("a slice step must be positive, not {value}"),
                                span: self::span(&number),
                                label: "not positive".into(),
                                help: Some(
                                    "as in PyTorch, `x[:, ::2]` takes every second item; a tensor \
                                     is not sliced backwards"
                                        .into(),
                                ),
                            })
                        }
                    }
                }
                IndexItem::Slice { start, end, step }
            }
            _ => IndexItem::At(int(&part)?),
        });
    }
    Ok(Expr::Index { input: Box::new(input), items, span })
}

fn term(pair: Pair<Rule>) -> Result<Expr, SyntaxError> {
    match pair.as_rule() {
        Rule::ident => Ok(Expr::Name(ident(pair))),
        Rule::call => Ok(Expr::Call(call(pair)?)),
        Rule::expr => expr(pair),
        Rule::int | Rule::float => Ok(Expr::Number(value(pair)?)),
        Rule::list => {
            let whole = span(&pair);
            let items = pair.into_inner().map(expr).collect::<Result<_, _>>()?;
            Ok(Expr::List(items, whole))
        }
        Rule::if_expr => {
            let whole = span(&pair);
            let mut inner = pair.into_inner();
            let cond = cexpr(inner.next().expect("condition"))?;
            let then = Box::new(expr(inner.next().expect("then value"))?);
            let otherwise = Box::new(expr(inner.next().expect("else value"))?);
            Ok(Expr::If { cond, then, otherwise, span: whole })
        }
        other => unreachable!("unexpected term {other:?}"),
    }
}

/// `features[0..5]`: the child's name, the range of entries, and the whole span.
fn child_slice(pair: Pair<Rule>) -> Result<(Ident, (i64, i64), Span), SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("a child"));
    let start = int(&inner.next().expect("a start"))?;
    let end = int(&inner.next().expect("an end"))?;
    if start < 0 || end <= start {
        return Err(SyntaxError {
            message: format!("`{name}[{start}..{end}]` takes no entries"),
            span: whole,
            label: "empty or negative range".into(),
            help: Some(format!(
                "write entries `a..b` with 0 <= a < b, such as `{name}[{0}..{1}]`",
                start.max(0),
                start.max(0) + 1
            )),
            fix: None,
        });
    }
    Ok((name, (start, end), whole))
}

/// The calls of entries `start..end` of child `name`, each on the result of the one before:
/// `features[0..3](x)` is `features.2(features.1(features.0(x)))`.
fn slice_calls(
    name: &Ident,
    (start, end): (i64, i64),
    span: Span,
    piped: Option<Expr>,
    args: Vec<CallArg>,
) -> Call {
    let entry = |i: i64| Ident { name: compact_str::format_compact!("{}.{i}", name.name), span };
    let mut call = Call { callee: entry(start), piped: piped.map(Box::new), args, span };
    for i in start + 1..end {
        let arg = CallArg { keyword: None, value: CallArgValue::Expr(Expr::Call(call)), span };
        call = Call { callee: entry(i), piped: None, args: vec![arg], span };
    }
    call
}

fn call(pair: Pair<Rule>) -> Result<Call, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let head = inner.next().expect("callee");
    let head = head.into_inner().next().expect("callee name");
    let slice =
        if head.as_rule() == Rule::child_slice { Some(child_slice(head.clone())?) } else { None };
    let callee = match &slice {
        Some((name, _, _)) => name.clone(),
        None => ident(head),
    };
    let mut args = Vec::new();
    for arg_pair in inner {
        let arg_span = span(&arg_pair);
        let mut keyword = None;
        let mut value_arg = None;
        for part in arg_pair.into_inner() {
            match part.as_rule() {
                Rule::keyword => keyword = Some(ident(part.into_inner().next().expect("keyword"))),
                Rule::expr => value_arg = Some(CallArgValue::Expr(expr(part)?)),
                Rule::arg_tuple => {
                    let items = part.into_inner().map(expr).collect::<Result<_, _>>()?;
                    value_arg = Some(CallArgValue::Tuple(items));
                }
                Rule::sizes_of => {
                    let mut inner = part.into_inner();
                    let tensor = ident(inner.next().expect("a tensor"));
                    let start = int(&inner.next().expect("a start"))?;
                    let single = inner.next().is_none();
                    let end = inner.next().map(|end| int(&end)).transpose()?;
                    value_arg = Some(CallArgValue::SizesOf { tensor, start, end, single });
                }
                _ => value_arg = Some(CallArgValue::Const(value(part)?)),
            }
        }
        let value = value_arg.expect("call argument value");
        args.push(CallArg { keyword, value, span: arg_span });
    }
    if let Some((name, range, _)) = slice {
        return Ok(slice_calls(&name, range, whole, None, args));
    }
    Ok(Call { callee, piped: None, args, span: whole })
}

fn init_rule(pair: Pair<Rule>) -> Result<InitRule, SyntaxError> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let target_pair = inner.next().expect("init target");
    let target_span = span(&target_pair);
    let target = target_pair.into_inner().map(ident).collect();
    let init_pair = inner.next().expect("initialiser");
    let init_span = span(&init_pair);
    let mut init_inner = init_pair.into_inner();
    let init = ident(init_inner.next().expect("initialiser name"));
    let args = init_inner.map(arg).collect::<Result<_, _>>()?;
    Ok(InitRule { target, target_span, init, args, init_span, span: whole })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{parse, parse_by_stretches, parse_whole, too_long, STRETCHES_FROM};
    use crate::MAX_SOURCE_LEN;

    /// Spans hold 32-bit offsets: a longer source is refused before anything is parsed (its
    /// length is tested without building it).
    #[test]
    fn a_source_beyond_32_bit_offsets_is_refused() {
        assert!(too_long(MAX_SOURCE_LEN).is_none());
        let error = too_long(MAX_SOURCE_LEN + 1).expect("one byte too many");
        assert_eq!(error.message, "the source is 4294967296 bytes long, more than 4294967295");
        assert_eq!(error.span.range(), 0..0);
        assert!(parse("model M { input x: [N, 4] }").is_ok());
    }

    /// A file parsed by stretches gives the tree of the whole parse, and text the whole parse
    /// rejects does not parse by stretches.
    fn same_as_whole(source: &str) {
        match parse_whole(source) {
            Ok(file) => assert_eq!(parse_by_stretches(source), Some(file), "{source}"),
            Err(_) => assert_eq!(parse_by_stretches(source), None, "{source}"),
        }
    }

    /// The `.cnn` files of the repository.
    fn repository_sources() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root.join("examples"), root.join("tests")];
        let mut sources = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a directory of the repository") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "cnn") {
                    sources.push(std::fs::read_to_string(&path).expect("a .cnn file"));
                }
            }
        }
        sources
    }

    #[test]
    fn every_example_parses_by_stretches_as_whole() {
        let sources = repository_sources();
        assert!(sources.len() >= 20, "found {} .cnn files", sources.len());
        for source in &sources {
            same_as_whole(source);
        }
    }

    #[test]
    fn examples_with_a_byte_changed_parse_by_stretches_as_whole() {
        // Deletions, insertions and replacements of one byte at pseudo-random places, most of
        // which break the syntax somewhere in a body.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let bytes = b"{}();,=_ \n/*a1";
        for source in repository_sources() {
            for _ in 0..40 {
                let mut text = source.clone().into_bytes();
                let at = next(text.len());
                match next(3) {
                    0 => {
                        text.remove(at);
                    }
                    1 => text.insert(at, bytes[next(bytes.len())]),
                    _ => text[at] = bytes[next(bytes.len())],
                }
                if let Ok(text) = String::from_utf8(text) {
                    same_as_whole(&text);
                }
            }
        }
    }

    #[test]
    fn a_long_file_parses_by_stretches_with_the_errors_of_the_whole_parse() {
        let children: String = (0..3000).map(|i| format!("    fc{i} = Linear(4, 4)\n")).collect();
        let source = format!("model M {{\n    input x: [N, 4]\n{children}}}\n");
        assert!(source.len() > STRETCHES_FROM);
        assert_eq!(parse(&source).ok(), parse_by_stretches(&source));
        assert_eq!(parse(&source).ok(), parse_whole(&source).ok());
        let broken = source.replace("fc2500 = Linear(4, 4)", "fc2500 = Linear(4, 4))");
        let (by_parse, whole) = (parse(&broken), parse_whole(&broken));
        assert_eq!(
            by_parse.as_ref().err().map(|e| (e.span, &e.message)),
            whole.as_ref().err().map(|e| (e.span, &e.message))
        );
        assert!(by_parse.is_err());
    }

    #[test]
    fn long_bodies_comments_and_mistakes_parse_by_stretches_as_whole() {
        let children = |n: usize, sep: &str| -> String {
            (0..n).map(|i| format!("fc{i} = Linear(4, 4){sep}")).collect()
        };
        let long = format!("model M {{ input x: [N, 4]\n{} }}", children(100, "\n"));
        assert_eq!(parse_by_stretches(&long).expect("parses").models[0].items.len(), 100);
        for source in [
            long.clone(),
            format!("model M {{ input x: [N, 4]; {} }}", children(64, ";")),
            format!("model M {{ input x: [N, 4] {} }}", children(70, " /* c */ // d\n")),
            format!("model M {{ input x: [N, 4]\n{}fc40 = Linear(4, 4) )\n}}", children(40, "\n")),
            format!("model M {{ input x: [N, 4]\n{}", children(33, "\n")),
            format!("model M {{ input x: [N, 4]\n{}}} trailing", children(33, "\n")),
            format!("model M {{ input x: [N, 4]\n{}ReLU() }}", children(35, "\n")),
            "\u{FEFF}model M { input x: [N, 4]; fc = Linear(4, 4) }".into(),
            "// a\n/* b */ model M { /* c */ input x: [N, 4] // d\n fc = Linear(4, 4); } /* e */"
                .into(),
            "block B(c) { fc = Linear(c, c) }\nmodel M = B(4) { input x: [N, 4] }".into(),
            "fn half(v) { v / 2 }\nblock B(c) { fc = Linear(c, half(c)) }\n\
             model M { input x: [N, 8]; b = B(8); forward(x) { x -> b } init { B.fc.weight: zeros } }"
                .into(),
            "model M { input x: [N, 4]; fc = Linear(4, 4) } model N { input y: [N, 4] }".into(),
            String::new(),
            "  // only a comment".into(),
            "modelM { }".into(),
            "model M { input x: [N, 4] /* never closed".into(),
            "model M { input x: [N, 4]; fc = Linear(4, 4) } }".into(),
            "model M { input x: [N, 4]; fc = Linear(4, 4) )".into(),
            "model M { input x: [N, 4] ] }".into(),
            "block B( { }".into(),
        ] {
            same_as_whole(&source);
        }
    }
}
