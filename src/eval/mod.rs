//! Values with Java semantics and the interpreter.

pub mod arith;
pub mod error;
pub mod interp;
pub mod methods;
pub mod value;

pub use error::{EvalError, EvalErrorKind};
