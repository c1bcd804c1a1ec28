//! Bytes of an opened file to text: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
//! "Unicode text"), and Windows-1252/Latin-1 for anything else, so that no file is refused
//! for its encoding (keys are ASCII; only labels around them could be garbled).

/// Decodes file bytes to text.
///
/// ```
/// assert_eq!(nfehook_keys::decode_text(b"\xEF\xBB\xBFabc"), "abc");
/// assert_eq!(nfehook_keys::decode_text(b"caf\xE9"), "café");
/// assert_eq!(nfehook_keys::decode_text(b"\xFF\xFEa\x00b\x00"), "ab");
/// ```
#[must_use]
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        // Latin-1 maps every byte to the code point of the same value.
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| word([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}
