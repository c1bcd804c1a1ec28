//! The last N requests, in memory and (when a directory is given) in a JSON-lines file that
//! survives restarts. Each request is appended as one line; when the file holds twice N lines
//! it is rewritten with the last N (to a temporary file, then renamed).

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::error::{InspectorError, Result};
use crate::record::{EventSummary, RecordedRequest};

/// File name of the history inside its directory.
pub const HISTORY_FILE: &str = "inspector-requests.jsonl";

pub(crate) struct Store {
    path: Option<PathBuf>,
    max: usize,
    items: VecDeque<RecordedRequest>,
    lines_in_file: usize,
}

fn history_error(path: &Path, source: std::io::Error) -> InspectorError {
    InspectorError::History {
        path: path.display().to_string(),
        source,
    }
}

/// Reads the requests kept in `dir`, oldest first, at most `max` (the newest). A line that
/// cannot be read (cut off by a crash) is skipped.
///
/// # Errors
/// [`InspectorError::History`] when the file exists but cannot be read.
pub fn read_history(dir: impl AsRef<Path>, max: usize) -> Result<Vec<RecordedRequest>> {
    let path = dir.as_ref().join(HISTORY_FILE);
    let (items, _) = load(&path, max)?;
    Ok(items.into())
}

fn load(path: &Path, max: usize) -> Result<(VecDeque<RecordedRequest>, usize)> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok((VecDeque::new(), 0));
        }
        Err(err) => return Err(history_error(path, err)),
    };
    let mut items = VecDeque::new();
    let mut lines = 0;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|err| history_error(path, err))?;
        lines += 1;
        if let Ok(mut request) = serde_json::from_str::<RecordedRequest>(&line) {
            // The decoded key is not stored; it is read again from the body.
            request.event = EventSummary::read(&request.body.bytes());
            items.push_back(request);
            if items.len() > max {
                items.pop_front();
            }
        }
    }
    Ok((items, lines))
}

impl Store {
    pub(crate) fn open(dir: Option<&Path>, max: usize) -> Result<Self> {
        let max = max.max(1);
        let Some(dir) = dir else {
            return Ok(Self {
                path: None,
                max,
                items: VecDeque::new(),
                lines_in_file: 0,
            });
        };
        std::fs::create_dir_all(dir).map_err(|err| history_error(dir, err))?;
        let path = dir.join(HISTORY_FILE);
        let (items, lines_in_file) = load(&path, max)?;
        Ok(Self {
            path: Some(path),
            max,
            items,
            lines_in_file,
        })
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

    pub(crate) fn push(&mut self, request: RecordedRequest) -> Result<()> {
        let line = serde_json::to_string(&request).unwrap_or_default();
        self.items.push_back(request);
        while self.items.len() > self.max {
            self.items.pop_front();
        }
        let Some(path) = &self.path else {
            return Ok(());
        };
        if self.lines_in_file + 1 >= self.max * 2 {
            return self.rewrite();
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|err| history_error(path, err))?;
        file.write_all(format!("{line}\n").as_bytes())
            .map_err(|err| history_error(path, err))?;
        self.lines_in_file += 1;
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
        let mut text = String::new();
        for item in &self.items {
            text.push_str(&serde_json::to_string(item).unwrap_or_default());
            text.push('\n');
        }
        std::fs::write(&tmp, text).map_err(|err| history_error(&tmp, err))?;
        std::fs::rename(&tmp, path).map_err(|err| history_error(path, err))?;
        self.lines_in_file = self.items.len();
        Ok(())
    }
}
