//! Requests written out as JSON lines, one request per line as the history keeps it (the
//! exact body, headers, verdict, decoded event; no indented copy), to a file only its owner
//! can read: bodies and headers may carry data the user must not leak.

use std::fs::File;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{InspectorError, Result};
use crate::record::RecordedRequest;
use crate::store::{persisted_line, private_options};

/// Most files tried for one name (`name.jsonl`, `name-2.jsonl`, …) before giving up.
const MAX_NAME_TRIES: u32 = 1000;

/// A new file, owner-only from its creation, never an existing one: not replaced, and a
/// symbolic link at the name is not followed.
fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = private_options();
    options.write(true).create_new(true);
    // `create_new` already refuses a link at the name; O_NOFOLLOW says so to the kernel too.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options.open(path)
}

/// A new file named `stem.jsonl` in `dir`, or `stem-2.jsonl`, `stem-3.jsonl`, … when that
/// name is taken, with its path.
fn create_unique(dir: &Path, stem: &str) -> io::Result<(File, PathBuf)> {
    for n in 1..=MAX_NAME_TRIES {
        let name = if n == 1 {
            format!("{stem}.jsonl")
        } else {
            format!("{stem}-{n}.jsonl")
        };
        let path = dir.join(name);
        match create_new_private(&path) {
            Ok(file) => return Ok((file, path)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{MAX_NAME_TRIES} files named {stem}*.jsonl exist already"),
    ))
}

/// Writes `requests`, in the order given, as JSON lines to a new file `stem.jsonl` in `dir`
/// (`stem-2.jsonl`, … when the name is taken: an existing file is never replaced, a link at
/// the name never followed), created with mode 0600; returns its path. A missing directory is
/// created; an existing one (the user's Downloads) is left as it is. Lines are written one at
/// a time.
///
/// # Errors
/// [`InspectorError::History`] when the directory or the file cannot be written.
///
/// ```
/// # use nfehook_inspector::*;
/// let dir = tempfile::tempdir().unwrap();
/// let request = RecordedRequest {
///     id: 7, received_at: String::new(), received_at_ms: 0, method: "POST".into(),
///     path: "/".into(), remote_addr: None, headers: vec![],
///     body: Body::new(b"{\"a\":1}"), verdict: Verdict::NoSecret, event: None,
///     response: GivenResponse { status: 200, delay_ms: 0 },
/// };
/// let path = write_jsonl(&dir.path().join("out"), "requests", [request]).unwrap();
/// assert!(path.ends_with("out/requests.jsonl"));
/// let text = std::fs::read_to_string(&path).unwrap();
/// assert_eq!(text.lines().count(), 1);
/// assert!(text.contains("\"id\":7"));
/// ```
pub fn write_jsonl(
    dir: &Path,
    stem: &str,
    requests: impl IntoIterator<Item = RecordedRequest>,
) -> Result<PathBuf> {
    let failed = |path: &Path, source: io::Error| InspectorError::History {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let (file, path) = create_unique(dir, stem).map_err(|e| failed(dir, e))?;
    let mut out = BufWriter::new(file);
    for mut request in requests {
        out.write_all(persisted_line(&mut request).as_bytes())
            .map_err(|e| failed(&path, e))?;
    }
    let file = out
        .into_inner()
        .map_err(|e| failed(&path, e.into_error()))?;
    file.sync_all().map_err(|e| failed(&path, e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Body, GivenResponse};
    use crate::verdict::Verdict;

    fn request(id: u64, body: &str) -> RecordedRequest {
        RecordedRequest {
            id,
            received_at: "2026-12-03T15:00:00.000Z".into(),
            received_at_ms: 0,
            method: "POST".into(),
            path: "/webhooks/nfe".into(),
            remote_addr: Some("127.0.0.1:5000".into()),
            headers: vec![("x-webhook-signature".into(), "sha256=00".into())],
            body: Body::new(body.as_bytes()),
            verdict: Verdict::NoSecret,
            event: None,
            response: GivenResponse {
                status: 200,
                delay_ms: 0,
            },
        }
    }

    #[test]
    fn each_request_is_one_line_read_back_whole_without_its_indented_copy() {
        let dir = tempfile::tempdir().unwrap();
        let requests = [
            request(3, r#"{"a":[1,2]}"#),
            request(1, "not json\nwith a newline"),
        ];
        let path = write_jsonl(dir.path(), "export", requests.clone()).unwrap();
        assert_eq!(path, dir.path().join("export.jsonl"));
        let text = std::fs::read_to_string(&path).unwrap();
        let back: Vec<RecordedRequest> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].id, 3);
        assert_eq!(
            back[1].body.text.as_deref(),
            Some("not json\nwith a newline")
        );
        assert_eq!(
            back[0].body.pretty, None,
            "the indented copy is not written"
        );
        assert_eq!(back[0].headers, requests[0].headers);
    }

    #[test]
    fn a_second_export_of_the_same_requests_is_a_second_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_jsonl(dir.path(), "export", [request(1, "{}")]).unwrap();
        let second = write_jsonl(dir.path(), "export", [request(1, "{}")]).unwrap();
        let third = write_jsonl(dir.path(), "export", [request(2, "{}")]).unwrap();
        assert_eq!(first, dir.path().join("export.jsonl"));
        assert_eq!(second, dir.path().join("export-2.jsonl"));
        assert_eq!(third, dir.path().join("export-3.jsonl"));
        for path in [&first, &second] {
            assert!(std::fs::read_to_string(path).unwrap().contains("\"id\":1"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_owner_only_in_a_missing_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = write_jsonl(&dir.path().join("new"), "export", [request(1, "{}")]).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.txt");
        std::fs::write(&target, "the user's file\n").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("export.jsonl")).unwrap();
        // A dangling link too: creating through it would make a file where it points.
        let missing = dir.path().join("missing.txt");
        std::os::unix::fs::symlink(&missing, dir.path().join("export-2.jsonl")).unwrap();

        let path = write_jsonl(dir.path(), "export", [request(1, "{}")]).unwrap();
        assert_eq!(path, dir.path().join("export-3.jsonl"));
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "the user's file\n"
        );
        assert!(!missing.exists());
        assert!(
            std::fs::symlink_metadata(dir.path().join("export.jsonl"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
