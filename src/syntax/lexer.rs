//! The token scanner: Velocity 1.7's lexical states, reproduced.
//!
//! Velocity's lexer is a JavaCC token manager with eleven lexical states, a
//! stack of saved states and parenthesis counters, and "MORE" prefixes (`$`,
//! `#`, `\`) that glue onto the next token. Which newline a directive eats,
//! whether `$a-b` is one identifier and when `#tag` is text all fall out of
//! that machine, so we reproduce it rule for rule instead of approximating it
//! with a combinator grammar: every token rule below names the JavaCC token it
//! mirrors (`grammar/vtl.ebnf` lists them). Candidates are tried in the order
//! Velocity declares them, and the longest match wins, first declared on a tie.

// Candidates are offered one `if` each, in the order Velocity declares its
// tokens, so tie-breaking stays visible; merging them into match guards
// would hide that order.
#![allow(clippy::collapsible_match)]

use super::span::Span;

/// A lexical state of the scanner (Velocity's `Parser.jjt` states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Template text.
    Default,
    /// Right after `#`, before the directive name is known.
    PreDirective,
    /// Inside directive arguments.
    Directive,
    /// Right after `$`.
    Reference,
    /// After `.` in a reference.
    RefModifier,
    /// Inside method-call parentheses of a reference.
    RefMod2,
    /// Inside `[ ]` index notation of a reference.
    RefIndex,
    /// After `##`.
    SingleLineComment,
    /// After `#**`.
    FormalComment,
    /// After `#*`.
    MultiLineComment,
    /// After `#[[`.
    Textblock,
}

/// The kind of a token; names follow Velocity's token names.
#[allow(missing_docs)] // each variant is the JavaCC token of the same name
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Eof,
    Text,
    Escape,
    DoubleEscape,
    EscapeDirective,
    EmptyIndex,
    SetDirective,
    SingleLineCommentStart,
    SingleLineComment,
    FormalComment,
    MultiLineComment,
    Textblock,
    End,
    IfDirective,
    ElseIfDirective,
    ElseDirective,
    Word,
    BracketedWord,
    IntegerLiteral,
    FloatingPointLiteral,
    Whitespace,
    StringLiteral,
    True,
    False,
    Newline,
    Minus,
    Plus,
    Multiply,
    Divide,
    Modulus,
    And,
    Or,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Not,
    Equals,
    LBracket,
    RBracket,
    Comma,
    DoubleDot,
    Colon,
    LeftCurley,
    RightCurley,
    LParen,
    RParen,
    RefMod2RParen,
    Identifier,
    Dot,
    LCurly,
    RCurly,
    IndexLBracket,
    IndexRBracket,
}

/// One token: its kind, the span of its image (MORE prefixes included) and
/// the text its special tokens contribute when it is printed as text.
/// Small and `Copy`: the parser moves tokens around a lot, and special text
/// is rare, so it lives in the lexer (`Lexer::special`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: Kind,
    /// The token's image in the source, including any glued-on prefix.
    pub span: Span,
    /// Which special text comes with the token: 0 for none.
    special: u32,
}

impl Token {
    /// The end of the template at `at`.
    pub fn eof(at: usize) -> Token {
        Token {
            kind: Kind::Eof,
            span: Span::new(at, at),
            special: 0,
        }
    }
}

/// A lexical error: no token rule matches at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Where scanning stopped.
    pub at: usize,
    /// What was found there.
    pub message: String,
}

#[derive(Debug, Clone, Copy)]
struct Saved {
    state: State,
    lparen: i32,
    rparen: i32,
}

/// What a matched rule does to the token stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Token(Kind),
    Dollar,
    DollarBang,
    TextblockStart,
    FormalStart,
    MultiStart,
    Hash,
    Skip,
    TextblockMore,
    ReferenceTerminator,
    DirectiveTerminator,
}

/// Longest match among candidates offered in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Best {
    len: usize,
    rule: Option<Rule>,
}

impl Best {
    fn offer(&mut self, len: Option<usize>, rule: Rule) {
        if let Some(len) = len {
            if len > self.len || self.rule.is_none() {
                self.len = len;
                self.rule = Some(rule);
            }
        }
    }
}

/// Velocity's token manager.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    state: State,
    stack: Vec<Saved>,
    lparen: i32,
    rparen: i32,
    in_comment: bool,
    /// Set while lexing `#set( … )`.
    pub in_set: bool,
    /// Special texts of the tokens made so far (`Token::special` - 1).
    specials: Vec<String>,
    /// The last run of backslashes scanned, `start..end` (see
    /// [`Lexer::backslashes_end`]).
    backslash_run: std::cell::Cell<(usize, usize)>,
}

fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic()
}

impl<'a> Lexer<'a> {
    /// A scanner at the start of `src`, in the text state.
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src: src.as_bytes(),
            pos: 0,
            state: State::Default,
            stack: Vec::new(),
            lparen: 0,
            rparen: 0,
            in_comment: false,
            in_set: false,
            specials: Vec::new(),
            backslash_run: std::cell::Cell::new((0, 0)),
        }
    }

    /// `$`, `#` and `\…$` characters of skipped lookalikes before `t`
    /// (Velocity's `NodeUtils.getSpecialText`).
    pub fn special(&self, t: &Token) -> &str {
        match t.special.checked_sub(1) {
            Some(i) => self.specials.get(i as usize).map_or("", |s| s.as_str()),
            None => "",
        }
    }

    fn special_id(&mut self, special: String) -> u32 {
        if special.is_empty() {
            return 0;
        }
        self.specials.push(special);
        u32::try_from(self.specials.len()).unwrap_or(0)
    }

    /// The byte offset the scanner has reached.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Velocity's `SwitchTo`.
    pub fn switch_to(&mut self, state: State) {
        self.state = state;
    }

    /// Velocity's `stateStackPush`.
    fn push(&mut self) {
        self.stack.push(Saved {
            state: self.state,
            lparen: self.lparen,
            rparen: self.rparen,
        });
        self.lparen = 0;
    }

    /// Velocity's `stateStackPop`; false when the stack was empty.
    pub fn pop(&mut self) -> bool {
        match self.stack.pop() {
            Some(s) => {
                self.lparen = s.lparen;
                self.rparen = s.rparen;
                self.state = s.state;
                true
            }
            None => {
                self.lparen = 0;
                self.state = State::Default;
                false
            }
        }
    }

    /// Whether the next non-blank character is `(` (Velocity's
    /// `isLeftParenthesis`).
    pub fn left_paren_follows(&self) -> bool {
        for &c in self.src.get(self.pos..).unwrap_or_default() {
            match c {
                b'(' => return true,
                b' ' | b'\n' | b'\r' | b'\t' => {}
                _ => return false,
            }
        }
        false
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.src.get(i).copied()
    }

    #[inline]
    fn starts(&self, p: usize, lit: &[u8]) -> bool {
        // The first-byte test rejects almost every candidate without a memcmp.
        self.src.get(p) == lit.first() && self.src.get(p..).is_some_and(|s| s.starts_with(lit))
    }

    fn rparen_handler(&mut self) {
        if self.in_comment {
            return;
        }
        loop {
            if self.lparen > 0 {
                if self.lparen == self.rparen + 1 {
                    self.pop();
                } else {
                    self.rparen += 1;
                }
                return;
            }
            if !self.pop() {
                return;
            }
        }
    }

    /// The next token, or a lexical error.
    /// The error is boxed: it is rare, and a small `Result` keeps the token
    /// path cheap.
    pub fn next_token(&mut self) -> Result<Token, Box<LexError>> {
        let mut special = String::new();
        let mut image_start = self.pos;
        loop {
            if self.pos >= self.src.len() {
                if image_start == self.pos {
                    return Ok(Token {
                        kind: Kind::Eof,
                        span: Span::new(self.pos, self.pos),
                        special: self.special_id(special),
                    });
                }
                let seen = String::from_utf8_lossy(self.src.get(image_start..).unwrap_or_default())
                    .into_owned();
                return Err(Box::new(LexError {
                    at: self.pos,
                    message: format!("lexical error: unexpected end of template after `{seen}`"),
                }));
            }
            let p = self.pos;
            let best = self.longest_match(p);
            let Some(rule) = best.rule else {
                let ch = std::str::from_utf8(self.src.get(p..).unwrap_or_default())
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                return Err(Box::new(LexError {
                    at: p,
                    message: format!("lexical error: unexpected character `{ch}`"),
                }));
            };
            self.pos = p + best.len;
            match rule {
                Rule::Token(kind) => {
                    let kind = self.token_action(kind);
                    return Ok(Token {
                        kind,
                        span: Span::new(image_start, self.pos),
                        special: self.special_id(special),
                    });
                }
                Rule::Skip => image_start = self.pos,
                Rule::TextblockMore => {}
                Rule::ReferenceTerminator | Rule::DirectiveTerminator => {
                    if let Some(image) = self.src.get(image_start..self.pos) {
                        special_text(image, &mut special);
                    }
                    self.pos -= 1;
                    self.pop();
                    image_start = self.pos;
                }
                more => self.more_action(more),
            }
        }
    }

    fn more_action(&mut self, rule: Rule) {
        if self.in_comment {
            return;
        }
        match rule {
            Rule::Dollar | Rule::DollarBang => {
                if self.state == State::Reference {
                    self.pop();
                }
                self.push();
                self.state = State::Reference;
            }
            Rule::TextblockStart => {
                self.in_comment = true;
                self.push();
                self.state = State::Textblock;
            }
            Rule::FormalStart => {
                self.pos -= 1;
                self.in_comment = true;
                self.push();
                self.state = State::FormalComment;
            }
            Rule::MultiStart => {
                self.in_comment = true;
                self.push();
                self.state = State::MultiLineComment;
            }
            Rule::Hash => {
                if matches!(self.state, State::Reference | State::RefModifier) {
                    self.pop();
                }
                self.push();
                self.state = State::PreDirective;
            }
            _ => {}
        }
    }

    fn token_action(&mut self, kind: Kind) -> Kind {
        match kind {
            Kind::IndexLBracket => {
                self.push();
                self.state = State::RefIndex;
            }
            Kind::IndexRBracket | Kind::RCurly => {
                self.pop();
            }
            Kind::LParen => {
                if !self.in_comment {
                    self.lparen += 1;
                }
                if self.state == State::RefModifier {
                    self.state = State::RefMod2;
                }
            }
            Kind::RParen => self.rparen_handler(),
            Kind::RefMod2RParen => self.state = State::Reference,
            Kind::SetDirective => {
                if !self.in_comment {
                    self.push();
                    self.in_set = true;
                    self.state = State::Directive;
                    self.lparen += 1;
                }
            }
            Kind::SingleLineCommentStart => {
                if !self.in_comment {
                    if self.state == State::Reference {
                        self.pop();
                    }
                    self.in_comment = true;
                    self.push();
                    self.state = State::SingleLineComment;
                }
            }
            Kind::SingleLineComment
            | Kind::FormalComment
            | Kind::MultiLineComment
            | Kind::Textblock => {
                self.in_comment = false;
                self.pop();
            }
            Kind::StringLiteral => {
                if self.state == State::Directive && !self.in_set && self.lparen == 0 {
                    self.pop();
                }
            }
            Kind::Newline => {
                self.pop();
                self.in_set = false;
            }
            Kind::End | Kind::ElseDirective => {
                self.pop();
            }
            Kind::IfDirective | Kind::ElseIfDirective => self.state = State::Directive,
            Kind::IntegerLiteral => {
                if self.src.get(..self.pos).is_some_and(|s| s.ends_with(b"..")) {
                    self.pos -= 2;
                }
                if self.lparen == 0
                    && !self.in_set
                    && self.state != State::RefMod2
                    && self.state != State::RefIndex
                {
                    self.pop();
                }
            }
            Kind::FloatingPointLiteral => {
                if self.lparen == 0 && !self.in_set && self.state != State::RefMod2 {
                    self.pop();
                }
            }
            Kind::Dot => {
                self.pos -= 1;
                self.state = State::RefModifier;
            }
            _ => {}
        }
        kind
    }

    fn longest_match(&self, p: usize) -> Best {
        match self.quick_match(p) {
            Some(best) => best,
            None => self.rule_by_rule(p),
        }
    }

    /// The winner for the bytes that start most tokens, found without
    /// offering every candidate: in each case below, the one rule named is
    /// the only candidate of its state that can match there, or the longest.
    /// Anything less obvious goes to `rule_by_rule`, the reference; a test
    /// checks that both agree at every position of every corpus template in
    /// every state.
    #[inline]
    fn quick_match(&self, p: usize) -> Option<Best> {
        let c = self.at(p)?;
        let next = self.at(p + 1).unwrap_or(0);
        let won = |len: usize, rule: Rule| {
            Some(Best {
                len,
                rule: Some(rule),
            })
        };
        let token = |len: usize, kind: Kind| won(len, Rule::Token(kind));
        match self.state {
            State::Default => match c {
                // Blanks may lead to `#set(`; `$`, `#` and `\` start the
                // special rules.
                b' ' | b'\t' | b'$' | b'#' | b'\\' => match (c, next) {
                    (b' ' | b'\t', _) if self.at(self.blanks_end(p)) != Some(b'#') => {
                        token(self.m_text(p), Kind::Text)
                    }
                    (b'$', n) if is_alpha(n) || n == b'_' || n == b'{' => won(1, Rule::Dollar),
                    (b'#', n) if is_alpha(n) && !self.starts(p, b"#set") => won(1, Rule::Hash),
                    _ => None,
                },
                _ => token(self.m_text(p), Kind::Text),
            },
            State::PreDirective => match c {
                // `e` and `i` may start `end`, `else`, `if`, `elseif`.
                b'e' | b'i' => None,
                c if is_alpha(c) || c == b'_' || c == b'@' => {
                    token(self.word_end(p + 1) - p, Kind::Word)
                }
                _ => None,
            },
            State::Directive => match c {
                b'(' => token(1, Kind::LParen),
                b')' => token(self.m_rparen(p), Kind::RParen),
                b',' => token(1, Kind::Comma),
                b'$' if is_alpha(next) || next == b'_' || next == b'{' => won(1, Rule::Dollar),
                b' ' | b'\n' | b'\r' | b'\t' => token(self.blanks_end(p) - p, Kind::Whitespace),
                // Operator words and booleans start with these letters.
                b'a' | b'o' | b'l' | b'g' | b'e' | b'n' | b't' | b'f' => None,
                c if is_alpha(c) || c == b'_' || c == b'@' => {
                    token(self.word_end(p + 1) - p, Kind::Word)
                }
                _ => None,
            },
            State::Reference | State::RefModifier => match c {
                // `true` and `false` win a tie with an identifier.
                b't' | b'f' => None,
                c if is_alpha(c) || c == b'_' => {
                    token(self.identifier_end(p + 1) - p, Kind::Identifier)
                }
                b'.' if is_alpha(next) => token(2, Kind::Dot),
                b'(' if self.state == State::RefModifier => token(1, Kind::LParen),
                b'{' => token(1, Kind::LCurly),
                b'}' => token(1, Kind::RCurly),
                b'[' | b'(' | b' ' | b'\t' | b'#' | b'\\' | b'$' | b'.' => None,
                _ => won(1, Rule::ReferenceTerminator),
            },
            State::RefMod2 => match c {
                b')' => token(1, Kind::RefMod2RParen),
                b',' => token(1, Kind::Comma),
                b'$' if is_alpha(next) || next == b'_' || next == b'{' => won(1, Rule::Dollar),
                _ => None,
            },
            _ => None,
        }
    }

    /// End of a directive word's characters from `i` on.
    fn word_end(&self, mut i: usize) -> usize {
        while self
            .at(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'@')
        {
            i += 1;
        }
        i
    }

    /// End of an identifier's characters from `i` on.
    fn identifier_end(&self, mut i: usize) -> usize {
        while self
            .at(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            i += 1;
        }
        i
    }

    /// End of a run of blanks and newlines from `i` on.
    fn blanks_end(&self, mut i: usize) -> usize {
        while matches!(self.at(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// Every candidate of the state offered in Velocity's declaration order.
    fn rule_by_rule(&self, p: usize) -> Best {
        let mut best = Best { len: 0, rule: None };
        let c = self.at(p).unwrap_or(0);
        match self.state {
            State::Default => {
                if c == b'\\' {
                    best.offer(
                        self.m_escape_directive(p),
                        Rule::Token(Kind::EscapeDirective),
                    );
                }
                self.offer_set(p, &mut best);
                self.offer_more(p, &mut best);
                self.offer_line_comment(p, &mut best);
                if c == b'\\' {
                    let double = self.at(p + 1) == Some(b'\\');
                    best.offer(double.then_some(2), Rule::Token(Kind::DoubleEscape));
                    best.offer(Some(1), Rule::Token(Kind::Escape));
                }
                if !matches!(c, b'$' | b'#' | b'\\') {
                    best.offer(Some(self.m_text(p)), Rule::Token(Kind::Text));
                }
                best.offer(self.m_empty_index(p), Rule::Token(Kind::EmptyIndex));
            }
            State::PreDirective => {
                self.offer_more(p, &mut best);
                self.offer_line_comment(p, &mut best);
                self.offer_pre_directive(p, &mut best);
                self.offer_numbers(p, &mut best);
                self.offer_words(p, &mut best);
                best.offer(Some(1), Rule::DirectiveTerminator);
            }
            State::Directive => {
                self.offer_punctuation(p, &mut best);
                if c == b'(' {
                    best.offer(Some(1), Rule::Token(Kind::LParen));
                }
                if c == b')' {
                    best.offer(Some(self.m_rparen(p)), Rule::Token(Kind::RParen));
                }
                self.offer_more(p, &mut best);
                self.offer_line_comment(p, &mut best);
                self.offer_whitespace(p, &mut best);
                self.offer_string(p, &mut best);
                self.offer_bool(p, &mut best);
                let nl = match c {
                    b'\n' => Some(1),
                    b'\r' => Some(if self.at(p + 1) == Some(b'\n') { 2 } else { 1 }),
                    _ => None,
                };
                best.offer(nl, Rule::Token(Kind::Newline));
                self.offer_operators(p, &mut best);
                self.offer_numbers(p, &mut best);
                self.offer_words(p, &mut best);
            }
            State::Reference | State::RefModifier => {
                if c == b'[' {
                    best.offer(Some(1), Rule::Token(Kind::IndexLBracket));
                }
                if c == b'(' && self.state == State::RefModifier {
                    best.offer(Some(1), Rule::Token(Kind::LParen));
                }
                self.offer_set(p, &mut best);
                self.offer_more(p, &mut best);
                if self.state == State::Reference {
                    self.offer_line_comment(p, &mut best);
                }
                self.offer_bool(p, &mut best);
                self.offer_identifier(p, &mut best);
                if c == b'{' {
                    best.offer(Some(1), Rule::Token(Kind::LCurly));
                }
                if c == b'}' {
                    best.offer(Some(1), Rule::Token(Kind::RCurly));
                }
                best.offer(Some(1), Rule::ReferenceTerminator);
                if self.state == State::Reference {
                    best.offer(self.m_empty_index(p), Rule::Token(Kind::EmptyIndex));
                }
            }
            State::RefMod2 => {
                self.offer_punctuation(p, &mut best);
                if c == b')' {
                    best.offer(Some(1), Rule::Token(Kind::RefMod2RParen));
                }
                self.offer_set(p, &mut best);
                self.offer_more(p, &mut best);
                self.offer_whitespace(p, &mut best);
                self.offer_string(p, &mut best);
                self.offer_bool(p, &mut best);
                self.offer_numbers(p, &mut best);
                self.offer_identifier(p, &mut best);
            }
            State::RefIndex => {
                if c == b']' {
                    best.offer(Some(1), Rule::Token(Kind::IndexRBracket));
                }
                self.offer_more(p, &mut best);
                self.offer_whitespace(p, &mut best);
                self.offer_string(p, &mut best);
                self.offer_bool(p, &mut best);
                self.offer_numbers(p, &mut best);
            }
            State::SingleLineComment => {
                self.offer_more(p, &mut best);
                let nl = match c {
                    b'\n' => Some(1),
                    b'\r' => Some(if self.at(p + 1) == Some(b'\n') { 2 } else { 1 }),
                    _ => None,
                };
                best.offer(nl, Rule::Token(Kind::SingleLineComment));
                best.offer(Some(1), Rule::Skip);
            }
            State::FormalComment | State::MultiLineComment => {
                self.offer_more(p, &mut best);
                let kind = if self.state == State::FormalComment {
                    Kind::FormalComment
                } else {
                    Kind::MultiLineComment
                };
                best.offer(self.starts(p, b"*#").then_some(2), Rule::Token(kind));
                best.offer(Some(1), Rule::Skip);
            }
            State::Textblock => {
                self.offer_more(p, &mut best);
                best.offer(
                    self.starts(p, b"]]#").then_some(3),
                    Rule::Token(Kind::Textblock),
                );
                best.offer(Some(1), Rule::TextblockMore);
            }
        }
        best
    }

    /// The end of the run of backslashes at `p` (`p` when there is none).
    /// The scanner moves through a long run one backslash at a time, and
    /// scanning the rest of it at each step made a run's cost quadratic, so
    /// the last run is remembered.
    fn backslashes_end(&self, p: usize) -> usize {
        let (start, end) = self.backslash_run.get();
        if start <= p && p < end {
            return end;
        }
        let mut i = p;
        while self.at(i) == Some(b'\\') {
            i += 1;
        }
        if i > p {
            self.backslash_run.set((p, i));
        }
        i
    }

    fn offer_more(&self, p: usize, best: &mut Best) {
        let c = self.at(p).unwrap_or(0);
        if c == b'\\' || c == b'$' {
            let i = self.backslashes_end(p);
            if self.at(i) == Some(b'$') {
                best.offer(Some(i + 1 - p), Rule::Dollar);
                let j = self.backslashes_end(i + 1);
                if self.at(j) == Some(b'!') {
                    best.offer(Some(j + 1 - p), Rule::DollarBang);
                }
            }
        }
        if c == b'#' {
            best.offer(self.starts(p, b"#[[").then_some(3), Rule::TextblockStart);
            let formal = self.starts(p, b"#**") && self.at(p + 3).is_some_and(|c| c != b'#');
            best.offer(formal.then_some(4), Rule::FormalStart);
            best.offer(self.starts(p, b"#*").then_some(2), Rule::MultiStart);
            best.offer(Some(1), Rule::Hash);
        }
    }

    fn offer_line_comment(&self, p: usize, best: &mut Best) {
        if self.at(p) != Some(b'#') {
            return;
        }
        best.offer(
            self.starts(p, b"##").then_some(2),
            Rule::Token(Kind::SingleLineCommentStart),
        );
    }

    fn offer_set(&self, p: usize, best: &mut Best) {
        if !matches!(self.at(p), Some(b' ' | b'\t' | b'#')) {
            return;
        }
        let mut i = p;
        while matches!(self.at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let after = if self.starts(i, b"#set") {
            i + 4
        } else if self.starts(i, b"#{set}") {
            i + 6
        } else {
            return;
        };
        let mut j = after;
        while self.at(j) == Some(b' ') {
            j += 1;
        }
        if self.at(j) == Some(b'(') {
            best.offer(Some(j + 1 - p), Rule::Token(Kind::SetDirective));
        }
    }

    fn offer_punctuation(&self, p: usize, best: &mut Best) {
        let kind = match self.at(p) {
            Some(b'[') => Kind::LBracket,
            Some(b']') => Kind::RBracket,
            Some(b',') => Kind::Comma,
            Some(b'.') => {
                best.offer(
                    self.starts(p, b"..").then_some(2),
                    Rule::Token(Kind::DoubleDot),
                );
                return;
            }
            Some(b':') => Kind::Colon,
            Some(b'{') => Kind::LeftCurley,
            Some(b'}') => Kind::RightCurley,
            _ => return,
        };
        best.offer(Some(1), Rule::Token(kind));
    }

    fn offer_whitespace(&self, p: usize, best: &mut Best) {
        let i = self.blanks_end(p);
        best.offer((i > p).then_some(i - p), Rule::Token(Kind::Whitespace));
    }

    fn offer_string(&self, p: usize, best: &mut Best) {
        let Some(q @ (b'"' | b'\'')) = self.at(p) else {
            return;
        };
        let mut i = p + 1;
        let mut accept = None;
        while let Some(c) = self.at(i) {
            if c == q {
                accept = Some(i + 1 - p);
                if self.at(i + 1) == Some(q) {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
        best.offer(accept, Rule::Token(Kind::StringLiteral));
    }

    fn offer_bool(&self, p: usize, best: &mut Best) {
        if !matches!(self.at(p), Some(b't' | b'f')) {
            return;
        }
        best.offer(
            self.starts(p, b"true").then_some(4),
            Rule::Token(Kind::True),
        );
        best.offer(
            self.starts(p, b"false").then_some(5),
            Rule::Token(Kind::False),
        );
    }

    fn offer_operators(&self, p: usize, best: &mut Best) {
        let Some(c) = self.at(p) else { return };
        if !b"-+*/%&|<>=!aolgen".contains(&c) {
            return;
        }
        let two = |s: &[u8]| self.starts(p, s).then_some(s.len());
        let table: [(&[u8], Kind); 22] = [
            (b"-", Kind::Minus),
            (b"+", Kind::Plus),
            (b"*", Kind::Multiply),
            (b"/", Kind::Divide),
            (b"%", Kind::Modulus),
            (b"&&", Kind::And),
            (b"and", Kind::And),
            (b"||", Kind::Or),
            (b"or", Kind::Or),
            (b"<", Kind::Lt),
            (b"lt", Kind::Lt),
            (b"<=", Kind::Le),
            (b"le", Kind::Le),
            (b">", Kind::Gt),
            (b"gt", Kind::Gt),
            (b">=", Kind::Ge),
            (b"ge", Kind::Ge),
            (b"==", Kind::Eq),
            (b"eq", Kind::Eq),
            (b"!=", Kind::Ne),
            (b"ne", Kind::Ne),
            (b"!", Kind::Not),
        ];
        for (lit, kind) in table {
            best.offer(two(lit), Rule::Token(kind));
        }
        best.offer(two(b"not"), Rule::Token(Kind::Not));
        best.offer(two(b"="), Rule::Token(Kind::Equals));
    }

    fn offer_pre_directive(&self, p: usize, best: &mut Best) {
        let with_newline = |end: usize| {
            let mut i = end;
            while matches!(self.at(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            match self.at(i) {
                Some(b'\n') => i + 1,
                Some(b'\r') if self.at(i + 1) == Some(b'\n') => i + 2,
                Some(b'\r') => i + 1,
                _ => end,
            }
        };
        for (lit, kind, eats) in [
            (&b"end"[..], Kind::End, true),
            (b"{end}", Kind::End, true),
            (b"if", Kind::IfDirective, false),
            (b"{if}", Kind::IfDirective, false),
            (b"elseif", Kind::ElseIfDirective, false),
            (b"{elseif}", Kind::ElseIfDirective, false),
            (b"else", Kind::ElseDirective, true),
            (b"{else}", Kind::ElseDirective, true),
        ] {
            if self.starts(p, lit) {
                let end = p + lit.len();
                let end = if eats { with_newline(end) } else { end };
                best.offer(Some(end - p), Rule::Token(kind));
            }
        }
    }

    fn offer_numbers(&self, p: usize, best: &mut Best) {
        let digits = |mut i: usize| {
            let s = i;
            while self.at(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            (i, i > s)
        };
        let mut i = p;
        if self.at(i) == Some(b'-') {
            i += 1;
        }
        let (after_int, has_int) = digits(i);
        if has_int {
            let len = if self.starts(after_int, b"..") {
                after_int + 2 - p
            } else {
                after_int - p
            };
            best.offer(Some(len), Rule::Token(Kind::IntegerLiteral));
        }
        let exponent = |i: usize| {
            if !matches!(self.at(i), Some(b'e' | b'E')) {
                return None;
            }
            let mut j = i + 1;
            if matches!(self.at(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let (end, any) = digits(j);
            any.then_some(end)
        };
        let mut float_end = None;
        if has_int && self.at(after_int) == Some(b'.') {
            let (frac_end, _) = digits(after_int + 1);
            float_end = Some(exponent(frac_end).unwrap_or(frac_end));
        } else if !has_int && self.at(i) == Some(b'.') {
            let (frac_end, any) = digits(i + 1);
            if any {
                float_end = Some(exponent(frac_end).unwrap_or(frac_end));
            }
        } else if has_int {
            float_end = exponent(after_int);
        }
        best.offer(
            float_end.map(|e| e - p),
            Rule::Token(Kind::FloatingPointLiteral),
        );
    }

    fn offer_words(&self, p: usize, best: &mut Best) {
        let is_dchar = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'@';
        if let Some(c) = self.at(p) {
            if is_alpha(c) || c == b'_' || c == b'@' {
                let mut i = p + 1;
                while self.at(i).is_some_and(is_dchar) {
                    i += 1;
                }
                best.offer(Some(i - p), Rule::Token(Kind::Word));
            }
            if c == b'{' && self.at(p + 1).is_some_and(|c| is_alpha(c) || c == b'_') {
                let mut i = p + 2;
                while self.at(i).is_some_and(is_dchar) {
                    i += 1;
                }
                if self.at(i) == Some(b'}') {
                    best.offer(Some(i + 1 - p), Rule::Token(Kind::BracketedWord));
                }
            }
        }
    }

    fn offer_identifier(&self, p: usize, best: &mut Best) {
        match self.at(p) {
            Some(c) if is_alpha(c) || c == b'_' => {
                let i = self.identifier_end(p + 1);
                best.offer(Some(i - p), Rule::Token(Kind::Identifier));
            }
            Some(b'.') if self.at(p + 1).is_some_and(is_alpha) => {
                best.offer(Some(2), Rule::Token(Kind::Dot));
            }
            _ => {}
        }
    }

    fn m_text(&self, p: usize) -> usize {
        let rest = self.src.get(p..).unwrap_or_default();
        rest.iter()
            .position(|&c| matches!(c, b'$' | b'#' | b'\\'))
            .unwrap_or(rest.len())
    }

    fn m_empty_index(&self, p: usize) -> Option<usize> {
        if self.at(p) != Some(b'$') {
            return None;
        }
        [&b"$["[..], b"$![", b"$\\![", b"$."]
            .iter()
            .filter(|lit| self.starts(p, lit))
            .map(|lit| lit.len())
            .max()
    }

    fn m_rparen(&self, p: usize) -> usize {
        let mut i = p + 1;
        while matches!(self.at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        match self.at(i) {
            Some(b'\n') => i + 1 - p,
            Some(b'\r') if self.at(i + 1) == Some(b'\n') => i + 2 - p,
            Some(b'\r') => i + 1 - p,
            _ => 1,
        }
    }

    fn m_escape_directive(&self, p: usize) -> Option<usize> {
        let i = self.backslashes_end(p);
        let slashes = i - p;
        if slashes % 2 == 0 || self.at(i) != Some(b'#') {
            return None;
        }
        let w = i + 1;
        let is_dchar = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'@';
        let c = self.at(w)?;
        if is_alpha(c) || c == b'_' || c == b'@' {
            let mut j = w + 1;
            while self.at(j).is_some_and(is_dchar) {
                j += 1;
            }
            return Some(j - p);
        }
        if c == b'{' && self.at(w + 1).is_some_and(|c| is_alpha(c) || c == b'_') {
            let mut j = w + 2;
            while self.at(j).is_some_and(is_dchar) {
                j += 1;
            }
            if self.at(j) == Some(b'}') {
                return Some(j + 1 - p);
            }
        }
        None
    }
}

/// Velocity's `NodeUtils.getSpecialText` for one skipped image: keeps `#`,
/// `$` and runs of `\` that end in `$`.
fn special_text(image: &[u8], out: &mut String) {
    let mut i = 0;
    while i < image.len() {
        let c = image.get(i).copied().unwrap_or(0);
        if c == b'#' || c == b'$' {
            out.push(c as char);
        }
        if c == b'\\' {
            let mut j = i;
            let mut term = false;
            while let Some(&cc) = image.get(j) {
                j += 1;
                if cc == b'\\' {
                    continue;
                }
                term = cc == b'$';
                break;
            }
            if term {
                for _ in i..j - 1 {
                    out.push('\\');
                }
                out.push('$');
                i = j;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.kind == Kind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn reference_and_text() {
        assert_eq!(
            kinds("a $b.c x"),
            vec![
                Kind::Text,
                Kind::Identifier,
                Kind::Dot,
                Kind::Identifier,
                Kind::Text
            ]
        );
    }

    #[test]
    fn set_eats_leading_blanks() {
        let mut lx = Lexer::new("  #set(");
        let t = lx.next_token().unwrap();
        assert_eq!(t.kind, Kind::SetDirective);
        assert_eq!(t.span, Span::new(0, 7));
    }

    /// `quick_match` must pick what the rule-by-rule reference picks,
    /// wherever it answers at all.
    fn assert_quick_agrees(src: &str) {
        let states = [
            State::Default,
            State::PreDirective,
            State::Directive,
            State::Reference,
            State::RefModifier,
            State::RefMod2,
        ];
        for state in states {
            let mut lx = Lexer::new(src);
            lx.state = state;
            for p in 0..src.len() {
                if let Some(quick) = lx.quick_match(p) {
                    let reference = lx.rule_by_rule(p);
                    assert_eq!(quick, reference, "{state:?} at {p} of {src:?}");
                }
            }
        }
    }

    #[test]
    fn quick_match_agrees_on_all_short_inputs() {
        let alphabet: Vec<char> = "$#\\ \t\n\r(){}[].,!:'\"1-+*=<>&|_@adeiflnostE"
            .chars()
            .collect();
        let mut src = String::new();
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    src.clear();
                    src.extend([a, b, c]);
                    assert_quick_agrees(&src);
                }
            }
        }
    }

    #[test]
    fn quick_match_agrees_on_the_corpus() {
        let templates = crate::syntax::corpus_templates();
        assert!(
            templates.len() > 1000,
            "only {} corpus templates",
            templates.len()
        );
        for src in &templates {
            assert_quick_agrees(src);
        }
    }

    #[test]
    fn dollar_then_blank_is_special_text() {
        let mut lx = Lexer::new("$ x");
        let t = lx.next_token().unwrap();
        assert_eq!(t.kind, Kind::Text);
        assert_eq!(lx.special(&t), "$");
    }
}
