//! The canonical layout of a `.cnn` source, as `cnnc fmt` writes it. Like gofmt it keeps the
//! author's line breaks and every comment, and fixes everything else: indentation (four spaces
//! per `{` and per open bracket), the spaces between tokens, trailing spaces, and runs of blank
//! lines. A space the author puts between a name and a bracket is kept, since it can carry
//! meaning: in `x -> a (h, aux(h))`, `a` and the tuple are two values, not a call. Formatting is
//! idempotent, and a formatted file parses to the same syntax tree.

use crate::parser::{parse, SyntaxError};

/// The source in canonical layout; a source that does not parse is returned as its error.
pub fn format(source: &str) -> Result<String, SyntaxError> {
    parse(source)?;
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let tokens = tokenize(source);
    Ok(layout(&tokens))
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A name or keyword.
    Word,
    /// A number literal.
    Number,
    /// A string literal.
    Str,
    /// `// ...` to the end of the line.
    LineComment,
    /// `/* ... */`, possibly over several lines.
    BlockComment,
    /// An operator or bracket.
    Punct,
    /// The end of a line.
    Newline,
}

#[derive(Debug, Clone)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    /// Whether white space separates it from the token before it in the source.
    spaced: bool,
}

/// Operators of more than one character, longest first.
const OPERATORS: &[&str] = &["->", "..", "==", "!=", "<=", ">=", "&&", "||"];

fn tokenize(source: &str) -> Vec<Token<'_>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < bytes.len() {
        let rest = &source[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let (kind, len) = if c == '\n' {
            (Kind::Newline, 1)
        } else if c.is_whitespace() {
            i += c.len_utf8();
            spaced = true;
            continue;
        } else if rest.starts_with("//") {
            (Kind::LineComment, rest.find('\n').unwrap_or(rest.len()))
        } else if rest.starts_with("/*") {
            (Kind::BlockComment, rest.find("*/").map_or(rest.len(), |n| n + 2))
        } else if c == '"' {
            (Kind::Str, rest[1..].find('"').map_or(rest.len(), |n| n + 2))
        } else if c.is_ascii_digit() {
            (Kind::Number, number_length(rest))
        } else if c.is_alphanumeric() || c == '_' {
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (Kind::Word, len)
        } else {
            let len = OPERATORS
                .iter()
                .find(|op| rest.starts_with(*op))
                .map_or(c.len_utf8(), |op| op.len());
            (Kind::Punct, len)
        };
        tokens.push(Token { kind, text: &source[i..i + len], spaced });
        spaced = false;
        i += len;
    }
    tokens
}

/// The length of the number literal at the start of `text`: digits, a fraction, an exponent.
fn number_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits =
        |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut end = digits(0);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut at = end + 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if bytes.get(at).is_some_and(u8::is_ascii_digit) {
            end = digits(at);
        }
    }
    end
}

/// Keywords, after which a `-` is a sign (`in -1..n`). A bracket after one keeps the source's
/// spacing: `if (a) { .. }` is a condition, while `if(a)` in `forward` calls a function `if`.
const KEYWORDS: &[&str] = &["if", "else", "for", "in", "let"];

/// Lays the tokens out line by line.
fn layout(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    // The open brackets: the bracket and whether `=` inside it takes spaces (`{` bodies and
    // block signatures) or not (call arguments).
    let mut open: Vec<(&str, bool)> = Vec::new();
    let mut blank_lines = 0;
    let mut line: Vec<&Token<'_>> = Vec::new();
    let mut index = 0;
    while index <= tokens.len() {
        let token = tokens.get(index);
        index += 1;
        if token.is_some_and(|t| t.kind != Kind::Newline) {
            line.push(token.expect("a token"));
            continue;
        }
        if line.is_empty() {
            blank_lines += 1;
            continue;
        }
        // Lines that start by closing brackets are indented as the line that opened them; a
        // line that starts with an operator continues the one before, one level deeper.
        let closing = line.iter().take_while(|t| matches!(t.text, "}" | ")" | "]")).count();
        let continues = matches!(line[0].text, "->" | "+" | "*" | "/" | "&&" | "||");
        let depth = open.len().saturating_sub(closing) + usize::from(continues);
        if !out.is_empty() && blank_lines > 0 {
            out.push('\n');
        }
        blank_lines = 0;
        out.push_str(&"    ".repeat(depth));
        write_line(&line, &mut open, &mut out);
        out.push('\n');
        line.clear();
    }
    out
}

/// Writes the tokens of one line with canonical spaces, tracking open brackets.
fn write_line<'a>(line: &[&Token<'a>], open: &mut Vec<(&'a str, bool)>, out: &mut String) {
    let mut previous: Option<&Token<'a>> = None;
    let mut before_previous: Option<&Token<'a>> = None;
    for (i, token) in line.iter().enumerate() {
        if let Some(prev) = previous {
            if space_between(before_previous, prev, line, i, open) {
                out.push(' ');
            }
        }
        out.push_str(token.text.trim_end());
        match token.text {
            "(" | "[" => {
                let signature = before_previous.is_some_and(|t| matches!(t.text, "block" | "fn"));
                open.push((token.text, signature));
            }
            "{" => open.push(("{", true)),
            ")" | "]" | "}" => {
                open.pop();
            }
            _ => {}
        }
        before_previous = previous;
        previous = Some(token);
    }
}

/// Whether one space separates `prev` from token `at` of `line` (`earlier` comes before `prev`;
/// `open` holds the brackets open before it).
fn space_between(
    earlier: Option<&Token<'_>>,
    prev: &Token<'_>,
    line: &[&Token<'_>],
    at: usize,
    open: &[(&str, bool)],
) -> bool {
    let next = line[at];
    let (p, n) = (prev.text, next.text);
    if matches!(next.kind, Kind::LineComment | Kind::BlockComment)
        || matches!(prev.kind, Kind::LineComment | Kind::BlockComment)
    {
        return true;
    }
    let spaced_equals = open.last().is_none_or(|&(_, spaced)| spaced);
    if n == "=" || p == "=" {
        return spaced_equals;
    }
    if matches!(n, "," | ";" | ")" | "]" | "." | ".." | ":") || matches!(p, "(" | "[" | "." | "..")
    {
        return false;
    }
    // `x[:, 1:]`: a slice's colon is not spaced.
    if p == ":" && open.last().is_some_and(|&(bracket, _)| bracket == "[") {
        return false;
    }
    if matches!(p, "," | ";" | ":") {
        return true;
    }
    if n == "{" {
        // `denselayer{i + 1} = ...`: a computed name is written without a space.
        return !(prev.kind == Kind::Word && is_name_index(line, at));
    }
    if p == "{" {
        return !is_name_index(line, at - 1);
    }
    if n == "}" {
        return !opening_brace(line, at).is_some_and(|open| is_name_index(line, open));
    }
    if matches!(n, "(" | "[") {
        // `convs.0(x)`: a path that ends in a number is still a callee.
        if earlier.is_some_and(|e| e.text == ".") {
            return false;
        }
        // `config[-1][0]`: an index follows what it indexes; `features[0..2](x)` calls a slice.
        if n == "[" && matches!(p, "]" | ")") || n == "(" && p == "]" && !next.spaced {
            return false;
        }
        // A space the source puts between a name and a bracket stays: in `forward`, `h = x -> a
        // (h, aux(h))` binds `x -> a` and then gives a tuple, where `a(h, aux(h))` is a call.
        return prev.kind != Kind::Word || next.spaced;
    }
    if p == "!" || (p == "-" && is_unary(earlier)) {
        return false;
    }
    true
}

/// Whether the `{` at `at` opens a computed name (`denselayer{i + 1} = ...`) rather than a body:
/// its `}` is on the same line and followed by `=`.
fn is_name_index(line: &[&Token<'_>], at: usize) -> bool {
    let mut depth = 0usize;
    for (j, token) in line.iter().enumerate().skip(at) {
        match token.text {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return line.get(j + 1).is_some_and(|t| t.text == "=");
                }
            }
            _ => {}
        }
    }
    false
}

/// The position of the `{` on this line that the `}` at `at` closes.
fn opening_brace(line: &[&Token<'_>], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    for j in (0..at).rev() {
        match line[j].text {
            "}" => depth += 1,
            "{" if depth == 0 => return Some(j),
            "{" => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Whether a `-` after `earlier` is a sign rather than a subtraction.
fn is_unary(earlier: Option<&Token<'_>>) -> bool {
    match earlier {
        None => true,
        Some(t) => match t.kind {
            Kind::Punct => !matches!(t.text, ")" | "]" | "}"),
            Kind::Word => KEYWORDS.contains(&t.text),
            _ => false,
        },
    }
}
