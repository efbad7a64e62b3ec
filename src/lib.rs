//! apigw-vtl renders Amazon API Gateway mapping templates (Velocity Template
//! Language) offline, byte for byte as API Gateway's Velocity 1.7 does.
//!
//! ```
//! let event = serde_json::json!({"pathParameters": {"id": "42"}});
//! let env = apigw_vtl::apigw::Env::from_event(&event, None).unwrap();
//! let template = apigw_vtl::parse("{\"id\": \"$input.params('id')\"}").unwrap();
//! assert_eq!(apigw_vtl::render(&template, &env).unwrap(), "{\"id\": \"42\"}");
//! ```
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod apigw;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostics;
pub mod eval;
pub mod pretty;
pub(crate) mod spare;
pub mod syntax;

pub use syntax::ast::Template;

/// Parse a template.
pub fn parse(source: &str) -> Result<Template, syntax::ParseError> {
    syntax::parse_template(source)
}

/// Render a parsed template against an API Gateway environment.
pub fn render(template: &Template, env: &apigw::Env) -> Result<String, eval::EvalError> {
    let mut out = String::new();
    render_into(template, env, &mut out)?;
    Ok(out)
}

/// Render into a caller's buffer (cleared first), to reuse its allocation.
pub fn render_into(
    template: &Template,
    env: &apigw::Env,
    out: &mut String,
) -> Result<(), eval::EvalError> {
    out.clear();
    eval::interp::render_template(env, template, out).map_err(|e| *e)?;
    eval::utf16::finish_output(out);
    Ok(())
}
