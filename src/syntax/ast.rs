//! The syntax tree of a template. Every node that can fail at render time
//! carries the byte span of its source.

use std::sync::Arc;

use super::span::Span;

/// A variable or parameter name, shared with the interpreter's variables so
/// that setting one never copies the name.
pub type Ident = Arc<str>;

/// A parsed template: its top-level nodes and the macros it defines.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The nodes, in source order.
    pub nodes: Vec<Node>,
    /// `#macro` definitions, in source order (the first of a name wins).
    pub macros: Vec<MacroDef>,
}

/// A sequence of nodes, the body of a block directive.
pub type Block = Vec<Node>;

/// One piece of a template.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal output: text, escapes, comment prefixes, `#[[ ]]#` blocks.
    Text(Box<str>),
    /// `$ref` and its variants.
    Reference(Box<Reference>),
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

/// A reference such as `$input.params().path.get($key)`.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The whole reference in the source.
    pub span: Span,
    /// The variable name.
    pub root: Ident,
    /// `$`, `${` or `$!`.
    pub style: RefStyle,
    /// Property, method and index steps after the root.
    pub parts: Vec<Part>,
    /// An odd number of `\` before the `$`: print the reference as text.
    pub escaped: bool,
    /// Half the leading backslashes, printed before the value.
    pub esc_prefix: Box<str>,
    /// Text glued before the `$` by the lexer (`#$a`, `$$a`), printed first.
    pub more_prefix: Box<str>,
    /// The reference as written (after the prefixes), printed for escapes.
    pub literal: Box<str>,
    /// False for `$\!a`-style references, which only ever print as text.
    pub computable: bool,
}

/// One step of a reference.
#[derive(Debug, Clone)]
pub enum Part {
    /// `.name`.
    Property(Box<str>, Span),
    /// `.name(args)`.
    Method(Box<str>, Vec<Expr>, Span),
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
    pub branches: Vec<(Expr, Block)>,
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
    pub name: Box<str>,
    /// Arguments inside the parentheses.
    pub args: Vec<Expr>,
    /// The body, for block directives (`#define`, `#@macro`, `#literal`).
    pub body: Option<Block>,
    /// The source text of the call, printed when no macro of that name exists.
    pub literal: Box<str>,
}

/// `#macro(name $a $b) body #end`.
#[derive(Debug, Clone)]
pub struct MacroDef {
    /// The macro's name.
    pub name: Box<str>,
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

/// An expression in directive arguments, method arguments or `#set`.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A string literal; `interpolated` holds the parsed template of a
    /// double-quoted literal containing `$` or `#`.
    Str {
        /// The literal's value (quotes removed, `\u` and doubled quotes decoded).
        value: Box<str>,
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
    Ref(Box<Reference>),
    /// `[a..b]`.
    Range(Box<Expr>, Box<Expr>, Span),
    /// `[a, b]`.
    List(Vec<Expr>, Span),
    /// `{k: v}`.
    Map(Vec<(Expr, Expr)>, Span),
    /// A bare word (`in` of `#foreach`, a macro name).
    Word(Box<str>, Span),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>, Span),
    /// `!a`.
    Not(Box<Expr>, Span),
}

impl Expr {
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
            | Expr::Binary(_, _, _, span)
            | Expr::Not(_, span) => *span,
            Expr::Ref(r) => r.span,
        }
    }
}
