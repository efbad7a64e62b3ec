//! The interpreter: walks the syntax tree and writes output, with Velocity
//! 1.7's semantics as API Gateway configures it.

use std::rc::Rc;
use std::sync::Arc;

use smallvec::SmallVec;

use super::arith;
use super::error::{EvalError, EvalErrorKind};
use super::methods;
use super::scope::{Literals, Locals, Scratch, SpareLoops, Vars};
use super::value::{integer, JMap, Key, ListKind, MapRef, Value};
use super::view::View;
use crate::apigw::Env;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// Iterations a `#foreach` runs at most (API Gateway's quota).
pub const MAX_FOREACH: usize = 1000;

/// Largest text `#evaluate` parses. API Gateway refuses templates over
/// 300 KB; text built while rendering can reach the 64 MiB string limit,
/// and the syntax tree of that much text takes gigabytes.
const MAX_EVALUATE: usize = 1024 * 1024;

/// Most loop iterations, macro calls and `#define` renders in one render.
/// Loops nest and definitions double (`#define($d2)$d1$d1#end`), so a
/// short template can ask for billions; API Gateway would time out.
const MAX_WORK: u32 = 10_000_000;
/// Nested macro calls allowed (Velocity's default `velocimacro.max.depth`).
pub const MAX_MACRO_DEPTH: usize = 20;
/// Output size limit: far above API Gateway's 10 MB payload limit.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Largest list a range literal may build.
pub const MAX_RANGE: i64 = 10_000_000;
/// Nested renders of one `#define` block (Velocity's `directive.define.max.depth`).
const MAX_DEFINE_DEPTH: usize = 2;
/// Nested `#evaluate`/`#define` renders allowed.
const MAX_NESTED_RENDER: usize = 64;

pub(crate) type EResult<T> = Result<T, Box<EvalError>>;

/// What a rendered block asks its caller to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    /// `#break($foreach.parent)`: break the loop whose scope this is.
    BreakScope(usize),
    Stop,
}

/// A macro: from the template, or defined by `#evaluate` text (which
/// Velocity makes global).
enum MacroRef<'a> {
    Template(&'a MacroDef),
    Evaluated(Rc<MacroDef>),
}

impl MacroRef<'_> {
    fn def(&self) -> &MacroDef {
        match self {
            MacroRef::Template(m) => m,
            MacroRef::Evaluated(m) => m,
        }
    }
}

/// The variables of one macro call (Velocity's `ProxyVMContext`).
#[derive(Default)]
struct MacroFrame {
    /// Values set during the call, and arguments passed by value.
    local: Locals,
    /// Arguments passed by name: evaluated in the caller's context each time
    /// the macro body reads them.
    by_name: Vec<(Ident, Expr)>,
}

/// Render `template` into `out`, with this thread's reusable buffers.
pub(crate) fn render_template(env: &Env, template: &Template, out: &mut String) -> EResult<()> {
    Scratch::with(|scratch| Interp::new(env, template, scratch).render(&template.nodes, out))
}

/// One rendering of a template.
pub struct Interp<'a> {
    pub(crate) env: &'a Env,
    vars: Vars<'a>,
    /// The template's variable names.
    symbols: &'a Symbols,
    /// The template's text, which its own [`Node::Source`] nodes and
    /// references print from (nested templates' nodes never do).
    source: &'a str,
    /// A copy of the names with those `#evaluate` text added; boxed, because
    /// the interpreter is moved and few templates use `#evaluate`.
    evaluated_symbols: Option<Box<Symbols>>,
    frames: Vec<MacroFrame>,
    /// The template's macros.
    macros: &'a [MacroDef],
    /// Macros that `#evaluate` text or string literals defined, global in
    /// Velocity; they come after the template's.
    evaluated_macros: Vec<Rc<MacroDef>>,
    nested: usize,
    /// A `#stop` or `#break` ran inside a string literal: the statement
    /// evaluating it ends, and the enclosing block then stops or breaks.
    pending: Option<Flow>,
    /// `#define` blocks being rendered, innermost last.
    defines_active: Vec<*const Block>,
    /// The bodies of the block macro calls run so far, which nest as deep
    /// as macros do. Held, so that no other block takes their addresses.
    macro_bodies: Vec<Arc<Block>>,
    /// `$foreach` scopes to reuse.
    spare_loops: SpareLoops<'a>,
    /// The strings string literals evaluate to.
    literals: &'a mut Literals,
    /// `$velocityCount` and `$velocityHasNext` of the innermost loop run
    /// outside macros, for when their variables are unset.
    counters: Option<(i32, bool)>,
    /// Loop variables of iterations over a null element. Velocity renders
    /// such an iteration in a context that reads the variable as null
    /// whatever the body sets it to (its `NullHolderContext`).
    null_items: Vec<Ident>,
    /// Loop iterations, macro calls and `#define` renders so far, against
    /// `MAX_WORK`.
    work: u32,
}

impl<'a> Interp<'a> {
    /// An interpreter over `env` for `template`, with buffers from `scratch`.
    pub(crate) fn new(
        env: &'a Env,
        template: &'a Template,
        scratch: &'a mut Scratch,
    ) -> Interp<'a> {
        env.begin_render();
        // A comparison that overflowed in an earlier render is forgotten.
        super::value::take_equality_overflow();
        let (vars, spare_loops, literals) = scratch.split(template.symbols.slots());
        Interp {
            env,
            vars,
            spare_loops,
            literals,
            symbols: &template.symbols,
            source: &template.source,
            evaluated_symbols: None,
            frames: Vec::new(),
            macros: &template.macros,
            evaluated_macros: Vec::new(),
            nested: 0,
            pending: None,
            defines_active: Vec::new(),
            macro_bodies: Vec::new(),
            counters: None,
            null_items: Vec::new(),
            work: 0,
        }
    }

    /// The variable names of the template and of the text `#evaluate`
    /// parsed so far.
    fn names(&self) -> &Symbols {
        self.evaluated_symbols.as_deref().unwrap_or(self.symbols)
    }

    /// Render `nodes` into `out`.
    pub fn render(&mut self, nodes: &[Node], out: &mut String) -> EResult<()> {
        self.block(nodes, out)?;
        Ok(())
    }

    /// Velocity's `context.get`: the innermost macro frame first (its own
    /// variables, then its by-name arguments, evaluated in the caller's
    /// context), then the enclosing frames, then the template's variables.
    #[inline]
    fn get_var(&mut self, name: Ident) -> EResult<Value> {
        if self.frames.is_empty() {
            return Ok(self.global(name));
        }
        self.get_var_in_macro(name)
    }

    #[inline(never)]
    fn get_var_in_macro(&mut self, name: Ident) -> EResult<Value> {
        for i in (0..self.frames.len()).rev() {
            let Some(frame) = self.frames.get(i) else {
                break;
            };
            if let Some(v) = frame.local.get(name) {
                return Ok(v.clone());
            }
            if let Some(pos) = frame.by_name.iter().position(|(n, _)| *n == name) {
                let mut inner = self.frames.split_off(i);
                let arg = inner
                    .first()
                    .and_then(|f| f.by_name.get(pos))
                    .map(|(_, e)| e);
                let value = match arg {
                    Some(e) => self.eval(e),
                    None => Ok(Value::Null),
                };
                self.frames.append(&mut inner);
                return value;
            }
        }
        Ok(self.global(name))
    }

    fn global(&self, name: Ident) -> Value {
        if !self.null_items.is_empty() && self.null_items.contains(&name) {
            return Value::Null;
        }
        if let Some(v) = self.vars.get(name) {
            return v.clone();
        }
        // API Gateway's own variables, unless the template set its own.
        match name {
            Ident::INPUT => Value::Input,
            Ident::UTIL => Value::Util,
            Ident::VELOCITY_COUNT => self.counters.map_or(Value::Null, |(c, _)| Value::Int(c)),
            Ident::VELOCITY_HAS_NEXT => self.counters.map_or(Value::Null, |(_, h)| Value::Bool(h)),
            Ident::CONTEXT => self.env.context(),
            Ident::STAGE_VARIABLES => self.env.stage_variables(),
            _ => Value::Null,
        }
    }

    /// Velocity's `context.put` (or `remove` for null). Inside macros
    /// (`velocimacro.context.localscope = false`) a value is set in every
    /// macro frame and in the template's variables.
    #[inline]
    fn set_var(&mut self, name: Ident, value: Value) {
        if !self.frames.is_empty() {
            for f in &mut self.frames {
                f.local.set(name, value.clone());
            }
        }
        self.vars.set(name, value);
    }

    /// A variable's value, for a directive that sets it and restores it
    /// afterwards. Outside macros the value moves out of its slot; the
    /// directive sets the slot before anything can read it.
    fn take_var(&mut self, name: Ident) -> EResult<Value> {
        if self.frames.is_empty() {
            return Ok(self.vars.replace(name, Value::Null));
        }
        self.get_var(name)
    }

    pub(crate) fn block(&mut self, nodes: &[Node], out: &mut String) -> EResult<Flow> {
        for node in nodes {
            // Text, most of any template, neither fails nor changes the flow.
            if let Node::Source(at) = node {
                if let Some(text) = self.source_text(*at) {
                    out.push_str(text);
                }
            } else {
                let flow = self.node(node, out)?;
                if flow != Flow::Normal {
                    return Ok(flow);
                }
                if let Some(flow) = self.pending.take() {
                    return Ok(flow);
                }
            }
            if out.len() > MAX_OUTPUT {
                return Err(output_too_large());
            }
        }
        Ok(Flow::Normal)
    }

    /// The template's text at `at`, which a `Node::Source` prints.
    #[inline]
    fn source_text(&self, at: Span) -> Option<&'a str> {
        self.source.get(at.range())
    }

    fn node(&mut self, node: &Node, out: &mut String) -> EResult<Flow> {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Source(at) => out.push_str(self.source_text(*at).unwrap_or("")),
            Node::Reference(r) => return self.render_reference(r, out),
            Node::Set(s) => self.set(s)?,
            Node::If(i) => {
                for (cond, body) in &i.branches {
                    let holds = self.truth(cond)?;
                    if self.pending.is_some() {
                        return Ok(Flow::Normal);
                    }
                    if holds {
                        return self.block(body, out);
                    }
                }
                if let Some(body) = &i.otherwise {
                    return self.block(body, out);
                }
            }
            Node::Foreach(f) => return self.foreach(f, out),
            Node::Directive(d) => return self.directive(d, out),
        }
        Ok(Flow::Normal)
    }

    fn render_reference(&mut self, r: &Reference, out: &mut String) -> EResult<Flow> {
        if r.style == RefStyle::Runt {
            out.push_str(self.names().name(r.root));
            return Ok(Flow::Normal);
        }
        if r.escaped {
            let value = self.reference(r)?;
            // `#stop` or `#break` in its arguments: Velocity writes nothing.
            if self.pending.is_some() {
                return Ok(Flow::Normal);
            }
            out.push_str(r.esc_prefix());
            if value.is_null() {
                out.push('\\');
            }
            out.push_str(&self.unprinted_text(r));
            return Ok(Flow::Normal);
        }
        // A variable holding a string (a loop's key, a value set earlier)
        // prints straight from its slot.
        if r.parts().is_empty() && r.computable && self.reads_slots() {
            if let Some(Value::Str(s)) = self.vars.get(r.root) {
                if r.has_prefix() {
                    out.push_str(r.esc_prefix());
                    out.push_str(r.more_prefix());
                }
                out.push_str(s);
                return Ok(Flow::Normal);
            }
        }
        if let Some(flow) = self.print_escape_javascript(r, out)? {
            return Ok(flow);
        }
        let value = self.reference(r)?;
        if self.pending.is_some() {
            return Ok(Flow::Normal);
        }
        self.print_value(r, value, out)
    }

    /// `$util.escapeJavaScript(x)`, in most templates, written as it is
    /// escaped: no string for the escaped value. `None` for any other
    /// reference.
    #[inline]
    fn print_escape_javascript(
        &mut self,
        r: &Reference,
        out: &mut String,
    ) -> EResult<Option<Flow>> {
        let [Part::Method(name, args, span)] = r.parts() else {
            return Ok(None);
        };
        let [arg] = &args[..] else {
            return Ok(None);
        };
        if r.root != Ident::UTIL
            || name.known() != Some(Known::EscapeJavaScript)
            || !r.computable
            || !self.reads_builtin(Ident::UTIL)
        {
            return Ok(None);
        }
        let value = self.eval(arg)?;
        if self.pending.is_some() {
            return Ok(Some(Flow::Normal));
        }
        if let Value::Str(s) = &value {
            // Escaping grows a string at most sixfold: a string that could
            // pass the size limit takes the general path and its check.
            if s.len() <= MAX_OUTPUT / 6 {
                if r.has_prefix() {
                    out.push_str(r.esc_prefix());
                    out.push_str(r.more_prefix());
                }
                crate::apigw::util::escape_javascript_into(out, s);
                return Ok(Some(Flow::Normal));
            }
        }
        let result = methods::call(
            self,
            &Value::Util,
            name,
            std::slice::from_ref(&value),
            *span,
        )?;
        check_size(&result, *span)?;
        self.print_value(r, result, out).map(Some)
    }

    /// Whether `$input` or `$util` (`id`) reads as API Gateway's object: the
    /// template has not set a variable of that name, and no macro argument
    /// or null loop element can stand for it.
    #[inline]
    fn reads_builtin(&self, id: Ident) -> bool {
        self.reads_slots() && self.vars.get(id).is_none()
    }

    /// Whether a variable reads straight from its slot: no macro argument
    /// or null loop element stands for it.
    #[inline]
    fn reads_slots(&self) -> bool {
        self.frames.is_empty() && self.null_items.is_empty()
    }

    /// Print `value`, the value of reference `r`.
    fn print_value(&mut self, r: &Reference, value: Value, out: &mut String) -> EResult<Flow> {
        // A block value (`#define`, `$bodyContent`) prints without the text
        // glued before its `$`, as Velocity renders the block and returns.
        if r.has_prefix() && !matches!(value, Value::Define(_)) {
            out.push_str(r.esc_prefix());
            out.push_str(r.more_prefix());
        }
        if let Value::Define(body) = &value {
            self.spend(r.span)?;
            // Velocity renders one #define block at most two deep
            // (`directive.define.max.depth`); deeper, the reference prints
            // as written.
            let id = Arc::as_ptr(body);
            if self.block_depth_reached(id, false) {
                // As a value that does not print: the prefixes, the
                // backslashes again, and the text unless quiet.
                out.push_str(r.esc_prefix());
                out.push_str(r.more_prefix());
                out.push_str(r.esc_prefix());
                if r.style != RefStyle::Quiet {
                    out.push_str(&self.unprinted_text(r));
                }
                return Ok(Flow::Normal);
            }
            self.defines_active.push(id);
            // `#stop` in a #define body stops the whole template.
            let mut flow = Flow::Normal;
            let rendered = self.nested_render(r.span, |me| {
                flow = me.block(body, out)?;
                Ok(())
            });
            self.defines_active.pop();
            rendered?;
            return Ok(if flow == Flow::Stop {
                Flow::Stop
            } else {
                Flow::Normal
            });
        }
        if value.is_null() {
            // API Gateway renders null and undefined references as "".
            return Ok(Flow::Normal);
        }
        // Strings are what references print most.
        if let Value::Str(s) = &value {
            out.push_str(s);
            return Ok(Flow::Normal);
        }
        let before = out.len();
        if !value.write_java(out) {
            out.truncate(before);
            out.push_str(r.esc_prefix());
            if r.style != RefStyle::Quiet {
                out.push_str(&self.unprinted_text(r));
            }
        }
        Ok(Flow::Normal)
    }

    /// What reference `r` prints instead of a value (escaped, or a value
    /// whose `toString()` is null): its text as written. Inside a macro, a
    /// plain `$param` whose argument was a reference passed by name prints
    /// that argument's text instead, from the innermost call that has one
    /// (Velocity's `.literal.$param` context entry).
    fn unprinted_text<'s>(&'s self, r: &'s Reference) -> std::borrow::Cow<'s, str> {
        let own = r.literal(self.names(), self.source);
        if self.frames.is_empty() || !r.parts().is_empty() {
            return own;
        }
        let name = self.names().name(r.root);
        if own.strip_prefix('$') != Some(name) {
            return own;
        }
        let argument = self.frames.iter().rev().find_map(|frame| {
            frame
                .by_name
                .iter()
                .find(|(param, _)| *param == r.root)
                .map(|(_, e)| e)
        });
        match argument {
            Some(Expr::Ref(arg)) => arg.literal(self.names(), self.source),
            _ => own,
        }
    }

    fn nested_render(&mut self, at: Span, f: impl FnOnce(&mut Self) -> EResult<()>) -> EResult<()> {
        self.nested += 1;
        if self.nested > MAX_NESTED_RENDER {
            self.nested -= 1;
            return Err(EvalError::boxed(
                EvalErrorKind::Limit,
                at,
                "#define or #evaluate nested too deeply".into(),
            ));
        }
        let r = f(self);
        self.nested -= 1;
        r
    }

    /// The value of a reference; null when any step is null or unresolved.
    pub(crate) fn reference(&mut self, r: &Reference) -> EResult<Value> {
        if !r.computable || r.style == RefStyle::Runt {
            return Ok(Value::Null);
        }
        self.walk(r.root, r.parts())
    }

    /// The value of variable `root` through `parts`.
    fn walk(&mut self, root: Ident, parts: &[Part]) -> EResult<Value> {
        let (mut value, parts) = match parts {
            // A property of a template variable (`$foreach.hasNext`,
            // `$data.errorMessage`) is read without cloning the variable.
            [Part::Property(name, span), rest @ ..] if self.reads_slots() => {
                let value = match self.vars.get(root) {
                    // `$foreach.hasNext`, in most loops.
                    Some(Value::Loop(l)) if name.known() == Some(Known::HasNext) => {
                        Value::Bool(l.has_next.get())
                    }
                    Some(v) => methods::property(self.env, v, name, *span)?,
                    None => {
                        let v = self.global(root);
                        if v.is_null() {
                            return Ok(Value::Null);
                        }
                        methods::property(self.env, &v, name, *span)?
                    }
                };
                (value, rest)
            }
            // `$input.params().path`, `.querystring`, `.header`: the section
            // read in one step, without the global lookup and the call.
            [Part::Method(params, args, _), Part::Property(section, _), rest @ ..]
                if root == Ident::INPUT
                    && args.is_empty()
                    && params.known() == Some(Known::Params)
                    && self.reads_builtin(Ident::INPUT) =>
            {
                match self.env.params_section(section.as_str()) {
                    Some(value) => (value, rest),
                    None => (self.env.params(), &parts[1..]),
                }
            }
            _ => (self.get_var(root)?, parts),
        };
        for part in parts {
            if value.is_null() {
                return Ok(Value::Null);
            }
            let found = match part {
                Part::Property(name, _) => methods::map_entry(&value, name),
                // `$input.params()`, in most request templates.
                Part::Method(name, args, _)
                    if args.is_empty()
                        && matches!(value, Value::Input)
                        && name.known() == Some(Known::Params) =>
                {
                    Some(self.env.params())
                }
                // `$map.get($key)`, in most templates that read parameters.
                Part::Method(name, args, span) if name.known() == Some(Known::Get) => {
                    match (&value, &args[..]) {
                        (Value::Map(m), [arg]) => {
                            let key = self.eval(arg)?;
                            let v = methods::map_get(m, &key);
                            check_size(&v, *span)?;
                            Some(v)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            value = match found {
                Some(v) => v,
                None => self.step(value, part)?,
            };
        }
        Ok(value)
    }

    fn step(&mut self, value: Value, part: &Part) -> EResult<Value> {
        match part {
            Part::Property(name, span) => methods::property(self.env, &value, name, *span),
            Part::Method(name, args, span) => {
                // Most calls take no argument or one: no argument vector.
                let one;
                let many: SmallVec<[Value; 4]>;
                let vals: &[Value] = match &args[..] {
                    [] => &[],
                    [a] => {
                        one = self.eval(a)?;
                        std::slice::from_ref(&one)
                    }
                    _ => {
                        many = args.iter().map(|a| self.eval(a)).collect::<EResult<_>>()?;
                        &many
                    }
                };
                let result = methods::call(self, &value, name, vals, *span)?;
                // Doubling a string or list in a loop grows it exponentially:
                // stop it where Java would run out of memory.
                check_size(&result, *span)?;
                Ok(result)
            }
            Part::Index(e, span) => {
                let arg = self.eval(e)?;
                methods::index(&value, &arg, *span)
            }
        }
    }

    fn set(&mut self, s: &SetNode) -> EResult<()> {
        let value = self.eval(&s.value)?;
        if self.pending.is_some() {
            return Ok(());
        }
        if value.is_null() {
            // directive.set.null.allowed = false: the target keeps its value.
            return Ok(());
        }
        let t = &s.target;
        let Some((last, init)) = t.parts().split_last() else {
            self.set_var(t.root, value);
            return Ok(());
        };
        let mut obj = self.get_var(t.root)?;
        for part in init {
            if obj.is_null() {
                return Ok(());
            }
            obj = self.step(obj, part)?;
        }
        // Nothing to set a property or an element of.
        if obj.is_null() {
            return Ok(());
        }
        match (last, &obj) {
            (Part::Property(name, _), Value::Loop(l)) => {
                l.storage().insert(Key::Str(Rc::from(&**name)), value);
            }
            // A map entry's `value` property has the setter `setValue`.
            (Part::Property(name, _), Value::Entry(e))
                if methods::getter_name(name) == Some(Known::Value) =>
            {
                self.env.touch();
                e.set_value(value);
            }
            // Velocity names the property after the last segment even when
            // it is written as a call: `#set($m.put('k', 'v') = 1)`.
            (Part::Property(name, _) | Part::Method(name, _, _), Value::Map(m)) => {
                self.env.touch();
                m.insert(Key::Str(Rc::from(&**name)), value);
            }
            (Part::Index(e, span), _) => {
                let key = self.eval(e)?;
                self.env.touch();
                methods::set_index(&obj, &key, value, *span)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Evaluate an expression to a value.
    #[inline]
    pub(crate) fn eval(&mut self, e: &Expr) -> EResult<Value> {
        // References are most expressions: straight to them.
        if let Expr::Ref(r) = e {
            return self.reference(r);
        }
        self.eval_other(e)
    }

    fn eval_other(&mut self, e: &Expr) -> EResult<Value> {
        Ok(match e {
            Expr::Str {
                value,
                interpolated,
                span,
            } => match interpolated {
                None => Value::Str(self.literals.get(value)),
                Some(tpl) => {
                    // Macros the string defines exist from its first render,
                    // for calls inside it too.
                    self.register_macros(&tpl.macros);
                    let mut s = String::new();
                    let mut flow = Flow::Normal;
                    self.nested_render(*span, |me| {
                        flow = me.block(&tpl.nodes, &mut s)?;
                        Ok(())
                    })?;
                    if flow != Flow::Normal && self.pending.is_none() {
                        self.pending = Some(flow);
                    }
                    if !value.contains("##") && flow == Flow::Normal {
                        s.pop();
                    }
                    Value::Str(Rc::from(s))
                }
            },
            Expr::Int(i, _) => integer(*i),
            Expr::HugeInt(i, _) => Value::Huge(Rc::new((**i).clone())),
            Expr::Float(f, _) => Value::Double(*f),
            Expr::Bool(b, _) => Value::Bool(*b),
            Expr::Ref(r) => self.reference(r)?,
            Expr::Range(a, b, span) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                range(&a, &b, *span)?
            }
            Expr::List(items, _) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    v.push(self.eval(i)?);
                }
                Value::list(v)
            }
            Expr::Map(entries, _) => {
                let mut m = JMap::default();
                for (k, v) in entries {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    m.insert(k.to_key(), v);
                }
                Value::map(m)
            }
            Expr::Word(w, _) => Value::Str(Rc::from(&**w)),
            Expr::Not(inner, _) => Value::Bool(!self.truth(inner)?),
            Expr::Binary(op, ops, span) => self.binary(*op, ops, *span)?,
        })
    }

    /// A binary expression. Operator chains are left-deep trees
    /// (`1 + 1 + … + 1`), so the left spine is walked with a loop: a long
    /// chain must not cost a stack frame per operator.
    fn binary(&mut self, op: BinOp, ops: &Operands, span: Span) -> EResult<Value> {
        let mut spine: SmallVec<[(BinOp, &Operands, Span); 8]> = SmallVec::new();
        spine.push((op, ops, span));
        let mut leftmost = &ops.left;
        while let Expr::Binary(inner, ops, span) = leftmost {
            // `&&`/`||` take only the truth of an arithmetic operand, which
            // Velocity gives as false without evaluating it.
            let outer = spine.last().map(|(op, _, _)| *op);
            if matches!(outer, Some(BinOp::And | BinOp::Or)) && !has_truth_value(*inner) {
                break;
            }
            spine.push((*inner, &**ops, *span));
            leftmost = &ops.left;
        }
        let Some((first_op, first, first_span)) = spine.pop() else {
            return Ok(Value::Null);
        };
        let mut acc = self.binary_step(first_op, Left::Expr(leftmost), &first.right, first_span)?;
        let mut done = (first_op, &first.literal);
        while let Some((op, ops, span)) = spine.pop() {
            acc = self.binary_step(op, Left::Done(acc, done.0, done.1), &ops.right, span)?;
            done = (op, &ops.literal);
        }
        Ok(acc)
    }

    fn binary_step(&mut self, op: BinOp, l: Left, r: &Expr, span: Span) -> EResult<Value> {
        Ok(match op {
            BinOp::And => Value::Bool(self.left_truth(&l)? && self.truth(r)?),
            BinOp::Or => Value::Bool(self.left_truth(&l)? || self.truth(r)?),
            BinOp::Eq | BinOp::Ne => {
                let ((a, _), b) = (self.left_value(l)?, self.eval(r)?);
                if arith::has_no_decimal_base(&a, &b) {
                    return Err(arith::no_decimal_value(span));
                }
                // A block and a value of another class compare by their
                // `toString()`s: the block's is its rendering.
                let (a, b) = if matches!(a, Value::Define(_)) != matches!(b, Value::Define(_)) {
                    (self.block_as_text(a, span)?, self.block_as_text(b, span)?)
                } else {
                    (a, b)
                };
                let eq = arith::loose_equals(&a, &b);
                if super::value::take_equality_overflow() {
                    return Err(stack_overflow(span));
                }
                Value::Bool(if op == BinOp::Eq { eq } else { !eq })
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                let (a, b) = (self.left_value(l)?, self.eval(r)?);
                if arith::has_no_decimal_base(&a.0, &b) {
                    return Err(arith::no_decimal_value(span));
                }
                Value::Bool(match arith::compare(&a.0, &b) {
                    Some(ord) => match op {
                        BinOp::Lt => ord.is_lt(),
                        BinOp::Gt => ord.is_gt(),
                        BinOp::Le => ord.is_le(),
                        _ => ord.is_ge(),
                    },
                    None => false,
                })
            }
            BinOp::Add => {
                let ((a, left_null), b) = (self.left_value(l)?, self.eval(r)?);
                if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) {
                    let blocks = [&a, &b].map(|v| matches!(v, Value::Define(_)));
                    let (a, b) = (self.block_as_text(a, span)?, self.block_as_text(b, span)?);
                    // A block past its nesting limit has a null toString(),
                    // which Java's String.concat throws on.
                    if (blocks[0] && a.is_null()) || (blocks[1] && b.is_null()) {
                        return Err(methods::null_pointer(span, "concat"));
                    }
                    let left = self.concat_operand(&a, left_null);
                    let right = self.concat_operand(&b, NullText::Of(r));
                    let joined = Value::Str(Rc::from(left + &right));
                    check_size(&joined, span)?;
                    return Ok(joined);
                }
                arith::math(op, &a, &b, span)?
            }
            _ => {
                let (a, b) = (self.left_value(l)?, self.eval(r)?);
                arith::math(op, &a.0, &b, span)?
            }
        })
    }

    /// The truth of a left operand: an expression's own, or, for the value
    /// of an inner operator, Velocity's rule that only logical and
    /// comparison nodes have one.
    fn left_truth(&mut self, l: &Left) -> EResult<bool> {
        match l {
            Left::Expr(e) => self.truth(e),
            Left::Done(v, op, _) => Ok(has_truth_value(*op) && v.truthy()),
        }
    }

    /// A left operand's value, with what it prints as null in a string `+`.
    fn left_value<'e>(&mut self, l: Left<'e>) -> EResult<(Value, NullText<'e>)> {
        match l {
            Left::Expr(e) => Ok((self.eval(e)?, NullText::Of(e))),
            Left::Done(v, _, literal) => Ok((v, NullText::Literal(literal))),
        }
    }

    /// An operand of string `+`: null operands contribute their source text
    /// (Velocity's `literal()` of the operand's node).
    fn concat_operand(&self, v: &Value, null: NullText) -> String {
        match v {
            Value::Null => match null {
                NullText::Of(Expr::Ref(r)) => r.literal(self.names(), self.source).into_owned(),
                NullText::Of(Expr::Binary(_, ops, _)) => ops.literal.to_string(),
                NullText::Literal(text) => text.to_string(),
                NullText::Of(_) => String::new(),
            },
            v => v.to_java_string().unwrap_or_default(),
        }
    }

    /// Velocity's `evaluate()`: the truth of an expression.
    fn truth(&mut self, e: &Expr) -> EResult<bool> {
        // Only references, booleans and logical/comparison nodes have a
        // truth value in Velocity 1.7; other literals and math are false.
        Ok(match e {
            Expr::Ref(r) => {
                if let Some(has_next) = self.has_next(r) {
                    return Ok(has_next);
                }
                let v = self.reference(r)?;
                if let Value::Define(body) = &v {
                    return self.block_truth(body, r.span);
                }
                v.truthy() && !matches!(v, Value::Input | Value::Util)
            }
            Expr::Bool(b, _) => *b,
            Expr::Not(..) => self.eval(e)?.truthy(),
            Expr::Binary(op, ..) if has_truth_value(*op) => self.eval(e)?.truthy(),
            _ => false,
        })
    }

    /// `$foreach.hasNext` (or `.hasNext` of any variable holding a loop
    /// scope), the condition of nearly every `#if` in a loop body, read
    /// as `walk` reads it but without building a value. `None` for any
    /// other reference.
    #[inline]
    fn has_next(&self, r: &Reference) -> Option<bool> {
        let [Part::Property(name, _)] = r.parts() else {
            return None;
        };
        if name.known() != Some(Known::HasNext)
            || !r.computable
            || r.style == RefStyle::Runt
            || !self.reads_slots()
        {
            return None;
        }
        match self.vars.get(r.root) {
            Some(Value::Loop(l)) => Some(l.has_next.get()),
            _ => None,
        }
    }

    /// What `#foreach` iterates. A map's `keySet()`, `values()` or
    /// `entrySet()`, the usual loops over parameters and headers, is read
    /// through a view held here instead of one allocated for the call.
    fn loop_source(&mut self, e: &Expr) -> EResult<Source> {
        if let Expr::Ref(r) = e {
            if let Some((last @ Part::Method(name, args, _), init)) = r.parts().split_last() {
                let view: Option<fn(MapRef) -> View> = match name.known() {
                    Some(Known::KeySet) => Some(View::Keys),
                    Some(Known::Values) => Some(View::Values),
                    Some(Known::EntrySet) => Some(View::Entries),
                    _ => None,
                };
                if let (Some(view), true) = (
                    view,
                    args.is_empty() && r.computable && r.style != RefStyle::Runt,
                ) {
                    return Ok(match self.walk(r.root, init)? {
                        Value::Map(m) => Source::View(view(m)),
                        Value::Null => Source::Value(Value::Null),
                        receiver => Source::Value(self.step(receiver, last)?),
                    });
                }
            }
        }
        Ok(Source::Value(self.eval(e)?))
    }

    fn foreach(&mut self, f: &ForeachNode, out: &mut String) -> EResult<Flow> {
        let source = self.loop_source(&f.iterable)?;
        if self.pending.is_some() {
            return Ok(Flow::Normal);
        }
        let Some(start_len) = iterable_len(&source) else {
            // Velocity iterates collections, maps and arrays only.
            return Ok(Flow::Normal);
        };
        let var = f.var;
        let saved_var = self.take_var(var)?;
        // Outside macros `$velocityCount` and `$velocityHasNext` are read
        // from `counters` unless the body sets them: few templates use
        // them, and setting both each iteration cost more than the rest of
        // a short loop's step.
        let on_demand = self.frames.is_empty();
        let outer_counters = self.counters;
        let saved_count = self.take_var(Ident::VELOCITY_COUNT)?;
        let saved_has_next = self.take_var(Ident::VELOCITY_HAS_NEXT)?;
        // Velocity's one scope for the run of the loop, put in `$foreach`
        // before the first iteration and moved on at each.
        let (parent, replaced) = match self.get_var(Ident::FOREACH)? {
            v @ Value::Loop(_) => (v, Value::Null),
            v => (Value::Null, v),
        };
        let scope = self
            .spare_loops
            .new_loop(parent, replaced, f.line, f.column);
        let id = Rc::as_ptr(&scope) as usize;
        self.set_var(Ident::FOREACH, Value::Loop(Rc::clone(&scope)));
        let mut flow = Flow::Normal;
        // Iterate the live collection as Java's iterators do. A list's goes
        // on while its cursor is not at the current size; a map's while the
        // entry it last took had a successor then. Before each step the
        // collection must have kept its structure (Java's modCount).
        let (mods_at_start, list_like) = iterable_mods(&source);
        // A loop over an iterator (`$list.iterator()`) takes its elements
        // with `next()`, as the body may too.
        let cursor = match &source {
            Source::Value(Value::View(v)) if matches!(**v, View::Cursor(..)) => Some(&**v),
            _ => None,
        };
        let mut has_more = start_len > 0;
        for i in 0..MAX_FOREACH {
            let (item, has_next) = if let Some(cursor) = cursor {
                match cursor.next() {
                    Some(item) => (item, !cursor.is_empty()),
                    None => break,
                }
            } else {
                if !list_like && !has_more {
                    break;
                }
                let len = iterable_len(&source).unwrap_or(0);
                if list_like && i == len {
                    break;
                }
                // Only a body that ran can have changed the collection.
                if i > 0 && iterable_mods(&source).0 != mods_at_start {
                    return Err(EvalError::boxed(
                        EvalErrorKind::Method,
                        f.span,
                        "the #foreach body changed the collection it iterates (Java's ConcurrentModificationException)".into(),
                    ));
                }
                if i >= len {
                    break;
                }
                (iterable_get(&source, i), i + 1 < len)
            };
            has_more = has_next;
            self.spend(f.span)?;
            let index = i32::try_from(i).unwrap_or(i32::MAX);
            if on_demand {
                self.counters = Some((index.saturating_add(1), has_next));
                // Values the previous iteration's body set give way.
                for name in [Ident::VELOCITY_COUNT, Ident::VELOCITY_HAS_NEXT] {
                    if self.vars.get(name).is_some() {
                        self.vars.set(name, Value::Null);
                    }
                }
            } else {
                self.set_var(Ident::VELOCITY_COUNT, Value::Int(index.saturating_add(1)));
                self.set_var(Ident::VELOCITY_HAS_NEXT, Value::Bool(has_next));
            }
            let null_item = item.is_null();
            self.set_var(var, item);
            scope.index.set(index);
            scope.has_next.set(has_next);
            if null_item {
                self.null_items.push(var);
            }
            let body_flow = self.block(&f.body, out);
            if null_item {
                self.null_items.pop();
            }
            match body_flow? {
                Flow::Normal => {}
                Flow::Break => break,
                Flow::BreakScope(target) if target == id => break,
                Flow::BreakScope(target) => {
                    flow = Flow::BreakScope(target);
                    break;
                }
                Flow::Stop => {
                    flow = Flow::Stop;
                    break;
                }
            }
        }
        self.set_var(var, saved_var);
        self.restore_counter(Ident::VELOCITY_COUNT, saved_count, on_demand);
        self.restore_counter(Ident::VELOCITY_HAS_NEXT, saved_has_next, on_demand);
        self.counters = outer_counters;
        self.leave_scope(f.span)?;
        self.spare_loops.keep(scope);
        Ok(flow)
    }

    /// Velocity's `postRender` after a loop: the scope `$foreach` holds now
    /// (the body may have set another, or something else, which then stays)
    /// gives way to its parent or to the value it replaced.
    ///
    /// With nothing in `$foreach` by then (the loop variable was named
    /// `foreach`, or the body put back a scope without a parent) Velocity
    /// throws a `NullPointerException`, and the render fails.
    fn leave_scope(&mut self, at: Span) -> EResult<()> {
        match self.get_var(Ident::FOREACH)? {
            Value::Loop(current) => {
                let restored = if current.parent.is_null() {
                    current.replaced.clone()
                } else {
                    current.parent.clone()
                };
                drop(current);
                self.set_var(Ident::FOREACH, restored);
            }
            Value::Null => return Err(EvalError::boxed(
                EvalErrorKind::Method,
                at,
                "#foreach: $foreach is unset when the loop ends (Velocity's NullPointerException)"
                    .into(),
            )),
            _ => {}
        }
        Ok(())
    }

    /// Count one loop iteration, macro call or `#define` render.
    #[inline]
    fn spend(&mut self, at: Span) -> EResult<()> {
        self.work += 1;
        if self.work > MAX_WORK {
            return Err(EvalError::boxed(
                EvalErrorKind::Limit,
                at,
                format!("more than {MAX_WORK} loop iterations, macro calls and #define renders in one render"),
            ));
        }
        Ok(())
    }

    /// Give `$velocityCount` or `$velocityHasNext` back its value from
    /// before a loop. Read on demand, they are usually unset before and
    /// after, and then there is nothing to do. Always inlined: left to the
    /// compiler it became a call that cost more than the check saves.
    #[inline(always)]
    fn restore_counter(&mut self, name: Ident, saved: Value, on_demand: bool) {
        if !on_demand || !saved.is_null() || self.vars.get(name).is_some() {
            self.set_var(name, saved);
        }
    }

    fn directive(&mut self, d: &DirectiveNode, out: &mut String) -> EResult<Flow> {
        match &*d.name {
            "break" => {
                if let Some(a) = d.args.first() {
                    return match self.eval(a)? {
                        Value::Loop(l) => Ok(Flow::BreakScope(Rc::as_ptr(&l) as usize)),
                        other => Err(EvalError::boxed(
                            EvalErrorKind::Macro,
                            d.span,
                            format!(
                                "#break: '{}' is not a loop scope such as $foreach",
                                other.to_java_string().unwrap_or_else(|| "null".into())
                            ),
                        )),
                    };
                }
                return Ok(Flow::Break);
            }
            "stop" => return Ok(Flow::Stop),
            // Written without `( … )`, these fail when rendered in Velocity.
            "foreach" | "define" | "literal" if d.body.is_none() => {
                return Err(EvalError::boxed(
                    EvalErrorKind::Macro,
                    d.span,
                    format!("#{} needs arguments in parentheses and a body", d.name),
                ));
            }
            "parse" if d.args.is_empty() => {
                return Err(EvalError::boxed(
                    EvalErrorKind::Resource,
                    d.span,
                    "#parse(): argument missing".into(),
                ));
            }
            "include" | "parse" => {
                // #parse reads its first argument only; #include each, and
                // prints a comment for a null one.
                let count = if d.name == "parse" { 1 } else { d.args.len() };
                for (i, a) in d.args.iter().take(count).enumerate() {
                    let resource = self.eval(a)?;
                    if resource.is_null() && d.name == "include" {
                        out.push_str(&format!(
                            "<!-- include error : error with arg {i} please see log. see error log -->"
                        ));
                    }
                    if !resource.is_null() {
                        return Err(EvalError::boxed(
                            EvalErrorKind::Resource,
                            d.span,
                            format!(
                                "#{} cannot load a resource: API Gateway templates have no files to include",
                                d.name
                            ),
                        ));
                    }
                }
            }
            "evaluate" => return self.evaluate(d, out),
            "define" => {
                if let (Some(Expr::Ref(r)), Some(body)) = (d.args.first(), &d.body) {
                    self.set_var(r.root, Value::Define(Arc::clone(body)));
                }
            }
            "literal" => {
                if let Some(body) = &d.body {
                    return self.block(body, out);
                }
            }
            name => return self.macro_call(name, d, out),
        }
        Ok(Flow::Normal)
    }

    fn evaluate(&mut self, d: &DirectiveNode, out: &mut String) -> EResult<Flow> {
        let Some(arg) = d.args.first() else {
            return Ok(Flow::Normal);
        };
        let value = self.eval(arg)?;
        if self.pending.is_some() {
            return Ok(Flow::Normal);
        }
        let text = match &value {
            Value::Define(body) => self.define_to_string(body, d.span)?,
            other => match other.to_java_string() {
                Some(t) => t,
                None => return Ok(Flow::Normal),
            },
        };
        if text.len() > MAX_EVALUATE {
            return Err(EvalError::boxed(
                EvalErrorKind::Limit,
                d.span,
                format!(
                    "#evaluate of {} bytes of text, more than {MAX_EVALUATE}",
                    text.len()
                ),
            ));
        }
        let symbols = self.symbols;
        let names = self
            .evaluated_symbols
            .get_or_insert_with(|| Box::new(symbols.clone()));
        let tpl = crate::syntax::parser::parse_template_with(&text, names).map_err(|e| {
            EvalError::boxed(
                EvalErrorKind::Parse,
                d.span,
                format!("#evaluate: {}", e.message),
            )
        })?;
        self.register_macros(&tpl.macros);
        self.nested_render(d.span, |me| me.block(&tpl.nodes, out).map(|_| ()))?;
        // `#stop` inside the text ends only the text.
        if self.pending == Some(Flow::Stop) {
            self.pending = None;
        }
        Ok(Flow::Normal)
    }

    /// Macros defined by text rendered at run time (`#evaluate`, a string
    /// literal) become global; the first definition of a name wins.
    fn register_macros(&mut self, defs: &[MacroDef]) {
        for m in defs {
            if self.find_macro(&m.name).is_none() {
                self.evaluated_macros.push(Rc::new(m.clone()));
            }
        }
    }

    /// The macro called `name`, the first defined.
    fn find_macro(&self, name: &str) -> Option<MacroRef<'a>> {
        if let Some(m) = self.macros.iter().find(|m| m.name == name) {
            return Some(MacroRef::Template(m));
        }
        let m = self.evaluated_macros.iter().find(|m| m.name == name)?;
        Some(MacroRef::Evaluated(Rc::clone(m)))
    }

    fn macro_call(&mut self, name: &str, d: &DirectiveNode, out: &mut String) -> EResult<Flow> {
        self.spend(d.span)?;
        let lookup = name.strip_prefix('@').unwrap_or(name);
        let Some(found) = self.find_macro(lookup) else {
            out.push_str(&d.literal);
            return Ok(Flow::Normal);
        };
        let m = found.def();
        if self.frames.len() >= MAX_MACRO_DEPTH {
            return Err(EvalError::boxed(
                EvalErrorKind::Limit,
                d.span,
                format!("macro calls nested deeper than {MAX_MACRO_DEPTH}"),
            ));
        }
        let mut frame = MacroFrame::default();
        for (p, a) in m.params.iter().zip(&d.args) {
            // Velocity passes references, strings, lists, maps and ranges
            // by name (evaluated at each use); other literals by value.
            if matches!(
                a,
                Expr::Ref(_) | Expr::Str { .. } | Expr::List(..) | Expr::Map(..) | Expr::Range(..)
            ) {
                frame.by_name.push((*p, a.clone()));
            } else {
                let v = self.eval(a)?;
                frame.local.set(*p, v);
            }
        }
        if let Some(body) = &d.body {
            if !self.macro_bodies.iter().any(|b| Arc::ptr_eq(b, body)) {
                self.macro_bodies.push(Arc::clone(body));
            }
            frame
                .local
                .set(Ident::BODY_CONTENT, Value::Define(Arc::clone(body)));
        }
        self.frames.push(frame);
        let r = self.block(&m.body, out);
        self.frames.pop();
        Ok(match r? {
            Flow::Stop => Flow::Stop,
            Flow::BreakScope(t) => Flow::BreakScope(t),
            _ => Flow::Normal,
        })
    }

    /// A block value (`#define`, `$bodyContent`) as the String its
    /// `toString()` renders, for an operator that reads it as text; any
    /// other value as it is.
    fn block_as_text(&mut self, v: Value, at: Span) -> EResult<Value> {
        match v {
            Value::Define(body) => Ok(self
                .block_to_string(&body, at)?
                .map_or(Value::Null, |s| Value::Str(Rc::from(s)))),
            v => Ok(v),
        }
    }

    /// Whether block `id` is being rendered as deep as it may be: two deep
    /// for a `#define` block, as deep as macros nest for a block macro's
    /// body when it prints (Velocity's BlockMacro takes
    /// `velocimacro.max.depth`). Its `toString()` (`as_text`) keeps two:
    /// Velocity renders that in the context of the macro's caller, where
    /// the calls inside the body see no `$bodyContent` and so do not
    /// recurse, a context these frames do not rebuild.
    fn block_depth_reached(&self, id: *const Block, as_text: bool) -> bool {
        let macro_body = !as_text && self.macro_bodies.iter().any(|b| Arc::as_ptr(b) == id);
        let limit = if macro_body {
            MAX_MACRO_DEPTH
        } else {
            MAX_DEFINE_DEPTH
        };
        self.defines_active.iter().filter(|a| **a == id).count() >= limit
    }

    /// A block's `toString()`: its rendering (its `#set`s and `#stop`
    /// take effect), or null past the nesting limit of one block.
    fn block_to_string(&mut self, body: &Arc<Block>, at: Span) -> EResult<Option<String>> {
        let id = Arc::as_ptr(body);
        if self.block_depth_reached(id, true) {
            return Ok(None);
        }
        self.spend(at)?;
        self.defines_active.push(id);
        let rendered = self.define_to_string(body, at);
        self.defines_active.pop();
        rendered.map(Some)
    }

    /// Render a block to a string, without the nesting limit (which
    /// [`Self::block_to_string`] applies).
    pub(crate) fn define_to_string(&mut self, body: &Block, at: Span) -> EResult<String> {
        let mut s = String::new();
        let mut flow = Flow::Normal;
        self.nested_render(at, |me| {
            flow = me.block(body, &mut s)?;
            Ok(())
        })?;
        // `#stop` in the block stops the whole template, as it does when
        // the block prints.
        if flow == Flow::Stop && self.pending.is_none() {
            self.pending = Some(Flow::Stop);
        }
        Ok(s)
    }

    /// The truth of a block value: Velocity asks whether its `toString()`
    /// is null, which renders it.
    fn block_truth(&mut self, body: &Arc<Block>, at: Span) -> EResult<bool> {
        Ok(self.block_to_string(body, at)?.is_some())
    }
}

/// The left operand of a binary operator: an expression still to evaluate,
/// or the value an inner operator of a chain produced.
enum Left<'e> {
    Expr(&'e Expr),
    /// The value, the operator that made it, and its node's literal.
    Done(Value, BinOp, &'e SmolStr),
}

/// What an operand of string `+` prints when it is null.
#[derive(Clone, Copy)]
enum NullText<'e> {
    /// That of this expression.
    Of(&'e Expr),
    /// This text.
    Literal(&'e str),
}

/// Whether an operator node has a truth value in Velocity 1.7 (logical and
/// comparison operators do; arithmetic does not).
fn has_truth_value(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::And
            | BinOp::Or
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Gt
            | BinOp::Le
            | BinOp::Ge
    )
}

/// Elements a list may hold before a template is stopped.
const MAX_ELEMENTS: usize = 10_000_000;

/// Fail when a string or list has grown past what a render can hold.
#[inline]
pub(crate) fn check_size(v: &Value, span: Span) -> EResult<()> {
    let too_big = match v {
        Value::Str(s) => s.len() > MAX_OUTPUT,
        Value::List(l, _) => l.borrow().len() > MAX_ELEMENTS,
        Value::Map(m) => m.borrow().len() > MAX_ELEMENTS,
        _ => false,
    };
    if too_big {
        return Err(too_large(span));
    }
    Ok(())
}

/// Java's `StackOverflowError`, where comparing values recursed too deep.
#[cold]
pub(crate) fn stack_overflow(span: Span) -> Box<EvalError> {
    EvalError::boxed(
        EvalErrorKind::Limit,
        span,
        "StackOverflowError: values compared or hashed nested too deep, in a cycle, or too many times over".into(),
    )
}

#[cold]
fn output_too_large() -> Box<EvalError> {
    EvalError::boxed(
        EvalErrorKind::Limit,
        Span::default(),
        format!("output larger than {MAX_OUTPUT} bytes"),
    )
}

#[cold]
fn too_large(span: Span) -> Box<EvalError> {
    EvalError::boxed(
        EvalErrorKind::Limit,
        span,
        "OutOfMemoryError: a string or collection grew too large".into(),
    )
}

/// What a `#foreach` iterates: a value, or a view of a map.
enum Source {
    Value(Value),
    View(View),
}

/// How many elements `#foreach` sees in `source`; `None` if it cannot
/// iterate it.
fn iterable_len(source: &Source) -> Option<usize> {
    match source {
        Source::Value(Value::List(l, _)) => Some(l.borrow().len()),
        Source::Value(Value::Map(m)) => Some(m.borrow().len()),
        Source::Value(Value::View(v)) => Some(v.len()),
        Source::View(v) => Some(v.len()),
        Source::Value(_) => None,
    }
}

/// The structural changes of the collection behind `source` so far, and
/// whether Java iterates it as a list (by cursor against the live size)
/// rather than by the entry after the last one taken.
#[inline]
fn iterable_mods(source: &Source) -> (Option<u32>, bool) {
    let view_mods = |v: &View| match v {
        View::Keys(m) | View::Values(m) | View::Entries(m) => (Some(m.mods()), false),
        View::Sub(l, ..) => (Some(l.mods()), true),
        View::Cursor(..) => (None, true),
    };
    match source {
        // A Java array (`split`, `toArray`) keeps no count of changes.
        Source::Value(Value::List(_, ListKind::JavaArray(_))) => (None, true),
        Source::Value(Value::List(l, _)) => (Some(l.mods()), true),
        Source::Value(Value::Map(m)) => (Some(m.mods()), false),
        Source::Value(Value::View(v)) => view_mods(v),
        Source::View(v) => view_mods(v),
        Source::Value(_) => (None, true),
    }
}

/// The `i`th element `#foreach` sees: list items, or map values in order.
fn iterable_get(source: &Source, i: usize) -> Value {
    match source {
        Source::Value(Value::List(l, _)) => l.borrow().get(i).cloned().unwrap_or_default(),
        Source::Value(Value::Map(m)) => m
            .borrow()
            .get_index(i)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        Source::Value(Value::View(view)) => view.get(i).unwrap_or_default(),
        Source::View(view) => view.get(i).unwrap_or_default(),
        Source::Value(_) => Value::Null,
    }
}

fn range(a: &Value, b: &Value, span: Span) -> EResult<Value> {
    let (Some(from), Some(to)) = (arith::int_value(a), arith::int_value(b)) else {
        return Ok(Value::Null);
    };
    let count = (i64::from(from) - i64::from(to)).abs() + 1;
    if count > MAX_RANGE {
        return Err(EvalError::boxed(
            EvalErrorKind::Limit,
            span,
            format!("range of {count} elements is larger than {MAX_RANGE}"),
        ));
    }
    let step: i64 = if from >= to { -1 } else { 1 };
    let mut v = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut x = i64::from(from);
    for _ in 0..count {
        v.push(Value::Int(i32::try_from(x).unwrap_or(0)));
        x += step;
    }
    Ok(Value::list(v))
}
