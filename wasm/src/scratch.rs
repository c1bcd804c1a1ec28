//! One input buffer in linear memory that JavaScript writes request bytes into.
//!
//! wasm-bindgen's glue allocates and frees a fresh block for every `&[u8]` or `&str` argument
//! and re-encodes strings through its own loop. A webhook body is verified once and dropped,
//! so the package writes it (and the header, and a one-shot secret) straight into this buffer
//! with `Uint8Array.set` / `TextEncoder.encodeInto` and passes only lengths. The buffer grows
//! when a larger input arrives; after a large one JavaScript shrinks it back, so one large
//! body does not hold its size of the allocator for good. Its address changes only then.

use std::cell::RefCell;

use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Grows the scratch buffer to at least `len` bytes and returns its address in linear memory.
///
/// JavaScript calls it only when an input does not fit the capacity it already knows, then
/// writes at the returned address. The address stays valid until the next call.
#[wasm_bindgen(js_name = scratchReserve)]
#[must_use]
pub fn reserve(len: usize) -> *mut u8 {
    SCRATCH.with_borrow_mut(|buffer| {
        if buffer.len() < len {
            // Round up so a run of slightly growing bodies does not reallocate each time.
            buffer.resize(len.next_power_of_two().max(4096), 0);
        }
        buffer.as_mut_ptr()
    })
}

/// Gives back all but `keep` bytes of the scratch buffer to the allocator (its content is
/// dropped); JavaScript calls it after an input larger than `keep`, then reserves again.
///
/// ```
/// let _ = nfehook_wasm::scratch::reserve(1 << 20);
/// nfehook_wasm::scratch::shrink(4096);
/// assert_eq!(nfehook_wasm::scratch::with_parts([4097], |_| ()), None);
/// ```
#[wasm_bindgen(js_name = scratchShrink)]
pub fn shrink(keep: usize) {
    SCRATCH.with_borrow_mut(|buffer| {
        if buffer.len() > keep {
            *buffer = vec![0; keep];
        }
    });
}

/// Copies `bytes` into the scratch buffer as JavaScript would, for tests on the host.
///
/// ```
/// nfehook_wasm::scratch::fill(&[b"body", b"header"]);
/// let total = nfehook_wasm::scratch::with_parts([4, 6], |[body, header]| body.len() + header.len());
/// assert_eq!(total, Some(10));
/// ```
pub fn fill(parts: &[&[u8]]) {
    let total = parts.iter().map(|part| part.len()).sum();
    let _ = reserve(total);
    SCRATCH.with_borrow_mut(|buffer| {
        let mut at = 0;
        for part in parts {
            buffer[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
    });
}

/// Runs `f` over `N` consecutive parts of the scratch buffer with the given lengths, or gives
/// `None` when the lengths reach past its end (the JavaScript side never asks for that).
///
/// ```
/// nfehook_wasm::scratch::fill(&[b"ab", b"c"]);
/// assert_eq!(nfehook_wasm::scratch::with_parts([2, 1], |[a, c]| (a.to_vec(), c.to_vec())),
///            Some((b"ab".to_vec(), b"c".to_vec())));
/// assert_eq!(nfehook_wasm::scratch::with_parts([usize::MAX, 1], |_| ()), None);
/// ```
pub fn with_parts<const N: usize, R>(
    lens: [usize; N],
    f: impl FnOnce([&[u8]; N]) -> R,
) -> Option<R> {
    SCRATCH.with_borrow(|buffer| {
        let mut parts = [&[][..]; N];
        let mut rest = &buffer[..];
        for (part, len) in parts.iter_mut().zip(lens) {
            if len > rest.len() {
                return None;
            }
            let (head, tail) = rest.split_at(len);
            *part = head;
            rest = tail;
        }
        Some(f(parts))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_keeps_content_in_order() {
        fill(&[b"0123", b"", b"xyz"]);
        let got = with_parts([4, 0, 3], |[a, b, c]| [a.to_vec(), b.to_vec(), c.to_vec()]);
        assert_eq!(got, Some([b"0123".to_vec(), Vec::new(), b"xyz".to_vec()]));
        let big = vec![7u8; 100_000];
        fill(&[&big]);
        assert_eq!(with_parts([100_000], |[a]| a == &big[..]), Some(true));
    }

    #[test]
    fn out_of_range_lengths_are_refused() {
        fill(&[b"ab"]);
        let capacity = SCRATCH.with_borrow(Vec::len);
        assert_eq!(with_parts([capacity + 1], |_| ()), None);
        assert_eq!(with_parts([capacity, 1], |_| ()), None);
    }
}
