//! `java.util.regex` for `replaceAll`, `replaceFirst`, `matches` and
//! `split`. Patterns run on fancy-regex (the `regex` crate has no
//! backreferences or lookaround, which Java patterns use), after a
//! translation of the places where Java's dialect means something else:
//! `\s \w \d` and the POSIX classes are ASCII-only, `.` stops at every line
//! terminator, `$` also matches before a final line terminator (with
//! `(?m)`, `^` and `$` know Java's line terminators, and `^` never matches
//! at the very end), `\Q…\E`
//! quotes, `\R` is any line break, `\h`/`\v` are Java's blank classes,
//! `\<` and `\>` are plain characters, `[[:digit:]]` is no POSIX class, a
//! `{` that is no counted repetition is an error, and a surrogate pair
//! written as two `\u` escapes is one character. Matching follows `Matcher.find`, which
//! allows an empty match right after a non-empty one.

use fancy_regex::{Captures, Regex};

use super::method_error;
use crate::eval::interp::EResult;
use crate::eval::utf16;
use crate::syntax::span::Span;

const LINE_TERMINATORS: &str = r"\n\r\u{85}\u{2028}\u{2029}";
const SPACE: &str = r"\t\n\x0B\x0C\r ";
const WORD: &str = "a-zA-Z_0-9";
/// `\h`: Java's horizontal whitespace.
const HORIZONTAL: &str = r"\t \xA0\u{1680}\u{180E}\u{2000}-\u{200A}\u{202F}\u{205F}\u{3000}";
/// `\v`: Java's vertical whitespace (Java 8 on).
const VERTICAL: &str = r"\n\x0B\x0C\r\u{85}\u{2028}\u{2029}";
/// Java's `$` without MULTILINE, and `\Z`: the end, or before a final line
/// terminator, but not between the `\r` and `\n` of a final `\r\n`.
const END_BUT_FOR_TERMINATOR: &str =
    r"(?:\z|(?=\r\n\z)|(?=[\r\u{85}\u{2028}\u{2029}]\z)|(?<!\r)(?=\n\z))";
/// Java's `^` with MULTILINE: at the start or after a line terminator (not
/// between `\r` and `\n`), and never at the very end of the input.
const MULTILINE_START: &str = r"(?:(?:\A|(?<=[\n\u{85}\u{2028}\u{2029}])|(?<=\r)(?!\n))(?!\z))";
/// Java's `$` with MULTILINE: at the end or before a line terminator (not
/// between `\r` and `\n`).
const MULTILINE_END: &str = r"(?:\z|(?=[\r\u{85}\u{2028}\u{2029}])|(?<!\r)(?=\n))";

/// The set a Java class escape stands for, as class contents.
fn class_escape(c: char) -> Option<(&'static str, bool)> {
    Some(match c {
        's' => (SPACE, false),
        'S' => (SPACE, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        'h' => (HORIZONTAL, false),
        'H' => (HORIZONTAL, true),
        'v' => (VERTICAL, false),
        'V' => (VERTICAL, true),
        _ => return None,
    })
}

/// A POSIX class name (`\p{Upper}`), ASCII in Java by default, or one of
/// the `java.lang.Character` predicates (`\p{javaLowerCase}`).
fn posix_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "ASCII" => r"\x00-\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => r"!-/:-@\[-`{-~",
        "Graph" => r"!-~",
        "Print" => r"\x20-\x7E",
        "Blank" => r" \t",
        "Cntrl" => r"\x00-\x1F\x7F",
        "XDigit" => "0-9a-fA-F",
        "Space" => SPACE,
        // java.lang.Character's predicates.
        "javaLowerCase" => r"\p{Lowercase}",
        "javaUpperCase" => r"\p{Uppercase}",
        "javaAlphabetic" => r"\p{Alphabetic}",
        "javaDigit" => r"\p{Nd}",
        "javaLetter" => r"\p{L}",
        "javaLetterOrDigit" => r"\p{L}\p{Nd}",
        "javaWhitespace" => r"\t\n\x0B\x0C\r\x1C-\x1F\p{Zl}\p{Zp}\p{Zs}&&[^\xA0\u{2007}\u{202F}]",
        _ => return None,
    })
}

/// A set as a class; nested inside an enclosing class it forms a union.
fn push_set(out: &mut String, set: &str, negated: bool) {
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(set);
    out.push(']');
}

/// The flag groups of a pattern, in order: the letters of each `(?flags)`
/// or `(?flags:…)` (`-` included), and whether it is scoped (`:`).
fn flag_groups(pattern: &str) -> impl Iterator<Item = (&str, bool)> {
    let b = pattern.as_bytes();
    pattern.match_indices("(?").filter_map(move |(i, _)| {
        // An escaped `\(` is a literal parenthesis.
        if i > 0 && b.get(i - 1) == Some(&b'\\') {
            return None;
        }
        let rest = pattern.get(i + 2..)?;
        let len = rest
            .bytes()
            .take_while(|c| c.is_ascii_alphabetic() || *c == b'-')
            .count();
        let group = rest.get(..len)?;
        match rest.get(len..)?.bytes().next() {
            Some(b')') if !group.is_empty() => Some((group, false)),
            Some(b':') if !group.is_empty() => Some((group, true)),
            _ => None,
        }
    })
}

/// The flags a pattern turns on with `(?flags)` or `(?flags:…)` groups,
/// anywhere in it (an approximation: Java scopes them).
fn inline_flags(pattern: &str) -> String {
    flag_groups(pattern)
        .map(|(group, _)| group.split('-').next().unwrap_or(""))
        .collect()
}

/// Whether `(?x)` is still on where the pattern ends: the last flag group
/// outside a scoped `(?x:…)` group that names `x` decides.
fn extended_at_end(pattern: &str) -> bool {
    let mut on = false;
    for (group, scoped) in flag_groups(pattern) {
        if scoped {
            continue;
        }
        let (set, unset) = group.split_once('-').unwrap_or((group, ""));
        if unset.contains('x') {
            on = false;
        } else if set.contains('x') {
            on = true;
        }
    }
    on
}

/// Rewrite a Java pattern for fancy-regex.
pub(crate) fn translate(pattern: &str) -> Result<String, String> {
    let flags = inline_flags(pattern);
    let dotall = flags.contains('s');
    let multiline = flags.contains('m');
    let case_insensitive = flags.contains('i') && !flags.contains('u');
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    // For each open class: whether its `[` was written (see below).
    let mut classes: Vec<bool> = Vec::new();
    while let Some(c) = chars.next() {
        let in_class = !classes.is_empty();
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("unexpected end of pattern after `\\`".into());
                };
                if let Some((set, negated)) = class_escape(e) {
                    push_set(&mut out, set, negated);
                    continue;
                }
                match e {
                    'Q' => {
                        // Quote until \E.
                        let mut lit = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            lit.push(q);
                        }
                        for q in lit.chars() {
                            push_literal(&mut out, q);
                        }
                    }
                    'E' => {}
                    'Z' if !in_class => out.push_str(END_BUT_FOR_TERMINATOR),
                    'x' => {
                        // `\xhh` or `\x{h…h}`; its braces are no repetition.
                        let hex: String = if chars.peek() == Some(&'{') {
                            chars.next();
                            chars.by_ref().take_while(|h| *h != '}').collect()
                        } else {
                            chars.by_ref().take(2).collect()
                        };
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| "illegal hexadecimal escape sequence".to_string())?;
                        push_code_point(&mut out, code);
                    }
                    'R' if !in_class => {
                        out.push_str(r"(?:\r\n|[\n\x0B\x0C\r\u{85}\u{2028}\u{2029}])");
                    }
                    'p' | 'P' => {
                        let mut name = String::new();
                        if chars.peek() == Some(&'{') {
                            chars.next();
                            for n in chars.by_ref() {
                                if n == '}' {
                                    break;
                                }
                                name.push(n);
                            }
                        } else if let Some(n) = chars.next() {
                            name.push(n);
                        }
                        let bare = name.strip_prefix("Is").unwrap_or(&name);
                        match posix_class(&name) {
                            Some(set) => push_set(&mut out, set, e == 'P'),
                            None => {
                                out.push('\\');
                                out.push(e);
                                out.push('{');
                                out.push_str(if name.starts_with("Is") { bare } else { &name });
                                out.push('}');
                            }
                        }
                    }
                    'u' => {
                        let unit = |chars: &mut std::iter::Peekable<std::str::Chars>| {
                            let hex: String = chars.by_ref().take(4).collect();
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .filter(|_| hex.len() == 4)
                                .ok_or_else(|| "illegal Unicode escape sequence".to_string())
                        };
                        let mut code = unit(&mut chars)?;
                        // A surrogate pair written as two escapes is one character.
                        if (0xD800..0xDC00).contains(&code) {
                            let mut ahead = chars.clone();
                            if ahead.next() == Some('\\') && ahead.next() == Some('u') {
                                if let Ok(low @ 0xDC00..=0xDFFF) = unit(&mut ahead) {
                                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                    chars = ahead;
                                }
                            }
                        }
                        push_code_point(&mut out, code);
                    }
                    '0' => {
                        let mut oct = String::new();
                        while oct.len() < 3 && chars.peek().is_some_and(|d| ('0'..='7').contains(d))
                        {
                            oct.extend(chars.next());
                        }
                        let v = u32::from_str_radix(&oct, 8).map_err(|_| "bad octal escape")?;
                        push_code_point(&mut out, v);
                    }
                    'c' => {
                        let Some(x) = chars.next() else {
                            return Err("missing control character after \\c".into());
                        };
                        push_code_point(&mut out, (x as u32) ^ 64);
                    }
                    e if e.is_ascii_alphanumeric() => {
                        out.push('\\');
                        out.push(e);
                    }
                    // Java lets any other character be escaped.
                    e => push_literal(&mut out, e),
                }
            }
            '[' => {
                let negated = chars.peek() == Some(&'^');
                // Java has no `[:digit:]` classes: `[[:digit:]]` is the set
                // of `:`, `d`, `i`, `g` and `t`. fancy-regex would read a
                // nested `[:` as POSIX, so such a union is written flat.
                let flat = in_class && !negated && chars.peek() == Some(&':');
                classes.push(!flat);
                if flat {
                    chars.next();
                    out.push_str(r"\:");
                } else {
                    out.push('[');
                }
                if negated {
                    out.push('^');
                    chars.next();
                }
                // A leading `]` is a literal in Java too.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str(r"\]");
                }
            }
            ']' if in_class => {
                if classes.pop() == Some(true) {
                    out.push(']');
                }
            }
            '.' if !in_class && !dotall => {
                out.push_str("[^");
                out.push_str(LINE_TERMINATORS);
                out.push(']');
            }
            '$' if !in_class && !multiline => out.push_str(END_BUT_FOR_TERMINATOR),
            '$' if !in_class => out.push_str(MULTILINE_END),
            '^' if !in_class && multiline => out.push_str(MULTILINE_START),
            // Java reads `{` only as a counted repetition; anything else is
            // an "Illegal repetition".
            '{' if !in_class => {
                let mut bound = String::new();
                let mut closed = false;
                for b in chars.by_ref() {
                    if b == '}' {
                        closed = true;
                        break;
                    }
                    bound.push(b);
                }
                if !closed {
                    return Err("Unclosed counted closure".into());
                }
                let (min, max) = bound.split_once(',').unwrap_or((&bound, "0"));
                let counted = !min.is_empty()
                    && min.bytes().all(|b| b.is_ascii_digit())
                    && max.bytes().all(|b| b.is_ascii_digit());
                if !counted {
                    return Err("Illegal repetition".into());
                }
                out.push('{');
                out.push_str(&bound);
                out.push('}');
            }
            // Java's (?i) folds ASCII letters only.
            c if case_insensitive && !in_class && !c.is_ascii() && c.is_alphabetic() => {
                out.push_str("(?-i:");
                out.push(c);
                out.push(')');
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A character given by its code, as fancy-regex spells it.
fn push_code_point(out: &mut String, code: u32) {
    if (0xD800..0xE000).contains(&code) {
        // A lone surrogate is never part of a valid string.
        out.push_str(r"[^\s\S]");
    } else {
        out.push_str(&format!(r"\x{{{code:X}}}"));
    }
}

fn push_literal(out: &mut String, c: char) {
    // `\<` and `\>` are word boundaries to fancy-regex; `<` and `>` are
    // plain characters to both.
    if (c.is_ascii_punctuation() && c != '<' && c != '>') || c == ' ' {
        out.push('\\');
    }
    out.push(c);
}

/// Compile a Java regular expression.
pub(crate) fn java_regex(pattern: &str, span: Span) -> EResult<Regex> {
    let bad = |e: String| {
        method_error(
            span,
            format!("PatternSyntaxException: invalid regular expression `{pattern}`: {e}"),
        )
    };
    let translated = translate(pattern).map_err(bad)?;
    Regex::new(&translated).map_err(|e| bad(e.to_string()))
}

/// `Matcher.find` repeatedly: after an empty match the search resumes one
/// UTF-16 unit later; after a non-empty one, at its end (where an empty
/// match may follow). `f` gets the text as it is then, and each match.
///
/// One unit after an empty match before a supplementary character is the
/// middle of its surrogate pair, where Java goes on matching (`split('')`
/// cuts an emoji in two halves, printed as `?`). The pair is then split in
/// `s` into its two halves, as stand-ins, and matching goes on between them.
/// Not for a pattern with a positive lookbehind: one that reads a
/// character never matches in the middle in Java, which reads the whole
/// pair when it looks back, but would match the first half.
fn for_each_match(
    re: &Regex,
    s: &mut std::borrow::Cow<str>,
    span: Span,
    mut f: impl FnMut(&str, Captures) -> EResult<bool>,
) -> EResult<()> {
    let halves_between = !re.as_str().contains("(?<=");
    let mut pos = 0;
    while pos <= s.len() {
        let text: &str = s;
        let caps = re
            .captures_from_pos(text, pos)
            .map_err(|e| method_error(span, format!("regex failed: {e}")))?;
        let Some(caps) = caps else { break };
        let Some(m) = caps.get(0) else { break };
        let (start, end) = (m.start(), m.end());
        if !f(text, caps)? {
            break;
        }
        if start != end {
            pos = end;
            continue;
        }
        let next = text.get(end..).and_then(|r| r.chars().next());
        pos = end + next.map_or(1, char::len_utf8);
        if let Some([high, low]) = next.filter(|_| halves_between).and_then(utf16::halves) {
            let mut split = String::with_capacity(text.len() + 4);
            split.push_str(text.get(..end).unwrap_or(""));
            split.push(high);
            split.push(low);
            split.push_str(text.get(pos..).unwrap_or(""));
            *s = std::borrow::Cow::Owned(split);
            pos = end + high.len_utf8();
        }
    }
    Ok(())
}

/// Expand a Java replacement string (`$1`, `${name}`, `\$`) for one match.
fn expand(re: &Regex, replacement: &str, caps: &Captures, span: Span) -> EResult<String> {
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => out.push(n),
                None => {
                    return Err(method_error(
                        span,
                        "character to be escaped is missing in the replacement".into(),
                    ))
                }
            },
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                if !re.capture_names().any(|n| n == Some(name.as_str())) {
                    return Err(method_error(span, format!("no group with name {{{name}}}")));
                }
                if let Some(m) = caps.name(&name) {
                    out.push_str(m.as_str());
                }
            }
            '$' => {
                let mut num = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    let candidate = format!("{num}{d}");
                    let n: usize = candidate.parse().unwrap_or(usize::MAX);
                    if !num.is_empty() && n >= caps.len() {
                        break;
                    }
                    num = candidate;
                    chars.next();
                }
                if num.is_empty() {
                    return Err(method_error(
                        span,
                        "illegal group reference in the replacement".into(),
                    ));
                }
                let n: usize = num.parse().unwrap_or(usize::MAX);
                if n >= caps.len() {
                    return Err(method_error(span, format!("no group {n} in the pattern")));
                }
                if let Some(m) = caps.get(n) {
                    out.push_str(m.as_str());
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `replaceAll` / `replaceFirst`. A null replacement (`None`) fails at
/// the first match, as Java's `Matcher.replaceAll` reads it only there.
pub(crate) fn replace(
    s: &str,
    pattern: &str,
    rep: Option<&str>,
    all: bool,
    span: Span,
) -> EResult<String> {
    let re = java_regex(pattern, span)?;
    let mut out = String::new();
    let mut last = 0;
    let mut s = std::borrow::Cow::Borrowed(s);
    for_each_match(&re, &mut s, span, |s, caps| {
        let Some(m) = caps.get(0) else {
            return Ok(false);
        };
        let Some(rep) = rep else {
            return Err(super::null_pointer(span, "replaceAll"));
        };
        out.push_str(s.get(last..m.start()).unwrap_or(""));
        out.push_str(&expand(&re, rep, &caps, span)?);
        if out.len() > crate::eval::interp::MAX_OUTPUT {
            return Err(method_error(
                span,
                "OutOfMemoryError: replaceAll() result too long".into(),
            ));
        }
        last = m.end();
        Ok(all)
    })?;
    out.push_str(s.get(last..).unwrap_or(""));
    Ok(out)
}

/// `matches`: the whole string.
pub(crate) fn matches(s: &str, pattern: &str, span: Span) -> EResult<bool> {
    let re = java_regex(pattern, span)?;
    // With (?x), a `#` comment runs to the end of the line: end the line
    // before the group closes (the newline is blank space in that mode).
    let comment_end = if extended_at_end(pattern) { "\n" } else { "" };
    let whole = Regex::new(&format!(r"\A(?:{}{comment_end})\z", re.as_str()))
        .map_err(|e| method_error(span, format!("PatternSyntaxException: {e}")))?;
    whole
        .is_match(s)
        .map_err(|e| method_error(span, format!("regex failed: {e}")))
}

/// `split(pattern, limit)`.
pub(crate) fn split(s: &str, pattern: &str, limit: i64, span: Span) -> EResult<Vec<String>> {
    if s.is_empty() {
        return Ok(vec![String::new()]);
    }
    let re = java_regex(pattern, span)?;
    let mut parts = Vec::new();
    let mut last = 0;
    let mut s = std::borrow::Cow::Borrowed(s);
    for_each_match(&re, &mut s, span, |s, caps| {
        let Some(m) = caps.get(0) else {
            return Ok(false);
        };
        if limit > 0 && parts.len() as i64 >= limit - 1 {
            return Ok(false);
        }
        if m.end() == 0 {
            // A zero-width match at the start never yields a leading "".
            return Ok(true);
        }
        parts.push(s.get(last..m.start()).unwrap_or("").to_string());
        last = m.end();
        Ok(true)
    })?;
    parts.push(s.get(last..).unwrap_or("").to_string());
    if limit == 0 {
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if parts.len() == 1 && parts.first().is_some_and(|p| p.is_empty()) {
            parts.clear();
        }
    }
    Ok(parts)
}
