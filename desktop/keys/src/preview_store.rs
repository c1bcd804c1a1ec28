//! Previews waiting for the user to start their import: a few at a time, each for a while,
//! read page by page.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::preview::{Preview, PreviewPage};

/// How many previews are kept by [`PreviewStore::default`]; the oldest goes first.
pub const DEFAULT_PREVIEWS_KEPT: usize = 4;
/// How long [`PreviewStore::default`] keeps a preview.
pub const DEFAULT_PREVIEW_TTL: Duration = Duration::from_secs(30 * 60);

struct Held<T> {
    id: u64,
    created: Instant,
    target: T,
    preview: Preview,
}

struct Inner<T> {
    held: VecDeque<Held<T>>,
    next_id: u64,
}

/// Previews by id, with what each is for (`T`: the connection and subscription), bounded in
/// number and age, so that previews never imported do not pile up in memory.
///
/// ```
/// use nfehook_keys::{ImportSource, Preview, PreviewStore};
/// let store = PreviewStore::default();
/// let preview = Preview::build(&[ImportSource::text("colado", "123\n456")], &[]).unwrap();
/// let (id, first) = store.insert("subscription-1", preview);
/// assert_eq!((first.total, first.rows.len()), (2, 2));
/// assert_eq!(store.page(id, 1, 10).unwrap().rows[0].input, "456");
/// let (target, preview) = store.take(id).unwrap();
/// assert_eq!((target, preview.rows.len()), ("subscription-1", 2));
/// assert!(store.take(id).is_none());
/// ```
pub struct PreviewStore<T> {
    inner: Mutex<Inner<T>>,
    capacity: usize,
    ttl: Duration,
}

impl<T> Default for PreviewStore<T> {
    fn default() -> Self {
        Self::new(DEFAULT_PREVIEWS_KEPT, DEFAULT_PREVIEW_TTL)
    }
}

impl<T> std::fmt::Debug for PreviewStore<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewStore")
            .field("held", &self.lock().held.len())
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<T> PreviewStore<T> {
    /// A store keeping at most `capacity` previews (at least one), each for `ttl`.
    ///
    /// ```
    /// let store = nfehook_keys::PreviewStore::<()>::new(2, std::time::Duration::from_secs(60));
    /// assert!(store.page(1, 0, 10).is_none());
    /// ```
    #[must_use]
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                held: VecDeque::new(),
                next_id: 1,
            }),
            capacity: capacity.max(1),
            ttl,
        }
    }

    /// The same store with ids counted from `first_id`: two stores of one app given apart
    /// ranges never hand out the same id, so an id of one is never found in the other.
    ///
    /// ```
    /// use nfehook_keys::{ImportSource, Preview, PreviewStore};
    /// let store = PreviewStore::default().starting_at(1 << 40);
    /// let preview = Preview::build(&[ImportSource::text("colado", "123")], &[]).unwrap();
    /// assert_eq!(store.insert((), preview).0, 1 << 40);
    /// ```
    #[must_use]
    pub fn starting_at(self, first_id: u64) -> Self {
        self.lock().next_id = first_id;
        self
    }

    /// Keeps `preview` for `target`, dropping the oldest when full; returns its id and its
    /// first page.
    pub fn insert(&self, target: T, preview: Preview) -> (u64, PreviewPage) {
        let first = preview.page(0, crate::preview::MAX_PAGE_ROWS);
        let mut inner = self.fresh();
        let id = inner.next_id;
        inner.next_id += 1;
        while inner.held.len() >= self.capacity {
            inner.held.pop_front();
        }
        inner.held.push_back(Held {
            id,
            created: Instant::now(),
            target,
            preview,
        });
        (id, first)
    }

    /// A page of preview `id` (see [`Preview::page`]); `None` when it is unknown, expired or
    /// already taken.
    pub fn page(&self, id: u64, offset: usize, limit: usize) -> Option<PreviewPage> {
        let inner = self.fresh();
        let held = inner.held.iter().find(|held| held.id == id)?;
        Some(held.preview.page(offset, limit))
    }

    /// Removes preview `id` and hands it over with its target, to be imported; `None` when it
    /// is unknown, expired or already taken.
    pub fn take(&self, id: u64) -> Option<(T, Preview)> {
        let mut inner = self.fresh();
        let at = inner.held.iter().position(|held| held.id == id)?;
        inner
            .held
            .remove(at)
            .map(|held| (held.target, held.preview))
    }

    /// The lock, with expired previews dropped.
    fn fresh(&self) -> MutexGuard<'_, Inner<T>> {
        let mut inner = self.lock();
        let ttl = self.ttl;
        inner.held.retain(|held| held.created.elapsed() < ttl);
        inner
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // Every change is a single push or removal, so a poisoned lock holds a whole state.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ImportSource;

    fn preview(rows: usize) -> Preview {
        Preview::build(&[ImportSource::text("t", "123\n".repeat(rows))], &[]).unwrap()
    }

    #[test]
    fn the_oldest_preview_goes_when_full() {
        let store = PreviewStore::new(2, Duration::from_secs(60));
        let (a, _) = store.insert('a', preview(1));
        let (b, _) = store.insert('b', preview(1));
        let (c, _) = store.insert('c', preview(1));
        assert!(store.page(a, 0, 1).is_none());
        assert!(store.page(b, 0, 1).is_some());
        assert_eq!(store.take(c).unwrap().0, 'c');
        assert_ne!(a, b);
    }

    #[test]
    fn previews_expire() {
        let store = PreviewStore::new(4, Duration::ZERO);
        let (id, first) = store.insert((), preview(3));
        assert_eq!(first.rows.len(), 3);
        assert!(store.page(id, 0, 10).is_none());
        assert!(store.take(id).is_none());
    }

    #[test]
    fn pages_are_bounded() {
        let store = PreviewStore::default();
        let (id, first) = store.insert((), preview(1234));
        assert_eq!(first.rows.len(), crate::MAX_PAGE_ROWS);
        let last = store.page(id, 1000, usize::MAX).unwrap();
        assert_eq!((last.rows.len(), last.total), (234, 1234));
        assert_eq!(last.rows[0].row, 1001);
        assert!(last.skipped.is_empty());
    }
}
