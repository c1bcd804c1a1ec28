//! The routes the sandbox registers, read from its source (`.route("…", …)` in
//! `desktop/sandbox/src/`), since an axum `Router` cannot list its routes.

use std::collections::BTreeSet;

/// Every path literal passed to `.route(` in the sandbox's source files.
///
/// # Errors
/// An I/O error when the source cannot be read.
pub fn sandbox_route_paths() -> std::io::Result<BTreeSet<String>> {
    let dir = crate::workspace_root().join("desktop/sandbox/src");
    let mut paths = BTreeSet::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            paths.extend(route_literals(&std::fs::read_to_string(path)?));
        }
    }
    Ok(paths)
}

/// The first string literal after each `.route(` of `source`.
///
/// ```
/// let found = nfehook_tests::routes::route_literals(".route(\n  \"/a/{id}\",\n get(x))");
/// assert_eq!(found, vec!["/a/{id}".to_owned()]);
/// ```
#[must_use]
pub fn route_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let trimmed = rest.trim_start();
        if let Some(literal) = trimmed.strip_prefix('"')
            && let Some(end) = literal.find('"')
        {
            found.push(literal[..end].to_owned());
        }
    }
    found
}

/// The path with every `{parameter}` replaced by `{}`, so templates compare by shape.
///
/// ```
/// assert_eq!(nfehook_tests::routes::shape("/a/{id}/b/{chave}"), "/a/{}/b/{}");
/// ```
#[must_use]
pub fn shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}
