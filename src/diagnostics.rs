//! Diagnostics: one type for parse and render errors, printed with
//! codespan-reporting.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer};

use crate::syntax::span::{line_col, Span};

/// A problem in a template, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `VTL001` (syntax) or `VTL900` (render error).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

impl From<crate::syntax::ParseError> for Diagnostic {
    fn from(e: crate::syntax::ParseError) -> Diagnostic {
        Diagnostic {
            code: "VTL001",
            message: e.message,
            span: e.span,
        }
    }
}

impl From<crate::eval::EvalError> for Diagnostic {
    fn from(e: crate::eval::EvalError) -> Diagnostic {
        Diagnostic {
            code: "VTL900",
            message: e.message,
            span: e.span,
        }
    }
}

impl Diagnostic {
    /// `file:line:col: error[CODE]: message` plus a labelled source excerpt.
    pub fn render_human(&self, file_name: &str, source: &str) -> String {
        let (line, col) = line_col(source, self.span.start as usize);
        let file = SimpleFile::new(file_name, source);
        let start = (self.span.start as usize).min(source.len());
        let mut end = (self.span.end as usize).clamp(start, source.len());
        while end < source.len() && !source.is_char_boundary(end) {
            end += 1;
        }
        let mut s = start;
        while s > 0 && !source.is_char_boundary(s) {
            s -= 1;
        }
        // A directive's span may end with the newline it swallows; label
        // the line, not the line break.
        while end > s + 1 && matches!(source.as_bytes().get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        let d = CsDiagnostic::error()
            .with_message(format!("{} ({file_name}:{line}:{col})", self.message))
            .with_code(self.code)
            .with_labels(vec![Label::primary((), s..end)]);
        let mut buf = Buffer::no_color();
        let config = term::Config::default();
        if term::emit(&mut buf, &config, &file, &d).is_err() {
            return format!(
                "{file_name}:{line}:{col}: error[{}]: {}\n",
                self.code, self.message
            );
        }
        String::from_utf8_lossy(buf.as_slice()).into_owned()
    }
}
