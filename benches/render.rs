//! Renders per second of the tutorial request template, and of a request
//! template that reads a JSON body the way most integrations do.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const TEMPLATE: &str = include_str!("../examples/tutorial/request_template.vm");
const EVENT: &str = include_str!("../examples/tutorial/event.json");

/// A Lambda non-proxy request: the body passed through, fields picked out by
/// JSONPath, a parameter and context values.
const BODY_TEMPLATE: &str = r#"#set($root = $input.path('$'))
{
  "body": $input.json('$'),
  "id": "$input.params('id')",
  "name": "$util.escapeJavaScript($input.path('$.user.name'))",
  "itemCount": $input.path('$.items').size(),
  "firstPrice": $input.json('$.items[0].price'),
  "requestId": "$context.requestId"
}
"#;
const BODY_EVENT: &str = r#"{"httpMethod": "POST", "pathParameters": {"id": "42"},
  "requestContext": {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
  "body": "{\"user\": {\"name\": \"Alice O'Hara\", \"email\": \"alice@example.com\", \"age\": 30}, \"items\": [{\"id\": 1, \"price\": 10.5}, {\"id\": 2, \"price\": 3}], \"note\": \"a/b \\\"quoted\\\"\"}"}"#;

/// A hundred items whose names are turned into keys with regular expressions.
const LOOP_TEMPLATE: &str = r##"[
#foreach($item in $input.path('$.items'))
  "$item.name.replaceAll('[^A-Za-z0-9]+', '-').replaceAll('(?i)^-|-$', '').toLowerCase()"#if($foreach.hasNext),#end
#end
]
"##;

fn bench(c: &mut Criterion) {
    let event: serde_json::Value = serde_json::from_str(EVENT).unwrap();
    let env = apigw_vtl::apigw::Env::from_event(&event, None).unwrap();
    let mut group = c.benchmark_group("tutorial_request");
    group.throughput(Throughput::Elements(1));
    let parsed = apigw_vtl::parse(TEMPLATE).unwrap();
    let mut out = String::new();
    group.bench_function("render_parsed_once", |b| {
        b.iter(|| {
            apigw_vtl::render_into(black_box(&parsed), &env, &mut out).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function("parse_and_render", |b| {
        b.iter(|| {
            let t = apigw_vtl::parse(black_box(TEMPLATE)).unwrap();
            apigw_vtl::render_into(&t, &env, &mut out).unwrap();
            black_box(out.len())
        })
    });
    group.finish();

    let event: serde_json::Value = serde_json::from_str(BODY_EVENT).unwrap();
    let env = apigw_vtl::apigw::Env::from_event(&event, None).unwrap();
    let mut group = c.benchmark_group("json_body_request");
    group.throughput(Throughput::Elements(1));
    let parsed = apigw_vtl::parse(BODY_TEMPLATE).unwrap();
    group.bench_function("render_parsed_once", |b| {
        b.iter(|| {
            apigw_vtl::render_into(black_box(&parsed), &env, &mut out).unwrap();
            black_box(out.len())
        })
    });
    group.finish();

    // Names cleaned up with `replaceAll` in a loop, as templates that build
    // keys or identifiers from a body's items do.
    let items: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({ "name": format!("Item #{i} (blue/large)") }))
        .collect();
    let body = serde_json::json!({ "items": items }).to_string();
    let event = serde_json::json!({ "body": body });
    let env = apigw_vtl::apigw::Env::from_event(&event, None).unwrap();
    let parsed = apigw_vtl::parse(LOOP_TEMPLATE).unwrap();
    let mut group = c.benchmark_group("regex_loop_request");
    group.throughput(Throughput::Elements(1));
    group.bench_function("render_parsed_once", |b| {
        b.iter(|| {
            apigw_vtl::render_into(black_box(&parsed), &env, &mut out).unwrap();
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
