//! Renders per second of the tutorial request template.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const TEMPLATE: &str = include_str!("../examples/tutorial/request_template.vm");
const EVENT: &str = include_str!("../examples/tutorial/event.json");

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
