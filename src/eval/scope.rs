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

/// One scope of variables.
pub(crate) type Vars = HashMap<Name, Value, BuildHasherDefault<FxHasher>>;
