//! Finds the line of a field path (`events[3].scale.target`) in block-style YAML text, so that
//! checks made after parsing (a target that does not exist, say) can still point at a line.
//!
//! It follows indentation only; inside flow collections (`{...}`, `[...]`) it stops at the
//! innermost block-style ancestor it found, which is still the right neighbourhood.

/// One step of a path.
#[derive(Debug, PartialEq, Eq)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn parse_path(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(n));
            }
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#') && t != "---"
}

/// The 1-based line of `path`, or of its deepest ancestor found.
pub fn locate(text: &str, path: &str) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let segs = parse_path(path);
    // The current scope: lines (start..end) whose content is at indentation >= min_indent.
    let (mut start, mut end) = (0usize, lines.len());
    let mut found: Option<usize> = None;
    // Column where keys of the current mapping start (None: determine from the first line).
    let mut col: Option<usize> = None;
    for seg in segs {
        let mut hit = None;
        match seg {
            Seg::Key(k) => {
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !is_content(l) {
                        continue;
                    }
                    let ind = indent(l);
                    let t = l.trim_start();
                    let (ind, t) = match t.strip_prefix("- ") {
                        Some(rest) if col.is_some_and(|c| c == ind + 2) => (ind + 2, rest),
                        _ => (ind, t),
                    };
                    let c = *col.get_or_insert(ind);
                    if ind < c {
                        break;
                    }
                    if ind == c
                        && (t.starts_with(&format!("{k}:")) || t.starts_with(&format!("\"{k}\":")))
                    {
                        hit = Some(i);
                        break;
                    }
                }
            }
            Seg::Index(n) => {
                let mut count = 0;
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !is_content(l) {
                        continue;
                    }
                    let ind = indent(l);
                    let c = *col.get_or_insert(ind);
                    if ind < c {
                        break;
                    }
                    if ind == c && l.trim_start().starts_with('-') {
                        if count == n {
                            hit = Some(i);
                            break;
                        }
                        count += 1;
                    }
                }
            }
        }
        let Some(i) = hit else { break };
        found = Some(i);
        // Narrow the scope to this node's children.
        let own = indent(lines[i]);
        let is_key = !lines[i].trim_start().starts_with('-');
        let mut j = i + 1;
        // A key's block sequence may sit at the key's own indentation ("key:\n- item").
        while j < lines.len()
            && (!is_content(lines[j])
                || indent(lines[j]) > own
                || (is_key && indent(lines[j]) == own && lines[j].trim_start().starts_with("- ")))
        {
            j += 1;
        }
        let is_item = lines[i].trim_start().starts_with('-');
        start = if is_item { i } else { i + 1 };
        end = j;
        col = if is_item {
            // Keys of an item mapping start after "- ".
            Some(own + 2)
        } else {
            None
        };
        if is_item {
            // The first key shares the dash line; let the key search see it.
            start = i;
        }
    }
    found.map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "kind: Scenario\nevents:\n  - at: 1m\n    scale:\n      target: deployment/a\n      replicas: 3\n  - at: 2m\n    cordon:\n      node: n1\nload:\n- name: x\n  target:\n    service: s\n";

    #[test]
    fn finds_nested_paths() {
        assert_eq!(locate(TEXT, "events"), Some(2));
        assert_eq!(locate(TEXT, "events[0]"), Some(3));
        assert_eq!(locate(TEXT, "events[0].scale.target"), Some(5));
        assert_eq!(locate(TEXT, "events[1].cordon.node"), Some(9));
        assert_eq!(locate(TEXT, "events[1].at"), Some(7));
        assert_eq!(locate(TEXT, "load[0].target.service"), Some(13));
        assert_eq!(locate(TEXT, "load[0].name"), Some(11));
        assert_eq!(
            locate(TEXT, "events[5]"),
            Some(2),
            "falls back to the ancestor"
        );
    }
}
