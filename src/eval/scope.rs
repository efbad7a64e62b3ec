//! Template variables (Velocity's context). The parser numbers every
//! variable name ([`Ident`]), so the template's variables are a vector
//! indexed by that number, and a macro call's own few variables a list.

use super::value::Value;
use crate::syntax::ast::Ident;

/// The template's variables: slot `i` holds `Ident(i)`'s value, and null
/// means unset (Velocity's context never holds null).
#[derive(Default)]
pub(crate) struct Vars {
    slots: Vec<Value>,
}

impl Vars {
    /// Room for `n` names, so that setting them never reallocates.
    pub(crate) fn with_slots(n: usize) -> Vars {
        Vars {
            slots: Vec::with_capacity(n),
        }
    }

    /// The value of `id`, if set.
    pub(crate) fn get(&self, id: Ident) -> Option<&Value> {
        self.slots.get(id.index()).filter(|v| !v.is_null())
    }

    /// The value of `id`, to change in place.
    pub(crate) fn get_mut(&mut self, id: Ident) -> Option<&mut Value> {
        self.slots.get_mut(id.index()).filter(|v| !v.is_null())
    }

    /// Set `id`; null unsets it.
    pub(crate) fn set(&mut self, id: Ident, value: Value) {
        let i = id.index();
        if i >= self.slots.len() {
            if value.is_null() {
                return;
            }
            self.slots.resize_with(i + 1, || Value::Null);
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = value;
        }
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
    fn null_unsets_in_both_scopes() {
        let (a, b) = (Ident(20), Ident(3));
        let mut vars = Vars::with_slots(4);
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
