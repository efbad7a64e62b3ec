//! The syntax tree of a template. Every node that can fail at render time
//! carries the byte span of its source.

use smallvec::SmallVec;
pub use smol_str::SmolStr;

pub use super::name::{Known, Name};
use super::span::Span;
use crate::spare;

/// A variable or parameter name: its number in the template's [`Symbols`],
/// so that the interpreter finds a variable by index, not by comparing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ident(pub u32);

impl Ident {
    /// `$foreach`.
    pub const FOREACH: Ident = Ident(0);
    /// `$velocityCount`.
    pub const VELOCITY_COUNT: Ident = Ident(1);
    /// `$velocityHasNext`.
    pub const VELOCITY_HAS_NEXT: Ident = Ident(2);
    /// `$bodyContent`, a block macro's body.
    pub const BODY_CONTENT: Ident = Ident(3);
    /// `$input`.
    pub const INPUT: Ident = Ident(4);
    /// `$util`.
    pub const UTIL: Ident = Ident(5);
    /// `$context`.
    pub const CONTEXT: Ident = Ident(6);
    /// `$stageVariables`.
    pub const STAGE_VARIABLES: Ident = Ident(7);

    /// The index of this name's variable slot.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// `text` as a `SmolStr`. Short texts (most names and literals) are copied
/// inline directly: `SmolStr::new` also looks for runs of blanks to share,
/// which costs more than the copy.
pub(crate) fn small_str(text: &str) -> SmolStr {
    if text.len() <= 23 {
        SmolStr::new_inline(text)
    } else {
        SmolStr::new(text)
    }
}

/// The names Velocity and API Gateway define, numbered as the `Ident`
/// constants; a template's own names follow.
const WELL_KNOWN: [&str; 8] = [
    "foreach",
    "velocityCount",
    "velocityHasNext",
    "bodyContent",
    "input",
    "util",
    "context",
    "stageVariables",
];

/// The number of a name Velocity or API Gateway defines. A `match` on the
/// string tests its length first, so most names fail at once.
fn well_known(name: &str) -> Option<Ident> {
    Some(match name {
        "foreach" => Ident::FOREACH,
        "velocityCount" => Ident::VELOCITY_COUNT,
        "velocityHasNext" => Ident::VELOCITY_HAS_NEXT,
        "bodyContent" => Ident::BODY_CONTENT,
        "input" => Ident::INPUT,
        "util" => Ident::UTIL,
        "context" => Ident::CONTEXT,
        "stageVariables" => Ident::STAGE_VARIABLES,
        _ => return None,
    })
}

/// Names past which the table also keeps a hash index.
const LINEAR_MAX: usize = 16;

/// The variable names of a template (and of the text `#evaluate` parses
/// while it renders), each numbered once.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    /// A template's own names, beyond the well-known ones. One is kept
    /// inline, to spare a parse an allocation: 86% of 668 public mapping
    /// templates have one at most. More inline would make every template
    /// (which a parse moves several times) longer.
    names: SmallVec<[SmolStr; 1]>,
    /// Boxed for the same reason: few templates have enough names for it.
    #[allow(clippy::box_collection)] // the box keeps templates short
    index: Option<Box<std::collections::HashMap<SmolStr, u32>>>,
}

impl Symbols {
    /// The number of `name`, given one on first sight.
    pub fn intern(&mut self, name: &str) -> Ident {
        if let Some(id) = well_known(name) {
            return id;
        }
        let found = match &self.index {
            Some(index) => index.get(name).copied(),
            None => self
                .names
                .iter()
                .position(|n| **n == *name)
                .map(|i| i as u32),
        };
        let local = match found {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
                self.names.push(small_str(name));
                if let Some(index) = &mut self.index {
                    index.insert(name.into(), i);
                } else if self.names.len() > LINEAR_MAX {
                    self.index = Some(Box::new(
                        self.names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| (n.clone(), i as u32))
                            .collect(),
                    ));
                }
                i
            }
        };
        Ident(local.saturating_add(WELL_KNOWN.len() as u32))
    }

    /// The name numbered `id`.
    pub fn name(&self, id: Ident) -> &str {
        match id.index().checked_sub(WELL_KNOWN.len()) {
            None => WELL_KNOWN.get(id.index()).copied().unwrap_or(""),
            Some(i) => self.names.get(i).map_or("", |n| n),
        }
    }

    /// How many names are numbered: the variable slots a render needs.
    pub fn slots(&self) -> usize {
        WELL_KNOWN.len() + self.names.len()
    }
}

/// A parsed template: its top-level nodes and the macros it defines.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The nodes, in source order.
    pub nodes: Vec<Node>,
    /// `#macro` definitions, in source order (the first of a name wins).
    pub macros: Vec<MacroDef>,
    /// The variable names the nodes refer to. The template of an
    /// interpolated string literal numbers its names in the enclosing
    /// template's table and leaves its own empty.
    pub symbols: Symbols,
    /// The template's text, when nodes print parts of it as written
    /// ([`Node::Source`], references whose text is their span); empty
    /// otherwise.
    pub source: String,
}

/// A sequence of nodes, the body of a block directive.
pub type Block = Vec<Node>;

/// One piece of a template.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal output written as it stands in the template: a span of
    /// [`Template::source`]. Spares a parse a copy of each text run; only
    /// a template's own nodes have them, never nested templates'.
    Source(Span),
    /// Literal output: text, escapes, comment prefixes, `#[[ ]]#` blocks.
    /// A `String`, because the parser appends each piece of a run of text
    /// to it (`\\\\…` is one piece per backslash).
    Text(String),
    /// `$ref` and its variants, held in the node: templates are mostly text
    /// and references, and boxing each reference cost an allocation.
    Reference(Reference),
    /// `#set($ref = expr)`.
    Set(Box<SetNode>),
    /// `#if … #elseif … #else … #end`.
    If(Box<IfNode>),
    /// `#foreach($x in expr) … #end`.
    Foreach(Box<ForeachNode>),
    /// Any other directive: macros, `#break`, `#stop`, `#define`, ….
    Directive(Box<DirectiveNode>),
}

/// How a reference was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefStyle {
    /// `$a`.
    Normal,
    /// `${a}`.
    Formal,
    /// `$!a` or `$!{a}`.
    Quiet,
    /// A bare identifier that Velocity's grammar takes for a reference,
    /// as `xyz` in `$a.b()xyz`: it prints its name and its value is null
    /// (Velocity's RUNT reference).
    Runt,
}

/// A reference such as `$input.params().path.get($key)`. Its steps and
/// rare prefixes are boxed together, so that a reference without steps (a
/// loop variable, `$key`) allocates nothing and an expression holds its
/// reference without a box of its own.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The whole reference in the source.
    pub span: Span,
    /// The variable name.
    pub root: Ident,
    /// `$`, `${` or `$!`.
    pub style: RefStyle,
    /// An odd number of `\` before the `$`: print the reference as text.
    pub escaped: bool,
    /// False for `$\!a`-style references, which only ever print as text.
    pub computable: bool,
    /// Written with braces (`${a}`, `$!{a}`).
    braces: bool,
    /// Steps, prefixes and the text as written; `None` when there are
    /// neither steps nor prefixes and the name and style spell the text.
    tail: Option<Box<RefTail>>,
}

/// What a reference holds beyond its name: steps and text glued before it.
#[derive(Debug, Clone, Default)]
struct RefTail {
    parts: Parts,
    /// Half the leading backslashes, printed before the value.
    escapes: SmolStr,
    /// Other text before the `$` (`#$a`, `$$a`), printed after the escapes.
    glued: SmolStr,
    /// Whether `escapes` or `glued` is set: asked at each print of the
    /// reference, and cheaper to read than the two strings.
    prefixed: bool,
    /// The reference as written, when its name and style do not spell it
    /// (it has steps, or is odd).
    literal: Literal,
}

thread_local! {
    /// Tails of dropped references, emptied: a parse takes one for each
    /// reference with steps.
    static SPARE_TAILS: spare::Shelf<Box<RefTail>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Emptied blocks of dropped trees.
    static SPARE_BLOCKS: spare::Shelf<Block> = const { std::cell::RefCell::new(Vec::new()) };
    /// Emptied copies of dropped templates' sources.
    static SPARE_SOURCES: spare::Shelf<String> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Most tails and blocks kept per thread.
const MAX_SPARE: usize = 32;
/// Most sources kept per thread.
const MAX_SPARE_SOURCES: usize = 4;
/// Largest block worth keeping, in nodes.
const MAX_SPARE_BLOCK: usize = 64;
/// Largest source worth keeping, in bytes.
const MAX_SPARE_SOURCE: usize = 16 * 1024;

impl RefTail {
    /// An empty tail: a spare one if this thread has one.
    fn boxed() -> Box<RefTail> {
        spare::take(&SPARE_TAILS).unwrap_or_default()
    }
}

/// An empty block with room for a few nodes: a spare one if this thread
/// has one.
pub(crate) fn new_block() -> Block {
    spare::take(&SPARE_BLOCKS).unwrap_or_else(|| Vec::with_capacity(8))
}

/// Give back a block's buffer, its nodes dropped first. An empty body has
/// no buffer (`Vec::new()`) and is not kept: taken for a new block, it
/// would cost the allocation a spare is there to save.
fn give_block(mut block: Block) {
    block.clear();
    if block.capacity() > 0 && block.capacity() <= MAX_SPARE_BLOCK {
        spare::give(&SPARE_BLOCKS, block, MAX_SPARE);
    }
}

/// A copy of `source`, in a spare buffer if this thread has one.
pub(crate) fn copy_source(source: &str) -> String {
    match spare::take(&SPARE_SOURCES) {
        Some(mut s) => {
            s.push_str(source);
            s
        }
        None => source.to_owned(),
    }
}

impl Drop for Template {
    fn drop(&mut self) {
        give_block(std::mem::take(&mut self.nodes));
        let mut source = std::mem::take(&mut self.source);
        if source.capacity() > 0 && source.capacity() <= MAX_SPARE_SOURCE {
            source.clear();
            spare::give(&SPARE_SOURCES, source, MAX_SPARE_SOURCES);
        }
    }
}

impl Drop for ForeachNode {
    fn drop(&mut self) {
        give_block(std::mem::take(&mut self.body));
    }
}

impl Drop for IfNode {
    fn drop(&mut self) {
        for (_, body) in &mut self.branches {
            give_block(std::mem::take(body));
        }
        if let Some(body) = self.otherwise.take() {
            give_block(body);
        }
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let Some(mut tail) = self.tail.take() else {
            return;
        };
        // Emptied first: the steps may hold references, which come here too.
        tail.parts.clear();
        // A long chain's steps moved to the heap: not worth keeping.
        if tail.parts.spilled() {
            return;
        }
        tail.escapes = SmolStr::default();
        tail.glued = SmolStr::default();
        tail.prefixed = false;
        tail.literal = Literal::Spelled;
        spare::give(&SPARE_TAILS, tail, MAX_SPARE);
    }
}

/// The text of a reference as written: most fit inline.
type LiteralText = SmallVec<[u8; 64]>;

/// Where a reference's text as written is found.
#[derive(Debug, Clone, Default)]
enum Literal {
    /// Its style and name spell it.
    #[default]
    Spelled,
    /// It is the reference's span of [`Template::source`].
    Source,
    /// Kept here, inline: a parse should not spend an allocation on text
    /// that is printed only for escapes and errors.
    Written(LiteralText),
}

impl Reference {
    /// A reference with `parts` after its root and, printed before it,
    /// the backslashes `escapes` and the text `glued`; `literal` is its
    /// text as written after those, and `name` its variable's name.
    #[allow(clippy::too_many_arguments)] // the fields of a reference
    pub fn new(
        span: Span,
        root: Ident,
        style: RefStyle,
        parts: Parts,
        escaped: bool,
        computable: bool,
        literal: &str,
        name: &str,
        escapes: &str,
        glued: &str,
    ) -> Reference {
        let tail = (!parts.is_empty() || !escapes.is_empty() || !glued.is_empty()).then(|| {
            let mut tail = RefTail::boxed();
            tail.parts = parts;
            tail.escapes = small_str(escapes);
            tail.glued = small_str(glued);
            tail.prefixed = !escapes.is_empty() || !glued.is_empty();
            tail
        });
        let mut r = Reference {
            span,
            root,
            style,
            escaped,
            computable,
            braces: false,
            tail,
        };
        r.set_literal(literal, name);
        r
    }

    /// A reference without steps or prefixes, to add steps to with
    /// [`Reference::push_part`] and give its text with
    /// [`Reference::set_literal`].
    pub fn plain(span: Span, root: Ident, style: RefStyle) -> Reference {
        Reference {
            span,
            root,
            style,
            escaped: false,
            computable: true,
            braces: false,
            tail: None,
        }
    }

    /// Record `literal`, the reference as written after its prefixes, for
    /// a reference whose variable is `name`. A plain reference is spelled
    /// by its style and name, and keeps nothing.
    pub fn set_literal(&mut self, literal: &str, name: &str) {
        self.braces = matches!(
            literal.as_bytes(),
            [b'$', b'{', ..] | [b'$', b'!', b'{', ..]
        );
        // A reference with steps is never spelled by its name.
        if let Some(tail) = self.tail.as_deref_mut().filter(|t| !t.parts.is_empty()) {
            tail.literal = Literal::Written(LiteralText::from_slice(literal.as_bytes()));
            return;
        }
        let (open, close) = self.sigils();
        let spelled = literal.len() == open.len() + name.len() + close.len()
            && literal.starts_with(open)
            && literal.ends_with(close)
            && literal.get(open.len()..open.len() + name.len()) == Some(name);
        if spelled {
            if let Some(tail) = &mut self.tail {
                tail.literal = Literal::Spelled;
                if tail.parts.is_empty() && !tail.prefixed {
                    self.tail = None;
                }
            }
        } else {
            self.tail.get_or_insert_with(RefTail::boxed).literal =
                Literal::Written(LiteralText::from_slice(literal.as_bytes()));
        }
    }

    /// Record that the reference is written as its span of the template's
    /// source, without prefixes: what the fast path parses. Its text is
    /// read from there when needed, not copied.
    pub(crate) fn set_source_literal(&mut self, formal: bool) {
        self.braces = formal;
        if let Some(tail) = self.tail.as_deref_mut().filter(|t| !t.parts.is_empty()) {
            tail.literal = Literal::Source;
        }
    }

    /// What the style writes before and after the name.
    fn sigils(&self) -> (&'static str, &'static str) {
        match (self.style, self.braces) {
            (RefStyle::Normal, _) => ("$", ""),
            (RefStyle::Formal, _) => ("${", "}"),
            (RefStyle::Quiet, false) => ("$!", ""),
            (RefStyle::Quiet, true) => ("$!{", "}"),
            (RefStyle::Runt, _) => ("", ""),
        }
    }

    /// The reference as written after its prefixes, printed for escapes
    /// and references that print as text; `symbols` names its variable and
    /// `source` is the text of the template it is part of.
    pub fn literal<'s>(
        &'s self,
        symbols: &'s Symbols,
        source: &'s str,
    ) -> std::borrow::Cow<'s, str> {
        match self.tail.as_deref().map(|t| &t.literal) {
            Some(Literal::Written(text)) => {
                return std::borrow::Cow::Borrowed(std::str::from_utf8(text).unwrap_or(""))
            }
            Some(Literal::Source) => {
                return std::borrow::Cow::Borrowed(source.get(self.span.range()).unwrap_or(""))
            }
            Some(Literal::Spelled) | None => {}
        }
        let (open, close) = self.sigils();
        std::borrow::Cow::Owned(format!("{open}{}{close}", symbols.name(self.root)))
    }

    /// Add a step. The steps are written straight into the reference's box:
    /// built apart and moved in, they cost more in copies than they save.
    /// Always inlined: as a call, the step was copied once more on the way
    /// (33 instructions a tutorial parse).
    #[inline(always)]
    pub fn push_part(&mut self, part: Part) {
        self.tail
            .get_or_insert_with(RefTail::boxed)
            .parts
            .push(part);
    }

    /// Property, method and index steps after the root.
    #[inline]
    pub fn parts(&self) -> &[Part] {
        match &self.tail {
            Some(tail) => &tail.parts,
            None => &[],
        }
    }

    /// Whether text is printed before the reference (backslashes or glued text).
    pub fn has_prefix(&self) -> bool {
        self.tail.as_deref().is_some_and(|t| t.prefixed)
    }

    /// Half the leading backslashes, printed before the value.
    pub fn esc_prefix(&self) -> &str {
        self.tail.as_deref().map_or("", |t| &t.escapes)
    }

    /// Text glued before the `$` by the lexer, printed after the escapes.
    pub fn more_prefix(&self) -> &str {
        self.tail.as_deref().map_or("", |t| &t.glued)
    }
}

/// The steps of a reference. Most take three at most, kept inline in the
/// reference's box: steps and box are one allocation.
pub type Parts = SmallVec<[Part; 3]>;

/// The arguments of a method call; most calls take one at most, kept inline.
pub type Args = SmallVec<[Expr; 1]>;

/// One step of a reference.
#[derive(Debug, Clone)]
pub enum Part {
    /// `.name`.
    Property(Name, Span),
    /// `.name(args)`.
    Method(Name, Args, Span),
    /// `[expr]`.
    Index(Expr, Span),
}

/// `#set($target = value)`.
#[derive(Debug, Clone)]
pub struct SetNode {
    /// The directive in the source.
    pub span: Span,
    /// Left-hand side.
    pub target: Reference,
    /// Right-hand side.
    pub value: Expr,
}

/// `#if` with its `#elseif` branches and optional `#else`.
#[derive(Debug, Clone)]
pub struct IfNode {
    /// Condition and body of `#if` then each `#elseif`.
    pub branches: SmallVec<[(Expr, Block); 1]>,
    /// The `#else` body.
    pub otherwise: Option<Block>,
}

/// `#foreach($var in iterable) body #end`.
#[derive(Debug, Clone)]
pub struct ForeachNode {
    /// The directive in the source.
    pub span: Span,
    /// The directive's line as Velocity counts (`$foreach.info`).
    pub line: u32,
    /// The directive's column as Velocity counts (`$foreach.info`).
    pub column: u32,
    /// The loop variable, without `$`.
    pub var: Ident,
    /// What is iterated.
    pub iterable: Expr,
    /// The loop body.
    pub body: Block,
}

/// A directive other than `#set`, `#if` and `#foreach`.
#[derive(Debug, Clone)]
pub struct DirectiveNode {
    /// The directive in the source.
    pub span: Span,
    /// Its name without `#` or braces.
    pub name: SmolStr,
    /// Arguments inside the parentheses.
    pub args: Vec<Expr>,
    /// The body, for block directives (`#define`, `#@macro`, `#literal`);
    /// shared, because `#define` and block macros hand it to a variable.
    pub body: Option<std::sync::Arc<Block>>,
    /// The source text of the call, printed when no macro of that name exists.
    pub literal: SmolStr,
}

/// `#macro(name $a $b) body #end`.
#[derive(Debug, Clone)]
pub struct MacroDef {
    /// The macro's name.
    pub name: SmolStr,
    /// Parameter names without `$`.
    pub params: Vec<Ident>,
    /// The body.
    pub body: Block,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // the names are the operators
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// The operands of a binary operator, in one box.
#[derive(Debug, Clone)]
pub struct Operands {
    /// Left-hand side.
    pub left: Expr,
    /// Right-hand side.
    pub right: Expr,
    /// What Velocity prints for the operation when its value is null and a
    /// string `+` takes it (its node's `literal()`): the source from the
    /// token after the operator to the end of the right operand, or, in
    /// parentheses, all inside them. Kept for arithmetic only: comparisons
    /// and logic are never null.
    pub literal: SmolStr,
}

/// An expression in directive arguments, method arguments or `#set`.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A string literal; `interpolated` holds the parsed template of a
    /// double-quoted literal containing `$` or `#`, unless that template is
    /// only text: then `value` is the text it renders.
    Str {
        /// The literal's value (quotes removed, `\u` and doubled quotes decoded).
        value: SmolStr,
        /// The template to render instead, for interpolated literals.
        interpolated: Option<Box<Template>>,
        /// Where it is.
        span: Span,
    },
    /// An integer literal (Integer, Long or BigInteger in Java).
    Int(i128, Span),
    /// An integer literal beyond 128 bits (a BigInteger).
    HugeInt(Box<num_bigint::BigInt>, Span),
    /// A floating-point literal (Double).
    Float(f64, Span),
    /// `true` or `false`.
    Bool(bool, Span),
    /// A reference.
    Ref(Reference),
    /// `[a..b]`.
    Range(Box<Expr>, Box<Expr>, Span),
    /// `[a, b]`.
    List(Vec<Expr>, Span),
    /// `{k: v}`.
    Map(Vec<(Expr, Expr)>, Span),
    /// A bare word (`in` of `#foreach`, a macro name).
    Word(SmolStr, Span),
    /// `a op b`.
    Binary(BinOp, Box<Operands>, Span),
    /// `!a`.
    Not(Box<Expr>, Span),
}

impl Expr {
    /// `left op right`, spanning both; `literal` as [`Operands::literal`].
    pub fn binary(op: BinOp, left: Expr, right: Expr, literal: SmolStr) -> Expr {
        let span = left.span().to(right.span());
        Expr::Binary(
            op,
            Box::new(Operands {
                left,
                right,
                literal,
            }),
            span,
        )
    }

    /// Where the expression is in the source.
    pub fn span(&self) -> Span {
        match self {
            Expr::Str { span, .. }
            | Expr::Int(_, span)
            | Expr::HugeInt(_, span)
            | Expr::Float(_, span)
            | Expr::Bool(_, span)
            | Expr::Range(_, _, span)
            | Expr::List(_, span)
            | Expr::Map(_, span)
            | Expr::Word(_, span)
            | Expr::Binary(_, _, span)
            | Expr::Not(_, span) => *span,
            Expr::Ref(r) => r.span,
        }
    }
}

#[cfg(test)]
impl Template {
    /// The tree as the full parser builds it: source text copied into text
    /// nodes (adjacent ones merged) and references' texts, and no source
    /// kept. For comparing the fast path's trees with the full parser's.
    pub(crate) fn copy_source_text(&mut self) {
        let source = std::mem::take(&mut self.source);
        copy_block(&mut self.nodes, &source);
    }
}

#[cfg(test)]
fn copy_block(nodes: &mut Block, source: &str) {
    let mut copied: Block = Vec::new();
    for mut node in std::mem::take(nodes) {
        match &mut node {
            Node::Source(at) => {
                let text = source.get(at.range()).unwrap_or("");
                if let Some(Node::Text(prev)) = copied.last_mut() {
                    prev.push_str(text);
                } else {
                    copied.push(Node::Text(text.into()));
                }
                continue;
            }
            Node::Reference(r) => copy_reference(r, source),
            Node::Set(s) => {
                copy_reference(&mut s.target, source);
                copy_expr(&mut s.value, source);
            }
            Node::If(i) => {
                for (cond, body) in &mut i.branches {
                    copy_expr(cond, source);
                    copy_block(body, source);
                }
                if let Some(body) = &mut i.otherwise {
                    copy_block(body, source);
                }
            }
            Node::Foreach(f) => {
                copy_expr(&mut f.iterable, source);
                copy_block(&mut f.body, source);
            }
            Node::Text(_) | Node::Directive(_) => {}
        }
        copied.push(node);
    }
    *nodes = copied;
}

#[cfg(test)]
fn copy_expr(e: &mut Expr, source: &str) {
    match e {
        Expr::Ref(r) => copy_reference(r, source),
        Expr::Binary(_, ops, _) => {
            copy_expr(&mut ops.left, source);
            copy_expr(&mut ops.right, source);
        }
        Expr::Range(a, b, _) => {
            copy_expr(a, source);
            copy_expr(b, source);
        }
        Expr::Not(a, _) => copy_expr(a, source),
        Expr::List(items, _) => items.iter_mut().for_each(|e| copy_expr(e, source)),
        Expr::Map(pairs, _) => pairs.iter_mut().for_each(|(k, v)| {
            copy_expr(k, source);
            copy_expr(v, source);
        }),
        _ => {}
    }
}

#[cfg(test)]
fn copy_reference(r: &mut Reference, source: &str) {
    if let Some(tail) = r.tail.as_deref_mut() {
        if matches!(tail.literal, Literal::Source) {
            let text = source.get(r.span.range()).unwrap_or("");
            tail.literal = Literal::Written(LiteralText::from_slice(text.as_bytes()));
        }
        for part in &mut tail.parts {
            match part {
                Part::Method(_, args, _) => args.iter_mut().for_each(|e| copy_expr(e, source)),
                Part::Index(e, _) => copy_expr(e, source),
                Part::Property(..) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_blocks_with_a_buffer_are_kept() {
        // Whatever earlier tests on this thread left, a block taken now
        // has room.
        while spare::take(&SPARE_BLOCKS).is_some() {}
        give_block(Vec::new());
        assert!(spare::take(&SPARE_BLOCKS).is_none());
        give_block(Vec::with_capacity(3));
        assert!(new_block().capacity() >= 3);
        give_block(Vec::with_capacity(MAX_SPARE_BLOCK + 1));
        assert!(spare::take(&SPARE_BLOCKS).is_none());
    }

    #[test]
    fn well_known_names_keep_their_numbers() {
        let mut symbols = Symbols::default();
        for (id, name) in [
            (Ident::FOREACH, "foreach"),
            (Ident::VELOCITY_COUNT, "velocityCount"),
            (Ident::VELOCITY_HAS_NEXT, "velocityHasNext"),
            (Ident::BODY_CONTENT, "bodyContent"),
            (Ident::INPUT, "input"),
            (Ident::UTIL, "util"),
            (Ident::CONTEXT, "context"),
            (Ident::STAGE_VARIABLES, "stageVariables"),
        ] {
            assert_eq!(symbols.intern(name), id);
            assert_eq!(symbols.name(id), name);
        }
        let names: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        let ids: Vec<Ident> = names.iter().map(|n| symbols.intern(n)).collect();
        for (n, id) in names.iter().zip(&ids) {
            assert_eq!(
                symbols.intern(n),
                *id,
                "{n} keeps its number past the hash index"
            );
            assert_eq!(symbols.name(*id), n);
        }
        assert_eq!(symbols.slots(), 8 + 40);
    }

    #[test]
    fn a_reference_gives_back_its_text_as_written() {
        let mut symbols = Symbols::default();
        let a = symbols.intern("a");
        for (style, text) in [
            (RefStyle::Normal, "$a"),
            (RefStyle::Formal, "${a}"),
            (RefStyle::Quiet, "$!a"),
            (RefStyle::Quiet, "$!{a}"),
            (RefStyle::Runt, "a"),
        ] {
            let mut r = Reference::plain(Span::new(0, 0), a, style);
            r.set_literal(text, "a");
            assert!(r.tail.is_none(), "{text} is spelled by its style");
            assert_eq!(r.literal(&symbols, ""), text);
        }
        // Text the style and name do not spell is kept, inline or not.
        let long = format!("$a.get('{}')", "k".repeat(100));
        for text in ["$a.b()", "$a.get( 'x' )", long.as_str()] {
            let mut r = Reference::plain(Span::new(0, 0), a, RefStyle::Normal);
            r.push_part(Part::Property(Name::new("b"), Span::new(0, 0)));
            r.set_literal(text, "a");
            assert_eq!(r.literal(&symbols, ""), text);
        }
        let mut odd = Reference::plain(Span::new(0, 0), a, RefStyle::Normal);
        odd.set_literal("$\\!a", "a");
        assert_eq!(odd.literal(&symbols, ""), "$\\!a");
    }

    /// The references of the text a template prints.
    fn text_references(nodes: &[Node]) -> Vec<&Reference> {
        nodes
            .iter()
            .filter_map(|n| match n {
                Node::Reference(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_fast_parsed_reference_reads_its_text_from_the_source() {
        let src = "a $x.y(1, 'z') b ${x.y} c $!x.y $!{x.y}\n$x";
        let tpl = crate::syntax::parse_template(src).unwrap();
        assert!(!tpl.source.is_empty(), "the fast path took {src:?}");
        let texts: Vec<String> = text_references(&tpl.nodes)
            .iter()
            .map(|r| r.literal(&tpl.symbols, &tpl.source).into_owned())
            .collect();
        assert_eq!(texts, ["$x.y(1, 'z')", "${x.y}", "$!x.y", "$!{x.y}", "$x"]);
        let printed: String = tpl
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Source(at) => tpl.source.get(at.range()),
                _ => None,
            })
            .collect();
        assert_eq!(printed, "a  b  c  \n");
    }
}
