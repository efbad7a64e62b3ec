//! `$util`: escaping and encoding helpers, byte-exact with the Java
//! libraries API Gateway uses (commons-lang 2 `StringEscapeUtils`,
//! `java.net.URLEncoder`/`URLDecoder`, `java.util.Base64`).

use std::borrow::Cow;
use std::fmt::Write;
use std::rc::Rc;

use base64::Engine;

use super::json::{doc_to_value, parse_permissive};
use crate::eval::error::{EvalError, EvalErrorKind};
use crate::eval::methods::Call;
use crate::eval::value::{ListKind, Value};
use crate::syntax::name::Known;
use crate::syntax::span::Span;

/// commons-lang 2.6 `StringEscapeUtils.escapeJavaScript`; most values need
/// no escaping and come back borrowed.
pub fn escape_javascript(s: &str) -> Cow<'_, str> {
    if !needs_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    write_escaped(&mut out, s);
    Cow::Owned(out)
}

/// [`escape_javascript`] appended to `out`, for a value printed as it is
/// escaped.
pub(crate) fn escape_javascript_into(out: &mut String, s: &str) {
    if needs_escape(s) {
        write_escaped(out, s);
    } else {
        out.push_str(s);
    }
}

/// Every non-ASCII character is escaped, so bytes tell whether any is.
fn needs_escape(s: &str) -> bool {
    s.bytes()
        .any(|b| !(0x20..=0x7f).contains(&b) || matches!(b, b'\'' | b'"' | b'\\' | b'/'))
}

fn write_escaped(out: &mut String, s: &str) {
    for unit in crate::eval::utf16::units(s) {
        match unit {
            0x08 => out.push_str("\\b"),
            0x0A => out.push_str("\\n"),
            0x09 => out.push_str("\\t"),
            0x0C => out.push_str("\\f"),
            0x0D => out.push_str("\\r"),
            0x27 => out.push_str("\\'"),
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x2F => out.push_str("\\/"),
            u if !(0x20..=0x7f).contains(&u) => {
                let _ = write!(out, "\\u{u:04X}");
            }
            u => out.push(char::from(u as u8)),
        }
    }
}

/// `java.net.URLEncoder.encode(s, "UTF-8")`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let s = crate::eval::utf16::encode_for_output(s);
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `java.net.URLDecoder.decode(s, "UTF-8")`.
pub fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!("URLDecoder: illegal hex characters in escape (%) pattern at {i}")
                    })?;
                out.push(hex);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(crate::eval::utf16::decode_utf8_lossy(&out))
}

fn err(span: Span, message: String) -> Box<EvalError> {
    EvalError::boxed(EvalErrorKind::Method, span, message)
}

/// Call a `$util` method. They take strings only; null in, null out.
pub(crate) fn call(
    name: Option<Known>,
    args: &[Value],
    span: Span,
) -> Result<Call, Box<EvalError>> {
    let is_util = matches!(
        name,
        Some(
            Known::EscapeJavaScript
                | Known::ParseJson
                | Known::UrlEncode
                | Known::UrlDecode
                | Known::Base64Encode
                | Known::Base64Decode
        )
    );
    let s = match args {
        [Value::Str(s)] if is_util => s,
        [Value::Null] if is_util => return Ok(Call::Done(Value::Null)),
        _ => return Ok(Call::Unresolved),
    };
    if name == Some(Known::EscapeJavaScript) {
        return Ok(Call::Done(match escape_javascript(s) {
            // Nothing to escape: the same string, no copy.
            Cow::Borrowed(_) => Value::Str(s.clone()),
            Cow::Owned(t) => Value::Str(Rc::from(t)),
        }));
    }
    let text = match name {
        Some(Known::UrlEncode) => url_encode(s),
        Some(Known::UrlDecode) => url_decode(s).map_err(|m| err(span, m))?,
        Some(Known::Base64Encode) => base64::engine::general_purpose::STANDARD
            .encode(crate::eval::utf16::encode_for_output(s).as_bytes()),
        Some(Known::Base64Decode) => {
            let bytes =
                java_base64_decode(s).map_err(|e| err(span, format!("base64Decode: {e}")))?;
            crate::eval::utf16::decode_utf8_lossy(&bytes)
        }
        Some(Known::ParseJson) => {
            // Unlike an empty body, an empty string is refused by JsonPath.
            if s.is_empty() {
                return Err(err(
                    span,
                    "parseJson: IllegalArgumentException: json string can not be null or empty"
                        .into(),
                ));
            }
            let j = parse_permissive(s).map_err(|m| err(span, format!("parseJson: {m}")))?;
            return Ok(Call::Done(doc_to_value(&j, ListKind::JsonArray)));
        }
        _ => return Ok(Call::Unresolved),
    };
    Ok(Call::Done(Value::str(&text)))
}

/// `java.util.Base64.getDecoder().decode`: padding may be left out, but if
/// present it must be complete; unused bits of the last character are
/// ignored; nothing outside the alphabet, whitespace included, is allowed.
pub(crate) fn java_base64_decode(s: &str) -> Result<Vec<u8>, String> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let padding = if s.ends_with('=') {
        DecodePaddingMode::RequireCanonical
    } else {
        DecodePaddingMode::RequireNone
    };
    let java = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(padding)
            .with_decode_allow_trailing_bits(true),
    );
    java.decode(s.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_javascript_matches_commons_lang() {
        assert_eq!(escape_javascript("a'b\"c/d\\e\n"), "a\\'b\\\"c\\/d\\\\e\\n");
        assert_eq!(escape_javascript("é€\u{1}"), "\\u00E9\\u20AC\\u0001");
    }

    #[test]
    fn url_encoding_matches_java() {
        assert_eq!(url_encode("a b*~é"), "a+b*%7E%C3%A9");
        assert_eq!(url_decode("a+b%7E%C3%A9").unwrap(), "a b~é");
        assert!(url_decode("%zz").is_err());
    }
}
