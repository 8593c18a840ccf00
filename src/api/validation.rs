//! Name and label syntax checks, with the messages the API server gives.
//!
//! Follows apimachinery `pkg/util/validation/validation.go` (`IsQualifiedName`,
//! `IsValidLabelValue`, `IsDNS1123Subdomain`, `IsDNS1123Label`).

const QUALIFIED_NAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && is_alnum(b[0])
        && is_alnum(b[b.len() - 1])
        && b.iter()
            .all(|&c| is_alnum(c) || c == b'-' || c == b'_' || c == b'.')
}

fn dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

fn dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(dns1123_label)
}

/// Checks a label or annotation key (`[prefix/]name`), as `IsQualifiedName` does.
pub fn check_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err(format!(
                "invalid key {key:?}: prefix part must be non-empty"
            ));
        }
        if !dns1123_subdomain(p) {
            return Err(format!("invalid key {key:?}: prefix part {SUBDOMAIN_MSG}"));
        }
    }
    if name.len() > 63 {
        return Err(format!(
            "invalid key {key:?}: name part must be no more than 63 characters"
        ));
    }
    if !qualified_name_part(name) {
        return Err(format!("invalid key {key:?}: {QUALIFIED_NAME_MSG}"));
    }
    Ok(())
}

/// Checks a label value, as `IsValidLabelValue` does.
pub fn check_label_value(v: &str) -> Result<(), String> {
    if v.len() > 63 {
        return Err(format!(
            "invalid label value {v:?}: must be no more than 63 characters"
        ));
    }
    if !v.is_empty() && !qualified_name_part(v) {
        return Err(format!("invalid label value {v:?}: {LABEL_VALUE_MSG}"));
    }
    Ok(())
}

/// Checks an object name that must be a DNS subdomain (most kinds).
pub fn check_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!(
            "invalid name {name:?}: must be no more than 253 characters"
        ));
    }
    if !dns1123_subdomain(name) {
        return Err(format!("invalid name {name:?}: {SUBDOMAIN_MSG}"));
    }
    Ok(())
}

/// Checks an object name that must be a DNS label (Namespace, Service).
pub fn check_dns_label(name: &str) -> Result<(), String> {
    if !dns1123_label(name) {
        return Err(format!("invalid name {name:?}: {DNS_LABEL_MSG}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in [
            "app",
            "app.kubernetes.io/name",
            "a",
            "A_b.c-1",
            "kubernetes.io/cluster-service",
        ] {
            assert!(check_qualified_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "/a",
            "Foo.Com/a",
            "a/b/c",
            "a b",
            &"x".repeat(64),
        ] {
            assert!(check_qualified_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_and_names() {
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("v1.2_x").is_ok());
        assert!(check_label_value("-x").is_err());
        assert!(check_subdomain("my-app.v1").is_ok());
        assert!(check_subdomain("process-item-$ITEM").is_err());
        assert!(check_subdomain("MyApp").is_err());
        assert!(check_dns_label("my.svc").is_err());
        assert!(check_dns_label("my-svc").is_ok());
    }
}
