//! A fast path for the shape most mapping templates have: text, plain
//! references with properties and method calls, `#if`/`#elseif`/`#else`,
//! `#foreach`, `#end`, `#set($name = value)`, `##`/`#* *#` comments, and
//! quiet and formal references (`$!a`, `${a}`) in text.
//!
//! The full parser (`parser.rs` over `lexer.rs`) reproduces Velocity's
//! token manager rule by rule, which costs hundreds of instructions a token.
//! This one reads bytes directly and builds the tree the full parser
//! builds, but only where the answer is plain. At the first thing outside
//! that shape (a `#set` right after a reference or with an expression,
//! comments with a `#` inside, escapes, `${…}` and `$!` outside text, index
//! notation, interpolated strings, operators beyond one comparison, deep
//! nesting, anything odd) it gives up with `None` and the full parser
//! decides, errors included.
//!
//! One difference: text, and the written form of references, stay in the
//! template's source (`Node::Source`, a reference's source literal) instead
//! of being copied out piece by piece. A test checks that both parsers give
//! the same tree for every corpus template once those are copied out.

use super::ast::*;
use super::span::{Span, VelocityCursor};

/// Deepest nesting tried here; deeper templates go to the full parser,
/// which owns the nesting limit and its error.
const MAX_DEPTH: usize = 64;

/// The template's nodes, or `None` to leave it to the full parser.
pub(super) fn parse(src: &str, symbols: &mut Symbols) -> Option<Block> {
    u32::try_from(src.len()).ok()?;
    let mut p = Fast {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        symbols,
        lines: VelocityCursor::default(),
        depth: 0,
    };
    let mut nodes = new_block();
    match p.block(&mut nodes)? {
        Stop::Eof => Some(nodes),
        _ => None,
    }
}

struct Fast<'a, 's> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    symbols: &'s mut Symbols,
    lines: VelocityCursor,
    depth: usize,
}

/// What ended a block.
enum Stop {
    Eof,
    /// `#end` and the span of its token (trailing newline included).
    End(Span),
    Else,
    ElseIf,
}

fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic()
}

/// Byte classes, looked up once a byte: identifiers are most of what the
/// fast path scans.
const IDENT: u8 = 1;
const WORD: u8 = 2;
const TEXT_END: u8 = 4;
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'_' {
            t[c] = IDENT | WORD;
        }
        c += 1;
    }
    t[b'-' as usize] = IDENT;
    t[b'@' as usize] = WORD;
    t[b'$' as usize] = TEXT_END;
    t[b'#' as usize] = TEXT_END;
    t[b'\\' as usize] = TEXT_END;
    t
};

/// The length of the text at the start of `rest`: up to the first `$`,
/// `#` or `\`. Runs between references are short, where eight bytes at a
/// time in a word beat `memchr`'s setup; long runs go to `memchr`.
fn text_run(rest: &[u8]) -> usize {
    let mut i = 0;
    while i < 32 {
        let Some(chunk) = rest.get(i..i + 8) else {
            break;
        };
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let found = zero_bytes(word ^ splat(b'$'))
            | zero_bytes(word ^ splat(b'#'))
            | zero_bytes(word ^ splat(b'\\'));
        if found != 0 {
            // The lowest flagged byte is exact: a false flag can only come
            // from a borrow out of a true one below it.
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    let tail = rest.get(i..).unwrap_or_default();
    if i < 32 {
        // Fewer than eight bytes left.
        return i + tail
            .iter()
            .position(|&c| CLASSES[usize::from(c)] & TEXT_END != 0)
            .unwrap_or(tail.len());
    }
    i + memchr::memchr3(b'$', b'#', b'\\', tail).unwrap_or(tail.len())
}

/// `b` in each byte of a word.
fn splat(b: u8) -> u64 {
    u64::from(b) * 0x0101_0101_0101_0101
}

/// The high bit of each zero byte of `x` set (and perhaps of bytes above
/// the lowest zero byte, which callers ignore).
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080
}

/// A character of a directive word (Velocity's `DIRECTIVE_CHAR`).
fn is_word_char(c: u8) -> bool {
    CLASSES[usize::from(c)] & WORD != 0
}

/// A character of an identifier after its first (letters, digits, `_`, `-`).
fn is_ident_char(c: u8) -> bool {
    CLASSES[usize::from(c)] & IDENT != 0
}

/// Whether `c` after a reference just ends it. Letters after a method
/// call would start Velocity's "runt" identifier; the others are tokens of
/// the reference states or start other rules.
fn ends_reference(c: u8) -> bool {
    !(is_alpha(c)
        || matches!(
            c,
            b'_' | b'$' | b'#' | b'\\' | b'[' | b'(' | b'{' | b'}' | b'.'
        ))
}

/// Whether `c` (then `next`) after a reference in template text ends it:
/// also a `.` that starts no property (`$item.type.` ends a sentence) and a
/// `}`, both printed as text, and the start of another reference or of a
/// directive.
fn ends_reference_in_text(c: u8, next: u8) -> bool {
    ends_reference(c)
        || c == b'}'
        || (c == b'.' && !(is_alpha(next) || next == b'_'))
        // Another reference or a directive word (`$item#if(…)`, `$i#end`).
        || (matches!(c, b'$' | b'#') && is_alpha(next))
}

/// Whether double-quoted text interpolates to itself: no `#` or `\`, and
/// no `$` followed by what could start a reference (a letter, `_`, `{`,
/// `!`).
fn is_plain_text(text: &[u8]) -> bool {
    text.iter().enumerate().all(|(i, &c)| match c {
        b'#' | b'\\' => false,
        b'$' => matches!(
            text.get(i + 1),
            None | Some(b'.' | b'[' | b']' | b'(' | b')' | b'\'' | b' ' | b',' | b'0'..=b'9')
        ),
        _ => true,
    })
}

/// Append the source text at `at`, extending a text node that ends where
/// it starts. Text on either side of a comment stays in two nodes.
fn push_source(out: &mut Block, at: Span) {
    if let Some(Node::Source(prev)) = out.last_mut() {
        if prev.end == at.start {
            prev.end = at.end;
            return;
        }
    }
    out.push(Node::Source(at));
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end)
}

impl<'a> Fast<'a, '_> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    /// The end of the run of bytes from `i` on that satisfy `f`.
    fn run_while(&self, mut i: usize, f: impl Fn(u8) -> bool) -> usize {
        while let Some(&c) = self.bytes.get(i) {
            if !f(c) {
                break;
            }
            i += 1;
        }
        i
    }

    /// Blanks and newlines (the Whitespace token of directive arguments).
    fn skip_blanks(&mut self) -> bool {
        let end = self.run_while(self.pos, |c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
        let any = end > self.pos;
        self.pos = end;
        any
    }

    /// The end of `#end`, `#else` or `)` with the blanks and one newline
    /// after it, which Velocity's token swallows; just `at` without a newline.
    fn eat_line_end(&self, at: usize) -> usize {
        let i = self.run_while(at, |c| c == b' ' || c == b'\t');
        match (self.at(i), self.at(i + 1)) {
            (b'\n', _) => i + 1,
            (b'\r', b'\n') => i + 2,
            (b'\r', _) => i + 1,
            _ => at,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// `( Statement() )*` up to what ends the block.
    fn block(&mut self, out: &mut Block) -> Option<Stop> {
        loop {
            let start = self.pos;
            let rest = self.bytes.get(start..)?;
            let run = text_run(rest);
            // Blanks that start a token belong to a `#set` right after them
            // (Velocity's SET_DIRECTIVE token): they print nothing.
            let set_blanks = rest.get(run..).is_some_and(|r| r.starts_with(b"#set"))
                && rest
                    .get(..run)
                    .is_some_and(|b| b.iter().all(|c| matches!(c, b' ' | b'\t')));
            if run > 0 && !set_blanks {
                push_source(out, span(start, start + run));
            }
            self.pos += run;
            match self.cur() {
                _ if self.pos >= self.bytes.len() => return Some(Stop::Eof),
                b'#' if self.at(self.pos + 1) == b'#' => self.line_comment()?,
                b'#' if self.at(self.pos + 1) == b'*' => self.block_comment()?,
                b'#' if self.text(self.pos, self.pos + 4) == "#set" => {
                    // Right after a reference the scanner is in a state the
                    // `#set` line leaves behind: the full parser's.
                    if set_blanks && matches!(out.last(), Some(Node::Reference(_))) {
                        return None;
                    }
                    let from = if set_blanks { start } else { self.pos };
                    out.push(self.set(from)?);
                }
                b'$' => {
                    let (r, formal) = self.text_reference()?;
                    // After a formal reference's `}` anything is text.
                    if !formal && !ends_reference_in_text(self.cur(), self.at(self.pos + 1)) {
                        return None;
                    }
                    out.push(Node::Reference(r));
                    // A `}` right after a reference is a token of its own:
                    // blanks after it start a token (and may start `#set`).
                    if !formal && self.cur() == b'}' {
                        push_source(out, span(self.pos, self.pos + 1));
                        self.pos += 1;
                    }
                }
                b'#' => {
                    if let Some(stop) = self.directive(out)? {
                        return Some(stop);
                    }
                }
                _ => return None,
            }
        }
    }

    /// `##` through the end of its line, newline included.
    fn line_comment(&mut self) -> Option<()> {
        let rest = self.bytes.get(self.pos..)?;
        self.pos += match memchr::memchr2(b'\n', b'\r', rest) {
            // At the end of the template a `#` or `$` in the comment may
            // leave Velocity's lexer mid-token, an error: the full parser's.
            None => return None,
            Some(i) if rest.get(i) == Some(&b'\n') => i + 1,
            // `\r\n` ends the line; how a lone `\r` does is the full parser's.
            Some(i) if rest.get(i + 1) == Some(&b'\n') => i + 2,
            Some(_) => return None,
        };
        Some(())
    }

    /// `#* … *#`. A formal comment (`#**`), one never closed and one with a
    /// `#` inside are left to the full parser.
    fn block_comment(&mut self) -> Option<()> {
        if self.at(self.pos + 2) == b'*' {
            return None;
        }
        let rest = self.bytes.get(self.pos + 2..)?;
        let end = memchr::memmem::find(rest, b"*#")?;
        // A `#` inside can start tokens of its own (`#*#` does not end at
        // its `*#`): those comments are the full parser's.
        if rest.get(..end)?.contains(&b'#') {
            return None;
        }
        self.pos += 2 + end + 2;
        Some(())
    }

    /// `#set($name = value)`, from `start` (blanks before `#set` included),
    /// with the blanks and the newline after the `)`.
    fn set(&mut self, start: usize) -> Option<Node> {
        let hash = self.pos;
        self.pos = self.run_while(hash + 4, |c| c == b' ');
        let target = self.paren_then_reference()?;
        self.skip_blanks();
        if self.cur() != b'=' || self.at(self.pos + 1) == b'=' {
            return None;
        }
        self.pos += 1;
        self.skip_blanks();
        let value = self.value()?;
        self.skip_blanks();
        if self.cur() != b')' {
            return None;
        }
        let end = self.eat_line_end(self.pos + 1);
        // Text right after the `)` is scanned in a state where a word is a
        // runt reference: only the usual line end or another statement here.
        if end == self.pos + 1 && end < self.bytes.len() && !matches!(self.at(end), b'#' | b'$') {
            return None;
        }
        self.pos = end;
        Some(Node::Set(Box::new(SetNode {
            span: span(start, end),
            target,
            value,
        })))
    }

    /// A directive at `#`: `Some(stop)` when it ends the block.
    fn directive(&mut self, out: &mut Block) -> Option<Option<Stop>> {
        let hash = self.pos;
        if !(is_alpha(self.at(hash + 1)) || self.at(hash + 1) == b'_') {
            return None;
        }
        let word_end = self.run_while(hash + 1, is_word_char);
        let word = self.text(hash + 1, word_end);
        self.pos = word_end;
        match word {
            "end" => {
                self.pos = self.eat_line_end(word_end);
                Some(Some(Stop::End(span(hash, self.pos))))
            }
            "else" => {
                self.pos = self.eat_line_end(word_end);
                Some(Some(Stop::Else))
            }
            "elseif" => Some(Some(Stop::ElseIf)),
            "if" => {
                let node = self.if_statement()?;
                out.push(node);
                Some(None)
            }
            "foreach" => {
                let node = self.foreach(hash)?;
                out.push(node);
                Some(None)
            }
            _ => None,
        }
    }

    fn if_statement(&mut self) -> Option<Node> {
        self.enter()?;
        let mut branches = smallvec::SmallVec::new();
        let mut otherwise = None;
        loop {
            let cond = self.condition()?;
            let mut body = new_block();
            let stop = self.block(&mut body)?;
            branches.push((cond, body));
            match stop {
                Stop::ElseIf => continue,
                Stop::Else => {
                    let mut body = new_block();
                    let Stop::End(_) = self.block(&mut body)? else {
                        return None;
                    };
                    otherwise = Some(body);
                    break;
                }
                Stop::End(_) => break,
                Stop::Eof => return None,
            }
        }
        self.depth -= 1;
        Some(Node::If(Box::new(IfNode {
            branches,
            otherwise,
        })))
    }

    /// `( expression )` after `#if` or `#elseif`, with the `)` token.
    fn condition(&mut self) -> Option<Expr> {
        self.skip_blanks();
        if self.cur() != b'(' {
            return None;
        }
        self.pos += 1;
        let left = self.unary()?;
        let op = match (self.cur(), self.at(self.pos + 1)) {
            (b')', _) => None,
            (b'=', b'=') => Some((BinOp::Eq, 2)),
            (b'!', b'=') => Some((BinOp::Ne, 2)),
            (b'<', b'=') => Some((BinOp::Le, 2)),
            (b'>', b'=') => Some((BinOp::Ge, 2)),
            (b'<', _) => Some((BinOp::Lt, 1)),
            (b'>', _) => Some((BinOp::Gt, 1)),
            (b'&', b'&') => Some((BinOp::And, 2)),
            (b'|', b'|') => Some((BinOp::Or, 2)),
            _ => return None,
        };
        let e = match op {
            None => left,
            Some((op, len)) => {
                self.pos += len;
                let right = self.unary()?;
                Expr::binary(op, left, right, SmolStr::default())
            }
        };
        if self.cur() != b')' {
            return None;
        }
        self.pos = self.eat_line_end(self.pos + 1);
        Some(e)
    }

    /// `!`* then a value, with the blanks around it.
    fn unary(&mut self) -> Option<Expr> {
        self.skip_blanks();
        if self.cur() == b'!' && self.at(self.pos + 1) != b'=' {
            let bang = self.pos;
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = span(bang, bang + 1).to(inner.span());
            return Some(Expr::Not(Box::new(inner), span));
        }
        let e = self.value()?;
        self.skip_blanks();
        Some(e)
    }

    /// A reference, integer, `true`/`false` or plain string literal.
    fn value(&mut self) -> Option<Expr> {
        let start = self.pos;
        match self.cur() {
            b'$' => {
                let r = self.reference()?;
                if !ends_reference(self.cur()) {
                    return None;
                }
                Some(Expr::Ref(r))
            }
            b'0'..=b'9' => self.integer(),
            b'\'' | b'"' => self.string(),
            b't' | b'f' => {
                let end = self.run_while(start, is_word_char);
                let value = match self.text(start, end) {
                    "true" => true,
                    "false" => false,
                    _ => return None,
                };
                self.pos = end;
                Some(Expr::Bool(value, span(start, end)))
            }
            _ => None,
        }
    }

    /// Digits not followed by anything that would make another token.
    fn integer(&mut self) -> Option<Expr> {
        let start = self.pos;
        let end = self.run_while(start, |c| c.is_ascii_digit());
        if end - start > 30 || is_ident_char(self.at(end)) || self.at(end) == b'.' {
            return None;
        }
        let value = self.text(start, end).parse::<i128>().ok()?;
        self.pos = end;
        Some(Expr::Int(value, span(start, end)))
    }

    /// A string literal without doubled quotes, `\` escapes or (double
    /// quoted) anything to interpolate: a `$` that starts no reference, as
    /// in JSONPaths (`"$.errorMessage"`), is text, which the full parser
    /// also makes a plain literal.
    fn string(&mut self) -> Option<Expr> {
        let start = self.pos;
        let quote = self.cur();
        let inner = self.run_while(start + 1, |c| c != quote);
        if inner >= self.bytes.len() || self.at(inner + 1) == quote {
            return None;
        }
        let value = self.text(start + 1, inner);
        if quote == b'"' && !is_plain_text(value.as_bytes()) {
            return None;
        }
        self.pos = inner + 1;
        Some(Expr::Str {
            value: small_str(value),
            interpolated: None,
            span: span(start, inner + 1),
        })
    }

    /// `(`, blanks, then a reference: how `#set` and `#foreach` start.
    fn paren_then_reference(&mut self) -> Option<Reference> {
        if self.cur() != b'(' {
            return None;
        }
        self.pos += 1;
        self.skip_blanks();
        if self.cur() != b'$' {
            return None;
        }
        self.reference()
    }

    /// `#foreach($var in $reference) body #end`.
    fn foreach(&mut self, hash: usize) -> Option<Node> {
        // Asked for before the body, as the full parser does.
        let (line, column) = self.lines.line_col(self.src, hash);
        self.skip_blanks();
        let var = self.paren_then_reference()?;
        if !var.parts().is_empty() || !self.skip_blanks() {
            return None;
        }
        let word_end = self.run_while(self.pos, is_word_char);
        if self.text(self.pos, word_end) != "in" {
            return None;
        }
        self.pos = word_end;
        if !self.skip_blanks() || self.cur() != b'$' {
            return None;
        }
        let iterable = self.value()?;
        self.skip_blanks();
        if self.cur() != b')' {
            return None;
        }
        self.pos = self.eat_line_end(self.pos + 1);
        self.enter()?;
        let mut body = new_block();
        let Stop::End(end) = self.block(&mut body)? else {
            return None;
        };
        self.depth -= 1;
        Some(Node::Foreach(Box::new(ForeachNode {
            span: span(hash, end.end as usize),
            line,
            column,
            var: var.root,
            iterable,
            body,
        })))
    }

    /// `$name` then `.name` and `.name(args)` steps.
    fn reference(&mut self) -> Option<Reference> {
        self.reference_named_at(self.pos + 1, RefStyle::Normal, false)
    }

    /// A reference in template text: also `$!name` and the formal
    /// `${name.parts}` and `$!{…}`; and whether it is formal.
    fn text_reference(&mut self) -> Option<(Reference, bool)> {
        let start = self.pos;
        let mut name = start + 1;
        let quiet = self.at(name) == b'!';
        if quiet {
            name += 1;
        }
        let formal = self.at(name) == b'{';
        if formal {
            name += 1;
        }
        let style = match (quiet, formal) {
            (true, _) => RefStyle::Quiet,
            (false, true) => RefStyle::Formal,
            (false, false) => return Some((self.reference()?, false)),
        };
        let mut r = self.reference_named_at(name, style, formal)?;
        if formal {
            if self.cur() != b'}' {
                return None;
            }
            self.pos += 1;
            r.span = span(start, self.pos);
            r.set_source_literal(true);
        }
        Some((r, formal))
    }

    /// A reference from the `$` at `self.pos` whose name starts at `name_at`.
    fn reference_named_at(
        &mut self,
        name_at: usize,
        style: RefStyle,
        formal: bool,
    ) -> Option<Reference> {
        let start = self.pos;
        let first = self.at(name_at);
        if !(is_alpha(first) || first == b'_') {
            return None;
        }
        let root_end = self.run_while(name_at + 1, is_ident_char);
        let root = self.text(name_at, root_end);
        // `$true` and `$false` lex as booleans.
        if root == "true" || root == "false" {
            return None;
        }
        self.pos = root_end;
        // The root is numbered after the names in the arguments, as the
        // full parser numbers it.
        let mut r = Reference::plain(span(start, root_end), Ident(0), style);
        while self.cur() == b'.' && is_alpha(self.at(self.pos + 1)) {
            let name_start = self.pos + 1;
            let name_end = self.run_while(name_start + 1, is_ident_char);
            let name = self.text(name_start, name_end);
            if name == "true" || name == "false" {
                return None;
            }
            self.pos = name_end;
            match self.cur() {
                b'(' => {
                    self.pos += 1;
                    let args = self.method_args()?;
                    r.push_part(Part::Method(
                        Name::new(name),
                        args,
                        span(name_start, self.pos),
                    ));
                }
                b'[' => return None,
                _ => r.push_part(Part::Property(Name::new(name), span(name_start, name_end))),
            }
        }
        let end = self.pos;
        r.span = span(start, end);
        r.root = self.symbols.intern(root);
        // A formal reference's text ends at its `}`: the caller sets it.
        if !formal {
            r.set_source_literal(false);
        }
        Some(r)
    }

    /// Arguments after `(`, through the closing `)`.
    fn method_args(&mut self) -> Option<Args> {
        let mut args = Args::new();
        let blank = self.skip_blanks();
        if self.cur() == b')' {
            // `name( )` is an error for the full parser to report.
            if blank {
                return None;
            }
            self.pos += 1;
            return Some(args);
        }
        loop {
            self.skip_blanks();
            let arg = match self.cur() {
                b'$' => {
                    // A reference in the arguments nests: deep nesting is
                    // the full parser's to refuse.
                    self.enter()?;
                    let r = self.reference()?;
                    self.depth -= 1;
                    if !matches!(self.cur(), b' ' | b'\t' | b'\n' | b'\r' | b',' | b')') {
                        return None;
                    }
                    Expr::Ref(r)
                }
                b'0'..=b'9' => self.integer()?,
                b'\'' | b'"' => self.string()?,
                _ => return None,
            };
            args.push(arg);
            self.skip_blanks();
            match self.cur() {
                b',' => self.pos += 1,
                b')' => {
                    self.pos += 1;
                    return Some(args);
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::corpus_templates;
    use crate::syntax::parser::parse_velocity;

    /// Whether the fast path took `src`; panics when its tree differs from
    /// the full parser's.
    fn assert_same_tree(src: &str) -> bool {
        let mut symbols = Symbols::default();
        let Some(nodes) = parse(src, &mut symbols) else {
            return false;
        };
        let mut fast = Template {
            nodes,
            macros: Vec::new(),
            symbols,
            source: src.into(),
        };
        fast.copy_source_text();
        match parse_velocity(src) {
            Ok(full) => assert_eq!(
                format!("{fast:?}"),
                format!("{full:?}"),
                "trees differ for {src:?}"
            ),
            Err(e) => panic!("the fast path accepted {src:?}, which fails: {}", e.message),
        }
        true
    }

    #[test]
    fn text_runs_end_at_the_first_dollar_hash_or_backslash() {
        let naive = |s: &[u8]| {
            s.iter()
                .position(|c| b"$#\\".contains(c))
                .unwrap_or(s.len())
        };
        // Neighbours of the stop bytes, and multi-byte UTF-8 with high bits.
        let filler = b"a%\"'[]\x22\xe2\x80\xa8\x7f\x00\x01\xff\x23\x24";
        // Past 32 bytes the scan hands over to `memchr`.
        for len in 0..=100 {
            for stop_at in (0..len).chain([len]) {
                for stop in [b'$', b'#', b'\\'] {
                    let mut s: Vec<u8> = (0..len)
                        .map(|i| filler[(i * 7 + len) % filler.len()])
                        .map(|c| if b"$#\\".contains(&c) { b'a' } else { c })
                        .collect();
                    if stop_at < len {
                        s[stop_at] = stop;
                        if stop_at + 1 < len {
                            s[stop_at + 1] = b'$';
                        }
                    }
                    assert_eq!(text_run(&s), naive(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn fast_path_builds_the_full_parsers_tree_for_the_corpus() {
        let templates = corpus_templates();
        let taken = templates.iter().filter(|t| assert_same_tree(t)).count();
        assert!(taken > 500, "the fast path took only {taken} templates");
    }

    #[test]
    fn fast_path_agrees_on_edits_of_the_templates_it_takes() {
        let mut checked = 0;
        for t in corpus_templates().iter().filter(|t| t.len() < 300) {
            if checked == 300 || !assert_same_tree(t) {
                continue;
            }
            checked += 1;
            for i in (0..t.len()).filter(|i| t.is_char_boundary(*i)) {
                let (head, tail) = t.split_at(i);
                for insert in [
                    "",
                    "$",
                    "#",
                    ")",
                    " ",
                    "\n",
                    "!",
                    "x",
                    "(",
                    "'",
                    ".",
                    "=",
                    "*",
                    "\r",
                    "#set(",
                    "##",
                    "#*",
                    "}",
                    ".\"",
                    "$x",
                    "#end",
                    "#set($y = 1)",
                    "${x}",
                    "$!x",
                ] {
                    let cut = if insert.is_empty() {
                        tail.chars().next().map_or(0, char::len_utf8)
                    } else {
                        0
                    };
                    let edited = format!("{head}{insert}{}", &tail[cut..]);
                    assert_same_tree(&edited);
                }
            }
        }
        assert!(checked > 100, "only {checked} templates took the fast path");
    }

    #[test]
    fn comments_and_simple_sets_take_the_fast_path() {
        // The shape of the console's "Method Request passthrough" template.
        let src = "##  passes everything through\n#set($allParams = $input.params())\n{\n\
                   #foreach($type in $allParams.keySet())\n    #set($params = $allParams.get($type))\n\
                   \"$type\" : \"$params\"#if($foreach.hasNext),#end\n#end\n#* done *#}\n";
        assert!(assert_same_tree(src));
    }

    #[test]
    fn deeply_nested_arguments_are_left_to_the_full_parser() {
        let nested = |n: usize| format!("{}1{}", "$a.b(".repeat(n), ")".repeat(n));
        assert!(assert_same_tree(&nested(MAX_DEPTH - 1)));
        assert!(!assert_same_tree(&nested(MAX_DEPTH + 2)));
        // Far deeper than any stack allows: refused, not overflowed.
        let mut symbols = Symbols::default();
        assert!(parse(&nested(100_000), &mut symbols).is_none());
    }

    #[test]
    fn the_tutorial_takes_the_fast_path() {
        let src = include_str!("../../examples/tutorial/request_template.vm");
        assert!(assert_same_tree(src));
    }
}
