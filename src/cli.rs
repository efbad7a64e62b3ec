//! The `apigw-vtl` command line, thin over the library.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::apigw::Env;
use crate::diagnostics::Diagnostic;

/// Exit code: usage or I/O error.
const EXIT_USAGE: i32 = 2;
/// Exit code: template error.
const EXIT_TEMPLATE: i32 = 1;

/// The example event used when `--event` is not given.
pub const DEFAULT_EVENT: &str = include_str!("../examples/tutorial/event.json");

#[derive(Parser)]
#[command(
    name = "apigw-vtl",
    version,
    about = "Render Amazon API Gateway mapping templates offline, byte for byte as API Gateway does"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a template as API Gateway would, and print exactly the result.
    Render {
        /// The mapping template (.vm).
        template: PathBuf,
        /// An API Gateway proxy event (JSON); a built-in GET example if absent.
        #[arg(long)]
        event: Option<PathBuf>,
        /// The integration response body, for response templates.
        #[arg(long = "integration-response")]
        integration_response: Option<PathBuf>,
        /// Re-indent the output when it is JSON.
        #[arg(long)]
        pretty: bool,
    },
}

/// Write to standard error, ignoring a closed stream: `eprintln!` would
/// panic there.
fn report_raw(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// `eprintln!` through [`report_raw`].
macro_rules! report {
    ($($arg:tt)*) => {
        report_raw(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// The largest template read: API Gateway takes templates up to 300 KB,
/// and parsing a tree costs many times the text's size.
const MAX_TEMPLATE_FILE: u64 = 4 << 20;
/// The largest event or integration response read: API Gateway takes
/// payloads up to 10 MB (more once Base64-encoded in an event).
const MAX_PAYLOAD_FILE: u64 = 32 << 20;

/// Read a file of at most `limit` bytes as UTF-8. Invalid bytes become
/// U+FFFD, as API Gateway's Java decoder does, rather than refusing the
/// file. A larger file (or `/dev/zero`) is refused before it takes the
/// memory.
fn read(path: &PathBuf, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("error: cannot read {}: {e}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "error: {} is larger than {} MiB, more than API Gateway takes",
            path.display(),
            limit >> 20
        ));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => crate::eval::utf16::decode_utf8_lossy(e.as_bytes()),
    })
}

/// Run the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    match cli.command {
        Command::Render {
            template,
            event,
            integration_response,
            pretty,
        } => render(
            &template,
            event.as_ref(),
            integration_response.as_ref(),
            pretty,
        ),
    }
}

fn render(
    template: &PathBuf,
    event: Option<&PathBuf>,
    integration: Option<&PathBuf>,
    pretty: bool,
) -> i32 {
    let source = match read(template, MAX_TEMPLATE_FILE) {
        Ok(s) => s,
        Err(m) => {
            report!("{m}");
            return EXIT_USAGE;
        }
    };
    let (event_text, event_name) = match event {
        Some(p) => match read(p, MAX_PAYLOAD_FILE) {
            Ok(s) => (s, p.display().to_string()),
            Err(m) => {
                report!("{m}");
                return EXIT_USAGE;
            }
        },
        None => (DEFAULT_EVENT.to_string(), "built-in event".to_string()),
    };
    let event_json: serde_json::Value = match crate::apigw::event::parse_event(&event_text) {
        Ok(j) => j,
        Err(e) => {
            // serde_json's message ends with its own " at line L column C".
            // It says column 0 for the end of input after a newline; editors
            // count from 1.
            let full = e.to_string();
            let what = full.rsplit_once(" at line ").map_or(&*full, |(m, _)| m);
            report!(
                "error: {event_name} is not valid JSON (line {}, column {}): {what}",
                e.line(),
                e.column().max(1)
            );
            return EXIT_USAGE;
        }
    };
    let body = match integration.map(|p| read(p, MAX_PAYLOAD_FILE)).transpose() {
        Ok(b) => b,
        Err(m) => {
            report!("{m}");
            return EXIT_USAGE;
        }
    };
    let env = match Env::from_event(&event_json, body.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            report!("error: {event_name}: {e}");
            return EXIT_USAGE;
        }
    };
    let name = template.display().to_string();
    let parsed = match crate::parse(&source) {
        Ok(t) => t,
        Err(e) => {
            report_raw(&Diagnostic::from(e).render_human(&name, &source));
            return EXIT_TEMPLATE;
        }
    };
    match crate::render(&parsed, &env) {
        Ok(out) => {
            let out = if pretty {
                // Re-indenting deep arrays of many elements adds more indentation
                // than they have text (`[[[…0,0,…]]]` 120 deep grew from 50 MB
                // to 2 GB): past four times the output limit, leave it be.
                crate::pretty::reindent_json(&out, 4 * crate::eval::interp::MAX_OUTPUT)
                    .unwrap_or(out)
            } else {
                out
            };
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return EXIT_USAGE;
            }
            0
        }
        Err(e) => {
            report_raw(&Diagnostic::from(e).render_human(&name, &source));
            EXIT_TEMPLATE
        }
    }
}
