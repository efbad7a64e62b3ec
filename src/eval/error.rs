//! The one error type of rendering.

use crate::syntax::span::Span;

/// What went wrong while rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// A Java method threw (index out of range, bad regex, bad Base64, …).
    Method,
    /// `$input.path`/`$input.json` over an invalid path or body.
    JsonPath,
    /// `#parse`/`#include`: API Gateway has no resources.
    Resource,
    /// `#evaluate` of text that does not parse.
    Parse,
    /// A macro call that does not fit its definition.
    Macro,
    /// A safety limit (output size, nesting, range size).
    Limit,
}

/// A render error with the span of the construct that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// The kind of failure.
    pub kind: EvalErrorKind,
    /// Where in the template.
    pub span: Span,
    /// What happened, in words.
    pub message: String,
}

impl EvalError {
    /// An error of `kind` at `span`.
    pub fn new(kind: EvalErrorKind, span: Span, message: String) -> EvalError {
        EvalError {
            kind,
            span,
            message,
        }
    }
}

impl EvalError {
    /// A boxed error: render functions return `Result<_, Box<EvalError>>`
    /// so that the `Ok` side stays small on the hot path.
    pub(crate) fn boxed(kind: EvalErrorKind, span: Span, message: String) -> Box<EvalError> {
        Box::new(EvalError::new(kind, span, message))
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}
