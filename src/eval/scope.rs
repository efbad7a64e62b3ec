//! Template variables (Velocity's context), kept cheap to read and write:
//! names are shared with the syntax tree or static, so setting a variable
//! never allocates a name.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxHasher;

use super::value::Value;

/// A variable name: the template's own, or one Velocity defines.
#[derive(Debug, Clone)]
pub(crate) enum Name {
    /// `$foreach`, `$velocityCount`, `$bodyContent`, …
    Static(&'static str),
    /// A name written in the template.
    Shared(Arc<str>),
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        **self == **other
    }
}

impl Eq for Name {}

// Hashes as the `str` it derefs to, as `Borrow<str>` requires.
impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl From<&Arc<str>> for Name {
    fn from(s: &Arc<str>) -> Name {
        Name::Shared(Arc::clone(s))
    }
}

/// Names past which a scope also keeps a hash index.
const LINEAR_MAX: usize = 24;

/// One scope of variables. Templates use a handful of names, so a vector
/// searched linearly beats hashing; large scopes get a hash index too.
#[derive(Default)]
pub(crate) struct Vars {
    slots: Vec<(Name, Value)>,
    index: Option<HashMap<Name, usize, BuildHasherDefault<FxHasher>>>,
}

impl Vars {
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            // Names usually come from the same syntax-tree string: compare
            // addresses before bytes.
            None => self.slots.iter().position(|(n, _)| {
                let n: &str = n;
                n.len() == name.len() && (std::ptr::eq(n.as_ptr(), name.as_ptr()) || n == name)
            }),
        }
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.position(name)
            .and_then(|i| self.slots.get(i))
            .map(|(_, v)| v)
    }

    /// The value of `name`, to change in place.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.position(name)
            .and_then(|i| self.slots.get_mut(i))
            .map(|(_, v)| v)
    }

    /// Set `name`, reusing its slot when it exists.
    pub(crate) fn insert(&mut self, name: Name, value: Value) {
        if let Some(slot) = self.position(&name).and_then(|i| self.slots.get_mut(i)) {
            slot.1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(name.clone(), self.slots.len());
        }
        self.slots.push((name, value));
        if self.index.is_none() && self.slots.len() > LINEAR_MAX {
            self.index = Some(
                self.slots
                    .iter()
                    .enumerate()
                    .map(|(i, (n, _))| (n.clone(), i))
                    .collect(),
            );
        }
    }

    /// Forget `name`.
    pub(crate) fn remove(&mut self, name: &str) {
        let Some(i) = self.position(name) else {
            return;
        };
        self.slots.swap_remove(i);
        if let Some(index) = &mut self.index {
            index.remove(name);
            if let Some((moved, _)) = self.slots.get(i) {
                index.insert(moved.clone(), i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_indexed_scopes_agree() {
        let mut vars = Vars::default();
        let names: Vec<Arc<str>> = (0..60).map(|i| Arc::from(format!("v{i}"))).collect();
        for (i, n) in names.iter().enumerate() {
            vars.insert(Name::from(n), Value::Int(i as i32));
        }
        assert!(vars.index.is_some());
        vars.remove("v3");
        vars.remove("v59");
        vars.insert(Name::from(&names[10]), Value::Int(-1));
        for (i, n) in names.iter().enumerate() {
            let expected = match i {
                3 | 59 => None,
                10 => Some(-1),
                i => Some(i as i32),
            };
            let got = vars.get(n).map(|v| match v {
                Value::Int(x) => *x,
                _ => i32::MIN,
            });
            assert_eq!(got, expected, "{n}");
        }
    }
}
