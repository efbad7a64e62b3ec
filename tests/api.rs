//! The library API: one parsed template and one environment, many renders.

use apigw_vtl::apigw::Env;

fn env(event: serde_json::Value) -> Env {
    Env::from_event(&event, None).expect("a valid event")
}

#[test]
fn template_changes_to_shared_maps_do_not_leak_into_the_next_render() {
    let env = env(serde_json::json!({
        "pathParameters": {"id": "1"},
        "requestContext": {"stage": "prod"}
    }));
    let t = apigw_vtl::parse(
        "$input.params().path#set($x = $input.params().path.put('n', 'v'))\
         $context.stage#set($context.stage = 'changed')\
         #set($context.requestOverride.header.h = 'x')$context.requestOverride.header",
    )
    .expect("parses");
    let first = apigw_vtl::render(&t, &env).expect("renders");
    let second = apigw_vtl::render(&t, &env).expect("renders");
    assert_eq!(first, "{id=1}prod{h=x}");
    assert_eq!(second, first);
}

#[test]
fn changes_are_visible_within_one_render() {
    let env = env(serde_json::json!({"pathParameters": {"id": "1"}}));
    let t = apigw_vtl::parse("#set($x = $input.params().path.put('n', 'v'))$input.params('n')")
        .expect("parses");
    assert_eq!(apigw_vtl::render(&t, &env).expect("renders"), "v");
}

#[test]
fn render_into_reuses_the_buffer_and_clears_it() {
    let env = env(serde_json::json!({}));
    let t = apigw_vtl::parse("#foreach($i in [1..3])$i#end").expect("parses");
    let mut out = String::from("stale");
    apigw_vtl::render_into(&t, &env, &mut out).expect("renders");
    assert_eq!(out, "123");
    apigw_vtl::render_into(&t, &env, &mut out).expect("renders");
    assert_eq!(out, "123");
}

#[test]
fn event_files_keep_a_lone_surrogate_escape() {
    let text = r#"{"headers": {"a": "x\\uD83D", "b": "\uD83D\uDE00", "c": "z\uD83D"}}"#;
    let event = apigw_vtl::apigw::event::parse_event(text).expect("parses");
    let env = Env::from_event(&event, None).expect("env");
    let t = apigw_vtl::parse(
        "$input.params('a')|$input.params('b')|$input.params('c')|$util.escapeJavaScript($input.params('c'))",
    )
    .expect("parses");
    assert_eq!(
        apigw_vtl::render(&t, &env).expect("renders"),
        "x\\uD83D|\u{1F600}|z?|z\\uD83D"
    );
}

#[test]
fn a_render_starts_from_no_variables_and_fresh_loop_scopes() {
    let env = env(serde_json::json!({}));
    // The first template leaves variables set, a loop scope kept by a
    // variable, and a nested loop's map written.
    let first = apigw_vtl::parse(
        "#set($a = 'left')#foreach($i in [1, 2])#set($kept = $foreach)\
         #foreach($j in [3])#set($foreach.note = $j)#end#end$kept.index",
    )
    .expect("parses");
    assert_eq!(apigw_vtl::render(&first, &env).expect("renders"), "1");
    // Names get the same slots in the second template.
    let second = apigw_vtl::parse(
        "[$a][$i][$kept]#foreach($x in [1])#foreach($y in [2])\
         [$foreach.note][$foreach.parent.index][$foreach.parent.parent]#end#end",
    )
    .expect("parses");
    for _ in 0..2 {
        assert_eq!(
            apigw_vtl::render(&second, &env).expect("renders"),
            "[][][][][0][]"
        );
    }
}

/// Bodies over API Gateway's 10 MB payload quota are refused, as API
/// Gateway refuses them, before their JSON can take gigabytes.
#[test]
fn payloads_over_ten_megabytes_are_refused() {
    let limit = 10 * 1024 * 1024;
    let event = |len: usize| serde_json::json!({ "body": "x".repeat(len) });
    assert!(apigw_vtl::apigw::Env::from_event(&event(limit), None).is_ok());
    let err = apigw_vtl::apigw::Env::from_event(&event(limit + 1), None).expect_err("too large");
    assert!(err.to_string().contains("10 MB"), "{err}");
    let response = "1".repeat(limit + 1);
    assert!(apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), Some(&response)).is_err());
}
