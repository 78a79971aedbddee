//! Mistakes the parser names instead of listing grammar alternatives: habits from Python and
//! PyTorch (`nn.Conv2d`, `self.fc`, `padding: 1`, `[3, 3]`, `def forward`), misspelled keywords,
//! commas between children, comments and strings that are never closed, names outside ASCII,
//! and a `{` that is never closed.

use crate::ast::Span;
use crate::parser::{for_each_code_byte, SyntaxError, Unclosed};

/// The keywords, for suggestions when a statement starts with a misspelled one.
const KEYWORDS: &[&str] = &[
    "model",
    "block",
    "forward",
    "input",
    "init",
    "let",
    "for",
    "if",
    "else",
    "Sequential",
    "ModuleList",
];

/// The closest of `candidates` to `name` (case-insensitive), if it is close enough to be a
/// likely misspelling: at most one edit per three characters.
pub fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The edit distance of `a` and `b` where swapping two neighbours counts as one edit
/// (`modle` → `model`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

fn error(message: String, span: Span, label: &str, help: &str) -> SyntaxError {
    SyntaxError { fix: None, message, span, label: label.into(), help: Some(help.into()) }
}

/// The error with a replacement of `span` that fixes it.
fn fixed(error: SyntaxError, span: Span, replacement: String) -> SyntaxError {
    SyntaxError { fix: Some(Box::new((span, replacement))), ..error }
}

/// Before parsing: a character that cannot appear outside comments and strings, Python's
/// `def`, or a comment or string that is never closed.
pub(crate) fn scan(source: &str) -> Option<SyntaxError> {
    let bom = if source.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut found = None;
    let unclosed = for_each_code_byte(source, |i, b| {
        if found.is_some() || i < bom {
            return;
        }
        if b >= 0x80 {
            // The first byte outside ASCII that this scan meets starts a character.
            let c = source[i..].chars().next().unwrap_or('\u{fffd}');
            found = Some(not_ascii(source, i, c));
        } else if b == b'd' && source[i..].starts_with("def") && starts_python_def(source, i) {
            found = Some(error(
                "`def` is Python: cnnc writes `forward(x) { ... }`".into(),
                Span::new(i, i + 3),
                "not a keyword of cnnc",
                "write the forward pass as `forward(x) { x -> conv1 -> relu }`",
            ));
        }
    });
    found.or_else(|| match unclosed? {
        Unclosed::Comment(i) => Some(error(
            "this comment is never closed".into(),
            Span::new(i, i + 2),
            "opened here",
            "end it with `*/`",
        )),
        Unclosed::String(i) => Some(error(
            "this string is never closed".into(),
            Span::new(i, i + 1),
            "opened here",
            "end it with `\"` on the same line",
        )),
    })
}

/// Whether the `def` at `i` starts a word and is followed by a name, as in `def forward(x):`.
fn starts_python_def(source: &str, i: usize) -> bool {
    let before = source[..i].chars().next_back();
    let after = &source[i + 3..];
    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        && after.starts_with([' ', '\t'])
        && after.trim_start_matches([' ', '\t']).starts_with(|c: char| c.is_ascii_alphabetic())
}

/// The error for a non-ASCII character at `i` outside comments and strings.
fn not_ascii(source: &str, i: usize, c: char) -> SyntaxError {
    if c.is_alphanumeric() {
        let is_name = |c: char| c.is_alphanumeric() || c == '_';
        let start = source[..i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_name(c))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let end = source[i..].find(|c: char| !is_name(c)).map_or(source.len(), |j| i + j);
        return error(
            format!("`{}` is not a valid name", &source[start..end]),
            Span::new(start, end),
            &format!("`{c}` is not an ASCII letter"),
            "names use ASCII letters, digits and `_`, as the Rust names they become must",
        );
    }
    let help = match c {
        '×' | '·' => "write `*`",
        '−' | '–' | '—' => "write `-`",
        '“' | '”' | '„' => "write `\"`",
        _ => "outside comments and strings, only ASCII characters are allowed",
    };
    error(
        format!("unexpected character `{c}`"),
        Span::new(i, i + c.len_utf8()),
        "not part of the language",
        help,
    )
}

/// At a syntax error at `pos`: the mistake, if it is a known one.
pub(crate) fn recognise(source: &str, pos: usize) -> Option<SyntaxError> {
    let rest = source.get(pos..)?;
    let before = &source[..pos];
    let word_before =
        before.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
    let next_word = |s: &str| -> String {
        s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
    };
    if let Some(after_dot) = rest.strip_prefix('.') {
        let name = next_word(after_dot);
        let start = pos - word_before.len();
        let span = Span::new(start, pos + 1 + name.len());
        let habit = match word_before {
            "nn" => {
                Some(("PyTorch", "layers are named as in `torch.nn`, without the `nn.` prefix"))
            }
            "self" => Some(("Python", "children and values are named directly, without `self.`")),
            _ => None,
        };
        if let Some((language, help)) = habit {
            let message = format!("`{word_before}.{name}` is {language}'s spelling");
            let error = error(message, span, &format!("write `{name}`"), help);
            return Some(fixed(error, span, name));
        }
    }
    let open = innermost_open_bracket(before);
    if rest.starts_with(':') && open == Some(b'(') && !word_before.is_empty() {
        let span = Span::new(pos, pos + 1);
        let error = error(
            "arguments are named with `=`, not `:`".into(),
            span,
            "write `=`",
            &format!("write `{word_before}=...`, as in Python calls"),
        );
        return Some(fixed(error, span, "=".into()));
    }
    if rest.starts_with(',') && open == Some(b'{') {
        let span = Span::new(pos, pos + 1);
        let error = error(
            "children are separated by new lines or `;`, not `,`".into(),
            span,
            "write `;` or a new line",
            "as in `Sequential { Conv2d(3, 8, 3); ReLU() }`",
        );
        return Some(fixed(error, span, ";".into()));
    }
    if rest.starts_with('[') && open == Some(b'(') {
        let closed = rest.find(']');
        let end = closed.map_or(pos + 1, |j| pos + j + 1);
        let span = Span::new(pos, end);
        let error = error(
            "a pair of sizes is a tuple in parentheses, not a list".into(),
            span,
            "write `(3, 3)`",
            "as in PyTorch's `kernel_size=(3, 3)`",
        );
        return Some(match closed {
            Some(j) => fixed(error, span, format!("({})", &rest[1..j])),
            None => error,
        });
    }
    if let Some(error) = minus_line(before) {
        return Some(error);
    }
    misspelled_keyword(source, pos)
}

/// An error at the start of a line after one that starts with `-` (not `->`): in `forward`, that
/// line was a new expression, where a continued subtraction was meant.
fn minus_line(before: &str) -> Option<SyntaxError> {
    let line_start = before.rfind('\n')? + 1;
    if !before[line_start..].trim().is_empty() {
        return None;
    }
    let earlier = before[..line_start].trim_end();
    let previous_start = earlier.rfind('\n').map_or(0, |i| i + 1);
    let previous = &earlier[previous_start..];
    let minus = previous.trim_start();
    if !minus.starts_with('-') || minus.starts_with("->") {
        return None;
    }
    let start = previous_start + (previous.len() - minus.len());
    Some(error(
        "a line that starts with `-` starts a new expression".into(),
        Span::new(start, start + 1),
        "this `-` negates, it does not subtract",
        "to subtract, keep the `-` on the line of its left operand: end that line with `-` \
         (`y = fc(x) -`, then `x` on the next)",
    ))
}

/// The innermost bracket that is open at the end of `before` (comments and strings skipped).
fn innermost_open_bracket(before: &str) -> Option<u8> {
    let mut open = Vec::new();
    for_each_code_byte(before, |_, b| match b {
        b'(' | b'[' | b'{' => open.push(b),
        b')' | b']' | b'}' => {
            open.pop();
        }
        _ => {}
    });
    open.pop()
}

/// A statement on the line of `pos` that starts with a misspelled keyword (`modle M {`,
/// `foward(x) {`) rather than a child declaration.
fn misspelled_keyword(source: &str, pos: usize) -> Option<SyntaxError> {
    let line_start = source[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &source[line_start..];
    let indent = line.len() - line.trim_start().len();
    let word: String =
        line[indent..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let after = line[indent + word.len()..].trim_start();
    if word.is_empty() || KEYWORDS.contains(&word.as_str()) || after.starts_with('=') {
        return None;
    }
    let keyword = suggest(&word, KEYWORDS)?;
    let start = line_start + indent;
    let span = Span::new(start, start + word.len());
    let error = error(
        format!("unknown keyword `{word}`"),
        span,
        &format!("did you mean `{keyword}`?"),
        "a statement starts with a keyword (`model`, `block`, `input`, `forward`, `init`, `let`, \
         `for`, `if`) or with a child's name and `=`",
    );
    Some(fixed(error, span, keyword.to_string()))
}

/// For a `{` that is never closed: the one that indentation says lacks its `}`. A `}` closes
/// the innermost open `{` whose line has the same indentation; the `{`s it skips are unclosed.
pub(crate) fn unclosed_brace(source: &str) -> Option<usize> {
    let indent_of = |offset: usize| {
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &source[line_start..];
        line.len() - line.trim_start_matches([' ', '\t']).len()
    };
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut skipped = None;
    for_each_code_byte(source, |i, b| match b {
        b'{' => open.push((i, indent_of(i))),
        b'}' => {
            let indent = indent_of(i);
            match open.iter().rposition(|&(_, level)| level == indent) {
                Some(at) => {
                    if at + 1 < open.len() && skipped.is_none() {
                        skipped = Some(open[at + 1].0);
                    }
                    open.truncate(at);
                }
                None => {
                    open.pop();
                }
            }
        }
        _ => {}
    });
    skipped.or_else(|| open.last().map(|&(i, _)| i))
}
