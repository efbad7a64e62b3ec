//! Text to tokens to syntax tree, with byte spans.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod span;

pub use parser::{parse_template, ParseError};
