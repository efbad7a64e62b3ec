//! How errors look to a user: snapshots of the rendered diagnostics.

use apigw_vtl::apigw::Env;
use apigw_vtl::diagnostics::Diagnostic;

fn parse_error(source: &str) -> String {
    let e = apigw_vtl::parse(source).expect_err("the template must not parse");
    Diagnostic::from(e).render_human("request.vm", source)
}

fn render_error(source: &str) -> String {
    let t = apigw_vtl::parse(source).expect("the template parses");
    let event = serde_json::json!({"body": "{\"items\": [1, 2, 3]}"});
    let env = Env::from_event(&event, None).expect("event");
    let e = apigw_vtl::render(&t, &env).expect_err("the render must fail");
    Diagnostic::from(e).render_human("request.vm", source)
}

#[test]
fn unclosed_if() {
    insta::assert_snapshot!(parse_error("{\n#if($a)\n  \"x\": 1\n}\n"));
}

#[test]
fn unclosed_reference_brace() {
    insta::assert_snapshot!(parse_error("{\"id\": \"${input.params('id')\"}\n"));
}

#[test]
fn bad_jsonpath() {
    insta::assert_snapshot!(render_error("#set($x = $input.path('$.items[::2]'))\n$x\n"));
}

#[test]
fn include_cannot_load() {
    insta::assert_snapshot!(render_error("line 1\n  #parse('other.vm')\n"));
}
