//! The last N requests, in memory and (when a directory is given) in a JSON-lines file that
//! survives restarts. Each request is appended as one line, without the indented copy of its
//! body (derived again on load, and possibly many times the body's size). When the file holds
//! twice N lines, or the next line would take it past its byte cap, it is rewritten with the
//! newest requests that fit in N lines and half the cap (to a temporary file, then renamed), so
//! a rewrite comes once in many appends. The file holds whole bodies and headers, so it and its
//! directory are owner-only (0600, 0700 on Unix), tightened when found looser.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::error::{InspectorError, Result};
use crate::record::{Body, EventSummary, RecordedRequest};

/// File name of the history inside its directory.
pub const HISTORY_FILE: &str = "inspector-requests.jsonl";

/// Largest history file by default, in bytes; the oldest requests are dropped to stay under it.
pub const DEFAULT_MAX_HISTORY_BYTES: usize = 64 * 1024 * 1024;

pub(crate) struct Store {
    path: Option<PathBuf>,
    max: usize,
    max_bytes: usize,
    items: VecDeque<RecordedRequest>,
    lines_in_file: usize,
    bytes_in_file: usize,
}

fn history_error(path: &Path, source: io::Error) -> InspectorError {
    InspectorError::History {
        path: path.display().to_string(),
        source,
    }
}

/// Reads the requests kept in `dir`, oldest first, at most `max` (the newest). A line that
/// cannot be read (cut off by a crash, or longer than [`DEFAULT_MAX_HISTORY_BYTES`]) is skipped.
///
/// # Errors
/// [`InspectorError::History`] when the file exists but cannot be read.
pub fn read_history(dir: impl AsRef<Path>, max: usize) -> Result<Vec<RecordedRequest>> {
    let path = dir.as_ref().join(HISTORY_FILE);
    let (items, _) = load(&path, max, DEFAULT_MAX_HISTORY_BYTES)?;
    Ok(items.into())
}

/// Creates `dir` and its missing parents owner-only, and takes group and other access away from
/// an existing one when it can (a directory shared on purpose, sticky as /tmp, is left as it is;
/// the file in it is owner-only either way).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 && mode & 0o1000 == 0 {
            let tightened = std::fs::Permissions::from_mode(mode & !0o077);
            if let Err(err) = std::fs::set_permissions(dir, tightened) {
                tracing::warn!(error = %err, dir = %dir.display(), "inspector history directory stays open to others");
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Options that create a file owner-only.
pub(crate) fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Takes group and other access away from an existing file (one created before files were
/// owner-only, or by hand).
pub(crate) fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            }
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// One line of the file, read with [`next_line`].
enum Line {
    /// A whole line, in the buffer without its newline.
    Text,
    /// A line longer than allowed, skipped.
    TooLong,
    /// The end of the file.
    End,
}

/// Reads the next line into `buf`, holding at most `max` bytes of it: a file written before
/// the byte cap existed can hold lines of hundreds of MiB.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(match (read_any, too_long) {
                (false, _) => Line::End,
                (true, true) => Line::TooLong,
                (true, false) => Line::Text,
            });
        }
        read_any = true;
        let newline = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..newline.unwrap_or(chunk.len())];
        if !too_long && buf.len() + part.len() <= max {
            buf.extend_from_slice(part);
        } else {
            too_long = true;
            buf.clear();
        }
        let used = newline.map_or(chunk.len(), |i| i + 1);
        reader.consume(used);
        if newline.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Text });
        }
    }
}

/// The requests in the file (the newest `max`) and how many lines it has.
fn load(path: &Path, max: usize, max_line: usize) -> Result<(VecDeque<RecordedRequest>, usize)> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Ok((VecDeque::new(), 0));
        }
        Err(err) => return Err(history_error(path, err)),
    };
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut items = VecDeque::new();
    let mut lines = 0;
    loop {
        match next_line(&mut reader, &mut buf, max_line).map_err(|err| history_error(path, err))? {
            Line::End => break,
            Line::TooLong => lines += 1,
            Line::Text => {
                lines += 1;
                if let Ok(mut request) = serde_json::from_slice::<RecordedRequest>(&buf) {
                    // The indented copy and the decoded key are not stored; both are derived
                    // from the body again.
                    let bytes = request.body.bytes();
                    request.body = Body::new(&bytes);
                    request.event = EventSummary::read(&bytes);
                    items.push_back(request);
                    if items.len() > max {
                        items.pop_front();
                    }
                }
            }
        }
    }
    Ok((items, lines))
}

/// The request as one line of the file, without the indented copy of its body (taken out for
/// the write and put back, to avoid copying a body of up to the body limit).
pub(crate) fn persisted_line(request: &mut RecordedRequest) -> String {
    let pretty = request.body.pretty.take();
    let truncated = std::mem::take(&mut request.body.pretty_truncated);
    let mut line = serde_json::to_string(request).unwrap_or_default();
    request.body.pretty = pretty;
    request.body.pretty_truncated = truncated;
    line.push('\n');
    line
}

impl Store {
    pub(crate) fn open(dir: Option<&Path>, max: usize, max_bytes: usize) -> Result<Self> {
        let max = max.max(1);
        let Some(dir) = dir else {
            return Ok(Self {
                path: None,
                max,
                max_bytes,
                items: VecDeque::new(),
                lines_in_file: 0,
                bytes_in_file: 0,
            });
        };
        create_private_dir(dir).map_err(|err| history_error(dir, err))?;
        let path = dir.join(HISTORY_FILE);
        make_private(&path).map_err(|err| history_error(&path, err))?;
        let (items, lines_in_file) = load(&path, max, max_bytes)?;
        let bytes_in_file = match std::fs::metadata(&path) {
            Ok(meta) => usize::try_from(meta.len()).unwrap_or(usize::MAX),
            Err(_) => 0,
        };
        let mut store = Self {
            path: Some(path),
            max,
            max_bytes,
            items,
            lines_in_file,
            bytes_in_file,
        };
        if store.bytes_in_file > max_bytes {
            store.rewrite()?;
        }
        Ok(store)
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.items.back().map_or(1, |r| r.id + 1)
    }

    pub(crate) fn items(&self) -> impl DoubleEndedIterator<Item = &RecordedRequest> {
        self.items.iter()
    }

    pub(crate) fn get(&self, id: u64) -> Option<&RecordedRequest> {
        self.items.iter().find(|r| r.id == id)
    }

    pub(crate) fn push(&mut self, mut request: RecordedRequest) -> Result<()> {
        let line = self.path.is_some().then(|| persisted_line(&mut request));
        self.items.push_back(request);
        while self.items.len() > self.max {
            self.items.pop_front();
        }
        let (Some(path), Some(line)) = (&self.path, line) else {
            return Ok(());
        };
        if self.lines_in_file + 1 >= self.max * 2
            || self.bytes_in_file.saturating_add(line.len()) > self.max_bytes
        {
            return self.rewrite();
        }
        let mut file = private_options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|err| history_error(path, err))?;
        file.write_all(line.as_bytes())
            .map_err(|err| history_error(path, err))?;
        self.lines_in_file += 1;
        self.bytes_in_file += line.len();
        Ok(())
    }

    pub(crate) fn clear(&mut self) -> Result<()> {
        self.items.clear();
        self.rewrite()
    }

    fn rewrite(&mut self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let tmp = path.with_extension("jsonl.tmp");
        let budget = self.max_bytes / 2;
        let mut kept = Vec::new();
        let mut size = 0;
        for item in self.items.iter_mut().rev() {
            let line = persisted_line(item);
            if line.len() > budget {
                // Shown and kept in memory, but alone larger than the file may hold.
                continue;
            }
            if size + line.len() > budget {
                break;
            }
            size += line.len();
            kept.push(line);
        }
        kept.reverse();
        let write = || {
            let mut file = private_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            // A temporary file left by a crash keeps its old mode when opened again.
            make_private(&tmp)?;
            file.write_all(kept.concat().as_bytes())
        };
        write().map_err(|err| history_error(&tmp, err))?;
        std::fs::rename(&tmp, path).map_err(|err| history_error(path, err))?;
        self.lines_in_file = kept.len();
        self.bytes_in_file = size;
        Ok(())
    }
}
