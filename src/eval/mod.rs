//! Values with Java semantics and the interpreter.

pub mod arith;
pub mod decimal;
pub mod error;
pub mod interp;
pub mod java_double;
pub mod methods;
mod scope;
pub(crate) mod utf16;
pub mod value;
pub mod view;

pub use error::{EvalError, EvalErrorKind};
