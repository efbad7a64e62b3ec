//! JSONPath exactly as Jayway JsonPath 2.0.0 (API Gateway's library)
//! compiles and evaluates it for `$input.path` and `$input.json`.
//!
//! Jayway 2.0 is not a grammar but a string-splitting parser, and templates
//! depend on its quirks, so this follows its behaviour step by step (each
//! rule measured against the real library, see `corpus/jsonpath`):
//! filter literals are strings (`"B"` keeps its quotes), `&&`/`||` split the
//! filter text and grouping parentheses are dropped, a negative index only
//! counts from the end in `[-n:]`, `[:-n]` and `[(@.length-n)]`, and a
//! missing key is "not found" for the whole path in places where one would
//! expect an empty list.

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

use super::doc::{Json, Map, Number};
use crate::eval::decimal::Decimal;

/// An array selection `[...]`.
#[derive(Debug, Clone, PartialEq)]
enum ArrayOp {
    Single(i64),
    Sequence(Vec<i64>),
    From(i64),
    To(i64),
    Between(i64, i64),
    /// `[(@.length-n)]`.
    ContextSize(i64),
}

#[derive(Debug, Clone)]
enum Token {
    Root,
    Property(Vec<String>),
    Wildcard,
    Scan,
    Array(ArrayOp),
    Filter(Box<Filter>),
}

impl Token {
    fn definite(&self) -> bool {
        matches!(
            self,
            Token::Root
                | Token::Property(_)
                | Token::Array(ArrayOp::Single(_) | ArrayOp::ContextSize(_))
        )
    }
}

#[derive(Debug, Clone)]
enum Operand {
    /// A path from the current item (`@`) or the document root (`$`).
    Path { path: Path, from_root: bool },
    /// Any other literal, kept as the text it was written as.
    Text(String),
    /// `/regex/` or `/regex/i`.
    Pattern(fancy_regex::Regex),
}

#[derive(Debug, Clone)]
enum Filter {
    Exists { path: Path, negated: bool },
    Compare(Box<(Operand, Op, Operand)>),
    And(Vec<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Regex,
}

/// A compiled path.
#[derive(Debug, Clone)]
pub struct Path {
    tokens: Vec<Token>,
}

/// The result of evaluating a path.
pub enum Found<'a> {
    /// A definite path's value.
    One(Cow<'a, Json>),
    /// Jayway's `PathNotFoundException`: `$input.path` gives null and
    /// `$input.json` gives `""`.
    Missing,
    /// An indefinite path's matches.
    Many(Vec<Cow<'a, Json>>),
}

/// Why an evaluation stopped.
enum Stop {
    /// `PathNotFoundException`.
    Missing,
    /// Any other exception: the render fails.
    Error(String),
}

type Eval<T> = Result<T, Stop>;

fn invalid<T>(message: impl Into<String>) -> Result<T, String> {
    Err(message.into())
}

/// Java's `String.trim`.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Paths longer than this are compiled afresh at each use, not remembered.
const MAX_REMEMBERED_LEN: usize = 1024;
/// Paths remembered per thread; the memory is cleared when it is full.
const MAX_REMEMBERED: usize = 256;

/// A compiled path, or why it does not compile.
type Compiled = Rc<Result<Path, String>>;

thread_local! {
    static COMPILED: RefCell<rustc_hash::FxHashMap<Box<str>, Compiled>> = RefCell::default();
}

/// [`compile`], remembered on this thread. A template evaluates the same
/// few paths again and again (in loops, at every render), and compiling a
/// path costs far more than finding it again.
pub fn compile_remembered(path: &str) -> Compiled {
    if path.len() > MAX_REMEMBERED_LEN {
        return Rc::new(compile(path));
    }
    COMPILED.with(|memory| {
        if let Some(found) = memory.borrow().get(path) {
            return Rc::clone(found);
        }
        let compiled = Rc::new(compile(path));
        let mut memory = memory.borrow_mut();
        if memory.len() >= MAX_REMEMBERED {
            memory.clear();
        }
        memory.insert(path.into(), Rc::clone(&compiled));
        compiled
    })
}

/// Deepest nesting of paths inside filters inside paths. Jayway recurses
/// as deep as the text goes, until its stack overflows; here a path nested
/// deeper is refused as invalid.
const MAX_NESTING: usize = 64;

/// Compile a JSONPath as Jayway's `PathCompiler` does.
pub fn compile(path: &str) -> Result<Path, String> {
    compile_nested(path, 0)
}

/// Compile a path found `depth` filters deep.
fn compile_nested(path: &str, depth: usize) -> Result<Path, String> {
    if depth > MAX_NESTING {
        return invalid(format!("paths nested deeper than {MAX_NESTING} filters"));
    }
    if path.is_empty() {
        return invalid("path may not be null empty");
    }
    let path = java_trim(path);
    if path.ends_with("..") {
        return invalid("A path can not end with a scan.");
    }
    let mut text = match path.chars().next() {
        Some('$') => path.to_string(),
        Some('@') => format!("${}", path.get(1..).unwrap_or("")),
        _ => format!("$.{path}"),
    };
    if text.len() > 1 && !matches!(text.as_bytes().get(1), Some(b'.' | b'[')) {
        return invalid(format!("Invalid path {text}"));
    }
    // Keep `text` alive for slicing below.
    text.shrink_to_fit();
    let s = text.as_str();
    let b = s.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' => return invalid(format!("Space not allowed in path: {s}")),
            b'$' if i == 0 => {
                tokens.push(Token::Root);
                i += 1;
            }
            b'[' => {
                let Some(end) = matching_bracket(b, i) else {
                    // Jayway 2.0 fails on a bracket no `]` follows.
                    return invalid(format!("Path component not closed: {s}"));
                };
                let frag = s.get(i..end).unwrap_or("");
                tokens.push(analyze(frag, depth)?);
                i = end;
            }
            b'.' => {
                i += 1;
                match b.get(i) {
                    None => return invalid(format!("Path must not end with a '.': {s}")),
                    Some(b'.') => {
                        tokens.push(Token::Scan);
                        i += 1;
                    }
                    Some(_) => {
                        let n = name_len(b, i);
                        let name = s.get(i..i + n).unwrap_or("");
                        if name == "*" {
                            tokens.push(Token::Wildcard);
                        } else if !name.is_empty() {
                            tokens.push(dot_property(name));
                        }
                        i += n;
                    }
                }
            }
            b'*' => {
                tokens.push(Token::Wildcard);
                i += 1;
            }
            _ => {
                let n = name_len(b, i).max(1);
                tokens.push(dot_property(s.get(i..i + n).unwrap_or("")));
                i += n;
            }
        }
    }
    Ok(Path { tokens })
}

/// A name in dot notation. Jayway 2.0 reads `.name` as `['name']`, so a
/// quote or `]` inside it changes what is read: `.'a'b` is `['', 'b']`
/// (text outside quotes is dropped), `.a'b` is `a`, `.a]` names nothing.
fn dot_property(name: &str) -> Token {
    if name.contains(['\'', ']']) {
        Token::Property(property_list(&format!("'{name}']")))
    } else {
        Token::Property(vec![name.to_string()])
    }
}

/// Characters of a dot name: up to `.`, `[`, a space or the end.
fn name_len(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .unwrap_or_default()
        .iter()
        .position(|c| matches!(c, b'.' | b'[' | b' '))
        .unwrap_or(b.len().saturating_sub(i))
}

/// The end (exclusive) of the bracket fragment starting at `i`, counting
/// nested brackets only; the rest of the path when the count never comes
/// back to zero (Jayway reads `$['a[b']` as the name `a[b`), and `None`
/// when no `]` follows at all.
fn matching_bracket(b: &[u8], i: usize) -> Option<usize> {
    if !b.get(i..).unwrap_or_default().contains(&b']') {
        return None;
    }
    let mut depth = 0;
    for (j, c) in b.iter().enumerate().skip(i) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    Some(b.len())
}

/// One `[...]` fragment.
fn analyze(frag: &str, depth: usize) -> Result<Token, String> {
    if frag == "[*]" {
        return Ok(Token::Wildcard);
    }
    if frag == "[?]" || frag == "[?,?]" {
        return invalid("filter placeholders are not supported");
    }
    let b = frag.as_bytes();
    for (j, &c) in b.iter().enumerate().skip(1) {
        match c {
            b'?' => return Ok(Token::Filter(Box::new(filter(frag, depth)?))),
            b'\'' => return Ok(Token::Property(property_list(frag.get(j..).unwrap_or("")))),
            b'0'..=b'9' | b':' | b'-' | b'@' => {
                return Ok(Token::Array(array_op(frag.get(j..).unwrap_or(""))?))
            }
            _ => {}
        }
    }
    invalid(format!("Could not analyze path component: {frag}"))
}

/// `['a','b']`: quoted names; text outside quotes is ignored.
fn property_list(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut open = false;
    let mut cur = String::new();
    for c in s.chars() {
        if c == ']' {
            break;
        }
        if c == '\'' {
            if open {
                names.push(std::mem::take(&mut cur));
            }
            open = !open;
        } else if open {
            cur.push(c);
        }
    }
    names
}

fn parse_int(s: &str) -> Result<i64, String> {
    s.parse::<i32>()
        .map(i64::from)
        .map_err(|_| format!("NumberFormatException: For input string: \"{s}\""))
}

/// Indexes, unions and slices, as Jayway 2.0's `ArrayPathToken` analysis
/// reads them (a slice step is ignored, junk after a number too).
fn array_op(s: &str) -> Result<ArrayOp, String> {
    let b = s.as_bytes();
    if b.first() == Some(&b'@') {
        let rest = s.get(2..).unwrap_or("");
        let name: String = rest
            .chars()
            .take_while(|c| *c != '-')
            .filter(|c| !matches!(c, ' ' | '(' | ')'))
            .collect();
        if name != "size" && name != "length" {
            return invalid(format!("Could not analyze path component: {s}"));
        }
        let Some(dash) = rest.find('-') else {
            return invalid(format!("Could not analyze path component: {s}"));
        };
        let n: String = rest
            .get(dash..)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c != ')')
            .filter(|c| *c != ' ')
            .collect();
        return Ok(ArrayOp::ContextSize(parse_int(&n)?));
    }
    let in_number = |c: u8| c.is_ascii_digit() || c == b' ' || c == b'-';
    let mut buffer = String::new();
    let mut nums = Vec::new();
    let (mut slice_to, mut slice_from, mut seq) = (false, false, false);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if !(c.is_ascii_digit() || matches!(c, b',' | b' ' | b':' | b'-')) {
            break;
        }
        match c {
            b' ' => {}
            b':' => {
                let first_empty = buffer.is_empty();
                if !first_empty {
                    nums.push(parse_int(&buffer)?);
                    buffer.clear();
                }
                i += 1;
                while let Some(&d) = b.get(i).filter(|d| in_number(**d)) {
                    if d != b' ' {
                        buffer.push(char::from(d));
                    }
                    i += 1;
                }
                if first_empty {
                    slice_to = true;
                    nums.push(parse_int(&buffer)?);
                } else if buffer.is_empty() {
                    slice_from = true;
                } else {
                    nums.push(parse_int(&buffer)?);
                }
                buffer.clear();
            }
            b',' => {
                nums.push(parse_int(&buffer)?);
                buffer.clear();
                seq = true;
            }
            c => buffer.push(char::from(c)),
        }
        i += 1;
    }
    if !buffer.is_empty() {
        nums.push(parse_int(&buffer)?);
    }
    let first = nums.first().copied();
    Ok(match (first, nums.get(1).copied()) {
        (Some(n), _) if nums.len() == 1 && !slice_to && !slice_from => ArrayOp::Single(n),
        _ if seq => ArrayOp::Sequence(nums),
        (Some(n), _) if slice_from => ArrayOp::From(n),
        (Some(n), _) if slice_to => ArrayOp::To(n),
        (Some(f), Some(t)) => ArrayOp::Between(f, t),
        _ => return invalid(format!("Could not analyze path component: {s}")),
    })
}

/// `[?( … )]`.
fn filter(frag: &str, depth: usize) -> Result<Filter, String> {
    // The filter ends at the first `]` outside quotes and parentheses.
    let b = frag.as_bytes();
    let (mut quoted, mut parens, mut end) = (false, 0i32, None);
    for (j, &c) in b.iter().enumerate() {
        match c {
            b'\'' if j == 0 || b.get(j - 1) != Some(&b'\\') => quoted = !quoted,
            b'(' if !quoted => parens += 1,
            b')' if !quoted => parens -= 1,
            b']' if !quoted && parens == 0 => {
                end = Some(j + 1);
                break;
            }
            _ => {}
        }
    }
    let Some(end) = end else {
        return invalid("Filter brackets are not balanced");
    };
    let text = java_trim(frag.get(..end).unwrap_or(""));
    let strip = |t: &str, open: &str, close: &str| -> Result<String, String> {
        let inner = t
            .strip_prefix(open)
            .and_then(|t| t.strip_suffix(close))
            .ok_or_else(|| format!("Filter must start with '{open}' and end with '{close}'"))?;
        Ok(java_trim(inner).to_string())
    };
    let inner = strip(text, "[", "]")?;
    let Some(inner) = inner.strip_prefix('?') else {
        return invalid("Filter must start with '[?' and end with ']'");
    };
    let inner = java_trim(inner).to_string();
    let inner = strip(&inner, "(", ")")?;
    // Split at every `&&` and `||`, wherever they are.
    let mut crits = Vec::new();
    let mut ops = Vec::new();
    let mut rest = inner.as_str();
    loop {
        let next = [rest.find("&&"), rest.find("||")]
            .into_iter()
            .flatten()
            .min();
        let (part, op) = match next {
            Some(k) => (rest.get(..k).unwrap_or(""), rest.get(k..k + 2)),
            None => (rest, None),
        };
        crits.push(criterion(clean(part)?, depth)?);
        match op {
            Some(op) => {
                ops.push(op == "&&");
                rest = rest.get(part.len() + 2..).unwrap_or("");
            }
            None => break,
        }
    }
    // Jayway folds from the right: the last criterion is evaluated first.
    let mut root = crits.pop().ok_or("Invalid operators")?;
    while let Some(is_and) = ops.pop() {
        let c = crits.pop().ok_or("Invalid operators")?;
        root = if is_and {
            match root {
                Filter::Or(l, r) => Filter::Or(l, Box::new(and(*r, c))),
                other => and(other, c),
            }
        } else {
            Filter::Or(Box::new(root), Box::new(c))
        };
    }
    Ok(root)
}

fn and(x: Filter, c: Filter) -> Filter {
    match x {
        Filter::And(mut list) => {
            list.push(c);
            Filter::And(list)
        }
        other => Filter::And(vec![other, c]),
    }
}

/// Drop grouping: leading `[?( ` and trailing `) `.
fn clean(p: &str) -> Result<&str, String> {
    let p = p.trim_start_matches(['[', '?', '(', ' ']);
    let p = p.trim_end_matches([')', ' ']);
    if p.is_empty() {
        return invalid("empty filter criterion");
    }
    Ok(p)
}

fn criterion(t: &str, depth: usize) -> Result<Filter, String> {
    const OPS: [(&str, Op); 7] = [
        ("==", Op::Eq),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=~", Op::Regex),
    ];
    let found = OPS
        .iter()
        .find_map(|(text, op)| t.find(text).map(|k| (k, text.len(), *op)));
    let Some((k, len, op)) = found else {
        let t = java_trim(t);
        let (negated, p) = match t.strip_prefix("!@") {
            Some(_) => (true, t.get(1..).unwrap_or(t)),
            None => (false, t),
        };
        if p.starts_with(['$', '@']) {
            return Ok(Filter::Exists {
                path: predicate_path(p, depth)?,
                negated,
            });
        }
        return invalid(format!("CriteriaType {t} can not be parsed"));
    };
    let left = java_trim(t.get(..k).unwrap_or(""));
    let right = java_trim(t.get(k + len..).unwrap_or(""));
    if right.starts_with('!') {
        return invalid(format!("Invalid operand {right}"));
    }
    // With an operator, a leading `!` on a path is ignored.
    let left = if left.starts_with("!@") {
        left.get(1..).unwrap_or(left)
    } else {
        left
    };
    Ok(Filter::Compare(Box::new((
        operand(left, depth)?,
        op,
        operand(right, depth)?,
    ))))
}

fn predicate_path(p: &str, depth: usize) -> Result<Path, String> {
    let path = compile_nested(p, depth + 1)?;
    if !path.tokens.iter().all(Token::definite) {
        return invalid(format!("the predicate path: {p} is not definite"));
    }
    Ok(path)
}

fn operand(t: &str, depth: usize) -> Result<Operand, String> {
    if t.starts_with(['$', '@']) {
        return Ok(Operand::Path {
            path: predicate_path(t, depth)?,
            from_root: t.starts_with('$'),
        });
    }
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        return Ok(Operand::Text(
            t.get(1..t.len() - 1).unwrap_or("").to_string(),
        ));
    }
    if t.starts_with('/') && t.len() >= 2 && (t.ends_with('/') || t.ends_with("/i")) {
        let ci = t.ends_with("/i") && t.len() > 2;
        let last = t.rfind('/').unwrap_or(0);
        let body = t.get(1..last).unwrap_or("");
        let translated = crate::eval::methods::java_regex_source(body, ci)?;
        let source = format!("\\A(?:{translated})\\z");
        let re = fancy_regex::Regex::new(&source).map_err(|e| e.to_string())?;
        return Ok(Operand::Pattern(re));
    }
    Ok(Operand::Text(t.to_string()))
}

/// Most steps one evaluation takes. Deep scans multiply: `$..a..a..a…`
/// over a deep document visits a number of nodes exponential in the path's
/// length, where Jayway (and API Gateway's timeout) would run for minutes.
const MAX_STEPS: u64 = 20_000_000;

/// Deepest the evaluation recurses: each token that does not descend into
/// the document (a filter on an object, `$`) adds a level, so a long path
/// could otherwise take more stack than a thread has.
const MAX_EVAL_DEPTH: usize = 1_100;

/// Evaluation of one path over one document.
struct Run<'a, 'p> {
    root: &'a Json,
    tokens: &'p [Token],
    out: Vec<Cow<'a, Json>>,
    /// Steps taken and the recursion's current depth, against the limits.
    steps: u64,
    depth: usize,
}

impl<'a, 'p> Run<'a, 'p> {
    fn new(root: &'a Json, tokens: &'p [Token]) -> Self {
        Run {
            root,
            tokens,
            out: Vec::new(),
            steps: 0,
            depth: 0,
        }
    }

    fn leaf(&self, idx: usize) -> bool {
        idx + 1 == self.tokens.len()
    }

    /// Count a step one level deeper, or stop at the limits.
    fn enter(&mut self) -> Eval<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.depth >= MAX_EVAL_DEPTH {
            return Err(Stop::Error(
                "the path takes too many steps to evaluate on this document".into(),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Evaluate `tokens[idx..]` on `node`.
    fn eval(&mut self, idx: usize, node: &'a Json) -> Eval<()> {
        self.enter()?;
        let result = self.eval_token(idx, node);
        self.depth -= 1;
        result
    }

    fn eval_token(&mut self, idx: usize, node: &'a Json) -> Eval<()> {
        let Some(token) = self.tokens.get(idx) else {
            self.out.push(Cow::Borrowed(node));
            return Ok(());
        };
        match token {
            Token::Root => self.eval(idx + 1, node),
            Token::Property(names) => self.property(idx, names, node),
            Token::Wildcard => {
                match node {
                    Json::Object(o) => {
                        for v in o.values() {
                            self.next(idx, v)?;
                        }
                    }
                    Json::Array(a) => {
                        for i in 0..a.len() {
                            match self.index(idx, a, i as i64) {
                                Err(Stop::Missing) | Ok(()) => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    _ => {}
                }
                Ok(())
            }
            Token::Scan => self.scan(idx, node),
            Token::Array(op) => self.array(idx, op, node),
            Token::Filter(f) => match node {
                Json::Object(_) => {
                    if accepts(f, node, self.root)? {
                        self.next(idx, node)?;
                    }
                    Ok(())
                }
                Json::Array(a) => {
                    for (i, item) in a.iter().enumerate() {
                        if accepts(f, item, self.root)? {
                            self.index(idx, a, i as i64)?;
                        }
                    }
                    Ok(())
                }
                _ => Err(Stop::Error(
                    "Filter: [?] can not be applied to primitives".into(),
                )),
            },
        }
    }

    /// The value a token selected: a result if it is the last token, else
    /// the input of the next one.
    fn next(&mut self, idx: usize, value: &'a Json) -> Eval<()> {
        if self.leaf(idx) {
            self.out.push(Cow::Borrowed(value));
            Ok(())
        } else {
            self.eval(idx + 1, value)
        }
    }

    fn property(&mut self, idx: usize, names: &[String], node: &'a Json) -> Eval<()> {
        let Json::Object(o) = node else {
            return Err(Stop::Missing);
        };
        if let [name] = names {
            return match o.get(name.as_str()) {
                Some(v) => self.next(idx, v),
                None if self.leaf(idx) => Err(Stop::Missing),
                None if self.upstream_definite(idx) => Err(Stop::Missing),
                None => Ok(()),
            };
        }
        if !self.leaf(idx) {
            return Err(Stop::Error(
                "Multi properties can only be used as path leafs".into(),
            ));
        }
        let mut picked = Map::default();
        for n in names {
            if let Some(v) = o.get(n.as_str()) {
                picked.insert(Rc::from(n.as_str()), v.clone());
            }
        }
        self.out.push(Cow::Owned(Json::Object(picked)));
        Ok(())
    }

    fn upstream_definite(&self, idx: usize) -> bool {
        idx > 0
            && self.tokens.get(idx - 1).is_some_and(Token::definite)
            && self
                .tokens
                .get(idx..)
                .unwrap_or_default()
                .iter()
                .all(Token::definite)
    }

    /// Jayway's index handler: out of bounds is "not found".
    fn index(&mut self, idx: usize, a: &'a [Json], i: i64) -> Eval<()> {
        match usize::try_from(i).ok().and_then(|i| a.get(i)) {
            Some(v) => self.next(idx, v),
            None => Err(Stop::Missing),
        }
    }

    fn array(&mut self, idx: usize, op: &ArrayOp, node: &'a Json) -> Eval<()> {
        let a = match node {
            Json::Null => return Err(Stop::Missing),
            Json::Array(a) => a,
            other => {
                return Err(Stop::Error(format!(
                    "Filter: [..] can only be applied to arrays. Current context is: {other}"
                )))
            }
        };
        let len = a.len() as i64;
        match op {
            ArrayOp::Single(i) => self.index(idx, a, *i),
            ArrayOp::Sequence(is) => {
                for i in is {
                    self.index(idx, a, *i)?;
                }
                Ok(())
            }
            ArrayOp::ContextSize(n) => self.index(idx, a, len + n),
            ArrayOp::From(f) => {
                let f = if *f < 0 { (f + len).max(0) } else { *f };
                for i in f..len {
                    self.index(idx, a, i)?;
                }
                Ok(())
            }
            ArrayOp::To(t) => {
                let t = if *t < 0 { t + len } else { *t }.min(len);
                for i in 0..t {
                    self.index(idx, a, i)?;
                }
                Ok(())
            }
            ArrayOp::Between(f, t) => {
                // An empty array ends the step before a negative start
                // could be looked up.
                if len == 0 {
                    return Ok(());
                }
                let t = (*t).min(len);
                for i in *f..t {
                    self.index(idx, a, i)?;
                }
                Ok(())
            }
        }
    }

    /// `..` followed by the next token: a pre-order walk.
    fn scan(&mut self, idx: usize, node: &'a Json) -> Eval<()> {
        self.enter()?;
        let result = self.scan_from(idx, node);
        self.depth -= 1;
        result
    }

    fn scan_from(&mut self, idx: usize, node: &'a Json) -> Eval<()> {
        let Some(next) = self.tokens.get(idx + 1) else {
            return Ok(());
        };
        let next_is_leaf = self.leaf(idx + 1);
        match node {
            Json::Object(o) => {
                if scan_accepts(next, node, self.root)? {
                    self.eval(idx + 1, node)?;
                }
                for v in o.values() {
                    self.scan(idx, v)?;
                }
            }
            Json::Array(a) => {
                if scan_accepts(next, node, self.root)? {
                    if next_is_leaf {
                        self.eval(idx + 1, node)?;
                    } else {
                        for e in a {
                            self.eval(idx + 2, e)?;
                        }
                    }
                }
                for e in a {
                    self.scan(idx, e)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn scan_accepts(token: &Token, node: &Json, root: &Json) -> Eval<bool> {
    Ok(match token {
        Token::Property(names) => match node {
            Json::Object(o) => names.iter().all(|n| o.contains_key(n.as_str())),
            _ => false,
        },
        Token::Array(_) => node.is_array(),
        Token::Wildcard => true,
        Token::Filter(f) => accepts(f, node, root)?,
        Token::Root | Token::Scan => false,
    })
}

/// A definite path's value: `None` when not found.
fn definite_value<'a>(path: &Path, start: &'a Json, root: &'a Json) -> Eval<Option<Cow<'a, Json>>> {
    let mut run = Run::new(root, &path.tokens);
    match run.eval(0, start) {
        Ok(()) => Ok(run.out.into_iter().next()),
        Err(Stop::Missing) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A filter operand's value: `Ok(None)` when its path is not found.
enum Val<'a> {
    Json(Cow<'a, Json>),
    Text(&'a str),
    Pattern(&'a fancy_regex::Regex),
}

fn operand_value<'a>(o: &'a Operand, item: &'a Json, root: &'a Json) -> Eval<Option<Val<'a>>> {
    Ok(match o {
        Operand::Path { path, from_root } => {
            definite_value(path, if *from_root { root } else { item }, root)?.map(Val::Json)
        }
        Operand::Text(t) => Some(Val::Text(t)),
        Operand::Pattern(p) => Some(Val::Pattern(p)),
    })
}

fn accepts(f: &Filter, item: &Json, root: &Json) -> Eval<bool> {
    match f {
        Filter::And(list) => {
            for c in list {
                if !accepts(c, item, root)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Filter::Or(l, r) => Ok(accepts(l, item, root)? || accepts(r, item, root)?),
        Filter::Exists { path, negated } => {
            // Jayway evaluates even a `$` path against the item here, and
            // requires every property of a `['a','b']` step.
            let exists = definite_value(path, item, root)?.is_some_and(|v| {
                !v.is_null()
                    && match (path.tokens.last(), &*v) {
                        (Some(Token::Property(names)), Json::Object(o)) if names.len() > 1 => {
                            names.iter().all(|n| o.contains_key(n.as_str()))
                        }
                        _ => true,
                    }
            });
            Ok(exists != *negated)
        }
        Filter::Compare(c) => {
            let (l, op, r) = &**c;
            let Some(left) = operand_value(l, item, root)? else {
                return Ok(false);
            };
            let Some(right) = operand_value(r, item, root)? else {
                return Ok(false);
            };
            compare(&left, *op, &right)
        }
    }
}

fn compare(left: &Val, op: Op, right: &Val) -> Eval<bool> {
    if op == Op::Regex {
        let (pattern, target) = match (left, right) {
            (Val::Pattern(p), t) => (p, t),
            (t, Val::Pattern(p)) => (p, t),
            _ => {
                return Err(Stop::Error(
                    "ClassCastException: the right side of =~ must be a /regex/".into(),
                ))
            }
        };
        let text = match target {
            Val::Json(j) if j.is_null() => return Ok(false),
            Val::Json(j) => java_text(j),
            Val::Text(t) => (*t).to_string(),
            Val::Pattern(p) => p.as_str().to_string(),
        };
        return Ok(pattern.is_match(&text).unwrap_or(false));
    }
    let null_like = |v: &Val| match v {
        Val::Json(j) => j.is_null() || j.as_str() == Some("null"),
        Val::Text(t) => *t == "null",
        Val::Pattern(_) => false,
    };
    let is_null = |v: &Val| matches!(v, Val::Json(j) if j.is_null());
    if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && (is_null(left) != is_null(right)) {
        return Ok(false);
    }
    // Jayway compares right against left.
    let c = match safe_compare(right, left, null_like)? {
        Some(c) => c,
        None => return Ok(false),
    };
    Ok(match op {
        Op::Eq => c == Ordering::Equal,
        Op::Ne => c != Ordering::Equal,
        Op::Gt => c == Ordering::Less,
        Op::Ge => c != Ordering::Greater,
        Op::Lt => c == Ordering::Greater,
        Op::Le => c != Ordering::Less,
        Op::Regex => false,
    })
}

/// Java's `toString` of a JSON value, for `=~`.
fn java_text(j: &Json) -> String {
    let v = super::json::doc_to_value(j, crate::eval::value::ListKind::JsonArray);
    v.to_java_string().unwrap_or_default()
}

/// A JSON number as Jayway reads it, `new BigDecimal(n.toString())`:
/// exact, so 64-bit ids and long decimals compare digit for digit. An
/// infinite or NaN double has no decimal form: an error, as in Jayway.
fn decimal(n: &Number) -> Eval<Decimal> {
    match n {
        Number::Int(i) => Ok(Decimal::from_integer(*i)),
        Number::Huge(i) => Ok(Decimal::from_big_integer((**i).clone())),
        Number::Decimal(d) => Ok((**d).clone()),
        Number::Double(d) => {
            let mut text = String::new();
            crate::eval::java_double::write(*d, &mut text);
            Decimal::parse(&text).ok_or_else(|| {
                Stop::Error(format!("NumberFormatException: {text} is no BigDecimal"))
            })
        }
    }
}

/// Two JSON numbers compared as Jayway compares them, as BigDecimals.
fn compare_numbers(x: &Number, y: &Number) -> Eval<Ordering> {
    match (x, y) {
        (Number::Int(a), Number::Int(b)) => Ok(a.cmp(b)),
        // Distinct finite doubles print distinct decimals, in their order.
        (Number::Double(a), Number::Double(b)) if a.is_finite() && b.is_finite() => {
            Ok(a.partial_cmp(b).unwrap_or(Ordering::Equal))
        }
        _ => Ok(decimal(x)?.compare(&decimal(y)?)),
    }
}

/// Jayway 2.0's `safeCompare(a, b)`; `None` is its ValueCompareException
/// (the criterion is false).
fn safe_compare(a: &Val, b: &Val, null_like: impl Fn(&Val) -> bool) -> Eval<Option<Ordering>> {
    if let (Val::Json(x), Val::Json(y)) = (a, b) {
        if std::ptr::eq(&**x, &**y) {
            return Ok(Some(Ordering::Equal));
        }
    }
    match (null_like(a), null_like(b)) {
        (true, true) => return Ok(Some(Ordering::Equal)),
        (true, false) => return Ok(Some(Ordering::Less)),
        (false, true) => return Ok(Some(Ordering::Greater)),
        _ => {}
    }
    let text = |v: &Val| -> Option<String> {
        match v {
            Val::Text(t) => Some((*t).to_string()),
            Val::Json(j) => j.as_str().map(str::to_string),
            Val::Pattern(_) => None,
        }
    };
    let num = |v: &Val| -> Option<Number> {
        match v {
            Val::Json(j) => j.as_number().cloned(),
            _ => None,
        }
    };
    let boolean = |v: &Val| -> Option<bool> {
        match v {
            Val::Json(j) => j.as_bool(),
            _ => None,
        }
    };
    if let (Some(x), Some(y)) = (text(a), text(b)) {
        let x = x.replace("\\'", "'");
        return Ok(Some(x.encode_utf16().cmp(y.encode_utf16())));
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return compare_numbers(&x, &y).map(Some);
    }
    if let (Some(x), Some(y)) = (text(a), num(b)) {
        let y = decimal(&y)?;
        return match Decimal::parse(&x) {
            Some(x) => Ok(Some(x.compare(&y))),
            None => Err(Stop::Error(format!(
                "NumberFormatException: {x} is not a number"
            ))),
        };
    }
    if let (Some(x), Some(y)) = (text(a), boolean(b)) {
        return Ok(Some(x.eq_ignore_ascii_case("true").cmp(&y)));
    }
    if let (Some(x), Some(y)) = (boolean(a), boolean(b)) {
        return Ok(Some(x.cmp(&y)));
    }
    Ok(None)
}

impl Path {
    fn definite(&self) -> bool {
        self.tokens.iter().all(Token::definite)
    }

    /// Evaluate the path over a document; `Err` is a render error.
    pub fn find<'a>(&self, doc: &'a Json) -> Result<Found<'a>, String> {
        let mut run = Run::new(doc, &self.tokens);
        match run.eval(0, doc) {
            Err(Stop::Missing) => Ok(Found::Missing),
            Err(Stop::Error(m)) => Err(m),
            Ok(()) if self.definite() => Ok(match run.out.into_iter().next() {
                Some(v) => Found::One(v),
                None => Found::Missing,
            }),
            Ok(()) => Ok(Found::Many(run.out)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(path: &str, doc: &str) -> String {
        match compile(path) {
            Ok(p) => show_found(&p, doc),
            Err(e) => format!("ERROR {e}"),
        }
    }

    fn show_found(p: &Path, doc: &str) -> String {
        let doc: Json = super::super::permissive::parse(doc).unwrap();
        match p.find(&doc) {
            Ok(Found::One(v)) => v.to_string(),
            Ok(Found::Many(vs)) => {
                let items: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
                format!("[{}]", items.join(","))
            }
            Ok(Found::Missing) => "MISSING".into(),
            Err(e) => format!("ERROR {e}"),
        }
    }

    const TAGS: &str = r#"{"tags":["a","b","c"],"name":"x","o":{"k":1}}"#;

    fn show_remembered(path: &str, doc: &str) -> String {
        match &*compile_remembered(path) {
            Ok(p) => show_found(p, doc),
            Err(e) => format!("ERROR {e}"),
        }
    }

    #[test]
    fn remembered_paths_find_what_fresh_ones_find() {
        let paths = [
            "$.tags[1]",
            "$.o.k",
            "$..k",
            "$.tags[?(@ == 'b')]",
            "$.",
            "$.tags[",
        ];
        // Through a clearing of the memory and back.
        for round in 0..2 {
            for p in paths {
                assert_eq!(
                    show_remembered(p, TAGS),
                    show(p, TAGS),
                    "{p} (round {round})"
                );
            }
            for i in 0..MAX_REMEMBERED + 1 {
                let p = format!("$.o['k{i}']");
                assert_eq!(show_remembered(&p, TAGS), "MISSING");
            }
        }
        let long = format!("$.o.{}", "k".repeat(MAX_REMEMBERED_LEN));
        assert_eq!(show_remembered(&long, TAGS), show(&long, TAGS));
    }

    #[test]
    fn slices_and_unions_as_jayway_2() {
        assert_eq!(show("$.tags[0:3:2]", TAGS), r#"["a","b","c"]"#);
        assert_eq!(show("$.tags[0:-1]", TAGS), "[]");
        assert_eq!(show("$.tags[-2:-1]", TAGS), "MISSING");
        assert_eq!(show("$.tags[:-1]", TAGS), r#"["a","b"]"#);
        assert_eq!(show("$.tags[-2:]", TAGS), r#"["b","c"]"#);
        assert_eq!(show("$.tags[0,9]", TAGS), "MISSING");
        assert_eq!(show("$.tags[2,0]", TAGS), r#"["c","a"]"#);
        assert_eq!(show("$.tags[(@.length-1)]", TAGS), r#""c""#);
        assert_eq!(show("$.tags[-1]", TAGS), "MISSING");
        assert!(show("$.tags[::2]", TAGS).starts_with("ERROR"));
    }

    #[test]
    fn roots_and_errors() {
        assert_eq!(show("@.name", TAGS), r#""x""#);
        assert_eq!(show("name", TAGS), r#""x""#);
        assert!(show("$.o[0]", TAGS).starts_with("ERROR"));
        assert!(show("$.name[?(@.x)]", TAGS).starts_with("ERROR"));
        assert_eq!(show("$.o['k','z']", TAGS), r#"{"k":1}"#);
        assert!(show("$.a b", TAGS).starts_with("ERROR"));
    }

    #[test]
    fn paths_too_deep_or_too_costly_stop_with_an_error() {
        // Filters nested in filters: refused before the stack runs out.
        let nested = format!("${}{}", "[?(@.a == $".repeat(10_000), ")]".repeat(10_000));
        assert!(show(&nested, TAGS).contains("nested deeper"));
        // Filters on an object keep the evaluation on the same node.
        let chained = format!("${}", "[?(@.o)]".repeat(10_000));
        assert!(show(&chained, TAGS).contains("too many steps"));
        let shallow = format!("${}", "[?(@.o)]".repeat(10));
        assert!(!show(&shallow, TAGS).starts_with("ERROR"));
        // `..a` again and again over a deep document: C(30, n) results.
        let doc = format!("{}1{}", r#"{"a":"#.repeat(30), "}".repeat(30));
        assert!(show(&format!("${}", "..a".repeat(12)), &doc).contains("too many steps"));
        assert!(!show(&format!("${}", "..a".repeat(3)), &doc).starts_with("ERROR"));
    }

    #[test]
    fn filters_compare_literals_as_text() {
        let doc = r#"{"items":[{"id":1,"s":"A-1"},{"id":"2","s":"\"B\""},{"id":3,"n":null}]}"#;
        assert_eq!(show("$.items[?(@.id == '1')].s", doc), r#"["A-1"]"#);
        assert_eq!(show("$.items[?(@.id == 2)].s", doc), r#"["\"B\""]"#);
        assert_eq!(show(r#"$.items[?(@.s == "B")].id"#, doc), r#"["2"]"#);
        assert!(show(r#"$.items[?(@.id == abc)].s"#, doc).starts_with("ERROR"));
        assert_eq!(show("$.items[?(!@.s)].id", doc), "[3]");
        assert_eq!(show("$.items[?(@.s =~ /a-.*/i)].id", doc), "[1]");
        assert_eq!(show("$.items[?(@.n == null)].id", doc), "[3]");
        assert_eq!(show("$.items[?(@.id > 1 && @.id < 3)].id", doc), r#"["2"]"#);
    }

    #[test]
    fn missing_keys_in_indefinite_paths() {
        let doc = r#"{"items":[{"id":1},{"id":2,"x":5}]}"#;
        assert_eq!(show("$.items[*].x", doc), "[5]");
        assert_eq!(show("$.items[?(@.id)].x", doc), "MISSING");
        assert_eq!(show("$..x", doc), "[5]");
        assert_eq!(show("$..[?(@.id == 2)].x", doc), "[5]");
    }
}
