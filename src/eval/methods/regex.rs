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
//! written as two `\u` escapes is one character. Inline flags are scoped
//! as Java scopes them (to the rest of the group, later alternatives
//! included); `(?i)` folds ASCII letters only unless `(?u)` or `(?U)` is on,
//! and `(?U)` makes `\w \d \s` and the POSIX classes Unicode. Matching
//! follows `Matcher.find`, which allows an empty match right after a
//! non-empty one.

use std::rc::Rc;

use fancy_regex::{Captures, Regex};

use super::method_error;
use crate::eval::interp::EResult;
use crate::eval::utf16;
use crate::syntax::span::Span;

const LINE_TERMINATORS: &str = r"\n\r\u{85}\u{2028}\u{2029}";
const SPACE: &str = r"\t\n\x0B\x0C\r\x20";
const WORD: &str = "a-zA-Z_0-9";
/// `\h`: Java's horizontal whitespace.
const HORIZONTAL: &str = r"\t\x20\xA0\u{1680}\u{180E}\u{2000}-\u{200A}\u{202F}\u{205F}\u{3000}";
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

/// Java's `\w` with UNICODE_CHARACTER_CLASS, as class contents.
const UNICODE_WORD: &str = r"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}";

/// The set a Java class escape stands for, as class contents, and whether
/// it is negated; `unicode` is UNICODE_CHARACTER_CLASS (`(?U)`).
fn class_escape(c: char, unicode: bool) -> Option<(&'static str, bool)> {
    Some(match (c, unicode) {
        ('s', false) => (SPACE, false),
        ('S', false) => (SPACE, true),
        ('w', false) => (WORD, false),
        ('W', false) => (WORD, true),
        ('d', false) => ("0-9", false),
        ('D', false) => ("0-9", true),
        ('s', true) => (r"\p{White_Space}", false),
        ('S', true) => (r"\p{White_Space}", true),
        ('w', true) => (UNICODE_WORD, false),
        ('W', true) => (UNICODE_WORD, true),
        ('d', true) => (r"\p{Nd}", false),
        ('D', true) => (r"\p{Nd}", true),
        ('h', _) => (HORIZONTAL, false),
        ('H', _) => (HORIZONTAL, true),
        ('v', _) => (VERTICAL, false),
        ('V', _) => (VERTICAL, true),
        _ => return None,
    })
}

/// A POSIX class name (`\p{Upper}`), ASCII in Java unless `unicode`
/// (`(?U)`), or one of the `java.lang.Character` predicates
/// (`\p{javaLowerCase}`): its class contents, and whether they are the
/// complement of the class.
fn posix_class(name: &str, unicode: bool) -> Option<(&'static str, bool)> {
    if unicode {
        // The Unicode definitions of java.util.regex.Pattern's table.
        let set = match name {
            "Lower" => r"\p{Lowercase}",
            "Upper" => r"\p{Uppercase}",
            "Alpha" => r"\p{Alphabetic}",
            "Digit" => r"\p{Nd}",
            "Alnum" => r"\p{Alphabetic}\p{Nd}",
            "Punct" => r"\p{P}",
            "Graph" => return Some((r"\p{White_Space}\p{Cc}\p{Cn}", true)),
            "Print" => {
                r"[^\p{White_Space}\p{Cc}\p{Cn}][\p{White_Space}&&[^\p{Zl}\p{Zp}\n\x0B\x0C\r\x{85}\p{Cc}]]"
            }
            "Blank" => r"\p{White_Space}&&[^\p{Zl}\p{Zp}\n\x0B\x0C\r\x{85}]",
            "Cntrl" => r"\p{Cc}",
            "XDigit" => r"\p{Nd}\p{Hex_Digit}",
            "Space" => r"\p{White_Space}",
            _ => "",
        };
        if !set.is_empty() {
            return Some((set, false));
        }
    }
    let set = match name {
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "ASCII" => r"\x00-\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => r"!-/:-@\[-`{-~",
        "Graph" => r"!-~",
        "Print" => r"\x20-\x7E",
        "Blank" => r"\x20\t",
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
    };
    Some((set, false))
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

/// The flags in force at a point of a pattern. Java scopes an inline
/// `(?flags)` to the rest of its group, later alternatives included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Flags {
    /// CASE_INSENSITIVE (`i`): ASCII letters only, unless Unicode case is on.
    case_insensitive: bool,
    /// UNICODE_CASE (`u`).
    unicode_case: bool,
    /// UNICODE_CHARACTER_CLASS (`U`): Unicode `\w \d \s` and POSIX
    /// classes.
    unicode_classes: bool,
    /// DOTALL (`s`).
    dotall: bool,
    /// MULTILINE (`m`).
    multiline: bool,
    /// COMMENTS (`x`).
    comments: bool,
}

impl Flags {
    /// The flags after the letters of a flag group (`i`, `m-s`, …); `None`
    /// for a letter Java does not know or fancy-regex cannot follow.
    fn with(mut self, letters: &str) -> Option<Flags> {
        let mut on = true;
        for c in letters.chars() {
            let flag = match c {
                '-' if on => {
                    on = false;
                    continue;
                }
                'i' => &mut self.case_insensitive,
                'u' => &mut self.unicode_case,
                // Java's U sets (and -U clears) Unicode case too.
                'U' => {
                    self.unicode_case = on;
                    &mut self.unicode_classes
                }
                's' => &mut self.dotall,
                'm' => &mut self.multiline,
                'x' => &mut self.comments,
                _ => return None,
            };
            *flag = on;
        }
        Some(self)
    }

    /// Case folding of ASCII letters only: done by the translation, as
    /// fancy-regex would fold Unicode (`k` would match the Kelvin sign).
    fn ascii_fold(self) -> bool {
        self.case_insensitive && !self.unicode_case
    }

    /// Case folding of all letters: left to fancy-regex's `i`.
    fn unicode_fold(self) -> bool {
        self.case_insensitive && self.unicode_case
    }

    /// A non-capturing group that sets fancy-regex's flags to these, all
    /// of them, so that fancy-regex's own scoping does not matter.
    fn open_group(self, out: &mut String) {
        let letters = [
            ('i', self.unicode_fold()),
            ('s', self.dotall),
            ('m', self.multiline),
            ('x', self.comments),
        ];
        out.push_str("(?");
        out.extend(letters.iter().filter(|l| l.1).map(|l| l.0));
        out.push('-');
        out.extend(letters.iter().filter(|l| !l.1).map(|l| l.0));
        out.push(':');
    }
}

/// A group of the pattern being translated.
struct Scope {
    flags: Flags,
    /// Whether the translation opened a group inside it for an inline
    /// flag group, closed with it (and at each `|`). One at a time: each
    /// sets all the flags, so the next one closes it rather than nesting.
    opened: bool,
}

/// The letters of a flag group that `chars` (after a `(`) start, and
/// whether the group is scoped (`(?i:…)`) rather than inline (`(?i)`).
fn flag_group(chars: &std::iter::Peekable<std::str::Chars>) -> Option<(String, bool)> {
    let mut ahead = chars.clone();
    ahead.next_if_eq(&'?')?;
    let mut letters = String::new();
    while let Some(c) = ahead.next_if(|c| c.is_ascii_alphabetic() || *c == '-') {
        letters.push(c);
    }
    match ahead.next() {
        Some(')') if !letters.is_empty() => Some((letters, false)),
        Some(':') if !letters.is_empty() => Some((letters, true)),
        _ => None,
    }
}

/// Copy a group name, through its closing `>`, as written.
fn copy_name(chars: &mut std::iter::Peekable<std::str::Chars>, out: &mut String) {
    for c in chars.by_ref() {
        out.push(c);
        if c == '>' {
            break;
        }
    }
}

/// Write `class`, the text of a class (`[…]`), so that it matches as
/// under Java's ASCII-only CASE_INSENSITIVE: an ASCII character when it or
/// its other case is in the class (a negated class folded before it is
/// negated, as Java does), any other character as written. The ASCII
/// members are worked out here and listed, so that the result needs no
/// lookaround and fancy-regex hands it to the fast `regex` engine. A class
/// with a Unicode property (`[\p{Lu}]`) folds its other characters by
/// Unicode, as Java folds properties; negated, those stay as written.
fn push_ascii_folded_class(out: &mut String, class: &str) -> Result<(), String> {
    let (positive, negated) = match class.strip_prefix("[^") {
        Some(inner) => (format!("[{inner}"), true),
        None => (class.to_string(), false),
    };
    let re = Regex::new(&format!(r"\A{positive}\z")).map_err(|e| e.to_string())?;
    let member = |c: u8| {
        re.is_match(char::from(c).encode_utf8(&mut [0; 4]))
            .unwrap_or(false)
    };
    let members: Vec<bool> = (0..128u8).map(member).collect();
    let folded = |c: u8| {
        let other = if c.is_ascii_lowercase() {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        let has = |c: u8| members.get(usize::from(c)).copied().unwrap_or(false);
        (has(c) || has(other)) != negated
    };
    let property = class.contains(r"\p{") || class.contains(r"\P{");
    let fold_others = property && !negated;
    out.push_str("(?:[");
    for c in (0..128u8).filter(|c| folded(*c)) {
        out.push_str(&format!(r"\x{c:02X}"));
    }
    // An empty class is an error: this one matches nothing.
    out.push_str(r"\x{10FFFF}&&[^\x{10FFFF}]]|");
    out.push_str(if fold_others { "(?i:[" } else { "[" });
    out.push_str(class);
    out.push_str(r"&&[^\x00-\x7F]]");
    if fold_others {
        out.push(')');
    }
    out.push(')');
    Ok(())
}

/// Write `c`, a character outside a class, as matched under `flags`.
fn push_char(out: &mut String, c: char, flags: Flags) {
    if flags.ascii_fold() && c.is_ascii_alphabetic() {
        out.push('[');
        out.push(c.to_ascii_lowercase());
        out.push(c.to_ascii_uppercase());
        out.push(']');
    } else {
        push_literal(out, c);
    }
}

/// Java's `\b` (or `\B`, `negated`): a word character on one side only.
/// A word character is a letter, a digit or `_` (with `(?U)`, Unicode's
/// word characters), not Unicode's wider set (letter numbers, spacing
/// marks, joiners, other connectors) that fancy-regex's `\b` uses. Java
/// counts a non-spacing mark as a word character when the letter or digit
/// it sits on is one; here every non-spacing mark counts. Checking the base
/// takes lookbehinds that multiply the pattern's compile time several
/// times over (each Unicode class is compiled anew), for marks that follow
/// a non-word character, which text hardly has.
fn push_word_boundary(out: &mut String, negated: bool, unicode: bool) {
    let word = if unicode {
        UNICODE_WORD
    } else {
        r"\p{L}\p{Nd}\p{Mn}_"
    };
    let (left, right) = (format!("(?<=[{word}])"), format!("(?=[{word}])"));
    let (not_left, not_right) = (format!("(?<![{word}])"), format!("(?![{word}])"));
    if negated {
        out.push_str(&format!("(?:{left}{right}|{not_left}{not_right})"));
    } else {
        out.push_str(&format!("(?:{left}{not_right}|{not_left}{right})"));
    }
}

/// Rewrite a Java pattern for fancy-regex; `case_insensitive` is the
/// CASE_INSENSITIVE flag it is compiled with.
pub(crate) fn translate(pattern: &str, case_insensitive: bool) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let root = Flags {
        case_insensitive,
        ..Flags::default()
    };
    // The root group is opened only to set CASE_INSENSITIVE.
    if case_insensitive {
        root.open_group(&mut out);
    }
    let mut scopes = vec![Scope {
        flags: root,
        opened: case_insensitive,
    }];
    // For each open class: whether its `[` was written (see below).
    let mut classes: Vec<bool> = Vec::new();
    // Where the outermost open class starts in `out`, and the flags there.
    let mut class_start = 0;
    let mut class_flags = Flags::default();
    while let Some(c) = chars.next() {
        // The flags in force: the innermost group's.
        let flags = scopes.last().map_or(root, |s| s.flags);
        let in_class = !classes.is_empty();
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("unexpected end of pattern after `\\`".into());
                };
                if let Some((set, negated)) = class_escape(e, flags.unicode_classes) {
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
                            if in_class {
                                push_literal(&mut out, q);
                            } else {
                                push_char(&mut out, q, flags);
                            }
                        }
                    }
                    'E' => {}
                    'Z' if !in_class => out.push_str(END_BUT_FOR_TERMINATOR),
                    'b' | 'B' if !in_class => {
                        push_word_boundary(&mut out, e == 'B', flags.unicode_classes);
                    }
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
                        push_code_point(&mut out, code, in_class, flags);
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
                        let start = out.len();
                        let ascii_posix = match posix_class(&name, flags.unicode_classes) {
                            Some((set, complement)) => {
                                push_set(&mut out, set, (e == 'P') != complement);
                                !flags.unicode_classes && !name.starts_with("java")
                            }
                            None => {
                                out.push('\\');
                                out.push(e);
                                out.push('{');
                                out.push_str(if name.starts_with("Is") { bare } else { &name });
                                out.push('}');
                                false
                            }
                        };
                        // Java folds an ASCII class's letters as any others, and
                        // a Unicode property (`\p{Lu}`) by Unicode case.
                        if flags.ascii_fold() && !in_class {
                            let class = out.split_off(start);
                            if ascii_posix {
                                push_ascii_folded_class(&mut out, &class)?;
                            } else {
                                out.push_str("(?i:");
                                out.push_str(&class);
                                out.push(')');
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
                        push_code_point(&mut out, code, in_class, flags);
                    }
                    '0' => {
                        let mut oct = String::new();
                        while oct.len() < 3 && chars.peek().is_some_and(|d| ('0'..='7').contains(d))
                        {
                            oct.extend(chars.next());
                        }
                        let v = u32::from_str_radix(&oct, 8).map_err(|_| "bad octal escape")?;
                        push_code_point(&mut out, v, in_class, flags);
                    }
                    'c' => {
                        let Some(x) = chars.next() else {
                            return Err("missing control character after \\c".into());
                        };
                        push_code_point(&mut out, (x as u32) ^ 64, in_class, flags);
                    }
                    'k' if chars.peek() == Some(&'<') => {
                        out.push_str("\\k");
                        copy_name(&mut chars, &mut out);
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
                if !in_class {
                    class_start = out.len();
                    class_flags = flags;
                }
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
                if classes.is_empty() && class_flags.ascii_fold() {
                    let class = out.split_off(class_start);
                    push_ascii_folded_class(&mut out, &class)?;
                }
            }
            '(' if !in_class => {
                match flag_group(&chars) {
                    Some((letters, scoped)) => {
                        let Some(next) = flags.with(&letters) else {
                            return Err(format!("Unknown inline modifier in `(?{letters}`"));
                        };
                        // Past the letters and the `)` or `:`.
                        for _ in 0..letters.chars().count() + 2 {
                            chars.next();
                        }
                        if let Some(scope) = scopes.last_mut().filter(|s| s.opened && !scoped) {
                            out.push(')');
                            scope.opened = false;
                        }
                        next.open_group(&mut out);
                        if scoped {
                            scopes.push(Scope {
                                flags: next,
                                opened: false,
                            });
                        } else if let Some(scope) = scopes.last_mut() {
                            scope.opened = true;
                            scope.flags = next;
                        }
                    }
                    None => {
                        scopes.push(Scope {
                            flags,
                            opened: false,
                        });
                        out.push('(');
                        // A named group's name is no text to match.
                        let mut ahead = chars.clone();
                        if ahead.next() == Some('?')
                            && ahead.next() == Some('<')
                            && ahead.next().is_some_and(|c| c.is_ascii_alphabetic())
                        {
                            copy_name(&mut chars, &mut out);
                        }
                    }
                }
            }
            // Not fancy-regex's to report: it could close a group the
            // translation opened.
            ')' if !in_class && scopes.len() == 1 => return Err("Unmatched closing ')'".into()),
            ')' if !in_class => {
                if let Some(scope) = scopes.pop() {
                    if scope.opened {
                        out.push(')');
                    }
                }
                out.push(')');
            }
            '|' if !in_class => {
                // The flags set so far in the group hold in the next
                // alternative too: close their groups and open one again.
                if let Some(scope) = scopes.last_mut().filter(|s| s.opened) {
                    out.push_str(")|");
                    scope.flags.open_group(&mut out);
                } else {
                    out.push('|');
                }
            }
            '#' if !in_class && flags.comments => {
                // A comment, to the end of the line: dropped, so that its
                // parentheses open nothing.
                while chars.next_if(|c| *c != '\n').is_some() {}
            }
            '.' if !in_class && !flags.dotall => {
                out.push_str("[^");
                out.push_str(LINE_TERMINATORS);
                out.push(']');
            }
            '$' if !in_class && !flags.multiline => out.push_str(END_BUT_FOR_TERMINATOR),
            '$' if !in_class => out.push_str(MULTILINE_END),
            '^' if !in_class && flags.multiline => out.push_str(MULTILINE_START),
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
            c if !in_class && flags.ascii_fold() && c.is_ascii_alphabetic() => {
                push_char(&mut out, c, flags);
            }
            c => out.push(c),
        }
    }
    if let Some(root) = scopes.first() {
        if root.opened {
            out.push(')');
        }
    }
    Ok(out)
}

/// A character given by its code, as fancy-regex spells it, matched as
/// under `flags` (inside a class, the class is folded as a whole).
fn push_code_point(out: &mut String, code: u32, in_class: bool, flags: Flags) {
    if (0xD800..0xE000).contains(&code) {
        // A lone surrogate is never part of a valid string.
        out.push_str(r"[^\s\S]");
    } else if let Some(c) = char::from_u32(code).filter(|c| !in_class && c.is_ascii_alphabetic()) {
        push_char(out, c, flags);
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

/// What a compiled pattern is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// `Matcher.find`: matches anywhere.
    Find,
    /// `String.matches`: the whole input.
    Whole,
}

/// Most patterns a thread keeps compiled.
const MAX_COMPILED: usize = 32;
/// Longest pattern kept compiled, in bytes.
const MAX_COMPILED_PATTERN: usize = 4096;

/// A compiled pattern a thread keeps.
struct Kept {
    pattern: Box<str>,
    purpose: Use,
    regex: Rc<Regex>,
}

thread_local! {
    /// Compiled patterns by their Java text, oldest first. Templates call
    /// `replaceAll`, `split` and `matches` with a few literal patterns,
    /// often inside a loop, and translating and compiling a pattern costs
    /// a thousand times more than matching a short string with it.
    static COMPILED: std::cell::RefCell<Vec<Kept>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A Java regular expression compiled for `purpose`: this thread's copy
/// if it has one.
fn compiled(pattern: &str, purpose: Use, span: Span) -> EResult<Rc<Regex>> {
    let kept = COMPILED.with(|c| {
        c.borrow()
            .iter()
            .find(|k| k.purpose == purpose && *k.pattern == *pattern)
            .map(|k| Rc::clone(&k.regex))
    });
    if let Some(re) = kept {
        return Ok(re);
    }
    let bad = |e: String| {
        method_error(
            span,
            format!("PatternSyntaxException: invalid regular expression `{pattern}`: {e}"),
        )
    };
    let translated = translate(pattern, false).map_err(bad)?;
    let re = Rc::new(
        match purpose {
            Use::Find => Regex::new(&translated),
            Use::Whole => Regex::new(&format!(r"\A(?:{translated})\z")),
        }
        .map_err(|e| bad(e.to_string()))?,
    );
    if pattern.len() <= MAX_COMPILED_PATTERN {
        COMPILED.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= MAX_COMPILED {
                c.remove(0);
            }
            c.push(Kept {
                pattern: pattern.into(),
                purpose,
                regex: Rc::clone(&re),
            });
        });
    }
    Ok(re)
}

/// `Matcher.find` repeatedly: after an empty match the search resumes one
/// UTF-16 unit later; after a non-empty one, at its end (where an empty
/// match may follow). `f` gets the text as it is then, and each match.
///
/// One unit after an empty match before a supplementary character is the
/// middle of its surrogate pair, where Java goes on matching (`split('')`
/// cuts an emoji in two halves, printed as `?`). The pair is then split in
/// `s` into its two halves, as stand-ins, and matching goes on between them.
/// Not for a pattern whose translation has a positive lookbehind (`(?m)`'s
/// `^` has one): one that reads a character never matches in the middle in
/// Java, which reads the whole pair when it looks back, but would match the
/// first half. Nor past a copy budget, on long text.
fn for_each_match(
    re: &Regex,
    s: &mut std::borrow::Cow<str>,
    span: Span,
    mut f: impl FnMut(&str, Captures) -> EResult<bool>,
) -> EResult<()> {
    let halves_between = !re.as_str().contains("(?<=");
    // Each split copies the text: past this many bytes copied, pairs stay
    // whole, so that a long run of emoji is not quadratic.
    let mut copy_budget: usize = 1 << 20;
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
        let affordable = halves_between && copy_budget >= text.len();
        if let Some([high, low]) = next.filter(|_| affordable).and_then(utf16::halves) {
            copy_budget -= text.len();
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
    let re = compiled(pattern, Use::Find, span)?;
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
    // Halves split apart but left side by side are one character again.
    Ok(match s {
        std::borrow::Cow::Owned(_) => utf16::rejoin(out),
        std::borrow::Cow::Borrowed(_) => out,
    })
}

/// `matches`: the whole string.
pub(crate) fn matches(s: &str, pattern: &str, span: Span) -> EResult<bool> {
    compiled(pattern, Use::Whole, span)?
        .is_match(s)
        .map_err(|e| method_error(span, format!("regex failed: {e}")))
}

/// `split(pattern, limit)`.
pub(crate) fn split(s: &str, pattern: &str, limit: i64, span: Span) -> EResult<Vec<String>> {
    if s.is_empty() {
        return Ok(vec![String::new()]);
    }
    let re = compiled(pattern, Use::Find, span)?;
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
    if let std::borrow::Cow::Owned(_) = s {
        parts = parts.into_iter().map(utf16::rejoin).collect();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kept() -> usize {
        COMPILED.with(|c| c.borrow().len())
    }

    #[test]
    fn a_kept_pattern_is_compiled_once_and_for_its_use() {
        let sp = Span::default();
        let first = compiled("[0-9]+", Use::Find, sp).unwrap();
        let again = compiled("[0-9]+", Use::Find, sp).unwrap();
        assert!(
            Rc::ptr_eq(&first, &again),
            "the second call reuses the first"
        );
        // The same text for `matches` is anchored: a pattern of its own.
        let whole = compiled("[0-9]+", Use::Whole, sp).unwrap();
        assert!(!Rc::ptr_eq(&first, &whole));
        assert!(!matches("a12", "[0-9]+", sp).unwrap());
        assert!(matches("12", "[0-9]+", sp).unwrap());
        assert_eq!(
            replace("a12b3", "[0-9]+", Some("#"), true, sp).unwrap(),
            "a#b#"
        );
    }

    #[test]
    fn the_kept_patterns_are_bounded() {
        let sp = Span::default();
        for i in 0..3 * MAX_COMPILED {
            let p = format!("x{{{i}}}");
            let expected = match i {
                0 => "-x-x-",
                1 => "--",
                2 => "-",
                _ => "xx",
            };
            assert_eq!(replace("xx", &p, Some("-"), true, sp).unwrap(), expected);
            assert!(kept() <= MAX_COMPILED);
        }
        let long = "a".repeat(MAX_COMPILED_PATTERN + 1);
        let before = kept();
        assert!(matches(&long, &long, sp).unwrap());
        assert_eq!(kept(), before, "too long a pattern is not kept");
        // An invalid pattern fails each time, and is not kept.
        assert!(split("a", "(", 0, sp).is_err());
        assert!(split("a", "(", 0, sp).is_err());
        assert_eq!(kept(), before, "an invalid pattern is not kept");
    }
}
