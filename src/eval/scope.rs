//! Template variables (Velocity's context). The parser numbers every
//! variable name ([`Ident`]), so the template's variables are a vector
//! indexed by that number, and a macro call's own few variables a list.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::value::{LoopState, Value};
use crate::syntax::ast::Ident;

/// The template's variables: slot `i` holds `Ident(i)`'s value, and null
/// means unset (Velocity's context never holds null). The slots belong to
/// the thread's [`Scratch`]; dropping the view unsets them all again.
pub(crate) struct Vars<'s> {
    slots: &'s mut Vec<Value>,
}

/// Buffers each render on a thread borrows from the previous one, so that
/// a render allocates nothing for its variables or loop scopes.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Variable slots, all null between renders.
    slots: Vec<Value>,
    /// `$foreach` scopes no value holds any more, ready to be overwritten.
    loops: Vec<Rc<LoopState>>,
    /// Strings made for string literals, to share with later evaluations.
    literals: Literals,
}

/// Strings that string literals evaluated to on this thread, each in the
/// slot its literal's address picks. A literal evaluates to the string in
/// its slot when that string has the literal's text, so evaluating `'id'`
/// in `$input.params('id')` shares one string instead of allocating one each
/// time. The text check makes a slot's former owner irrelevant: strings are
/// immutable values, and only their text counts.
pub(crate) struct Literals {
    slots: [Option<Rc<str>>; LITERAL_SLOTS],
}

const LITERAL_SLOTS: usize = 64;
/// Longer literals are rare and not worth keeping between renders.
const MAX_KEPT_LITERAL: usize = 64;

impl Default for Literals {
    fn default() -> Self {
        Literals::new()
    }
}

impl Literals {
    const fn new() -> Self {
        Literals {
            slots: [const { None }; LITERAL_SLOTS],
        }
    }

    /// The string `text`, the value of the literal holding it.
    pub(crate) fn get(&mut self, text: &str) -> Rc<str> {
        if text.len() > MAX_KEPT_LITERAL {
            return Rc::from(text);
        }
        // Fibonacci hashing of the address: its top six bits pick a slot.
        let hash = (text.as_ptr() as usize as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let index = (hash >> 58) as usize;
        let Some(slot) = self.slots.get_mut(index) else {
            return Rc::from(text);
        };
        match slot {
            Some(s) if super::value::same_short_text(s.as_bytes(), text.as_bytes()) => Rc::clone(s),
            _ => {
                let s: Rc<str> = Rc::from(text);
                *slot = Some(Rc::clone(&s));
                s
            }
        }
    }
}

/// The spare `$foreach` scopes of a render.
pub(crate) struct SpareLoops<'s> {
    loops: &'s mut Vec<Rc<LoopState>>,
}

/// Loop scopes kept for reuse: more than the loops a template nests.
const MAX_SPARE_LOOPS: usize = 8;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new(Scratch {
            slots: Vec::new(),
            loops: Vec::new(),
            literals: Literals::new(),
        })
    };
}

impl Scratch {
    /// Run `f` with this thread's buffers (fresh ones if a render on this
    /// thread holds them already).
    pub(crate) fn with<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => f(&mut scratch),
            Err(_) => f(&mut Scratch::default()),
        })
    }

    /// The variables of a template with `n` names, all unset, the spare
    /// loop scopes and the kept strings of literals.
    pub(crate) fn split(&mut self, n: usize) -> (Vars<'_>, SpareLoops<'_>, &mut Literals) {
        if self.slots.len() < n {
            self.slots.resize(n, Value::Null);
        }
        (
            Vars {
                slots: &mut self.slots,
            },
            SpareLoops {
                loops: &mut self.loops,
            },
            &mut self.literals,
        )
    }
}

impl SpareLoops<'_> {
    /// Keep `scope` for reuse if nothing else holds it.
    pub(crate) fn keep(&mut self, mut scope: Rc<LoopState>) {
        if self.loops.len() < MAX_SPARE_LOOPS {
            if let Some(state) = Rc::get_mut(&mut scope) {
                // Let go of the enclosing scope, the value the scope replaced
                // and the loop's map now (most loops have none of them).
                if !state.parent.is_null() {
                    state.parent = Value::Null;
                }
                if !state.replaced.is_null() {
                    state.replaced = Value::Null;
                }
                if state.storage.get_mut().is_some() {
                    *state.storage.get_mut() = None;
                }
                self.loops.push(scope);
            }
        }
    }

    /// A new loop scope of the directive at `line` and `column`, before its
    /// first iteration, for the scope `parent` or the value it `replaced`;
    /// a spare one when there is one. Kept scopes hold nothing else.
    pub(crate) fn new_loop(
        &mut self,
        parent: Value,
        replaced: Value,
        line: u32,
        column: u32,
    ) -> Rc<LoopState> {
        while let Some(mut scope) = self.loops.pop() {
            if let Some(slot) = Rc::get_mut(&mut scope) {
                slot.index.set(-1);
                slot.has_next.set(false);
                slot.parent = parent;
                slot.replaced = replaced;
                (slot.line, slot.column) = (line, column);
                return scope;
            }
        }
        Rc::new(LoopState {
            index: Cell::new(-1),
            has_next: Cell::new(false),
            parent,
            replaced,
            line,
            column,
            storage: RefCell::new(None),
        })
    }
}

impl Drop for Vars<'_> {
    fn drop(&mut self) {
        // Most slots are null already: only the others run drop code.
        for slot in self.slots.iter_mut() {
            if !slot.is_null() {
                *slot = Value::Null;
            }
        }
    }
}

impl Vars<'_> {
    /// The value of `id`, if set.
    pub(crate) fn get(&self, id: Ident) -> Option<&Value> {
        self.slots.get(id.index()).filter(|v| !v.is_null())
    }

    /// Set `id`; null unsets it.
    #[inline]
    pub(crate) fn set(&mut self, id: Ident, value: Value) {
        self.replace(id, value);
    }

    /// Set `id` and return its previous value (null if unset).
    #[inline]
    pub(crate) fn replace(&mut self, id: Ident, value: Value) -> Value {
        match self.slots.get_mut(id.index()) {
            Some(slot) => std::mem::replace(slot, value),
            None => self.add_slot(id, value),
        }
    }

    /// Set a name that `#evaluate` text added during the render.
    #[cold]
    fn add_slot(&mut self, id: Ident, value: Value) -> Value {
        if !value.is_null() {
            self.slots.resize(id.index() + 1, Value::Null);
            if let Some(slot) = self.slots.get_mut(id.index()) {
                *slot = value;
            }
        }
        Value::Null
    }
}

/// The variables a macro call sets or receives by value.
#[derive(Default)]
pub(crate) struct Locals {
    entries: Vec<(Ident, Value)>,
}

impl Locals {
    /// The value of `id`, if set.
    pub(crate) fn get(&self, id: Ident) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| *n == id).map(|(_, v)| v)
    }

    /// Set `id`; null unsets it.
    pub(crate) fn set(&mut self, id: Ident, value: Value) {
        let pos = self.entries.iter().position(|(n, _)| *n == id);
        match (pos, value.is_null()) {
            (Some(i), true) => {
                self.entries.swap_remove(i);
            }
            (Some(i), false) => {
                if let Some(entry) = self.entries.get_mut(i) {
                    entry.1 = value;
                }
            }
            (None, true) => {}
            (None, false) => self.entries.push((id, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_shared_by_text_only() {
        let mut literals = Literals::default();
        let text = String::from("id");
        let first = literals.get(&text);
        assert!(Rc::ptr_eq(&first, &literals.get(&text)));
        // Another text at the same address is not the kept string.
        let mut reused = text;
        reused.replace_range(.., "ix");
        assert_eq!(&*literals.get(&reused), "ix");
        assert_eq!(&*first, "id");
        // Many texts share the slots: each still reads as itself.
        let texts: Vec<String> = (0..500).map(|i| format!("t{i}")).collect();
        for t in &texts {
            assert_eq!(&*literals.get(t), t.as_str());
        }
        let long = "x".repeat(MAX_KEPT_LITERAL + 1);
        assert_eq!(&*literals.get(&long), long.as_str());
    }

    #[test]
    fn null_unsets_in_both_scopes() {
        let (a, b) = (Ident(20), Ident(3));
        let mut scratch = Scratch::default();
        let (mut vars, _, _) = scratch.split(4);
        vars.set(a, Value::Int(1));
        vars.set(b, Value::Int(2));
        vars.set(b, Value::Null);
        assert!(matches!(vars.get(a), Some(Value::Int(1))));
        assert!(vars.get(b).is_none());
        let mut locals = Locals::default();
        locals.set(a, Value::Int(1));
        locals.set(b, Value::Int(2));
        locals.set(a, Value::Null);
        assert!(locals.get(a).is_none());
        assert!(matches!(locals.get(b), Some(Value::Int(2))));
    }
}
