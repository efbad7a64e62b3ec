//! The command line's contract: exact stdout, exit codes 0/1/2, messages.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apigw-vtl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// A directory for the files the tests write, under Cargo's target
/// directory so that runs leave nothing behind in the system's.
fn temp_dir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn temp_file(name: &str, contents: &str) -> String {
    let path = temp_dir().join(name);
    std::fs::write(&path, contents).expect("temp file");
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn renders_the_tutorial_request_with_the_built_in_event() {
    let out = run(&["render", "examples/tutorial/request_template.vm"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\n  \"pathParams\": {\n    \"hoge\": \"hoge\"  }\n}\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn renders_the_tutorial_response_over_an_integration_response() {
    let out = run(&[
        "render",
        "examples/tutorial/response_template.vm",
        "--integration-response",
        "examples/tutorial/lambda-error.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n"
    );
}

#[test]
fn pretty_reindents_json_output() {
    let t = temp_file("pretty.vm", "{\"a\":[1,2],\"b\":\"$input.params('id')\"}");
    let e = temp_file("pretty.json", r#"{"pathParameters": {"id": "7"}}"#);
    let out = run(&["render", &t, "--event", &e, "--pretty"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"7\"\n}\n"
    );
}

#[test]
fn pretty_keeps_what_the_template_wrote() {
    // Duplicate keys and numbers Java prints are what API Gateway sends:
    // re-indenting must not hide them.
    let t = temp_file(
        "pretty_dup.vm",
        "{\"id\": \"$input.params('id')\", \"id\": 1e999, \"path\": \"a\\/b\"}",
    );
    let e = temp_file("pretty_dup.json", r#"{"pathParameters": {"id": "7"}}"#);
    let out = run(&["render", &t, "--event", &e, "--pretty"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "{\n  \"id\": \"7\",\n  \"id\": 1e999,\n  \"path\": \"a\\/b\"\n}\n"
    );
}

#[test]
fn a_parse_error_exits_1_with_a_positioned_diagnostic() {
    let t = temp_file("bad.vm", "line one\n#if($a\n");
    let out = run(&["render", &t]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("error[VTL001]"), "{err}");
    assert!(err.contains("bad.vm:3:1"), "{err}");
}

#[test]
fn a_render_error_exits_1() {
    let t = temp_file("include.vm", "#include('x.vm')");
    let out = run(&["render", &t]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[VTL900]"));
}

#[test]
fn an_event_that_is_not_json_exits_2_with_line_and_column() {
    let e = temp_file("broken.json", "{\n  \"path\": \"/x\",\n  oops\n}");
    let out = run(&[
        "render",
        "examples/tutorial/request_template.vm",
        "--event",
        &e,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 3, column 3"), "{err}");
    assert!(!err.contains(" at line "), "position said twice: {err}");
    // Cut off after a newline: the empty last line's first column.
    let cut = temp_file("cut.json", "{\"a\": \n");
    let out = run(&[
        "render",
        "examples/tutorial/request_template.vm",
        "--event",
        &cut,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 2, column 1"), "{err}");
}

#[test]
fn an_event_that_is_not_an_object_exits_2() {
    for (name, json) in [
        ("null.json", "null"),
        ("list.json", "[]"),
        ("num.json", "1"),
    ] {
        let e = temp_file(name, json);
        let out = run(&[
            "render",
            "examples/tutorial/request_template.vm",
            "--event",
            &e,
        ]);
        assert_eq!(out.status.code(), Some(2), "{json}");
        assert!(
            text(&out.stderr).contains("must be a JSON object"),
            "{json}"
        );
    }
}

#[test]
fn files_larger_than_api_gateway_takes_exit_2() {
    let big = temp_file("big.vm", &"x".repeat((4 << 20) + 1));
    let out = run(&["render", &big]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("larger than 4 MiB"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    // Just under the limit, it renders.
    let fits = temp_file("fits.vm", &"x".repeat(4 << 20));
    assert_eq!(run(&["render", &fits]).status.code(), Some(0));
}

#[test]
fn a_missing_template_exits_2() {
    let missing = Path::new("no/such/template.vm");
    let out = run(&["render", &missing.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read"));
}

#[test]
fn bad_usage_exits_2() {
    let out = run(&["render"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_utf8_in_a_body_reads_as_replacement_characters() {
    let body = temp_dir().join("latin1.txt");
    std::fs::write(&body, b"caf\xe9").expect("body");
    let t = temp_file("body.vm", "[$input.body]");
    let out = run(&[
        "render",
        &t,
        "--integration-response",
        &body.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[caf\u{fffd}]");
}
