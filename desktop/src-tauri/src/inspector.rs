//! The webhook inspector in the app: start and stop the local receiver, choose its answer and
//! the secret it checks signatures with (a subscription's, fetched here and never sent to the
//! webview, or one pasted by the user), list and re-check requests, copy one as `curl`, replay
//! one re-signed with a chosen secret to any URL, export a selection as JSON lines.

use std::collections::BTreeSet;

use nfehook_core::{EventKind, Secret};
use nfehook_inspector::{
    Inspector, InspectorEvent, NamedSecret, RecordedRequest, ReplayError, ResponseConfig,
    SendOutcome, Verdict, read_history, replay, write_jsonl,
};
use serde::{Deserialize, Serialize};

use crate::connection::ConnectionKind;
use crate::error::{DesktopError, Result};
use crate::test_event::DIRECT_TIMEOUT;
use crate::tools::{Emit, Exported, InspectorSlot, Tools};
use crate::view::{Created, SubscriptionForm};

/// Requests kept across restarts.
pub const KEEP_REQUESTS: usize = 200;

/// The secret to check signatures with.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SecretChoice {
    /// Do not check.
    None,
    /// The secret of a subscription of the active connection.
    Subscription {
        /// Its id.
        id: String,
    },
    /// A secret the user pasted.
    Pasted {
        /// The secret.
        secret: String,
    },
}

/// The inspector as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorStatus {
    /// Whether it listens.
    pub running: bool,
    /// `http://127.0.0.1:<port>/` while it runs.
    pub url: Option<String>,
    /// Its port while it runs.
    pub port: Option<u16>,
    /// The answer it gives.
    pub response: Option<ResponseConfig>,
    /// Label of the secret it checks with.
    pub secret_label: Option<String>,
    /// Most requests it keeps (the newest): the UI's live list keeps as many.
    pub kept: usize,
}

fn inspector_error(err: nfehook_inspector::InspectorError) -> DesktopError {
    match err {
        nfehook_inspector::InspectorError::Bind { .. }
        | nfehook_inspector::InspectorError::InvalidAddress { .. }
        | nfehook_inspector::InspectorError::NotLoopback { .. } => DesktopError::Conflict {
            message: Some(err.to_string()),
        },
        nfehook_inspector::InspectorError::InvalidStatus(_)
        | nfehook_inspector::InspectorError::DelayTooLong(_) => DesktopError::Validation {
            message: Some(err.to_string()),
            fields: [("response".to_owned(), vec![err.to_string()])].into(),
        },
        other => DesktopError::Storage(std::io::Error::other(other.to_string())),
    }
}

fn replay_error(err: &ReplayError) -> DesktopError {
    let field = match err {
        ReplayError::InvalidUrl(_) => "url",
        ReplayError::NoSecret => "secret",
        _ => "request",
    };
    DesktopError::Validation {
        message: Some(err.to_string()),
        fields: [(field.to_owned(), vec![err.code().to_owned()])].into(),
    }
}

fn not_running() -> DesktopError {
    DesktopError::NotFound {
        message: Some("the inspector is not running".to_owned()),
    }
}

impl Tools {
    async fn resolve_secret(&self, choice: &SecretChoice) -> Result<Vec<NamedSecret>> {
        Ok(match choice {
            SecretChoice::None => Vec::new(),
            SecretChoice::Subscription { id } => {
                let detail = self.desktop.api().await?.get(id).await?;
                vec![NamedSecret::new(detail.name, detail.secret.expose())]
            }
            SecretChoice::Pasted { secret } => {
                let secret = secret.trim();
                if secret.is_empty() {
                    Vec::new()
                } else {
                    vec![NamedSecret::new("colado", secret)]
                }
            }
        })
    }

    /// The one secret a replay is signed with; refused when none is chosen.
    async fn replay_secret(&self, choice: &SecretChoice) -> Result<Secret> {
        match choice {
            SecretChoice::None => Err(replay_error(&ReplayError::NoSecret)),
            SecretChoice::Subscription { id } => {
                Ok(self.desktop.api().await?.get(id).await?.secret)
            }
            SecretChoice::Pasted { secret } => Ok(Secret::new(secret.trim())),
        }
    }

    /// Sends a kept request again to `url`, its exact body re-signed with the chosen secret.
    pub async fn inspector_replay(
        &self,
        request_id: u64,
        url: &str,
        choice: &SecretChoice,
    ) -> Result<SendOutcome> {
        let secret = self.replay_secret(choice).await?;
        let request = self.inspector_request(request_id).await?;
        replay(&request, url, &secret, DIRECT_TIMEOUT)
            .await
            .map_err(|e| replay_error(&e))
    }

    /// Writes the kept requests among `request_ids` (newest first, as listed) to a new
    /// JSON-lines file, owner-only, in the export folder (a second export of the same requests
    /// is a second file).
    pub async fn inspector_export(&self, request_ids: &[u64]) -> Result<Exported> {
        if request_ids.is_empty() || request_ids.len() > KEEP_REQUESTS {
            return Err(DesktopError::Validation {
                message: Some(format!(
                    "choose between 1 and {KEEP_REQUESTS} requests to export"
                )),
                fields: [("requests".to_owned(), vec!["count".to_owned()])].into(),
            });
        }
        let wanted: BTreeSet<u64> = request_ids.iter().copied().collect();
        let chosen: Vec<RecordedRequest> = self
            .inspector_requests()
            .await?
            .into_iter()
            .filter(|r| wanted.contains(&r.id))
            .collect();
        if chosen.is_empty() {
            return Err(DesktopError::NotFound {
                message: Some("none of these requests is kept by the inspector".to_owned()),
            });
        }
        let first = chosen.last().map_or(0, |r| r.id);
        let last = chosen.first().map_or(0, |r| r.id);
        let stem = format!("nfehook-inspetor-{first}-{last}");
        let dir = self.export_dir.clone();
        let count = chosen.len();
        tauri::async_runtime::spawn_blocking(move || {
            write_jsonl(&dir, &stem, chosen).map(|path| Exported {
                path: path.display().to_string(),
                count,
            })
        })
        .await
        .map_err(|err| DesktopError::Storage(std::io::Error::other(err.to_string())))?
        .map_err(inspector_error)
    }

    /// Starts the receiver on 127.0.0.1 (`port` 0 or absent: any free port).
    pub async fn inspector_start(
        &self,
        port: Option<u16>,
        response: ResponseConfig,
    ) -> Result<InspectorStatus> {
        let mut slot = self.inspector.lock().await;
        if slot.is_some() {
            return Err(DesktopError::Conflict {
                message: Some("the inspector is already running".to_owned()),
            });
        }
        let running = Inspector::builder()
            .bind(format!("127.0.0.1:{}", port.unwrap_or(0)))
            .data_dir(&self.dir)
            .max_requests(KEEP_REQUESTS)
            .response(response)
            .start()
            .await
            .map_err(inspector_error)?;
        *slot = Some(InspectorSlot {
            running,
            secret_label: None,
            forward: None,
        });
        drop(slot);
        Ok(self.inspector_status().await)
    }

    /// Sends each request arriving from now on to `emit` (the inspector view that is open),
    /// replacing the previous watcher.
    pub async fn inspector_watch(&self, emit: Emit<InspectorEvent>) -> Result<()> {
        let mut slot = self.inspector.lock().await;
        let slot = slot.as_mut().ok_or_else(not_running)?;
        if let Some(previous) = slot.forward.take() {
            previous.abort();
        }
        let mut live = slot.running.subscribe();
        slot.forward = Some(tauri::async_runtime::spawn(async move {
            loop {
                match live.recv().await {
                    Ok(event) => emit(event),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        }));
        Ok(())
    }

    /// Stops the receiver; its requests stay in the history.
    pub async fn inspector_stop(&self) -> Result<()> {
        let slot = self.inspector.lock().await.take();
        if let Some(slot) = slot {
            if let Some(forward) = slot.forward {
                forward.abort();
            }
            slot.running.shutdown().await.map_err(inspector_error)?;
        }
        Ok(())
    }

    /// Whether it runs, where, and how it answers.
    pub async fn inspector_status(&self) -> InspectorStatus {
        match self.inspector.lock().await.as_ref() {
            Some(slot) => InspectorStatus {
                running: true,
                url: Some(slot.running.url()),
                port: Some(slot.running.addr().port()),
                response: Some(slot.running.response()),
                secret_label: slot.secret_label.clone(),
                kept: KEEP_REQUESTS,
            },
            None => InspectorStatus {
                running: false,
                url: None,
                port: None,
                response: None,
                secret_label: None,
                kept: KEEP_REQUESTS,
            },
        }
    }

    /// The kept requests, newest first (from the history file when stopped).
    pub async fn inspector_requests(&self) -> Result<Vec<RecordedRequest>> {
        if let Some(slot) = self.inspector.lock().await.as_ref() {
            return Ok(slot.running.requests());
        }
        let mut kept = read_history(&self.dir, KEEP_REQUESTS).map_err(inspector_error)?;
        kept.reverse();
        Ok(kept)
    }

    /// Changes the answer (status, delay, body).
    pub async fn inspector_set_response(&self, response: ResponseConfig) -> Result<()> {
        let slot = self.inspector.lock().await;
        let slot = slot.as_ref().ok_or_else(not_running)?;
        slot.running.set_response(response).map_err(inspector_error)
    }

    /// Chooses the secret the next requests are checked with; returns its label.
    pub async fn inspector_use_secret(&self, choice: &SecretChoice) -> Result<Option<String>> {
        let secrets = self.resolve_secret(choice).await?;
        let label = secrets.first().map(|s| s.label.clone());
        let mut slot = self.inspector.lock().await;
        let slot = slot.as_mut().ok_or_else(not_running)?;
        slot.running.set_secrets(secrets);
        slot.secret_label.clone_from(&label);
        Ok(label)
    }

    /// The verdict of a kept request against another secret (judged at its arrival time).
    pub async fn inspector_verify(
        &self,
        request_id: u64,
        choice: &SecretChoice,
    ) -> Result<Verdict> {
        let secrets = self.resolve_secret(choice).await?;
        let request = self.inspector_request(request_id).await?;
        Ok(request.verify_with(&secrets, nfehook_core::Window::RECEIVER))
    }

    async fn inspector_request(&self, request_id: u64) -> Result<RecordedRequest> {
        self.inspector_requests()
            .await?
            .into_iter()
            .find(|r| r.id == request_id)
            .ok_or_else(|| DesktopError::NotFound {
                message: Some(format!("no request {request_id} in the inspector")),
            })
    }

    /// The request as a `curl` command aimed at the inspector (or its old address).
    pub async fn inspector_curl(&self, request_id: u64) -> Result<String> {
        let request = self.inspector_request(request_id).await?;
        let base = match self.inspector.lock().await.as_ref() {
            Some(slot) => slot.running.url(),
            None => request
                .headers
                .iter()
                .find(|(n, _)| n == "host")
                .map_or_else(
                    || "http://127.0.0.1/".to_owned(),
                    |(_, h)| format!("http://{h}/"),
                ),
        };
        Ok(request.to_curl(&base))
    }

    /// Forgets every kept request.
    pub async fn inspector_clear(&self) -> Result<()> {
        match self.inspector.lock().await.as_ref() {
            Some(slot) => slot.running.clear().map_err(inspector_error),
            None => {
                let path = self.dir.join(nfehook_inspector::HISTORY_FILE);
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                    _ => Ok(()),
                }
            }
        }
    }

    /// On the sandbox: creates a subscription to every event pointing at the running
    /// inspector, and checks the inspector's requests with its secret.
    pub async fn inspector_subscribe_sandbox(&self) -> Result<Created> {
        if self.endpoint().await?.kind != ConnectionKind::Sandbox {
            return Err(DesktopError::InvalidConnection {
                reason: "a subscription to the inspector is created on the sandbox connection"
                    .to_owned(),
            });
        }
        let url = {
            let slot = self.inspector.lock().await;
            slot.as_ref().ok_or_else(not_running)?.running.url()
        };
        let form = SubscriptionForm {
            name: format!(
                "Inspetor local {}",
                url.trim_end_matches('/').rsplit(':').next().unwrap_or("")
            ),
            url: format!("{url}webhooks/nfe"),
            events: EventKind::SUBSCRIPTION
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            is_active: true,
            secret: None,
        };
        let created = self.desktop.create_subscription(&form).await?;
        self.inspector_use_secret(&SecretChoice::Subscription {
            id: created.subscription.id.clone(),
        })
        .await?;
        Ok(Created {
            generated_secret: None,
            ..created
        })
    }
}
