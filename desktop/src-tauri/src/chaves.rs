//! The NF-e keys (chaves) of a subscription: live validation, search, add, remove, export.

use nfehook_core::ChaveAcesso;
use nfehook_keys::{ChaveInfo, Validation, validate};
use serde::Serialize;

use crate::client::map_error;
use crate::error::Result;
use crate::tools::{Exported, Tools};

/// One key of a subscription, decoded when valid (the service may hold keys with a wrong
/// check digit, such as its own documentation's examples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChaveRow {
    /// As the service stores it.
    pub chave: String,
    /// Its fields, when valid.
    pub info: Option<ChaveInfo>,
}

/// What removing several keys did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveOutcome {
    /// Keys removed.
    pub removed: Vec<String>,
    /// Keys not removed, with the error kind and message.
    pub failed: Vec<RemoveFailure>,
}

/// One key that could not be removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveFailure {
    /// The key.
    pub chave: String,
    /// The error's kind (`notFound`, `rateLimited`, …).
    pub kind: String,
    /// The error's message.
    pub message: String,
}

/// Whether `row` matches a search: digits typed in any grouping (a run of the key), the
/// issuer's formatted document, or the state.
fn matches(row: &ChaveRow, search: &str) -> bool {
    let needle: String = search
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    if needle.is_empty() {
        return true;
    }
    if row.chave.to_ascii_uppercase().contains(&needle) {
        return true;
    }
    row.info.as_ref().is_some_and(|info| {
        info.uf.eq_ignore_ascii_case(&needle)
            || info
                .emitente
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .contains(&needle)
    })
}

impl Tools {
    /// The live verdict on a typed or pasted key.
    #[must_use]
    pub fn validate_chave(&self, input: &str) -> Validation {
        validate(input)
    }

    /// The keys of a subscription, filtered by `search`.
    pub async fn list_chaves(&self, subscription_id: &str, search: &str) -> Result<Vec<ChaveRow>> {
        let (_, client) = self.client().await?;
        let keys = client
            .list_chaves(subscription_id)
            .await
            .map_err(map_error)?;
        Ok(keys
            .into_iter()
            .map(|chave| ChaveRow {
                info: ChaveAcesso::parse(&chave).ok().map(ChaveInfo::from),
                chave,
            })
            .filter(|row| matches(row, search))
            .collect())
    }

    /// Adds one key (validated first; nothing is sent for an invalid one).
    pub async fn add_chave(&self, subscription_id: &str, input: &str) -> Result<ChaveInfo> {
        let (_, client) = self.client().await?;
        let chave = client
            .add_chave(subscription_id, input)
            .await
            .map_err(map_error)?;
        Ok(chave.into())
    }

    /// Removes the keys one by one; each result is reported.
    pub async fn remove_chaves(
        &self,
        subscription_id: &str,
        chaves: &[String],
    ) -> Result<RemoveOutcome> {
        let (_, client) = self.client().await?;
        let mut outcome = RemoveOutcome::default();
        for chave in chaves {
            match client.remove_chave(subscription_id, chave).await {
                Ok(()) => outcome.removed.push(chave.clone()),
                Err(err) => {
                    let err = map_error(err);
                    outcome.failed.push(RemoveFailure {
                        chave: chave.clone(),
                        kind: err.kind().to_owned(),
                        message: err.to_string(),
                    });
                }
            }
        }
        Ok(outcome)
    }

    /// Writes the subscription's keys (filtered by `search`), one per line, to the export
    /// folder.
    pub async fn export_chaves(&self, subscription_id: &str, search: &str) -> Result<Exported> {
        let rows = self.list_chaves(subscription_id, search).await?;
        let mut text = String::new();
        for row in &rows {
            text.push_str(&row.chave);
            text.push('\n');
        }
        let short: String = subscription_id.chars().take(8).collect();
        self.export(&format!("nfehook-chaves-{short}.txt"), &text, rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_by_digits_document_or_state() {
        let chave = "52060433009911002506550120000007800267301615";
        let row = ChaveRow {
            chave: chave.into(),
            info: ChaveAcesso::parse(chave).ok().map(ChaveInfo::from),
        };
        assert!(matches(&row, ""));
        assert!(matches(&row, "0000 0078"));
        assert!(matches(&row, "33.009.911/0025-06"));
        assert!(matches(&row, "go"));
        assert!(!matches(&row, "SP"));
        assert!(!matches(&row, "99999"));
    }
}
