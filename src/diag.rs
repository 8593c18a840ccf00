//! Diagnostics: located, human-readable errors and warnings for bad input.
//!
//! Every problem with a user's files is reported as a [`Diagnostic`] naming the file, the line
//! and column where known, and the field path, with the offending source line underneath:
//!
//! ```text
//! error: app.yaml:23:12: spec.template.spec.containers[0].resources.requests.cpu: invalid quantity "12Xi": unknown suffix "Xi" (...)
//!    23 |       cpu: 12Xi
//!       |            ^
//! ```

use std::fmt;
use std::sync::Arc;

/// How serious a diagnostic is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input cannot be used; the command exits with code 2.
    Error,
    /// The input is used, but something in it was ignored.
    Warning,
}

/// One located problem in the user's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the user named it (or as resolved from a scenario).
    pub file: Option<Arc<str>>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// Field path such as `spec.template.spec.containers[0].image`.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The source line, shown under the message.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error with only a message.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            path: None,
            message: message.into(),
            source_line: None,
        }
    }

    /// A warning with only a message.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Sets the file.
    pub fn in_file(mut self, file: &Arc<str>) -> Self {
        self.file = Some(file.clone());
        self
    }

    /// Sets the line (and column, when known).
    pub fn at(mut self, line: u32, column: Option<u32>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// Sets the field path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = if p.is_empty() { None } else { Some(p) };
        self
    }

    /// Prefixes the field path with `prefix` (e.g. `items[2]`).
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = Some(match self.path.take() {
            Some(p) if p.starts_with('[') => format!("{prefix}{p}"),
            Some(p) => format!("{prefix}.{p}"),
            None => prefix.to_string(),
        });
        self
    }

    /// Attaches the source text so the offending line can be shown.
    pub fn with_source(mut self, text: &str) -> Self {
        let lines = text.lines().count().max(1) as u32;
        if self.line.is_some_and(|l| l > lines) {
            // Errors at the end of input: point at the last line.
            self.line = Some(lines);
            self.column = None;
        }
        if let Some(l) = self.line {
            self.source_line = text
                .lines()
                .nth(l.saturating_sub(1) as usize)
                .map(str::to_string);
        }
        self
    }

    /// Builds a diagnostic from a YAML/serde error, shifting its line by `line_offset` (for
    /// documents parsed out of a longer stream) and splitting off the field path.
    pub fn from_yaml(err: &serde_yaml::Error, file: &Arc<str>, line_offset: u32) -> Self {
        let raw = strip_positions(&err.to_string());
        let msg = raw.as_str();
        let (path, message) = split_path(msg);
        let mut d = Diagnostic::error(message).in_file(file);
        if let Some(p) = path {
            d = d.with_path(p);
        }
        if let Some(loc) = err.location() {
            d = d.at(loc.line() as u32 + line_offset, Some(loc.column() as u32));
        } else if line_offset > 0 {
            d = d.at(line_offset + 1, None);
        }
        d
    }
}

/// Removes libyaml's " at line N column M" fragments (the position is reported separately).
fn strip_positions(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        let after = &rest[i + 9..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let tail = &after[digits..];
        match tail.strip_prefix(" column ") {
            Some(t) if digits > 0 => {
                let d2 = t.chars().take_while(char::is_ascii_digit).count();
                out.push_str(&rest[..i]);
                rest = &t[d2..];
            }
            _ => {
                out.push_str(&rest[..i + 9]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits `"spec.replicas: invalid type ..."` into the path and the message, when the prefix
/// looks like a field path.
fn split_path(msg: &str) -> (Option<&str>, &str) {
    if let Some((head, rest)) = msg.split_once(": ") {
        let looks_like_path = !head.is_empty()
            && !head.contains(' ')
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._[]-/".contains(c));
        if looks_like_path && head != "." {
            return (Some(head), rest);
        }
    }
    (None, msg)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: ")?;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
                if let Some(c) = self.column {
                    write!(f, ":{c}")?;
                }
            }
            write!(f, ": ")?;
        }
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(src), Some(l)) = (&self.source_line, self.line) {
            let num = l.to_string();
            write!(f, "\n {num} | {src}")?;
            if let Some(c) = self.column {
                let pad = " ".repeat(num.len());
                let col_pad: String = src
                    .chars()
                    .take(c.saturating_sub(1) as usize)
                    .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {pad} | {col_pad}^")?;
            }
        }
        Ok(())
    }
}

/// A set of diagnostics returned by a failed load or validation (at least one error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// One error.
    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }
    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// Appends one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::one(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_yaml_errors() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            spec: Inner,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            replicas: i32,
        }
        let text = "spec:\n  replicas: x\n";
        let e = serde_yaml::from_str::<S>(text).unwrap_err();
        let file: Arc<str> = Arc::from("a.yaml");
        let padded = format!("{}{text}", "\n".repeat(10));
        let d = Diagnostic::from_yaml(&e, &file, 10).with_source(&padded);
        assert_eq!(d.path.as_deref(), Some("spec.replicas"));
        assert_eq!(d.line, Some(12));
        assert_eq!(d.column, Some(13));
        assert!(
            d.message.starts_with("invalid type: string \"x\""),
            "{}",
            d.message
        );
        let shown = Diagnostic::from_yaml(&e, &file, 0)
            .with_source(text)
            .to_string();
        assert!(
            shown.starts_with("error: a.yaml:2:13: spec.replicas: invalid type"),
            "{shown}"
        );
        assert!(shown.contains("2 |   replicas: x"), "{shown}");
    }
}
