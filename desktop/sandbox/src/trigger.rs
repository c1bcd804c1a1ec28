//! Triggering an event: one pending delivery per subscription that wants it, or one to the
//! account webhook for an account event.

use nfehook_core::{
    AccountEvent, AccountEventData, ChaveAcesso, Dialect, Emitente, EventKind, NfeEventData,
    Timestamp, Valor, WebhookEvent, validate_url,
};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, millis_to_secs, timestamp};
use crate::delivery::dialect_serde;
use crate::dispatcher::DispatcherHandle;
use crate::error::{Result, SandboxError};
use crate::sample;
use crate::store::{self, NewDelivery, Store};

/// Longest text accepted in an account event's own fields (`status`, `erroCodigo`, ...).
const MAX_FIELD_LEN: usize = 500;

/// An event to simulate, as sent to `POST /_sandbox/events`; fields left out get realistic
/// sample values (a valid NF-e key of the current month, a sample issuer, `1500.00`,
/// `autorizada`, ...). Each event takes the fields of its dialect only: `emitente`, `valor`
/// and `dataEmissao` for the subscription events; `status` and `tipoConsulta`, `erroCodigo`
/// and `erroMensagem`, or `arquivoId` and `urlDownload` for the three account events.
///
/// ```
/// use nfehook_core::EventKind;
/// let request = nfehook_sandbox::TriggerRequest::new(EventKind::Cancelada);
/// assert!(request.nfe_chave.is_none());
/// let account = nfehook_sandbox::TriggerRequest::new(EventKind::from_name("nfe.consulta.erro"));
/// assert!(account.erro_codigo.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerRequest {
    /// One of the six events: `nfe.processada`, `nfe.cancelada`, `nfe.erro` (to subscriptions)
    /// or `nfe.consulta.concluida`, `nfe.consulta.erro`, `guarda.upload.concluido` (to the
    /// account webhook).
    pub event: EventKind,
    /// NF-e key of the event (validated); a random valid key when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfe_chave: Option<String>,
    /// Issuer; the key's CNPJ with a sample name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitente: Option<Emitente>,
    /// Amount in BRL, kept exactly as given; `1500.00` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valor: Option<Valor>,
    /// Issue time; 75 minutes before the event when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_emissao: Option<Timestamp>,
    /// `nfe.consulta.concluida`: the NF-e's status; `autorizada` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `nfe.consulta.concluida`: the kind of query; `completa` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tipo_consulta: Option<String>,
    /// `nfe.consulta.erro`: the error code (text); `404` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erro_codigo: Option<String>,
    /// `nfe.consulta.erro`: the error message; a sample message when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erro_mensagem: Option<String>,
    /// `guarda.upload.concluido`: the stored file's id; a random UUID when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arquivo_id: Option<String>,
    /// `guarda.upload.concluido`: where to download the file; an API URL when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_download: Option<String>,
}

impl TriggerRequest {
    /// A request for `event` with every other field left to the sample values.
    #[must_use]
    pub fn new(event: EventKind) -> Self {
        Self {
            event,
            nfe_chave: None,
            emitente: None,
            valor: None,
            data_emissao: None,
            status: None,
            tipo_consulta: None,
            erro_codigo: None,
            erro_mensagem: None,
            arquivo_id: None,
            url_download: None,
        }
    }

    /// The same request for NF-e key `chave`.
    #[must_use]
    pub fn with_chave(mut self, chave: impl Into<String>) -> Self {
        self.nfe_chave = Some(chave.into());
        self
    }
}

/// What a trigger did: the event and one delivery per matching subscription (or the one to
/// the account webhook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Triggered {
    /// The event.
    pub event: EventKind,
    /// The NF-e key the event is about (44 digits).
    pub nfe_chave: String,
    /// When the event was produced (the `timestamp` of every body).
    pub timestamp: Timestamp,
    /// Deliveries created, pending; empty when no webhook wants the event.
    pub deliveries: Vec<TriggeredDelivery>,
}

/// A delivery created by a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggeredDelivery {
    /// Delivery id: the `id` of a subscription body, the same on every attempt.
    pub id: String,
    /// Which webhook it goes to.
    #[serde(with = "dialect_serde")]
    pub dialect: Dialect,
    /// The subscription it goes to; `None` for the account webhook.
    pub subscription_id: Option<String>,
}

/// The fields a trigger request sets, by JSON name, for refusing those of another dialect.
fn fields_set(request: &TriggerRequest) -> [(&'static str, bool); 9] {
    [
        ("emitente", request.emitente.is_some()),
        ("valor", request.valor.is_some()),
        ("dataEmissao", request.data_emissao.is_some()),
        ("status", request.status.is_some()),
        ("tipoConsulta", request.tipo_consulta.is_some()),
        ("erroCodigo", request.erro_codigo.is_some()),
        ("erroMensagem", request.erro_mensagem.is_some()),
        ("arquivoId", request.arquivo_id.is_some()),
        ("urlDownload", request.url_download.is_some()),
    ]
}

/// Refuses every field set on `request` that `event` does not take.
fn only_fields(request: &TriggerRequest, event: &str, allowed: &[&str]) -> Result<()> {
    let foreign: Vec<&str> = fields_set(request)
        .into_iter()
        .filter(|(name, set)| *set && !allowed.contains(name))
        .map(|(name, _)| name)
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::InvalidRequest(format!(
            "{} not taken by {event}",
            foreign
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// A given text field of an account event, checked, or its sample value.
fn text(value: Option<&String>, field: &str, sample: impl FnOnce() -> String) -> Result<String> {
    let Some(value) = value else {
        return Ok(sample());
    };
    if value.trim().is_empty() {
        return Err(SandboxError::InvalidRequest(format!(
            "`{field}` must not be blank"
        )));
    }
    if value.chars().count() > MAX_FIELD_LEN {
        return Err(SandboxError::InvalidRequest(format!(
            "`{field}` must have at most {MAX_FIELD_LEN} characters"
        )));
    }
    Ok(value.clone())
}

/// The `dados` of an account event from the request, samples where absent.
fn account_dados(
    event: &EventKind,
    chave: &ChaveAcesso,
    request: &TriggerRequest,
) -> Result<AccountEventData> {
    let mut dados = AccountEventData::new(chave.as_str());
    match event {
        EventKind::ConsultaConcluida => {
            only_fields(request, event.as_str(), &["status", "tipoConsulta"])?;
            dados.status = Some(text(request.status.as_ref(), "status", || {
                sample::CONSULTA_STATUS.to_owned()
            })?);
            dados.tipo_consulta = Some(text(
                request.tipo_consulta.as_ref(),
                "tipoConsulta",
                || sample::TIPO_CONSULTA.to_owned(),
            )?);
        }
        EventKind::ConsultaErro => {
            only_fields(request, event.as_str(), &["erroCodigo", "erroMensagem"])?;
            dados.erro_codigo = Some(text(request.erro_codigo.as_ref(), "erroCodigo", || {
                sample::ERRO_CODIGO.to_owned()
            })?);
            dados.erro_mensagem = Some(text(
                request.erro_mensagem.as_ref(),
                "erroMensagem",
                || sample::ERRO_MENSAGEM.to_owned(),
            )?);
        }
        _ => {
            only_fields(request, event.as_str(), &["arquivoId", "urlDownload"])?;
            let arquivo_id = text(request.arquivo_id.as_ref(), "arquivoId", || {
                uuid::Uuid::new_v4().hyphenated().to_string()
            })?;
            dados.url_download = Some(match &request.url_download {
                Some(url) => {
                    validate_url(url).map_err(|problem| {
                        SandboxError::InvalidRequest(format!("`urlDownload` {problem}"))
                    })?;
                    url.clone()
                }
                None => sample::url_download(&arquivo_id),
            });
            dados.arquivo_id = Some(arquivo_id);
        }
    }
    Ok(dados)
}

/// What one trigger stores: the deliveries' bodies, built in the store's transaction once
/// the targets are known.
enum Plan {
    Subscription(NfeEventData),
    Account(AccountEvent),
}

/// The `data` of a subscription event from the request, samples where absent.
fn subscription_plan(
    request: &TriggerRequest,
    chave: &ChaveAcesso,
    now: Timestamp,
) -> Result<Plan> {
    only_fields(
        request,
        request.event.as_str(),
        &["emitente", "valor", "dataEmissao"],
    )?;
    Ok(Plan::Subscription(NfeEventData {
        nfe_chave: chave.as_str().to_owned(),
        status: request.event.status().to_owned(),
        emitente: Some(
            request
                .emitente
                .clone()
                .unwrap_or_else(|| sample::emitente(chave)),
        ),
        valor: Some(request.valor.clone().unwrap_or_else(sample::valor)),
        data_emissao: Some(
            request
                .data_emissao
                .unwrap_or_else(|| sample::data_emissao(now)),
        ),
    }))
}

/// One delivery per webhook that wants the event, with its body.
fn new_deliveries(
    tx: &rusqlite::Transaction<'_>,
    plan: &Plan,
    event: &EventKind,
    nfe_chave: &str,
    now: Timestamp,
) -> rusqlite::Result<Vec<NewDelivery>> {
    Ok(match plan {
        Plan::Subscription(data) => store::targets(tx, event.as_str(), nfe_chave)?
            .into_iter()
            .map(|target| {
                let id = uuid::Uuid::new_v4().hyphenated().to_string();
                let body = WebhookEvent {
                    id: id.clone(),
                    event: event.clone(),
                    timestamp: now,
                    data: data.clone(),
                }
                .to_json();
                NewDelivery {
                    id,
                    dialect: Dialect::Subscription,
                    subscription_id: Some(target.subscription_id),
                    url: target.url,
                    event: event.as_str().to_owned(),
                    nfe_chave: nfe_chave.to_owned(),
                    body,
                }
            })
            .collect(),
        Plan::Account(body) => store::account_target(tx, body.evento.as_str())?
            .map(|url| NewDelivery {
                id: uuid::Uuid::new_v4().hyphenated().to_string(),
                dialect: Dialect::Account,
                subscription_id: None,
                url,
                event: body.evento.as_str().to_owned(),
                nfe_chave: nfe_chave.to_owned(),
                body: body.to_json(),
            })
            .into_iter()
            .collect(),
    })
}

/// Stores one pending delivery per webhook that wants the event, then wakes the dispatcher.
pub(crate) async fn trigger(
    store: &Store,
    dispatcher: &DispatcherHandle,
    clock: &Clock,
    request: TriggerRequest,
) -> Result<Triggered> {
    let Some(dialect) = request.event.dialect() else {
        return Err(SandboxError::InvalidRequest(format!(
            "unknown event `{}`; expected one of {}",
            request.event.as_str(),
            EventKind::KNOWN
                .iter()
                .map(EventKind::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let now_ms = clock.now_unix_millis();
    let now = timestamp(millis_to_secs(now_ms));
    let chave = match &request.nfe_chave {
        Some(text) => ChaveAcesso::parse(text)
            .map_err(|err| SandboxError::InvalidRequest(format!("invalid nfeChave: {err}")))?,
        None => sample::chave(now),
    };
    let plan = match dialect {
        Dialect::Account => Plan::Account(AccountEvent {
            evento: request.event.clone(),
            timestamp: now,
            dados: account_dados(&request.event, &chave, &request)?,
        }),
        Dialect::Subscription => subscription_plan(&request, &chave, now)?,
    };
    let event = request.event.clone();
    let nfe_chave = chave.as_str().to_owned();
    let deliveries = store
        .call(move |conn| {
            let tx = conn.transaction()?;
            let new = new_deliveries(&tx, &plan, &event, &nfe_chave, now)?;
            store::insert_deliveries(&tx, &new, now_ms)?;
            tx.commit()?;
            Ok(new)
        })
        .await?;
    tracing::info!(
        event = request.event.as_str(),
        deliveries = deliveries.len(),
        "event triggered"
    );
    dispatcher.wake();
    Ok(Triggered {
        event: request.event,
        nfe_chave: chave.as_str().to_owned(),
        timestamp: now,
        deliveries: deliveries
            .into_iter()
            .map(|d| TriggeredDelivery {
                id: d.id,
                dialect: d.dialect,
                subscription_id: d.subscription_id,
            })
            .collect(),
    })
}
