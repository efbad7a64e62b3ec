//! JSONPath as Jayway JsonPath 2.0 evaluates it for `$input.path` and
//! `$input.json`: a definite path gives one value or nothing, an indefinite
//! one (wildcard, deep scan, filter, slice, several keys) gives a list.

use serde_json::Value as Json;

/// One step of a path.
#[derive(Debug, Clone)]
enum Step {
    Keys(Vec<String>),
    Indexes(Vec<i64>),
    Slice(Option<i64>, Option<i64>),
    Wildcard,
    Scan(Box<Step>),
    Filter(Filter),
}

#[derive(Debug, Clone)]
enum Operand {
    Path(Vec<Step>),
    Lit(Json),
}

#[derive(Debug, Clone)]
enum Filter {
    Exists(Vec<Step>),
    Cmp(Operand, String, Operand),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

/// A compiled path.
#[derive(Debug, Clone)]
pub struct Path {
    steps: Vec<Step>,
    definite: bool,
}

/// The result of evaluating a path.
pub enum Found<'a> {
    /// A definite path's value.
    One(&'a Json),
    /// A definite path that matched nothing.
    Missing,
    /// An indefinite path's matches.
    Many(Vec<&'a Json>),
}

struct P<'s> {
    s: &'s [u8],
    i: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!(
            "invalid JSONPath at character {}: {what}",
            self.i + 1
        ))
    }
    fn name(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'.'
                || c == b'['
                || c == b'('
                || c == b' '
                || c == b')'
                || c == b'='
                || c == b'<'
                || c == b'>'
                || c == b'!'
                || c == b'&'
                || c == b'|'
            {
                break;
            }
            self.i += 1;
        }
        // `length()` and other functions: Jayway 2.0 reads them as keys.
        if self.s.get(self.i..).is_some_and(|r| r.starts_with(b"()")) {
            self.i += 2;
        }
        String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default()).into_owned()
    }
    fn quoted(&mut self) -> Result<String, String> {
        if !self.eat(b'\'') {
            return self.err("expected a quoted key");
        }
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return self.err("unterminated key"),
                Some(b'\\') => {
                    self.i += 1;
                    if let Some(c) = self.peek() {
                        out.push(c);
                        self.i += 1;
                    }
                }
                Some(b'\'') => {
                    self.i += 1;
                    break;
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    fn int(&mut self) -> Option<i64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        std::str::from_utf8(self.s.get(start..self.i)?)
            .ok()?
            .parse()
            .ok()
    }

    fn steps(&mut self, stop_at_filter_end: bool) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(b'.') => {
                    self.i += 1;
                    let scan = self.eat(b'.');
                    let step = if self.peek() == Some(b'[') {
                        self.bracket()?
                    } else if self.eat(b'*') {
                        Step::Wildcard
                    } else {
                        let n = self.name();
                        if n.is_empty() {
                            return self.err("empty property name");
                        }
                        Step::Keys(vec![n])
                    };
                    steps.push(if scan {
                        Step::Scan(Box::new(step))
                    } else {
                        step
                    });
                }
                Some(b'[') => steps.push(self.bracket()?),
                Some(_) if stop_at_filter_end => break,
                Some(_) => return self.err("unexpected character"),
            }
        }
        Ok(steps)
    }

    fn bracket(&mut self) -> Result<Step, String> {
        self.i += 1;
        self.ws();
        let step = match self.peek() {
            Some(b'*') => {
                self.i += 1;
                Step::Wildcard
            }
            Some(b'\'') => {
                let mut keys = vec![self.quoted()?];
                self.ws();
                while self.eat(b',') {
                    self.ws();
                    keys.push(self.quoted()?);
                    self.ws();
                }
                Step::Keys(keys)
            }
            Some(b'?') => {
                self.i += 1;
                if !self.eat(b'(') {
                    return self.err("expected `(` after `?`");
                }
                let f = self.filter()?;
                self.ws();
                if !self.eat(b')') {
                    return self.err("expected `)` closing the filter");
                }
                Step::Filter(f)
            }
            Some(b':') => {
                self.i += 1;
                let to = self.int();
                Step::Slice(None, to)
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let first = self.int().ok_or("invalid index")?;
                self.ws();
                if self.eat(b':') {
                    let to = self.int();
                    Step::Slice(Some(first), to)
                } else {
                    let mut idx = vec![first];
                    while self.eat(b',') {
                        self.ws();
                        idx.push(self.int().ok_or("invalid index")?);
                        self.ws();
                    }
                    Step::Indexes(idx)
                }
            }
            _ => return self.err("unsupported bracket expression"),
        };
        self.ws();
        if !self.eat(b']') {
            return self.err("expected `]`");
        }
        Ok(step)
    }

    fn filter(&mut self) -> Result<Filter, String> {
        let mut left = self.filter_and()?;
        loop {
            self.ws();
            if self.s.get(self.i..).is_some_and(|r| r.starts_with(b"||")) {
                self.i += 2;
                let right = self.filter_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, String> {
        let mut left = self.comparison()?;
        loop {
            self.ws();
            if self.s.get(self.i..).is_some_and(|r| r.starts_with(b"&&")) {
                self.i += 2;
                let right = self.comparison()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.ws();
        match self.peek() {
            Some(b'@') => {
                self.i += 1;
                Ok(Operand::Path(self.steps(true)?))
            }
            Some(b'\'') => Ok(Operand::Lit(Json::String(self.quoted()?))),
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|c| {
                    c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'+'
                }) {
                    self.i += 1;
                }
                let text = String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default())
                    .into_owned();
                match serde_json::from_str::<Json>(&text) {
                    Ok(j) => Ok(Operand::Lit(j)),
                    Err(_) => self.err("invalid filter operand"),
                }
            }
        }
    }

    fn comparison(&mut self) -> Result<Filter, String> {
        let left = self.operand()?;
        self.ws();
        let ops = ["==", "!=", "<=", ">=", "<", ">"];
        let op = ops.iter().find(|o| {
            self.s
                .get(self.i..)
                .is_some_and(|r| r.starts_with(o.as_bytes()))
        });
        match (op, left) {
            (Some(op), left) => {
                self.i += op.len();
                let right = self.operand()?;
                Ok(Filter::Cmp(left, (*op).to_string(), right))
            }
            (None, Operand::Path(p)) => Ok(Filter::Exists(p)),
            (None, Operand::Lit(_)) => self.err("a filter needs a comparison"),
        }
    }
}

fn is_definite(steps: &[Step]) -> bool {
    steps.iter().all(|s| match s {
        Step::Keys(k) => k.len() == 1,
        Step::Indexes(i) => i.len() == 1,
        _ => false,
    })
}

/// Compile a JSONPath.
pub fn compile(path: &str) -> Result<Path, String> {
    let path = path.trim();
    let body = match path.strip_prefix('$') {
        Some(rest) => rest.to_string(),
        None if path.starts_with('[') || path.starts_with('.') => path.to_string(),
        None => format!(".{path}"),
    };
    let mut p = P {
        s: body.as_bytes(),
        i: 0,
    };
    let steps = p.steps(false)?;
    let definite = is_definite(&steps);
    Ok(Path { steps, definite })
}

fn apply<'a>(step: &Step, node: &'a Json, out: &mut Vec<&'a Json>, root: &'a Json) {
    match step {
        Step::Keys(keys) => {
            if let Json::Object(o) = node {
                for k in keys {
                    if let Some(v) = o.get(k) {
                        out.push(v);
                    }
                }
            }
        }
        Step::Indexes(idx) => {
            if let Json::Array(a) = node {
                for &i in idx {
                    // Jayway 2.0 finds nothing at a negative index.
                    if let Some(v) = usize::try_from(i).ok().and_then(|i| a.get(i)) {
                        out.push(v);
                    }
                }
            }
        }
        Step::Slice(from, to) => {
            if let Json::Array(a) = node {
                let len = a.len() as i64;
                let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let f = norm(from.unwrap_or(0));
                let t = norm(to.unwrap_or(len));
                for i in f..t {
                    if let Some(v) = a.get(i as usize) {
                        out.push(v);
                    }
                }
            }
        }
        Step::Wildcard => match node {
            Json::Object(o) => out.extend(o.values()),
            Json::Array(a) => out.extend(a.iter()),
            _ => {}
        },
        Step::Scan(inner) => scan(inner, node, out, root),
        Step::Filter(f) => match node {
            Json::Array(a) => out.extend(a.iter().filter(|x| matches(f, x, root))),
            Json::Object(_) if matches(f, node, root) => out.push(node),
            _ => {}
        },
    }
}

fn scan<'a>(step: &Step, node: &'a Json, out: &mut Vec<&'a Json>, root: &'a Json) {
    apply(step, node, out, root);
    match node {
        Json::Object(o) => o.values().for_each(|v| scan(step, v, out, root)),
        Json::Array(a) => a.iter().for_each(|v| scan(step, v, out, root)),
        _ => {}
    }
}

fn select<'a>(steps: &[Step], start: &'a Json, root: &'a Json) -> Vec<&'a Json> {
    let mut cur = vec![start];
    for s in steps {
        let mut next = Vec::new();
        for n in cur {
            apply(s, n, &mut next, root);
        }
        cur = next;
    }
    cur
}

fn operand_value<'a>(o: &'a Operand, node: &'a Json, root: &'a Json) -> Option<&'a Json> {
    match o {
        Operand::Lit(j) => Some(j),
        Operand::Path(p) => select(p, node, root).into_iter().next(),
    }
}

fn matches(f: &Filter, node: &Json, root: &Json) -> bool {
    match f {
        Filter::Exists(p) => !select(p, node, root).is_empty(),
        Filter::And(a, b) => matches(a, node, root) && matches(b, node, root),
        Filter::Or(a, b) => matches(a, node, root) || matches(b, node, root),
        Filter::Cmp(l, op, r) => {
            let (Some(a), Some(b)) = (operand_value(l, node, root), operand_value(r, node, root))
            else {
                return false;
            };
            let ord = match (a, b) {
                (Json::Number(x), Json::Number(y)) => x
                    .as_f64()
                    .zip(y.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
                (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
                _ => (a == b).then_some(std::cmp::Ordering::Equal),
            };
            match op.as_str() {
                "==" => ord == Some(std::cmp::Ordering::Equal),
                "!=" => ord != Some(std::cmp::Ordering::Equal),
                "<" => ord == Some(std::cmp::Ordering::Less),
                "<=" => matches!(
                    ord,
                    Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                ),
                ">" => ord == Some(std::cmp::Ordering::Greater),
                _ => matches!(
                    ord,
                    Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
                ),
            }
        }
    }
}

impl Path {
    /// Evaluate the path over a document.
    pub fn find<'a>(&self, doc: &'a Json) -> Found<'a> {
        let found = select(&self.steps, doc, doc);
        if self.definite {
            match found.into_iter().next() {
                Some(v) => Found::One(v),
                None => Found::Missing,
            }
        } else {
            Found::Many(found)
        }
    }
}
