//! The verified event as JavaScript builds it: where each field's text lies in the body
//! JavaScript already holds, in a few numbers, instead of a JSON string to serialise, copy,
//! decode and parse again.
//!
//! After a successful `verifyEvent` the slots (a `Uint32Array` over linear memory, at
//! [`slots_address`]) hold the dialect, the index of a known event name, and for each field of
//! [`FIELD_NAMES`] its kind ([`Kind`]) and where its text lies: UTF-16 positions in the body
//! text for a slice, or byte positions in the made-text buffer ([`made_address`]) for text the
//! module wrote (a normalised timestamp, the body's digest as id, a number's text). The object
//! JavaScript builds from them is the one [`crate::event::to_js_json`] describes.
//!
//! ```
//! use nfehook_core::event_ref::EventRef;
//! use nfehook_wasm::fields::{self, Kind, FIELD_NAMES};
//!
//! let body = br#"{"id":"d1","event":"nfe.erro","timestamp":"2024-03-10T13:45:30-03:00","data":{"nfeChave":"k","status":"erro"}}"#;
//! fields::put(&EventRef::from_json(body).unwrap());
//! let slots = fields::slots();
//! let chave = FIELD_NAMES.iter().position(|name| *name == "nfeChave").unwrap();
//! let (kind, start, end) = fields::field(&slots, chave);
//! assert_eq!((kind, &body[start as usize..end as usize]), (Kind::Slice as u32, &b"k"[..]));
//! let (kind, start, end) = fields::field(&slots, 2); // timestamp, normalised
//! assert_eq!(kind, Kind::Made as u32);
//! assert_eq!(&fields::made()[start as usize..end as usize], b"2024-03-10T16:45:30Z");
//! ```

use std::cell::RefCell;

use nfehook_core::EventKind;
use nfehook_core::event_ref::{DataRef, EventRef, Text, TimeRef};
use wasm_bindgen::prelude::wasm_bindgen;

/// The fields, in the order of their slots and of the object JavaScript builds (`cnpj` and
/// `razaoSocial` go in `data.emitente`).
pub const FIELD_NAMES: [&str; FIELDS] = [
    "id",
    "event",
    "timestamp",
    "nfeChave",
    "status",
    "cnpj",
    "razaoSocial",
    "valor",
    "dataEmissao",
    "tipoConsulta",
    "erroCodigo",
    "erroMensagem",
    "arquivoId",
    "urlDownload",
];

const FIELDS: usize = 14;
/// Slots before the fields: the dialect (0 subscription, 1 account), the event's index in
/// `EventKind::KNOWN` (its length for an unknown event, whose name is the `event` field), and
/// how many bytes of the body hold every slice ([`TEXT_BYTES`]).
const HEAD: usize = 3;
/// The head slot with the length in bytes of the body's shortest start that holds every slice:
/// JavaScript decodes only that much of a body it holds as bytes (the rest of a long body is
/// mostly fields it does not keep), and positions within it are the same as in the whole text.
pub const TEXT_BYTES: usize = 2;
/// Every slot: the head, then kind, start and end of each field.
pub const SLOTS: usize = HEAD + 3 * FIELDS;

/// How a field's text is had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Kind {
    /// The field is absent.
    Absent = 0,
    /// The body text between start and end.
    Slice = 1,
    /// The JSON string whose content is the body text between start and end (it has escapes):
    /// `JSON.parse` of it with its quotes.
    Escaped = 2,
    /// ASCII text the module wrote, between start and end of the made-text buffer.
    Made = 3,
}

thread_local! {
    static SLOT_VALUES: RefCell<[u32; SLOTS]> = const { RefCell::new([0; SLOTS]) };
    static MADE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The address of the slots in linear memory; it never changes.
#[wasm_bindgen(js_name = fieldSlotsAddress)]
#[must_use]
pub fn slots_address() -> *const u32 {
    SLOT_VALUES.with_borrow(|slots| slots.as_ptr())
}

/// The address of the made-text buffer, valid until the next verification.
#[wasm_bindgen(js_name = madeTextAddress)]
#[must_use]
pub fn made_address() -> *const u8 {
    MADE.with_borrow(Vec::as_ptr)
}

/// [`FIELD_NAMES`], for JavaScript.
///
/// ```
/// assert_eq!(nfehook_wasm::fields::field_names()[3], "nfeChave");
/// ```
#[wasm_bindgen(js_name = fieldNames)]
#[must_use]
pub fn field_names() -> Vec<String> {
    FIELD_NAMES.iter().map(|name| (*name).to_owned()).collect()
}

/// A copy of the slots, for Rust callers and tests.
#[must_use]
pub fn slots() -> [u32; SLOTS] {
    SLOT_VALUES.with_borrow(|slots| *slots)
}

/// A copy of the made-text buffer, for Rust callers and tests.
#[must_use]
pub fn made() -> Vec<u8> {
    MADE.with_borrow(Clone::clone)
}

/// Kind, start and end of field `index` in `slots`.
#[must_use]
pub fn field(slots: &[u32; SLOTS], index: usize) -> (u32, u32, u32) {
    let at = HEAD + 3 * index;
    (slots[at], slots[at + 1], slots[at + 2])
}

/// Writes the slots (and made text) of `event`, read from `body`. Positions are UTF-16 units
/// of the body text (the bytes' own positions when the body is ASCII).
pub fn put(event: &EventRef<'_>) {
    let body = event.body();
    MADE.with_borrow_mut(|made| {
        SLOT_VALUES.with_borrow_mut(|slots| {
            slots.fill(0);
            let mut writer = Writer { body, slots, made };
            writer.fill(event);
            if !event.is_ascii() {
                writer.positions_in_utf16();
            }
        });
    });
}

struct Writer<'s> {
    body: &'s [u8],
    slots: &'s mut [u32; SLOTS],
    made: &'s mut Vec<u8>,
}

#[allow(clippy::cast_possible_truncation)] // Bodies are far below 4 GiB (the package caps them).
impl Writer<'_> {
    fn fill(&mut self, event: &EventRef<'_>) {
        self.made.clear();
        self.slots[0] = match event.data {
            DataRef::Subscription(_) => 0,
            DataRef::Account(_) => 1,
        };
        let name = event.event.value();
        let known = EventKind::KNOWN
            .iter()
            .position(|kind| kind.as_str() == name);
        self.slots[1] = known.unwrap_or(EventKind::KNOWN.len()) as u32;
        match event.id {
            Some(id) => self.text(0, Some(id)),
            None => self.made(0, &nfehook_core::event::body_id(self.body)),
        }
        if known.is_none() {
            self.text(1, Some(event.event));
        }
        self.time(2, Some(event.timestamp));
        match &event.data {
            DataRef::Subscription(data) => {
                self.text(3, Some(data.nfe_chave));
                self.text(4, Some(data.status));
                if let Some(emitente) = data.emitente {
                    self.text(5, Some(emitente.cnpj));
                    match emitente.razao_social {
                        Some(name) => self.text(6, Some(name)),
                        None => self.made(6, ""),
                    }
                }
                self.text(7, data.valor);
                self.time(8, data.data_emissao);
            }
            DataRef::Account(dados) => {
                self.text(3, Some(dados.chave_nfe));
                self.text(4, dados.status);
                self.text(9, dados.tipo_consulta);
                self.text(10, dados.erro_codigo);
                self.text(11, dados.erro_mensagem);
                self.text(12, dados.arquivo_id);
                self.text(13, dados.url_download);
            }
        }
    }

    fn set(&mut self, index: usize, kind: Kind, start: usize, end: usize) {
        let at = HEAD + 3 * index;
        if kind != Kind::Made {
            // Past the closing quote, which JavaScript reads with an escaped string.
            let held = (end + 1).min(self.body.len()) as u32;
            self.slots[TEXT_BYTES] = self.slots[TEXT_BYTES].max(held);
        }
        self.slots[at] = kind as u32;
        self.slots[at + 1] = start as u32;
        self.slots[at + 2] = end as u32;
    }

    fn text(&mut self, index: usize, text: Option<Text<'_>>) {
        let Some(text) = text else { return };
        let kind = match text {
            Text::Plain(_) => Kind::Slice,
            Text::Escaped(_) => Kind::Escaped,
            Text::Number(_) => return self.made(index, &text.value()),
        };
        // The text is a span of the body: its position is its distance from the body's start.
        let start = text.raw().as_ptr() as usize - self.body.as_ptr() as usize;
        self.set(index, kind, start, start + text.raw().len());
    }

    fn time(&mut self, index: usize, time: Option<TimeRef<'_>>) {
        match time {
            Some(time) if time.is_normal() => self.text(index, Some(time.text)),
            Some(time) => self.made(index, &time.value.to_string()),
            None => {}
        }
    }

    fn made(&mut self, index: usize, text: &str) {
        let start = self.made.len();
        self.made.extend_from_slice(text.as_bytes());
        self.set(index, Kind::Made, start, self.made.len());
    }

    /// Turns the byte positions of body slices into UTF-16 positions, in one pass over the
    /// body: a UTF-8 sequence of four bytes is two UTF-16 units, any other one unit.
    fn positions_in_utf16(&mut self) {
        let mut marks: Vec<(u32, usize)> = (0..FIELDS)
            .filter(|&index| {
                let kind = self.slots[HEAD + 3 * index];
                kind == Kind::Slice as u32 || kind == Kind::Escaped as u32
            })
            .flat_map(|index| {
                let at = HEAD + 3 * index;
                [(self.slots[at + 1], at + 1), (self.slots[at + 2], at + 2)]
            })
            .collect();
        marks.sort_unstable();
        let (mut byte, mut units) = (0usize, 0u32);
        for (offset, slot) in marks {
            for &b in &self.body[byte..offset as usize] {
                units += match b {
                    0x80..=0xbf => 0,
                    0xf0..=0xff => 2,
                    _ => 1,
                };
            }
            byte = offset as usize;
            self.slots[slot] = units;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// The object JavaScript builds from the slots (wasm/js/src/api.js `eventFromFields`),
    /// over the start of the body it decodes (UTF-16).
    pub(crate) fn build(body: &str) -> Value {
        let slots = slots();
        let made = made();
        let held = std::str::from_utf8(&body.as_bytes()[..slots[TEXT_BYTES] as usize]).unwrap();
        let units: Vec<u16> = held.encode_utf16().collect();
        let text = |index: usize| -> Option<Value> {
            let (kind, start, end) = field(&slots, index);
            let (start, end) = (start as usize, end as usize);
            match kind {
                0 => None,
                1 => Some(String::from_utf16(&units[start..end]).unwrap().into()),
                2 => {
                    let token = format!("\"{}\"", String::from_utf16(&units[start..end]).unwrap());
                    Some(serde_json::from_str::<String>(&token).unwrap().into())
                }
                _ => Some(String::from_utf8(made[start..end].to_vec()).unwrap().into()),
            }
        };
        let mut data = Map::new();
        for (index, name) in FIELD_NAMES.iter().enumerate().skip(3) {
            if index == 5 {
                if let Some(cnpj) = text(5) {
                    let mut emitente = Map::new();
                    emitente.insert("cnpj".into(), cnpj);
                    emitente.insert("razaoSocial".into(), text(6).unwrap());
                    data.insert("emitente".into(), emitente.into());
                }
            } else if index != 6 {
                if let Some(value) = text(index) {
                    data.insert((*name).into(), value);
                }
            }
        }
        let known = slots[1] as usize;
        let event = match EventKind::KNOWN.get(known) {
            Some(kind) => kind.as_str().into(),
            None => text(1).unwrap(),
        };
        let dialect = ["subscription", "account"][slots[0] as usize];
        serde_json::json!({
            "dialect": dialect,
            "id": text(0).unwrap(),
            "event": event,
            "timestamp": text(2).unwrap(),
            "data": data,
        })
    }

    fn same_as_json(body: &str) {
        let event = EventRef::from_json(body.as_bytes()).unwrap();
        put(&event);
        let owned = nfehook_core::Event::from_json(body.as_bytes()).unwrap();
        let expected: Value = serde_json::from_str(&crate::event::to_js_json(&owned)).unwrap();
        assert_eq!(build(body), expected, "{body}");
    }

    #[test]
    fn fields_build_the_object_the_json_form_describes() {
        for body in [
            r#"{"id":"d","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"processada","emitente":{"cnpj":"1","razaoSocial":"Empresa São João 𝄞"},"valor":1500.00,"dataEmissao":"2024-03-10T15:30:45Z"}}"#,
            r#"{"id":"d","event":"nfe.nova","timestamp":"2024-03-10T13:45:30-03:00","data":{"nfeChave":"k","status":"x","emitente":{"cnpj":"1"},"valor":"1500.10","dataEmissao":"2024-03-10T15:30:45.50Z"}}"#,
            r#"{"id":"\u00e9\"","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","novo":"ã","data":{"nfeChave":"ã\n","status":"erro","valor":null}}"#,
            r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","erro_codigo":12.50,"erro_mensagem":"NF-e não encontrada","arquivo_id":7}}"#,
            r#"{"id":"","evento":"guarda.upload.concluido","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","status":"s","tipo_consulta":"t","arquivo_id":"a","url_download":"https://x"}}"#,
            r#"{"evento":"guarda.nova","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"𝄞ã","status":null}}"#,
        ] {
            same_as_json(body);
        }
    }
}
