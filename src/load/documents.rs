//! Splits a YAML stream into documents, remembering where each starts.
//!
//! A line that begins with `---` or `...` followed by white space or the end of the line is a
//! document marker wherever it appears (YAML 1.2 `c-forbidden`: such lines end block scalars
//! too), so splitting on them line by line is exact. Content after `--- ` on the marker line
//! belongs to the new document; it is kept at its column so reported positions stay true.

/// One document of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocText {
    /// The document's text (its first line is line `first_line` of the file).
    pub text: String,
    /// 0-based index of the document's first line in the file.
    pub first_line: u32,
    /// 0-based index of the document in the stream (counting only non-empty documents).
    pub index: u32,
}

fn marker(line: &str) -> Option<(&'static str, &str)> {
    for m in ["---", "..."] {
        if let Some(rest) = line.strip_prefix(m)
            && (rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
        {
            return Some((m, rest));
        }
    }
    None
}

/// True when `text` holds nothing but blank lines, comments and directives.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with('%')
    })
}

/// Splits `src` into its non-empty documents.
pub fn split_documents(src: &str) -> Vec<DocText> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut first_line = 0u32;
    let flush = |cur: &mut String, first: u32, docs: &mut Vec<DocText>| {
        if !is_blank(cur) {
            let index = docs.len() as u32;
            docs.push(DocText {
                text: std::mem::take(cur),
                first_line: first,
                index,
            });
        } else {
            cur.clear();
        }
    };
    for (i, line) in src.split('\n').enumerate() {
        let i = i as u32;
        match marker(line) {
            Some((m, rest)) => {
                flush(&mut cur, first_line, &mut docs);
                first_line = i;
                if m == "---" && !rest.trim().is_empty() && !rest.trim_start().starts_with('#') {
                    cur.push_str(&" ".repeat(3));
                    cur.push_str(rest);
                    cur.push('\n');
                } else {
                    cur.push('\n');
                }
            }
            None => {
                if cur.is_empty() {
                    first_line = i;
                }
                cur.push_str(line);
                cur.push('\n');
            }
        }
    }
    flush(&mut cur, first_line, &mut docs);
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_lines() {
        let src = "# lead\n---\na: 1\n---\n---\nb: 2\n...\n--- {c: 3}\n---\n# only a comment\n";
        let d = split_documents(src);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].first_line, 1);
        assert_eq!(d[0].text.lines().nth(1), Some("a: 1"));
        assert_eq!(d[1].first_line, 4);
        assert_eq!(d[1].text.lines().nth(1), Some("b: 2"));
        assert_eq!(d[2].first_line, 7);
        assert_eq!(d[2].text.lines().next(), Some("    {c: 3}"));
        assert_eq!(d[2].index, 2);
    }

    #[test]
    fn block_scalars_do_not_split_on_indented_dashes() {
        let src = "data: |\n  ---\n  x\nb: 1\n";
        assert_eq!(split_documents(src).len(), 1);
    }

    #[test]
    fn no_marker_single_doc() {
        let d = split_documents("a: 1\nb: 2");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].first_line, 0);
    }
}
