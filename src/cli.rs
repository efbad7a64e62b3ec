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
    about = "Render and check API Gateway mapping templates offline"
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

/// Read a file as UTF-8. Invalid bytes become U+FFFD, as API Gateway's
/// Java decoder does, rather than refusing the file.
fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read(path)
        .map(|bytes| match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => crate::eval::utf16::decode_utf8_lossy(e.as_bytes()),
        })
        .map_err(|e| format!("error: cannot read {}: {e}", path.display()))
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
    let source = match read(template) {
        Ok(s) => s,
        Err(m) => {
            report!("{m}");
            return EXIT_USAGE;
        }
    };
    let (event_text, event_name) = match event {
        Some(p) => match read(p) {
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
    let body = match integration.map(read).transpose() {
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
