//! Java's collection views: `keySet()`, `values()` and `entrySet()` of a
//! map and `subList()` of a list read and write the collection behind them,
//! and a map entry's `setValue` writes its map. Templates rely on it
//! (`$m.keySet().remove('password')`, `#set($e.value = …)`).

use super::value::{key_value, Key, ListRef, MapRef, Value};

/// A live view of a collection.
#[derive(Debug)]
pub enum View {
    /// `map.keySet()`.
    Keys(MapRef),
    /// `map.values()`.
    Values(MapRef),
    /// `map.entrySet()`.
    Entries(MapRef),
    /// `list.subList(from, to)`; `to` moves as the view removes elements.
    Sub(ListRef, usize, std::cell::Cell<usize>),
    /// `collection.iterator()`: the elements, and how many `next()` took.
    Cursor(Vec<Value>, std::cell::Cell<usize>),
}

/// One entry of a map, from `entrySet()`. Like a `LinkedHashMap` node it
/// reads and writes the map while its key is there; once the key is
/// removed it keeps its last value to itself.
#[derive(Debug)]
pub struct Entry {
    /// The key, as a template value.
    pub key: Value,
    map_key: Key,
    map: MapRef,
    /// The value last seen or set, for when the key is gone.
    detached: std::cell::RefCell<Value>,
}

impl Entry {
    /// The values the entry holds, for a drop that must not recurse.
    pub(crate) fn into_held(self) -> [Value; 3] {
        [self.key, Value::Map(self.map), self.detached.into_inner()]
    }

    /// `getValue()`.
    pub fn value(&self) -> Value {
        match self.map.borrow().get(&self.map_key) {
            Some(v) => {
                *self.detached.borrow_mut() = v.clone();
                v.clone()
            }
            None => self.detached.borrow().clone(),
        }
    }

    /// `setValue(v)`: writes the map while the key is there (no change of
    /// structure); returns the old value.
    pub fn set_value(&self, v: Value) -> Value {
        let old = match self.map.borrow_mut().get_mut(&self.map_key) {
            Some(slot) => std::mem::replace(slot, v.clone()),
            None => self.detached.borrow().clone(),
        };
        *self.detached.borrow_mut() = v;
        old
    }
}

impl View {
    /// The collections and elements the view holds, for a drop that must
    /// not recurse.
    pub(crate) fn into_held(self) -> Vec<Value> {
        match self {
            View::Keys(m) | View::Values(m) | View::Entries(m) => vec![Value::Map(m)],
            View::Sub(l, ..) => vec![Value::List(l, crate::eval::value::ListKind::ArrayList)],
            View::Cursor(items, _) => items,
        }
    }

    /// How many elements the view has now.
    pub fn len(&self) -> usize {
        match self {
            View::Keys(m) | View::Values(m) | View::Entries(m) => m.borrow().len(),
            View::Sub(l, from, to) => {
                let n = l.borrow().len();
                to.get().min(n).saturating_sub(*from)
            }
            View::Cursor(items, taken) => items.len().saturating_sub(taken.get()),
        }
    }

    /// Whether the view is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th element, in iteration order.
    pub fn get(&self, i: usize) -> Option<Value> {
        match self {
            View::Keys(m) => m.borrow().get_index(i).map(|(k, _)| key_value(k)),
            View::Values(m) => m.borrow().get_index(i).map(|(_, v)| v.clone()),
            View::Entries(m) => {
                let (key, value) = m
                    .borrow()
                    .get_index(i)
                    .map(|(k, v)| (k.clone(), v.clone()))?;
                Some(Value::Entry(std::rc::Rc::new(Entry {
                    key: key_value(&key),
                    map_key: key,
                    map: m.clone(),
                    detached: std::cell::RefCell::new(value),
                })))
            }
            View::Sub(l, from, to) => {
                let at = from.checked_add(i).filter(|at| *at < to.get())?;
                l.borrow().get(at).cloned()
            }
            View::Cursor(items, taken) => items.get(taken.get().checked_add(i)?).cloned(),
        }
    }

    /// `Iterator.next()`: `None` when exhausted.
    pub fn next(&self) -> Option<Value> {
        let View::Cursor(items, taken) = self else {
            return None;
        };
        let item = items.get(taken.get())?.clone();
        taken.set(taken.get() + 1);
        Some(item)
    }

    /// `remove(int)` on a sub-list: the element at `i`, by position.
    pub fn remove_at(&self, i: usize) -> Option<Value> {
        let View::Sub(l, from, to) = self else {
            return None;
        };
        let at = from.checked_add(i).filter(|at| *at < to.get())?;
        if at >= l.borrow().len() {
            return None;
        }
        let x = l.changed().remove(at);
        to.set(to.get() - 1);
        Some(x)
    }

    /// All elements, in order.
    pub fn items(&self) -> Vec<Value> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    /// `remove(Object)` on a key set or values collection, `clear()`:
    /// writes through to the collection behind.
    pub fn remove(&self, x: &Value) -> bool {
        match self {
            View::Keys(m) => {
                let key = x.to_key();
                m.remove(&key).is_some()
            }
            View::Values(m) => {
                let key = m
                    .borrow()
                    .iter()
                    .find(|(_, v)| *v == x)
                    .map(|(k, _)| k.clone());
                if let Some(k) = &key {
                    m.remove(k);
                }
                key.is_some()
            }
            // An entry set removes an entry whose key maps to its value.
            View::Entries(m) => match x {
                Value::Entry(e) => {
                    let key = e.map_key.clone();
                    let holds = m.borrow().get(&key).is_some_and(|v| *v == e.value());
                    holds && m.remove(&key).is_some()
                }
                _ => false,
            },
            View::Cursor(..) => false,
            View::Sub(l, from, to) => {
                let pos = (*from..to.get()).find(|i| l.borrow().get(*i) == Some(x));
                pos.and_then(|p| self.remove_at(p - from)).is_some()
            }
        }
    }

    /// `clear()`.
    pub fn clear(&self) {
        match self {
            View::Keys(m) | View::Values(m) | View::Entries(m) => m.clear(),
            View::Cursor(..) => {}
            View::Sub(l, from, to) => {
                let mut l = l.changed();
                let end = to.get().min(l.len());
                if *from < end {
                    l.drain(*from..end);
                }
                to.set(*from);
            }
        }
    }

    /// `set(i, v)` on a sub-list: writes the list behind.
    pub fn set(&self, i: usize, v: Value) -> Option<Value> {
        let View::Sub(l, from, to) = self else {
            return None;
        };
        let at = from.checked_add(i).filter(|at| *at < to.get())?;
        l.borrow_mut()
            .get_mut(at)
            .map(|slot| std::mem::replace(slot, v))
    }

    /// Whether this view is a `List` (a sub-list) rather than a set or a
    /// plain collection: only lists have `get`, `set` and `indexOf`.
    pub fn is_list(&self) -> bool {
        matches!(self, View::Sub(..))
    }
}
