//! Every corpus case rendered and compared byte for byte with the output of
//! the real engine (Apache Velocity 1.7 via `corpus/oracle`).

use std::fs;
use std::path::{Path, PathBuf};

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.join("template.vm").is_file() {
                out.push(p);
            } else {
                cases(&p, out);
            }
        }
    }
}

/// Render one case: `Ok(output)` or `Err(message)`.
fn run_case(dir: &Path) -> Result<String, String> {
    let source = fs::read_to_string(dir.join("template.vm")).map_err(|e| e.to_string())?;
    let event: serde_json::Value = match fs::read_to_string(dir.join("event.json")) {
        Ok(t) => apigw_vtl::apigw::event::parse_event(&t).map_err(|e| format!("event: {e}"))?,
        Err(_) => serde_json::json!({}),
    };
    // Bodies are bytes: invalid UTF-8 reads as U+FFFD, as in the CLI.
    let integration = fs::read(dir.join("integration-response.json"))
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let env =
        apigw_vtl::apigw::Env::from_event(&event, integration.as_deref()).map_err(|e| e.message)?;
    let template = apigw_vtl::parse(&source).map_err(|e| format!("parse: {}", e.message))?;
    apigw_vtl::render(&template, &env).map_err(|e| format!("render: {}", e.message))
}

#[test]
fn corpus_matches_velocity() {
    let mut all = Vec::new();
    cases(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .as_path(),
        &mut all,
    );
    assert!(all.len() >= 150, "corpus has only {} cases", all.len());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let known: Vec<String> = fs::read_to_string(root.join("KNOWN_DIFFERENCES"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let mut failures = Vec::new();
    let mut seen_known = 0;
    for dir in &all {
        let rel = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let result = std::panic::catch_unwind(|| run_case(dir));
        let result = match result {
            Ok(r) => r,
            Err(_) => {
                failures.push(format!("{}: PANIC", dir.display()));
                continue;
            }
        };
        let failure = if name.starts_with("err_") {
            match result {
                Ok(out) => Some(format!(
                    "{}: expected an error, rendered {out:?}",
                    dir.display()
                )),
                Err(_) => None,
            }
        } else {
            let expected = fs::read(dir.join("expected")).unwrap_or_default();
            match result {
                Ok(out) if out.as_bytes() == expected.as_slice() => None,
                Ok(out) => Some(format!(
                    "{}:\n  expected {:?}\n  rendered {:?}",
                    dir.display(),
                    String::from_utf8_lossy(&expected),
                    out
                )),
                Err(e) => Some(format!("{}: {e}", dir.display())),
            }
        };
        if known.contains(&rel) {
            seen_known += 1;
        }
        match (known.contains(&rel), failure) {
            (true, Some(_)) => {}
            (true, None) => failures.push(format!(
                "{rel} now matches: remove it from corpus/KNOWN_DIFFERENCES"
            )),
            (false, Some(f)) => failures.push(f),
            (false, None) => {}
        }
    }
    assert_eq!(
        seen_known,
        known.len(),
        "KNOWN_DIFFERENCES names cases that do not exist"
    );
    if !failures.is_empty() {
        let report = failures.join("\n");
        let saved = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-failures.txt");
        let _ = fs::write(&saved, &report);
        panic!(
            "{} of {} corpus cases differ from Velocity 1.7 (report also in {}):\n{report}",
            failures.len(),
            all.len(),
            saved.display()
        );
    }
}
