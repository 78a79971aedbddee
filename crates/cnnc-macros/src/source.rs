//! Macro tokens as cnnc source text, with the way back from byte offsets to token spans.

use cnnc_check::Error;
use proc_macro2::{Delimiter, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

/// The source text of a macro input and the span of every token in it.
pub struct Source {
    /// The text the cnnc parser reads.
    pub text: String,
    /// `(start, end, span)` of every token, in text order.
    tokens: Vec<(usize, usize, Span)>,
}

impl Source {
    /// Writes tokens out as text: a space between tokens, none after a joint punctuation
    /// (`->`), inside a negative number (`-1`) or between a name and its `(`.
    pub fn from_tokens(tokens: TokenStream) -> Self {
        let mut source = Source { text: String::new(), tokens: Vec::new() };
        source.write_stream(tokens);
        source
    }

    fn push(&mut self, text: &str, span: Span) {
        let start = self.text.len();
        self.text.push_str(text);
        self.tokens.push((start, self.text.len(), span));
    }

    fn write_stream(&mut self, tokens: TokenStream) {
        let mut iter = tokens.into_iter().peekable();
        while let Some(token) = iter.next() {
            match &token {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    self.push(open, group.span_open());
                    self.text.push(' ');
                    self.write_stream(group.stream());
                    self.push(close, group.span_close());
                    self.text.push(' ');
                }
                TokenTree::Punct(punct) => {
                    self.push(&punct.as_char().to_string(), punct.span());
                    let negative_number = punct.as_char() == '-'
                        && matches!(iter.peek(), Some(TokenTree::Literal(_)));
                    if punct.spacing() == Spacing::Alone && !negative_number {
                        self.text.push(' ');
                    }
                }
                TokenTree::Ident(ident) => {
                    self.push(&ident.to_string(), ident.span());
                    // A call's `(` follows its name without a space, as the grammar requires.
                    let call = matches!(iter.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    if !call {
                        self.text.push(' ');
                    }
                }
                TokenTree::Literal(literal) => {
                    self.push(&literal.to_string(), literal.span());
                    self.text.push(' ');
                }
            }
        }
    }

    /// The tokens that overlap a byte range, as the first and last one's spans.
    fn span_range(&self, start: usize, end: usize) -> (Span, Span) {
        let overlapping: Vec<Span> = self
            .tokens
            .iter()
            .filter(|(s, e, _)| *s < end.max(start + 1) && *e > start)
            .map(|(_, _, span)| *span)
            .collect();
        match (overlapping.first(), overlapping.last()) {
            (Some(first), Some(last)) => (*first, *last),
            // An empty range between tokens (such as the end of input): the next token, or the
            // last one.
            _ => {
                let next = self.tokens.iter().find(|(s, _, _)| *s >= start).or(self.tokens.last());
                let span = next.map_or_else(Span::call_site, |(_, _, span)| *span);
                (span, span)
            }
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.tokens
            .iter()
            .find(|(s, e, _)| *s <= offset && offset < (*e).max(*s + 1))
            .map_or(0, |(_, _, span)| span.start().line)
    }

    /// A `compile_error!` for a diagnostic, spanning the tokens of its primary span. Its message
    /// carries the code, the labels and the help line.
    pub fn compile_error(&self, error: &Error) -> TokenStream {
        let (span, label) = &error.primary;
        let mut message = format!("{} [{}]\n  {label}", error.message, error.code);
        for (related, note) in &error.related {
            let line = self.line_of(related.range().start);
            if line > 0 {
                message.push_str(&format!("\n  note (line {line}): {note}"));
            } else {
                message.push_str(&format!("\n  note: {note}"));
            }
        }
        if let Some(help) = &error.help {
            message.push_str(&format!("\n  help: {help}"));
        }
        let range = span.range();
        let (first, last) = self.span_range(range.start, range.end);
        let start = Ident::new("start", first);
        let end = Ident::new("end", last);
        syn::Error::new_spanned(quote! { #start #end }, message).to_compile_error()
    }
}
