//! Property and method names. The names that the interpreter dispatches on
//! in nearly every template (`params`, `path`, `keySet`, `escapeJavaScript`,
//! `hasNext`, the collection mutators) are numbered when the template is
//! parsed, so that a render picks them by comparing a number, not a string.

use std::fmt;
use std::ops::Deref;

use smol_str::SmolStr;

/// Declares [`Known`], its text and the lookup from text, from one list so
/// that the three cannot disagree.
macro_rules! known_names {
    ($($variant:ident = $text:literal,)*) => {
        /// A name the interpreter dispatches on by number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // each variant is the Java name it spells
        pub enum Known {
            $($variant,)*
        }

        impl Known {
            /// The name as written in a template.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Known::$variant => $text,)*
                }
            }

            /// The number of `text`, when it is one of the known names.
            pub fn from_text(text: &str) -> Option<Known> {
                Some(match text {
                    $($text => Known::$variant,)*
                    _ => return None,
                })
            }
        }

        #[cfg(test)]
        const ALL_KNOWN: &[Known] = &[$(Known::$variant,)*];
    };
}

known_names! {
    // `$input` and `$util`.
    Body = "body",
    GetBody = "getBody",
    Path = "path",
    Json = "json",
    Params = "params",
    EscapeJavaScript = "escapeJavaScript",
    ParseJson = "parseJson",
    UrlEncode = "urlEncode",
    UrlDecode = "urlDecode",
    Base64Encode = "base64Encode",
    Base64Decode = "base64Decode",
    // Collection methods that change their receiver.
    Put = "put",
    PutAll = "putAll",
    PutIfAbsent = "putIfAbsent",
    Remove = "remove",
    Clear = "clear",
    Add = "add",
    AddAll = "addAll",
    Set = "set",
    RemoveAll = "removeAll",
    RetainAll = "retainAll",
    Replace = "replace",
    ReplaceAll = "replaceAll",
    Sort = "sort",
    SetValue = "setValue",
    // Views of a map, which `#foreach` reads in place.
    KeySet = "keySet",
    Values = "values",
    EntrySet = "entrySet",
    // `$foreach` and map entries.
    Index = "index",
    Count = "count",
    HasNext = "hasNext",
    First = "first",
    Last = "last",
    Parent = "parent",
    Info = "info",
    Topmost = "topmost",
    Key = "key",
    Value = "value",
    // A map's entry by key, in most templates that read parameters.
    Get = "get",
}

impl Known {
    /// Whether a map or list method of this name changes its receiver.
    pub fn is_mutator(self) -> bool {
        matches!(
            self,
            Known::Put
                | Known::PutAll
                | Known::PutIfAbsent
                | Known::Remove
                | Known::Clear
                | Known::Add
                | Known::AddAll
                | Known::Set
                | Known::RemoveAll
                | Known::RetainAll
                | Known::Replace
                | Known::ReplaceAll
                | Known::Sort
                | Known::SetValue
        )
    }
}

/// The name of a property or method step. Built only by [`Name::new`] (or
/// from a [`Known`]), so that a known name always carries its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    Known(Known),
    Other(SmolStr),
}

impl Name {
    /// The name spelled `text`.
    pub fn new(text: &str) -> Name {
        Name(match Known::from_text(text) {
            Some(k) => Repr::Known(k),
            None => Repr::Other(super::ast::small_str(text)),
        })
    }

    /// The name's number, if it has one.
    #[inline]
    pub fn known(&self) -> Option<Known> {
        match &self.0 {
            Repr::Known(k) => Some(*k),
            Repr::Other(_) => None,
        }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Known(k) => k.as_str(),
            Repr::Other(s) => s,
        }
    }
}

impl From<Known> for Name {
    fn from(k: Known) -> Name {
        Name(Repr::Known(k))
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_reads_back_as_its_text() {
        for &k in ALL_KNOWN {
            assert_eq!(Known::from_text(k.as_str()), Some(k));
            assert_eq!(Name::new(k.as_str()), Name::from(k));
            assert_eq!(&*Name::new(k.as_str()), k.as_str());
        }
        // Case matters, as in Java.
        assert_eq!(Name::new("KeySet").known(), None);
        assert_eq!(Name::new("keyset").known(), None);
        assert_eq!(&*Name::new("toUpperCase"), "toUpperCase");
    }

    #[test]
    fn mutators_are_the_collection_methods_that_write() {
        let mutators: Vec<&str> = ALL_KNOWN
            .iter()
            .filter(|k| k.is_mutator())
            .map(|k| k.as_str())
            .collect();
        for name in ["put", "add", "remove", "clear", "setValue", "sort"] {
            assert!(mutators.contains(&name), "{name}");
        }
        for name in ["get", "size", "keySet", "params", "hasNext"] {
            assert!(!mutators.contains(&name), "{name}");
        }
    }
}
