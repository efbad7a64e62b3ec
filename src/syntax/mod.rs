//! Text to tokens to syntax tree, with byte spans.

pub mod ast;
mod fast;
pub mod lexer;
pub mod name;
pub mod parser;
pub mod span;

pub use parser::{parse_template, ParseError};

/// Every template of the corpus and the examples, for tests that compare
/// two ways of reading the same text.
#[cfg(test)]
pub(crate) fn corpus_templates() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "vm") {
                out.extend(std::fs::read_to_string(&path).ok());
            }
        }
    }
    let mut out = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    walk(&root.join("corpus"), &mut out);
    walk(&root.join("examples"), &mut out);
    out.sort();
    out
}
