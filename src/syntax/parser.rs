//! Tokens to syntax tree, production by production as Velocity 1.7's
//! `Parser.jjt` (each function names the production it mirrors).

use super::ast::*;
use super::lexer::{Kind, LexError, Lexer, State, Token};
use super::span::{Span, VelocityCursor};

/// A syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The offending source range.
    pub span: Span,
    /// What is wrong, in words.
    pub message: String,
}

impl From<Box<LexError>> for Box<ParseError> {
    fn from(e: Box<LexError>) -> Box<ParseError> {
        Box::new(ParseError {
            span: Span::new(e.at, e.at + 1),
            message: e.message,
        })
    }
}

/// Errors are boxed: a parse moves many `Result`s and almost none are errors.
type PResult<T> = Result<T, Box<ParseError>>;

/// Directives Velocity 1.7 registers by default, and whether each has a body.
const DIRECTIVES: [(&str, bool); 9] = [
    ("foreach", true),
    ("include", false),
    ("parse", false),
    ("macro", true),
    ("literal", true),
    ("evaluate", false),
    ("break", false),
    ("define", true),
    ("stop", false),
];

fn directive_has_body(name: &str) -> Option<bool> {
    DIRECTIVES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Deepest nesting of blocks and expressions accepted.
const MAX_DEPTH: usize = 150;

/// The parser state.
pub struct Parser<'a, 's> {
    src: &'a str,
    /// Where variable names are numbered (shared with nested string parses).
    symbols: &'s mut Symbols,
    lexer: Lexer<'a>,
    /// Tokens read ahead, from `head` on.
    buf: Vec<Token>,
    head: usize,
    macros: Vec<MacroDef>,
    depth: usize,
    /// While parsing a `#literal` body: the source text Velocity prints for
    /// it (the images of its tokens).
    literal: Option<String>,
    /// While parsing a macro call: its token images, which Velocity prints
    /// when no macro of that name exists (text its lexer set aside, such as
    /// a `$` that starts no reference, is not in them).
    call_images: Option<String>,
    /// The first lexical error: it ends the parse.
    lex_error: Option<Box<LexError>>,
    /// Where this source starts in the template, as Velocity numbers lines
    /// and columns: (1, 0) for a template, the opening quote for the
    /// template of an interpolated string literal.
    origin: (u32, u32),
    /// Counts Velocity's lines and columns up to the positions asked for.
    lines: VelocityCursor,
}

/// Parse a whole template: by the fast path when it can (`fast.rs`), else
/// by Velocity's grammar here.
pub fn parse_template(src: &str) -> Result<Template, ParseError> {
    let mut symbols = Symbols::default();
    if let Some(nodes) = super::fast::parse(src, &mut symbols) {
        return Ok(Template {
            nodes,
            macros: Vec::new(),
            symbols,
            source: super::ast::copy_source(src),
        });
    }
    parse_velocity(src)
}

/// Parse a whole template with Velocity's grammar, never the fast path.
pub(super) fn parse_velocity(src: &str) -> Result<Template, ParseError> {
    let mut symbols = Symbols::default();
    let mut tpl = template(src, (1, 0), &mut symbols).map_err(|e| *e)?;
    tpl.symbols = symbols;
    Ok(tpl)
}

/// Parse text rendered at run time (`#evaluate`), numbering its names in
/// an existing table; the template's own table stays empty.
pub fn parse_template_with(src: &str, symbols: &mut Symbols) -> Result<Template, ParseError> {
    template(src, (1, 0), symbols).map_err(|e| *e)
}

fn template(src: &str, origin: (u32, u32), symbols: &mut Symbols) -> PResult<Template> {
    if u32::try_from(src.len()).is_err() {
        return Err(Box::new(ParseError {
            span: Span::new(0, 0),
            message: "template larger than 4 GiB".into(),
        }));
    }
    let mut p = Parser {
        src,
        symbols,
        lexer: Lexer::new(src),
        buf: Vec::with_capacity(8),
        head: 0,
        macros: Vec::new(),
        depth: 0,
        literal: None,
        call_images: None,
        lex_error: None,
        origin,
        lines: VelocityCursor::default(),
    };
    let nodes = p.block();
    // A lexical error stopped the token stream: it is the error to report.
    if let Some(e) = p.lex_error.take() {
        return Err(e.into());
    }
    let nodes = nodes?;
    if p.peek(0).kind != Kind::Eof {
        return Err(p.unexpected(0, "text, a reference or a directive"));
    }
    if let Some(e) = p.lex_error.take() {
        return Err(e.into());
    }
    Ok(Template {
        nodes,
        macros: p.macros,
        symbols: Symbols::default(),
        source: String::new(),
    })
}

/// Binary operator precedence levels, loosest first.
const PRECEDENCE_LEVELS: usize = 6;

/// The operator `kind` stands for at precedence `level`, if any.
fn binary_operator(kind: Kind, level: usize) -> Option<BinOp> {
    Some(match (level, kind) {
        (0, Kind::Or) => BinOp::Or,
        (1, Kind::And) => BinOp::And,
        (2, Kind::Eq) => BinOp::Eq,
        (2, Kind::Ne) => BinOp::Ne,
        (3, Kind::Lt) => BinOp::Lt,
        (3, Kind::Gt) => BinOp::Gt,
        (3, Kind::Le) => BinOp::Le,
        (3, Kind::Ge) => BinOp::Ge,
        (4, Kind::Plus) => BinOp::Add,
        (4, Kind::Minus) => BinOp::Sub,
        (5, Kind::Multiply) => BinOp::Mul,
        (5, Kind::Divide) => BinOp::Div,
        (5, Kind::Modulus) => BinOp::Mod,
        _ => return None,
    })
}

fn starts_statement(kind: Kind) -> bool {
    use Kind::*;
    matches!(
        kind,
        IfDirective
            | Identifier
            | LCurly
            | SingleLineCommentStart
            | MultiLineComment
            | FormalComment
            | Textblock
            | SetDirective
            | EscapeDirective
            | DoubleEscape
            | Word
            | BracketedWord
            | Text
            | Dot
            | RParen
            | LParen
            | IntegerLiteral
            | FloatingPointLiteral
            | StringLiteral
            | Escape
            | RCurly
            | EmptyIndex
    )
}

fn starts_parameter(kind: Kind) -> bool {
    use Kind::*;
    matches!(
        kind,
        StringLiteral
            | IntegerLiteral
            | LBracket
            | LeftCurley
            | True
            | False
            | Identifier
            | LCurly
            | FloatingPointLiteral
    )
}

fn describe(kind: Kind, image: &str) -> String {
    match kind {
        Kind::Eof => "end of template".into(),
        _ => format!("`{}`", image.trim_end_matches(['\n', '\r'])),
    }
}

impl<'a> Parser<'a, '_> {
    /// Token `n` ahead. A lexical error is kept (see `template`) and reads
    /// as the end of the template, which ends any production.
    #[inline]
    fn peek(&mut self, n: usize) -> Token {
        match self.buf.get(self.head + n) {
            Some(t) => *t,
            None => self.read_ahead(n),
        }
    }

    /// Lexes up to token `n` ahead (`peek`'s slow path).
    #[inline(never)]
    fn read_ahead(&mut self, n: usize) -> Token {
        let i = self.head + n;
        while self.buf.len() <= i {
            let t = match self.lexer.next_token() {
                Ok(t) => t,
                Err(e) => {
                    self.lex_error.get_or_insert(e);
                    Token::eof(self.src.len())
                }
            };
            self.buf.push(t);
        }
        self.buf
            .get(i)
            .copied()
            .unwrap_or_else(|| Token::eof(self.src.len()))
    }

    fn kind(&mut self, n: usize) -> Kind {
        self.peek(n).kind
    }

    fn bump(&mut self) -> Token {
        let t = self.peek(0);
        self.head += 1;
        if self.head == self.buf.len() {
            // Lookahead is at most a few tokens: reuse the buffer.
            self.buf.clear();
            self.head = 0;
        }
        if let Some(lit) = &mut self.literal {
            // Velocity's `NodeUtils.tokenLiteral`: `#* *#` comments vanish.
            if t.kind != Kind::MultiLineComment {
                lit.push_str(self.lexer.special(&t));
                lit.push_str(self.src.get(t.span.range()).unwrap_or(""));
            }
        }
        if let Some(images) = &mut self.call_images {
            let mut image = self.src.get(t.span.range()).unwrap_or("");
            if matches!(t.kind, Kind::Identifier | Kind::LCurly) {
                // Velocity's directive lexer sets aside the backslashes and
                // the `$`s before a reference's own `$` (`\$y`, `$$p`).
                image = image.trim_start_matches('\\');
                if let Some(at) = image.rfind('$') {
                    image = image.get(at..).unwrap_or(image);
                }
            }
            images.push_str(image);
        }
        t
    }

    fn image(&self, t: &Token) -> &'a str {
        self.src.get(t.span.range()).unwrap_or("")
    }

    /// The source from byte `start` to byte `end`.
    fn text_between(&self, start: u32, end: u32) -> SmolStr {
        small_str(self.src.get(start as usize..end as usize).unwrap_or(""))
    }

    fn unexpected(&mut self, n: usize, expected: &str) -> Box<ParseError> {
        let t = self.peek(n);
        Box::new(ParseError {
            span: t.span,
            message: format!(
                "unexpected {}; expected {expected}",
                describe(t.kind, self.image(&t))
            ),
        })
    }

    fn expect(&mut self, kind: Kind, what: &str) -> PResult<Token> {
        if self.kind(0) == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(0, what))
        }
    }

    fn skip_ws(&mut self) -> PResult<()> {
        if self.kind(0) == Kind::Whitespace {
            self.bump();
        }
        Ok(())
    }

    fn enter(&mut self, at: Span) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Box::new(ParseError {
                span: at,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            }));
        }
        Ok(())
    }

    /// `( Statement() )*`
    fn block(&mut self) -> PResult<Block> {
        let mut nodes = Vec::new();
        while starts_statement(self.kind(0)) {
            self.statement(&mut nodes)?;
        }
        Ok(nodes)
    }

    /// `Statement()`
    fn statement(&mut self, out: &mut Block) -> PResult<()> {
        let kind = self.kind(0);
        match kind {
            Kind::IfDirective => {
                let node = self.if_statement()?;
                out.push(node);
            }
            Kind::Identifier => out.push(Node::Reference(self.reference()?)),
            Kind::LCurly if self.kind(1) == Kind::Identifier => {
                out.push(Node::Reference(self.reference()?))
            }
            Kind::SingleLineCommentStart | Kind::MultiLineComment | Kind::FormalComment => {
                let t = self.bump();
                if kind == Kind::SingleLineCommentStart && self.kind(0) == Kind::SingleLineComment {
                    self.bump();
                }
                let image = self.image(&t);
                let cut = image.find("##").or_else(|| image.find("#*")).unwrap_or(0);
                if cut > 0 {
                    out.push(Node::Text(image.get(..cut).unwrap_or("").into()));
                }
            }
            Kind::Textblock => {
                let t = self.bump();
                let image = self.image(&t);
                let inner = image.get(3..image.len().saturating_sub(3)).unwrap_or("");
                push_text(out, inner);
            }
            Kind::SetDirective => out.push(self.set_directive()?),
            Kind::EscapeDirective => {
                let t = self.bump();
                let text = self.escaped_directive(self.image(&t));
                push_text(out, &text);
            }
            Kind::DoubleEscape => self.escape(out)?,
            Kind::Word | Kind::BracketedWord => self.directive(out)?,
            _ => {
                let t = self.bump();
                // Velocity resets a `.` token's image, dropping a glued
                // `$!` or `\$` prefix.
                let image = if t.kind == Kind::Dot {
                    "."
                } else {
                    self.image(&t)
                };
                let special = self.lexer.special(&t);
                if special.is_empty() {
                    push_text(out, image);
                } else {
                    let mut s = special.to_string();
                    s.push_str(image);
                    push_text(out, &s);
                }
            }
        }
        Ok(())
    }

    fn is_macro(&self, name: &str) -> bool {
        self.macros.iter().any(|m| &*m.name == name)
    }

    /// Velocity's `escapedDirective`: `\#if` prints `#if`, `\#tag` stays.
    fn escaped_directive(&self, image: &str) -> String {
        let last = image.rfind('\\').unwrap_or(0);
        let directive = image.get(last + 1..).unwrap_or("");
        let mut tag = directive.get(1..).unwrap_or("");
        if tag.starts_with('{') {
            tag = tag.get(1..tag.len().saturating_sub(1)).unwrap_or("");
        }
        let recognized = directive_has_body(tag).is_some()
            || self.is_macro(tag)
            || matches!(tag, "if" | "end" | "set" | "else" | "elseif");
        if recognized {
            format!("{}{}", image.get(..last / 2).unwrap_or(""), directive)
        } else {
            image.to_string()
        }
    }

    /// `Escape()`: a run of `\\` pairs.
    fn escape(&mut self, out: &mut Block) -> PResult<()> {
        let mut count = 0;
        while self.kind(0) == Kind::DoubleEscape {
            self.bump();
            count += 1;
        }
        let next = self.peek(0);
        let tag = self.image(&next).get(1..).unwrap_or("");
        let control = matches!(
            next.kind,
            Kind::IfDirective | Kind::ElseDirective | Kind::ElseIfDirective | Kind::End
        ) || directive_has_body(tag).is_some()
            || self.is_macro(tag);
        let unit = if control { "\\" } else { "\\\\" };
        push_text(out, &unit.repeat(count));
        Ok(())
    }

    /// `Reference()`
    fn reference(&mut self) -> PResult<Reference> {
        let first = self.bump();
        let formal = first.kind == Kind::LCurly;
        let (ident, start_tok) = if formal {
            let id = self.expect(Kind::Identifier, "an identifier after `${`")?;
            (id, first)
        } else {
            (first, first)
        };
        let mut parts = Parts::new();
        self.indexes(&mut parts)?;
        loop {
            if self.kind(0) == Kind::Dot && self.kind(1) == Kind::Identifier {
                self.bump();
                let name_tok = self.bump();
                let name = self.image(&name_tok);
                // Parser.jjt looks three tokens ahead: `name(` is a call only
                // when an argument or `)` follows; otherwise `(` is text.
                let call = self.kind(0) == Kind::LParen && {
                    let k = self.kind(1);
                    k == Kind::Whitespace || k == Kind::RefMod2RParen || starts_parameter(k)
                };
                if call {
                    self.bump();
                    let args = self.parameter_list()?;
                    let close = self.expect(Kind::RefMod2RParen, "`)` closing the method call")?;
                    parts.push(Part::Method(
                        Name::new(name),
                        args,
                        name_tok.span.to(close.span),
                    ));
                } else {
                    parts.push(Part::Property(Name::new(name), name_tok.span));
                }
                self.indexes(&mut parts)?;
            } else {
                break;
            }
        }
        let mut end = self.last_end(&parts, ident.span);
        if formal {
            let close = self.expect(Kind::RCurly, "`}` closing the reference")?;
            end = close.span.end;
        }
        let root_image = self.image(&ident);
        Ok(self.finish_reference(start_tok, root_image, formal, parts, end))
    }

    fn last_end(&self, parts: &[Part], ident: Span) -> u32 {
        match parts.last() {
            Some(Part::Property(_, s) | Part::Method(_, _, s) | Part::Index(_, s)) => s.end,
            None => ident.end,
        }
    }

    /// Velocity's `ASTReference.getRoot`: split the first token's image into
    /// escape backslashes, glued prefix, sigil and name.
    fn finish_reference(
        &mut self,
        first: Token,
        ident_image: &str,
        formal: bool,
        parts: Parts,
        end: u32,
    ) -> Reference {
        let image = self.image(&first);
        let span = Span {
            start: first.span.start,
            end,
        };
        let whole = self.src.get(span.range()).unwrap_or("");
        let head = if formal { image } else { ident_image };
        // `$\!a`: never computed, printed with one backslash fewer.
        if head.contains("\\!") {
            // The run of backslashes after the `$` loses one.
            let mut i = head.find('$').unwrap_or(0);
            let bytes = head.as_bytes();
            while i < bytes.len() && bytes.get(i) != Some(&b'\\') {
                i += 1;
            }
            let start = i;
            let mut count = 0;
            while bytes.get(i) == Some(&b'\\') {
                count += 1;
                i += 1;
            }
            let rest_of_whole = whole.get(head.len()..).unwrap_or("");
            let literal = format!(
                "{}{}{}{}",
                head.get(..start).unwrap_or(""),
                head.get(start..start + count - 1).unwrap_or(""),
                head.get(start + count..).unwrap_or(""),
                rest_of_whole
            );
            return Reference::new(
                span,
                self.symbols.intern(""),
                RefStyle::Normal,
                parts,
                false,
                false,
                &literal,
                "",
                "",
                "",
            );
        }
        let slashes = head.bytes().take_while(|&b| b == b'\\').count();
        let escaped = slashes % 2 == 1;
        let esc_prefix = "\\".repeat(slashes / 2);
        let mut rest = head.get(slashes..).unwrap_or("");
        let mut more_prefix = "";
        if let Some(loc) = rest.rfind('$') {
            if loc > 0 {
                more_prefix = rest.get(..loc).unwrap_or("");
                rest = rest.get(loc..).unwrap_or("");
            }
        }
        let cut = head.len() - rest.len();
        let literal = whole.get(cut..).unwrap_or("");
        let (style, root) = if rest.starts_with("$!") {
            let root = if formal {
                ident_image
            } else {
                rest.get(2..).unwrap_or("")
            };
            (RefStyle::Quiet, root)
        } else if formal && rest == "${" {
            (RefStyle::Formal, ident_image)
        } else if !formal && rest.starts_with('$') {
            (RefStyle::Normal, rest.get(1..).unwrap_or(""))
        } else {
            // A runt prints its first token's text: an identifier, or the
            // `{` of `{x}` after a reference (`$k{x}` prints `{`).
            (RefStyle::Runt, rest)
        };
        Reference::new(
            span,
            self.symbols.intern(root),
            style,
            parts,
            escaped,
            true,
            literal,
            root,
            &esc_prefix,
            more_prefix,
        )
    }

    /// `(Index())*`
    fn indexes(&mut self, parts: &mut Parts) -> PResult<()> {
        while self.kind(0) == Kind::IndexLBracket {
            let open = self.bump();
            self.skip_ws()?;
            let arg = match self.kind(0) {
                Kind::StringLiteral => self.string_literal()?,
                Kind::IntegerLiteral => self.integer_literal()?,
                Kind::True | Kind::False => self.boolean()?,
                Kind::Identifier | Kind::LCurly => self.nested_reference()?,
                _ => {
                    return Err(self.unexpected(0, "an index: a string, an integer or a reference"))
                }
            };
            self.skip_ws()?;
            let close = self.expect(Kind::IndexRBracket, "`]` closing the index")?;
            parts.push(Part::Index(arg, open.span.to(close.span)));
        }
        Ok(())
    }

    /// `Parameter()` separated by commas: method arguments, list items.
    fn parameter_list(&mut self) -> PResult<Args> {
        let mut args = Args::new();
        if self.kind(0) == Kind::Whitespace || starts_parameter(self.kind(0)) {
            args.push(self.parameter()?);
            while self.kind(0) == Kind::Comma {
                self.bump();
                args.push(self.parameter()?);
            }
        }
        Ok(args)
    }

    /// A reference inside another's arguments or index, which counts as
    /// a level of nesting: `$a.b($a.b(…))` can nest as deep as the text is
    /// long, and each level takes stack to parse, render and drop.
    fn nested_reference(&mut self) -> PResult<Expr> {
        let at = self.peek(0).span;
        self.enter(at)?;
        let r = self.reference()?;
        self.depth -= 1;
        Ok(Expr::Ref(r))
    }

    /// `Parameter()`
    fn parameter(&mut self) -> PResult<Expr> {
        self.skip_ws()?;
        let e = match self.kind(0) {
            Kind::StringLiteral => self.string_literal()?,
            Kind::IntegerLiteral => self.integer_literal()?,
            Kind::LBracket if self.range_follows()? => self.integer_range()?,
            Kind::LeftCurley => self.map()?,
            Kind::LBracket => self.object_array()?,
            Kind::True | Kind::False => self.boolean()?,
            Kind::Identifier | Kind::LCurly => self.nested_reference()?,
            Kind::FloatingPointLiteral => self.float_literal()?,
            _ => return Err(self.unexpected(0, "a value")),
        };
        self.skip_ws()?;
        Ok(e)
    }

    fn string_literal(&mut self) -> PResult<Expr> {
        let t = self.bump();
        let img = self.image(&t);
        let quote = img.chars().next().unwrap_or('"');
        let mut inner = img
            .get(1..img.len().saturating_sub(1))
            .unwrap_or("")
            .to_string();
        if quote == '"' {
            inner = unescape_unicode(&inner).map_err(|m| {
                Box::new(ParseError {
                    span: t.span,
                    message: m,
                })
            })?;
        }
        let doubled: String = [quote, quote].iter().collect();
        let value = inner.replace(&doubled, &quote.to_string());
        let interpolate = quote == '"' && (img.contains('$') || img.contains('#'));
        if !interpolate {
            return Ok(Expr::Str {
                value: value.into(),
                interpolated: None,
                span: t.span,
            });
        }
        let mut source = value.clone();
        let padded = !value.contains("##");
        if padded {
            source.push(' ');
        }
        let origin = self.velocity_position(t.span.start as usize);
        let tpl = template(&source, origin, self.symbols).map_err(|e| {
            Box::new(ParseError {
                span: t.span,
                message: format!("in string literal: {}", e.message),
            })
        })?;
        // Text alone (`"$.errorMessage"`, `"#"`) renders the same every
        // time: the literal is that text, as the render would produce it.
        if let Some(mut text) = text_only(&tpl) {
            if padded {
                text.pop();
            }
            return Ok(Expr::Str {
                value: text.into(),
                interpolated: None,
                span: t.span,
            });
        }
        Ok(Expr::Str {
            value: value.into(),
            interpolated: Some(Box::new(tpl)),
            span: t.span,
        })
    }

    fn integer_literal(&mut self) -> PResult<Expr> {
        let t = self.bump();
        let img = self.image(&t);
        let img = img.trim_start_matches('#');
        match img.parse::<i128>() {
            Ok(v) => Ok(Expr::Int(v, t.span)),
            Err(_) if img.len() < 100_000 => match img.parse::<num_bigint::BigInt>() {
                Ok(v) => Ok(Expr::HugeInt(Box::new(v), t.span)),
                Err(_) => Err(Box::new(ParseError {
                    span: t.span,
                    message: "invalid integer literal".into(),
                })),
            },
            Err(_) => Err(Box::new(ParseError {
                span: t.span,
                message: "integer literal too large".into(),
            })),
        }
    }

    fn float_literal(&mut self) -> PResult<Expr> {
        let t = self.bump();
        let img = self.image(&t).trim_start_matches('#');
        match img.parse::<f64>() {
            Ok(v) => Ok(Expr::Float(v, t.span)),
            Err(_) => Err(Box::new(ParseError {
                span: t.span,
                message: "invalid number".into(),
            })),
        }
    }

    fn boolean(&mut self) -> PResult<Expr> {
        let t = self.bump();
        Ok(Expr::Bool(t.kind == Kind::True, t.span))
    }

    /// The lookahead before `IntegerRange()`: `[ ws? (ref|int) ws? ..`.
    fn range_follows(&mut self) -> PResult<bool> {
        let mut i = 1;
        if self.kind(i) == Kind::Whitespace {
            i += 1;
        }
        match self.kind(i) {
            Kind::IntegerLiteral => i += 1,
            Kind::Identifier | Kind::LCurly => match self.skip_reference_tokens(i)? {
                Some(j) => i = j,
                None => return Ok(false),
            },
            _ => return Ok(false),
        }
        if self.kind(i) == Kind::Whitespace {
            i += 1;
        }
        Ok(self.kind(i) == Kind::DoubleDot)
    }

    /// Index just past the reference starting at token `i`, for lookahead.
    fn skip_reference_tokens(&mut self, mut i: usize) -> PResult<Option<usize>> {
        let formal = self.kind(i) == Kind::LCurly;
        if formal {
            i += 1;
            if self.kind(i) != Kind::Identifier {
                return Ok(None);
            }
        }
        i += 1;
        let mut depth = 0usize;
        loop {
            let k = self.kind(i);
            match k {
                Kind::Eof => return Ok(None),
                Kind::IndexLBracket | Kind::LParen => depth += 1,
                Kind::IndexRBracket | Kind::RefMod2RParen if depth > 0 => depth -= 1,
                _ if depth > 0 => {}
                Kind::Dot | Kind::Identifier => {}
                Kind::RCurly if formal => return Ok(Some(i + 1)),
                _ => return Ok(Some(i)),
            }
            i += 1;
        }
    }

    /// `IntegerRange()`
    fn integer_range(&mut self) -> PResult<Expr> {
        let open = self.bump();
        self.skip_ws()?;
        let from = self.range_end()?;
        self.skip_ws()?;
        self.expect(Kind::DoubleDot, "`..`")?;
        self.skip_ws()?;
        let to = self.range_end()?;
        self.skip_ws()?;
        let close = self.expect(Kind::RBracket, "`]` closing the range")?;
        Ok(Expr::Range(
            Box::new(from),
            Box::new(to),
            open.span.to(close.span),
        ))
    }

    fn range_end(&mut self) -> PResult<Expr> {
        match self.kind(0) {
            Kind::IntegerLiteral => self.integer_literal(),
            Kind::Identifier | Kind::LCurly => Ok(Expr::Ref(self.reference()?)),
            _ => Err(self.unexpected(0, "an integer or a reference in the range")),
        }
    }

    /// `Map()`
    fn map(&mut self) -> PResult<Expr> {
        let open = self.bump();
        self.enter(open.span)?;
        let mut entries = Vec::new();
        let k0 = self.kind(0);
        let is_params =
            starts_parameter(k0) || (k0 == Kind::Whitespace && starts_parameter(self.kind(1)));
        if is_params {
            loop {
                let k = self.parameter()?;
                self.expect(Kind::Colon, "`:` between key and value")?;
                let v = self.parameter()?;
                entries.push((k, v));
                if self.kind(0) == Kind::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
        } else {
            self.skip_ws()?;
        }
        let close = match self.kind(0) {
            Kind::RightCurley | Kind::RCurly => self.bump(),
            _ => return Err(self.unexpected(0, "`}` closing the map")),
        };
        self.depth -= 1;
        Ok(Expr::Map(entries, open.span.to(close.span)))
    }

    /// `ObjectArray()`
    fn object_array(&mut self) -> PResult<Expr> {
        let open = self.bump();
        self.enter(open.span)?;
        let items = self.parameter_list()?.into_vec();
        let close = self.expect(Kind::RBracket, "`]` closing the list")?;
        self.depth -= 1;
        Ok(Expr::List(items, open.span.to(close.span)))
    }

    /// `IfStatement()`
    fn if_statement(&mut self) -> PResult<Node> {
        let t = self.bump();
        self.enter(t.span)?;
        let mut branches = smallvec::SmallVec::new();
        let cond = self.condition()?;
        let body = self.block()?;
        branches.push((cond, body));
        while self.kind(0) == Kind::ElseIfDirective {
            self.bump();
            let cond = self.condition()?;
            let body = self.block()?;
            branches.push((cond, body));
        }
        let mut otherwise = None;
        if self.kind(0) == Kind::ElseDirective {
            self.bump();
            otherwise = Some(self.block()?);
        }
        if self.kind(0) != Kind::End {
            let mut e = self.unexpected(0, "`#end` closing `#if`");
            if self.kind(0) == Kind::Eof {
                e.span = t.span;
                e.message = "`#if` is never closed with `#end`".into();
            }
            return Err(e);
        }
        self.bump();
        self.depth -= 1;
        Ok(Node::If(Box::new(IfNode {
            branches,
            otherwise,
        })))
    }

    fn condition(&mut self) -> PResult<Expr> {
        self.skip_ws()?;
        self.expect(Kind::LParen, "`(` after the directive")?;
        let e = self.expression()?;
        self.expect(Kind::RParen, "`)` closing the condition")?;
        Ok(e)
    }

    /// The context key Velocity 1.7 gives the variable that `#set` (without
    /// properties), `#define` or a macro parameter names: the image of the
    /// reference's first token minus its `$`. That is the name for `$a`,
    /// but `!a` for `$!a` and `{` or `!{` for `${a}` and `$!{a}`, keys no
    /// reference reads.
    fn context_key(&mut self, r: &Reference) -> Ident {
        if r.style == RefStyle::Normal {
            return r.root;
        }
        // The full parser keeps each reference's text: no source needed.
        let literal = r.literal(self.symbols, "");
        let written = literal.strip_prefix('$').unwrap_or(&literal);
        let key = if let Some(rest) = written.strip_prefix('!') {
            if rest.starts_with('{') {
                "!{".to_string()
            } else {
                format!("!{}", self.symbols.name(r.root))
            }
        } else if written.starts_with('{') {
            "{".to_string()
        } else {
            return r.root;
        };
        self.symbols.intern(&key)
    }

    /// `SetDirective()`
    fn set_directive(&mut self) -> PResult<Node> {
        let start = self.bump();
        self.skip_ws()?;
        let mut target = match self.kind(0) {
            Kind::Identifier | Kind::LCurly => self.reference()?,
            _ => return Err(self.unexpected(0, "a reference to assign to")),
        };
        if target.parts().is_empty() {
            target.root = self.context_key(&target);
        }
        self.skip_ws()?;
        self.expect(Kind::Equals, "`=` in `#set`")?;
        let value = self.expression()?;
        let close = self.expect(Kind::RParen, "`)` closing `#set`")?;
        self.lexer.in_set = false;
        if self.kind(0) == Kind::Newline {
            self.bump();
        }
        Ok(Node::Set(Box::new(SetNode {
            span: start.span.to(close.span),
            target,
            value,
        })))
    }

    /// `Expression()`: `||` binds loosest.
    fn expression(&mut self) -> PResult<Expr> {
        let at = self.peek(0).span;
        self.enter(at)?;
        let e = self.binary_level(0);
        self.depth -= 1;
        e
    }

    /// Parser.jjt's `ConditionalOrExpression` … `MultiplicativeExpression`:
    /// left-associative binary operators, one precedence level per call.
    fn binary_level(&mut self, level: usize) -> PResult<Expr> {
        if level == PRECEDENCE_LEVELS {
            return self.unary();
        }
        let mut left = self.binary_level(level + 1)?;
        while let Some(op) = binary_operator(self.kind(0), level) {
            let operator = self.bump();
            let right = self.binary_level(level + 1)?;
            let end = self.peek(0).span.start;
            let literal = if is_arithmetic(op) {
                self.text_between(operator.span.end, end)
            } else {
                SmolStr::default()
            };
            left = Expr::binary(op, left, right, literal);
        }
        Ok(left)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let k0 = self.kind(0);
        if k0 == Kind::Not || (k0 == Kind::Whitespace && self.kind(1) == Kind::Not) {
            self.skip_ws()?;
            let t = self.bump();
            self.enter(t.span)?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = t.span.to(inner.span());
            return Ok(Expr::Not(Box::new(inner), span));
        }
        self.primary()
    }

    /// `PrimaryExpression()`
    fn primary(&mut self) -> PResult<Expr> {
        self.skip_ws()?;
        let e = match self.kind(0) {
            Kind::StringLiteral => self.string_literal()?,
            Kind::Identifier | Kind::LCurly => Expr::Ref(self.reference()?),
            Kind::IntegerLiteral => self.integer_literal()?,
            Kind::LBracket if self.range_follows()? => self.integer_range()?,
            Kind::FloatingPointLiteral => self.float_literal()?,
            Kind::LeftCurley => self.map()?,
            Kind::LBracket => self.object_array()?,
            Kind::True | Kind::False => self.boolean()?,
            Kind::LParen => {
                let open = self.bump();
                let mut e = self.expression()?;
                let close = self.expect(Kind::RParen, "`)`")?;
                // Velocity's node for the parentheses prints all inside them.
                if let Expr::Binary(op, ops, _) = &mut e {
                    if is_arithmetic(*op) {
                        ops.literal = self.text_between(open.span.end, close.span.start);
                    }
                }
                e
            }
            _ => return Err(self.unexpected(0, "an expression")),
        };
        self.skip_ws()?;
        Ok(e)
    }

    /// `Directive()`: every `#word`, known or not.
    fn directive(&mut self, out: &mut Block) -> PResult<()> {
        let t = self.bump();
        let image = self.image(&t);
        // Velocity drops the first character (`#`) of a word, the first two
        // (`#{`) and the last of a bracketed one. A prefix the lexer glued
        // on (`$#foreach`) thus stays in the name, which names no directive:
        // the call prints as text.
        let name = if t.kind == Kind::BracketedWord {
            image.get(2..image.len().saturating_sub(1)).unwrap_or("")
        } else {
            image.get(1..).unwrap_or("")
        };
        let known = directive_has_body(name);
        // Asked for now, before the body's string literals, to keep
        // positions in source order.
        let position = (name == "foreach").then(|| self.velocity_position(t.span.start as usize));
        let is_macro_def = name == "macro";
        let has_body = known.unwrap_or_else(|| name.starts_with('@'));
        let is_vm = known.is_none() && self.is_macro(name);
        let is_call = known.is_none() && !has_body;
        if is_call {
            self.call_images = Some(image.to_string());
        }
        let parsed =
            self.directive_rest(t, name, known, position, is_macro_def, has_body, is_vm, out);
        self.call_images = None;
        parsed
    }

    /// The rest of [`Parser::directive`], after its `#name` token `t`.
    #[allow(clippy::too_many_arguments)] // the facts `directive` found about the name
    fn directive_rest(
        &mut self,
        t: Token,
        name: &'a str,
        known: Option<bool>,
        position: Option<(u32, u32)>,
        is_macro_def: bool,
        has_body: bool,
        is_vm: bool,
        out: &mut Block,
    ) -> PResult<()> {
        self.lexer.switch_to(State::Directive);
        let mut args = Vec::new();
        if self.lexer.left_paren_follows() {
            self.skip_ws()?;
            self.expect(Kind::LParen, "`(`")?;
            let mut pos = 0;
            loop {
                let k0 = self.kind(0);
                let k1 = self.kind(1);
                let more = match k0 {
                    Kind::Whitespace => k1 == Kind::Comma || starts_arg(k1),
                    Kind::Comma => true,
                    k => starts_arg(k),
                };
                if !more {
                    break;
                }
                self.skip_ws()?;
                if self.kind(0) == Kind::Comma {
                    self.bump();
                    self.skip_ws()?;
                }
                let arg = self.directive_arg()?;
                let is_word = matches!(arg, Expr::Word(..));
                if is_word {
                    let allowed = (is_macro_def && pos == 0)
                        || (!is_vm && (known.is_none() || (name == "foreach" && pos == 1)));
                    if !allowed {
                        return Err(Box::new(ParseError {
                            span: arg.span(),
                            message: format!("invalid argument {} in #{name}", pos),
                        }));
                    }
                } else if is_macro_def && pos == 0 {
                    return Err(Box::new(ParseError {
                        span: arg.span(),
                        message:
                            "the first argument of #macro must be the macro's name, a bare word"
                                .into(),
                    }));
                }
                args.push(arg);
                pos += 1;
            }
            self.skip_ws()?;
            let last = self
                .expect(Kind::RParen, "`)` closing the directive arguments")?
                .span;
            if !has_body {
                let span = t.span.to(last);
                Self::check_line_directive(name, &args, span)?;
                out.push(self.line_directive(name, args, span));
                return Ok(());
            }
        } else {
            if is_macro_def {
                return Err(Box::new(ParseError {
                    span: t.span,
                    message: "#macro needs a name: #macro(name $arg …)".into(),
                }));
            }
            self.lexer.pop();
            let span = t.span;
            Self::check_line_directive(name, &args, span)?;
            out.push(self.line_directive(name, args, span));
            return Ok(());
        }
        self.enter(t.span)?;
        let outer_literal = if name == "literal" {
            self.literal.replace(String::new())
        } else {
            None
        };
        let body = self.block();
        let recorded = if name == "literal" {
            std::mem::replace(&mut self.literal, outer_literal)
        } else {
            None
        };
        let body = body?;
        if self.kind(0) != Kind::End {
            let mut e = self.unexpected(0, &format!("`#end` closing `#{name}`"));
            if self.kind(0) == Kind::Eof {
                e.span = t.span;
                e.message = format!("`#{name}` is never closed with `#end`");
            }
            return Err(e);
        }
        let end = self.bump();
        self.depth -= 1;
        let span = t.span.to(end.span);
        let body = match recorded {
            // #literal prints its body's source text, unrendered; Velocity
            // fails on an empty one.
            Some(text) if text.is_empty() => {
                return Err(Box::new(ParseError {
                    span,
                    message: "#literal needs a body".into(),
                }))
            }
            Some(text) => vec![Node::Text(text)],
            None => body,
        };
        self.block_directive(name, args, body, span, position, out)
    }

    /// Velocity's `Directive.init` checks for the directives that take
    /// their arguments at parse time.
    fn check_line_directive(name: &str, args: &[Expr], span: Span) -> PResult<()> {
        if name == "evaluate" {
            let message = match args {
                [Expr::Str { .. } | Expr::Ref(_)] => return Ok(()),
                [other] => {
                    return Err(Box::new(ParseError {
                        span: other.span(),
                        message: "#evaluate() argument must be a string literal or reference"
                            .into(),
                    }))
                }
                _ => "#evaluate() requires exactly one argument",
            };
            return Err(Box::new(ParseError {
                span,
                message: message.into(),
            }));
        }
        // 1.7's Break and Stop share this check (its message names #stop
        // for both; ours names the directive).
        if (name == "stop" || name == "break") && args.len() > 1 {
            let what = if name == "stop" {
                "a single message parameter"
            } else {
                "a single scope object"
            };
            return Err(Box::new(ParseError {
                span,
                message: format!("the #{name} directive only accepts {what}"),
            }));
        }
        Ok(())
    }

    /// The line and column Velocity gives the character at `offset` in the
    /// template: a string literal's template is shifted to where the literal
    /// starts (Velocity's `ASTStringLiteral.adjTokenLineNums`).
    /// Positions must be asked for in source order to keep parsing linear.
    fn velocity_position(&mut self, offset: usize) -> (u32, u32) {
        let (line, column) = self.lines.line_col(self.src, offset);
        let (origin_line, origin_column) = self.origin;
        if line == 1 {
            (origin_line, column.saturating_add(origin_column))
        } else {
            (line.saturating_add(origin_line.saturating_sub(1)), column)
        }
    }

    fn line_directive(&mut self, name: &str, args: Vec<Expr>, span: Span) -> Node {
        let literal = match self.call_images.take() {
            Some(images) => images.into(),
            None => self.src.get(span.range()).unwrap_or("").into(),
        };
        Node::Directive(Box::new(DirectiveNode {
            span,
            name: name.into(),
            args,
            body: None,
            literal,
        }))
    }

    fn block_directive(
        &mut self,
        name: &str,
        args: Vec<Expr>,
        body: Block,
        span: Span,
        position: Option<(u32, u32)>,
        out: &mut Block,
    ) -> PResult<()> {
        let mut args = args;
        if name == "define" {
            if let Some(Expr::Ref(r)) = args.first_mut() {
                r.root = self.context_key(r);
            }
        }
        match name {
            "foreach" => {
                if args.len() < 2 {
                    // Velocity's Foreach.init reads the third child node, which
                    // with two arguments is the body (and nothing renders).
                    return Err(Box::new(ParseError {
                        span,
                        message: "#foreach takes `($var in expression)`".into(),
                    }));
                }
                // Velocity reads neither the word between (`in`, `IN`, even
                // `"in"`) nor the properties of the variable (`$x.y` loops
                // over `$x`).
                let mut it = args.into_iter();
                let (Some(Expr::Ref(var)), Some(_), Some(iterable), None) =
                    (it.next(), it.next(), it.next(), it.next())
                else {
                    // Velocity accepts this and renders nothing.
                    return Ok(());
                };
                let (line, column) = position.unwrap_or((0, 0));
                out.push(Node::Foreach(Box::new(ForeachNode {
                    span,
                    line,
                    column,
                    var: var.root,
                    iterable,
                    body,
                })));
            }
            "macro" => {
                let mut it = args.into_iter();
                let Some(Expr::Word(mname, _)) = it.next() else {
                    return Err(Box::new(ParseError {
                        span,
                        message: "#macro needs a name".into(),
                    }));
                };
                let mut params = Vec::new();
                for a in it {
                    match a {
                        // `$x.y` is the parameter `x`.
                        Expr::Ref(r) => params.push(self.context_key(&r)),
                        other => {
                            return Err(Box::new(ParseError {
                                span: other.span(),
                                message: "macro parameters must be plain references like `$name`"
                                    .into(),
                            }))
                        }
                    }
                }
                if !self.is_macro(&mname) {
                    self.macros.push(MacroDef {
                        name: mname,
                        params,
                        body,
                    });
                }
            }
            // Velocity's Define.init: exactly the block's name.
            "define" if args.len() != 1 => {
                return Err(Box::new(ParseError {
                    span,
                    message: "#define takes one argument, the block's name: #define($name)".into(),
                }))
            }
            _ => out.push(Node::Directive(Box::new(DirectiveNode {
                span,
                name: name.into(),
                args,
                body: Some(std::sync::Arc::new(body)),
                literal: self.src.get(span.range()).unwrap_or("").into(),
            }))),
        }
        Ok(())
    }

    /// `DirectiveArg()`
    fn directive_arg(&mut self) -> PResult<Expr> {
        match self.kind(0) {
            Kind::Identifier | Kind::LCurly => Ok(Expr::Ref(self.reference()?)),
            Kind::Word => {
                let t = self.bump();
                Ok(Expr::Word(self.image(&t).into(), t.span))
            }
            Kind::StringLiteral => self.string_literal(),
            Kind::IntegerLiteral => self.integer_literal(),
            Kind::LBracket if self.range_follows()? => self.integer_range(),
            Kind::FloatingPointLiteral => self.float_literal(),
            Kind::LeftCurley => self.map(),
            Kind::LBracket => self.object_array(),
            Kind::True | Kind::False => self.boolean(),
            _ => Err(self.unexpected(0, "a directive argument")),
        }
    }
}

fn starts_arg(kind: Kind) -> bool {
    use Kind::*;
    matches!(
        kind,
        Identifier
            | LCurly
            | Word
            | StringLiteral
            | IntegerLiteral
            | LBracket
            | FloatingPointLiteral
            | LeftCurley
            | True
            | False
    )
}

/// Whether `op` is arithmetic: only those operations can be null, so only
/// they keep their text for a string `+` (comparisons and logic are never
/// null, and the fast path builds theirs without it).
fn is_arithmetic(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
    )
}

/// Append literal text, merging with a preceding text node.
/// The text a template renders when it holds nothing but text.
fn text_only(tpl: &Template) -> Option<String> {
    if !tpl.macros.is_empty() {
        return None;
    }
    let mut text = String::new();
    for node in &tpl.nodes {
        match node {
            Node::Text(t) => text.push_str(t),
            _ => return None,
        }
    }
    Some(text)
}

pub(super) fn push_text(out: &mut Block, text: &str) {
    if text.is_empty() {
        return;
    }
    // Appended in place: a run of many one-character pieces copied whole
    // at each piece took time quadratic in its length.
    if let Some(Node::Text(prev)) = out.last_mut() {
        prev.push_str(text);
    } else {
        out.push(Node::Text(text.to_owned()));
    }
}

/// Velocity's `ASTStringLiteral.unescape`: only `\uXXXX` is decoded.
fn unescape_unicode(s: &str) -> Result<String, String> {
    if !s.contains("\\u") {
        return Ok(s.to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    let mut pending_high: Option<u16> = None;
    while let Some(i) = rest.find("\\u") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let hex = rest
            .get(i + 2..i + 6)
            .ok_or_else(|| "incomplete \\u escape in string literal".to_string())?;
        let unit = u16::from_str_radix(hex, 16)
            .map_err(|_| format!("invalid \\u escape `\\u{hex}` in string literal"))?;
        match (pending_high.take(), unit) {
            (Some(h), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            (prev, 0xD800..=0xDBFF) => {
                if prev.is_some() {
                    out.push('\u{FFFD}');
                }
                pending_high = Some(unit);
            }
            (prev, u) => {
                if prev.is_some() {
                    out.push('\u{FFFD}');
                }
                out.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
            }
        }
        rest = rest.get(i + 6..).unwrap_or("");
    }
    if pending_high.is_some() {
        out.push('\u{FFFD}');
    }
    out.push_str(rest);
    Ok(out)
}
