//! No input makes the parser or the renderer panic: corpus templates cut,
//! spliced and sprinkled with Velocity's significant characters, rendered
//! against a full event. A deterministic generator keeps failures
//! reproducible; the hardening work adds a coverage-guided fuzzer.

use std::fs;
use std::path::{Path, PathBuf};

/// xorshift64*: small, deterministic, good enough to shuffle bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "$",
    "#",
    "\\",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ".",
    ",",
    "!",
    "\n",
    "\r\n",
    " ",
    "#if(",
    "#else",
    "#elseif(",
    "#end",
    "#foreach($x in ",
    "#set($",
    "#macro(m $a)",
    "#m(",
    "#define($d)",
    "#evaluate(",
    "#break",
    "#stop",
    "#literal()",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "$!{",
    "${",
    "$input.path('$",
    "$input.json('$..",
    "[?(@.a == ",
    "$util.escapeJavaScript(",
    ".split('",
    ".replaceAll('(",
    "', '$1')",
    ".substring(",
    "1..",
    "[1..3]",
    "{'k': ",
    " == ",
    " && ",
    " + ",
    " / 0",
    "-2147483648",
    "9e999",
    "$foreach.index",
    "$velocityCount",
    ".put('a', $m)",
    ".add($l)",
    "\u{1F600}",
    "\u{0}",
];

fn corpus_templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            corpus_templates(&p, out);
        } else if p.file_name().is_some_and(|n| n == "template.vm") {
            out.push(p);
        }
    }
}

fn mutate(rng: &mut Rng, a: &str, b: &str) -> String {
    let chars: Vec<char> = a.chars().collect();
    let other: Vec<char> = b.chars().collect();
    let mut out: Vec<char> = match rng.below(3) {
        // Splice two templates.
        0 => {
            let i = rng.below(chars.len() + 1);
            let j = rng.below(other.len() + 1);
            chars[..i].iter().chain(&other[j..]).copied().collect()
        }
        // Cut a piece out.
        1 => {
            let i = rng.below(chars.len() + 1);
            let j = (i + rng.below(12)).min(chars.len());
            chars[..i].iter().chain(&chars[j..]).copied().collect()
        }
        _ => chars,
    };
    for _ in 0..=rng.below(4) {
        let piece = PIECES[rng.below(PIECES.len())];
        let at = rng.below(out.len() + 1);
        out.splice(at..at, piece.chars());
    }
    out.into_iter().collect()
}

#[test]
fn mutated_templates_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    corpus_templates(&root.join("corpus"), &mut files);
    files.sort();
    let templates: Vec<String> = files
        .iter()
        .filter_map(|p| fs::read_to_string(p).ok())
        .collect();
    assert!(templates.len() > 100, "the corpus is missing");
    let event: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root.join("examples/tutorial/event.json")).expect("event"),
    )
    .expect("event JSON");
    let mut with_body = event.clone();
    with_body["body"] = serde_json::json!("{\"a\": [1, {\"b\": \"x\"}], \"m\": {\"k\": 2.5}}");
    let envs = [
        apigw_vtl::apigw::Env::from_event(&event, None).expect("env"),
        apigw_vtl::apigw::Env::from_event(&with_body, None).expect("env"),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rendered = 0;
    for round in 0..20000 {
        let a = &templates[rng.below(templates.len())];
        let b = &templates[rng.below(templates.len())];
        let source = mutate(&mut rng, a, b);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let Ok(t) = apigw_vtl::parse(&source) else {
                return false;
            };
            let _ = apigw_vtl::render(&t, &envs[round % 2]);
            true
        }));
        match outcome {
            Ok(parsed) => rendered += usize::from(parsed),
            Err(_) => panic!("panic on input {source:?}"),
        }
    }
    // The mutations must not all be parse errors, or the renderer is untested.
    assert!(rendered > 1000, "only {rendered} mutated templates parsed");
}

/// Deep structures: a million nested lists, maps, views, entries and loop
/// scopes (dropping them must not recurse), references nested in each other's
/// arguments, and a body nested past the parser's limit.
#[test]
fn deep_values_neither_crash_nor_hang() {
    let env = apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), None).expect("env");
    for source in [
        "#set($x = [])#foreach($i in [1..1000])#foreach($j in [1..1000])#set($x = [$x])#end#end done",
        "#set($m = {})#foreach($i in [1..1000])#foreach($j in [1..1000])#set($m = {'k': $m})#end#end done",
        // Nested through views and map entries, which hold their collection.
        "#set($x = [1])#foreach($i in [1..1000])#foreach($j in [1..1000])#set($x = [$x.subList(0, 1)])#end#end done",
        "#set($m = {'a': 1})#foreach($i in [1..1000])#foreach($j in [1..1000])#set($m = {'k': $m.entrySet()})#end#end done",
        "#set($m = {'a': 1})#foreach($i in [1..1000])#foreach($j in [1..1000])#set($m = {'k': $m.values()})#end#end done",
        // Loop scopes, each holding the previous one in its map (found by
        // review: a chain the drop did not count).
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1])#set($foreach.p = $x)#set($x = $foreach)#end#end#end done",
    ] {
        let t = apigw_vtl::parse(source).expect("parses");
        assert_eq!(apigw_vtl::render(&t, &env).expect("renders"), " done");
    }
    // References nested in arguments and indexes: refused past the limit,
    // as other nesting is, instead of overflowing the parser's stack.
    for (open, close) in [("$a.b(", ")"), ("$a[", "]")] {
        for (depth, parses) in [(100, true), (100_000, false)] {
            let source = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let parsed = apigw_vtl::parse(&source);
            assert_eq!(parsed.is_ok(), parses, "{open} nested {depth} deep");
            if let Ok(t) = parsed {
                assert!(apigw_vtl::render(&t, &env).is_ok());
            }
        }
    }
    let deep = "[".repeat(100_000);
    let env =
        apigw_vtl::apigw::Env::from_event(&serde_json::json!({ "body": deep }), None).expect("env");
    let t = apigw_vtl::parse("$input.json('$')").expect("parses");
    assert!(apigw_vtl::render(&t, &env).is_err());
}

/// A string or list doubled in a loop stops with an error, as Java runs out
/// of memory, instead of taking the machine's memory.
#[test]
fn exponential_growth_is_stopped() {
    let env = apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), None).expect("env");
    for source in [
        "#set($s = 'a')#foreach($i in [1..40])#set($s = $s + $s)#end",
        "#set($s = 'a')#foreach($i in [1..40])#set($s = \"$s$s\")#end",
        "#set($l = [1])#foreach($i in [1..40])#set($d = $l.addAll($l))#end",
        "#set($s = 'a')#foreach($i in [1..40])#set($s = $s.replace('a', 'aa'))#end",
    ] {
        let t = apigw_vtl::parse(source).expect("parses");
        assert!(apigw_vtl::render(&t, &env).is_err(), "{source}");
    }
}

/// Work that grows faster than the template: nested loops, doubling
/// `#define`s, lists sharing their sublists compared or hashed. Each stops
/// with an error in well under a second, where API Gateway would time out.
#[test]
fn runaway_work_is_stopped() {
    let env = apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), None).expect("env");
    let defines: String = (1..=30)
        .map(|n| format!("#define($d{n})$d{}$d{}#end", n - 1, n - 1))
        .collect();
    let shared = "#set($l = [])#set($m = [])#foreach($i in [1..40])#set($l = [$l, $l])#set($m = [$m, $m])#end";
    for source in [
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#end#end#end"
            .to_string(),
        format!("#define($d0)x#end{defines}$d30"),
        format!("{shared}#if($l == $m)eq#end"),
        format!("{shared}$l.hashCode()"),
        // 32 MiB of references for `#evaluate` to parse.
        "#set($s = '$a.b')#foreach($i in [1..23])#set($s = \"$s$s\")#end#evaluate($s)".to_string(),
    ] {
        let t = apigw_vtl::parse(&source).expect("parses");
        assert!(apigw_vtl::render(&t, &env).is_err(), "{source}");
    }
    // A million iterations is still work a template may ask for.
    let t = apigw_vtl::parse("#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end done")
        .expect("parses");
    assert_eq!(apigw_vtl::render(&t, &env).expect("renders"), " done");
}

/// A collection passed to its own methods (`$m.put($m, 1)`,
/// `$l.removeAll($l)`) must not trip a double borrow.
#[test]
fn collections_given_to_their_own_methods() {
    let env = apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), None).expect("env");
    let source = "#set($m = {})#set($l = [1])#set($d = $l.add($l))\
        $m.put($m, 1)$m.remove($m)$l.remove($l)$l.removeAll($l)$l.retainAll($l)\
        #set($m[$m] = 2)$m.keySet().remove($m)$l.contains($l)\
        #set($p = [1, 2])#set($o = $p.toArray())#set($o[0] = $o)#set($o[1] = $o)$o \"$o\" $m.put($o, 1)";
    let t = apigw_vtl::parse(source).expect("parses");
    assert!(apigw_vtl::render(&t, &env).is_ok());
}

/// Inputs found by review that once crashed or hung: NaN in a sort, far
/// apart BigDecimal scales, huge Formatter precisions, 5,000-term chains.
#[test]
fn reviewed_crash_inputs() {
    let body = r#"{"a": 1.0000000000000000000e-2000000000, "b": 1.0000000000000000000e2000000000, "n": [NaN, 2.0, NaN, 1.0, NaN, 3.0, NaN, 1.0, NaN, 2.0, NaN, 5.0, NaN, 4.0, NaN, 9.0, NaN, 1.0, NaN, 7.0, NaN]}"#;
    let env =
        apigw_vtl::apigw::Env::from_event(&serde_json::json!({ "body": body }), None).expect("env");
    let chain = vec!["1"; 5000].join("+");
    // `Some(ok)`: whether the render succeeds; `None`: only that it returns.
    for (source, ok) in [
        (
            "#if($input.path('$.a') < $input.path('$.b'))lt#end",
            Some(true),
        ),
        (
            "$input.path('$.b').scale() $input.path('$.b').intValue()",
            Some(true),
        ),
        (
            "#set($x = $input.path('$.a') + $input.path('$.b'))",
            Some(false),
        ),
        (
            "#set($l = $input.path('$.n'))#set($d = $l.sort($null))$l",
            None,
        ),
        (
            "#set($s = '')$s.format('%.9223372036854775807e', 1.5)",
            Some(false),
        ),
        ("#set($s = '')$s.format('%.2000000000f', 1.5)", Some(false)),
        (&format!("#set($x = {chain})$x"), Some(true)),
    ] {
        let t = apigw_vtl::parse(source).expect("parses");
        let rendered = apigw_vtl::render(&t, &env);
        if let Some(ok) = ok {
            assert_eq!(rendered.is_ok(), ok, "{source}");
        }
    }
}

/// Long runs of one- and two-character pieces of text parse in time linear
/// in their length (found by a hunt: each piece was appended to the text
/// by copying the run so far, and a run of backslashes was scanned again
/// from each backslash). A run renders as its pieces do one by one.
#[test]
fn long_runs_of_short_text_pieces_neither_hang_nor_change() {
    let env = apigw_vtl::apigw::Env::from_event(&serde_json::json!({}), None).expect("env");
    let render = |source: &str| {
        let t = apigw_vtl::parse(source).expect("parses");
        apigw_vtl::render(&t, &env).expect("renders")
    };
    for piece in [
        "\\", "$1", "#{", "${", "$!{", "x\\", "a\\b", "\\#end", "\\\\$x",
    ] {
        let one = render(piece);
        assert_eq!(
            render(&piece.repeat(100_000)),
            one.repeat(100_000),
            "{piece:?}"
        );
    }
}
