//! The sandbox's OpenAPI 3.1 document (`desktop/sandbox/openapi.json`) and validation of JSON
//! values against the schemas it holds.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

/// HTTP methods an OpenAPI path item may hold, lowercase as in the document.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A failure to read or use the document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenApiError {
    /// The file could not be read.
    #[error("cannot read the OpenAPI document: {0}")]
    Read(#[from] std::io::Error),
    /// The file is not JSON.
    #[error("the OpenAPI document is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A JSON pointer (a `$ref` or a schema location) leads nowhere.
    #[error("`{0}` does not point into the document")]
    Dangling(String),
    /// A schema of the document is not valid JSON Schema.
    #[error("invalid schema at `{pointer}`: {reason}")]
    Schema {
        /// Where the schema is.
        pointer: String,
        /// What the validator said.
        reason: String,
    },
}

/// One operation: a path and a method of the document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    /// The path template, e.g. `/Webhooks/Subscriptions/{id}`.
    pub path: String,
    /// Lowercase method, e.g. `get`.
    pub method: String,
}

/// The parsed document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The whole document.
    pub root: Value,
}

/// A JSON pointer as a URI fragment: characters a URI may not hold (`{`, `}`, ...) are
/// percent-encoded.
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"#/~-._!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Escapes one JSON-pointer segment (`~` and `/`).
#[must_use]
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Document {
    /// Reads `desktop/sandbox/openapi.json` of this workspace.
    ///
    /// # Errors
    /// [`OpenApiError::Read`] or [`OpenApiError::Json`].
    pub fn load() -> Result<Self, OpenApiError> {
        let path = crate::workspace_root().join("desktop/sandbox/openapi.json");
        Self::parse(&std::fs::read_to_string(path)?)
    }

    /// Parses a document from its text.
    ///
    /// # Errors
    /// [`OpenApiError::Json`].
    pub fn parse(text: &str) -> Result<Self, OpenApiError> {
        Ok(Self {
            root: serde_json::from_str(text)?,
        })
    }

    /// Every operation, sorted.
    #[must_use]
    pub fn operations(&self) -> Vec<Operation> {
        let mut found = Vec::new();
        if let Some(paths) = self.root["paths"].as_object() {
            for (path, item) in paths {
                for method in METHODS {
                    if item.get(method).is_some() {
                        found.push(Operation {
                            path: path.clone(),
                            method: method.to_owned(),
                        });
                    }
                }
            }
        }
        found.sort();
        found
    }

    /// The documented paths.
    #[must_use]
    pub fn paths(&self) -> BTreeSet<String> {
        self.root["paths"]
            .as_object()
            .map(|paths| paths.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The value at `pointer` (`#/a/b` or `/a/b`).
    ///
    /// # Errors
    /// [`OpenApiError::Dangling`] when nothing is there.
    pub fn at(&self, pointer: &str) -> Result<&Value, OpenApiError> {
        self.root
            .pointer(pointer.trim_start_matches('#'))
            .ok_or_else(|| OpenApiError::Dangling(pointer.to_owned()))
    }

    /// Follows a `$ref` object (as found under `responses`, `parameters`, ...) to its target,
    /// returning the pointer of the target and the target.
    ///
    /// # Errors
    /// [`OpenApiError::Dangling`].
    pub fn follow(&self, pointer: &str) -> Result<(String, &Value), OpenApiError> {
        let mut pointer = pointer.to_owned();
        for _ in 0..16 {
            let value = self.at(&pointer)?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) if target.starts_with('#') => target.clone_into(&mut pointer),
                _ => return Ok((pointer, value)),
            }
        }
        Err(OpenApiError::Dangling(pointer))
    }

    /// Every `$ref` of the document, with where it was found.
    #[must_use]
    pub fn refs(&self) -> Vec<(String, String)> {
        fn walk(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
            match value {
                Value::Object(map) => {
                    for (key, child) in map {
                        if key == "$ref" {
                            if let Some(target) = child.as_str() {
                                out.push((at.to_owned(), target.to_owned()));
                            }
                        } else {
                            walk(child, &format!("{at}/{}", escape(key)), out);
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        walk(child, &format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.root, "#", &mut out);
        out
    }

    /// Checks `instance` against the schema at `pointer` (with every `$ref` of the document
    /// available), JSON Schema 2020-12 as OpenAPI 3.1 says. `Ok(errors)`: empty when valid.
    ///
    /// # Errors
    /// [`OpenApiError::Dangling`] or [`OpenApiError::Schema`] for a bad document.
    pub fn validate(&self, pointer: &str, instance: &Value) -> Result<Vec<String>, OpenApiError> {
        self.at(pointer)?;
        // The whole document is the root resource, so `#/components/...` resolves; its other
        // members are not JSON Schema keywords and are ignored.
        let mut schema = self.root.clone();
        schema["$ref"] = Value::String(uri_fragment(pointer));
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|err| OpenApiError::Schema {
                pointer: pointer.to_owned(),
                reason: err.to_string(),
            })?;
        Ok(validator
            .iter_errors(instance)
            .map(|err| format!("{} at `{}`", err, err.instance_path()))
            .collect())
    }
}
