//! The API Gateway world: the proxy event, `$input`, `$util`, `$context`,
//! `$stageVariables` and JSONPath.

pub mod doc;
pub mod event;
pub mod input;
pub mod json;
pub mod jsonpath;
pub mod permissive;
pub mod util;

pub use event::{ContextError, Env};
