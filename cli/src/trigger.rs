//! `nfehook trigger`: a realistic signed event, sent once straight to a receiver, or triggered
//! through the sandbox's dispatcher (`POST /_sandbox/events`), which delivers it to every
//! subscription (or the account webhook) that wants it.

use std::path::PathBuf;
use std::time::Duration;

use nfehook_core::{
    AccountEvent, AccountEventData, ChaveAcesso, Dialect, EventKind, Timestamp, Valor,
};
use serde_json::json;

use crate::error::{CliError, Result};
use crate::http::{delivery_client, parse_url, send};
use crate::output::{Style, now_unix, truncate};

/// Options of `nfehook trigger`. No `Debug`: they hold a secret and an API key.
#[derive(clap::Args)]
pub struct TriggerArgs {
    /// The event: nfe.processada, nfe.cancelada, nfe.erro (subscriptions), or
    /// nfe.consulta.concluida, nfe.consulta.erro, guarda.upload.concluido (account webhook).
    pub event: String,
    /// NF-e key of the event; a random valid key of the current month when absent.
    #[arg(long, conflicts_with = "body")]
    pub chave: Option<String>,
    /// Amount in BRL, kept exactly as written (`1500.00` when absent); subscription events only.
    #[arg(long, conflicts_with = "body")]
    pub valor: Option<String>,
    /// Send straight to this receiver, signed with --secret.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "sandbox",
        required_unless_present = "sandbox"
    )]
    pub to: Option<String>,
    /// Secret to sign with when sending --to (or NFEHOOK_SECRET).
    #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Trigger through the sandbox at this base URL instead (needs --api-key).
    #[arg(long, value_name = "URL")]
    pub sandbox: Option<String>,
    /// The sandbox's API key (or NFEHOOK_API_KEY); never printed.
    #[arg(long, env = "NFEHOOK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Send this file's exact bytes as the body instead of a generated event (--to only).
    #[arg(long, value_name = "FILE", conflicts_with = "sandbox")]
    pub body: Option<PathBuf>,
    /// Time the receiver has to answer, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// Longest answer read from a receiver.
const MAX_ANSWER: usize = 64 * 1024;
/// Characters of the answer shown.
const SHOWN_ANSWER: usize = 500;
/// CNPJ of the sample issuer of generated keys (valid check digits).
const SAMPLE_CNPJ: &str = "11222333000181";

/// Runs the command.
pub async fn run(args: TriggerArgs, json: bool) -> Result<()> {
    let kind = EventKind::from_name(&args.event);
    if !kind.is_known() && args.body.is_none() {
        return Err(CliError::Usage(format!(
            "unknown event {:?}; expected one of {}",
            args.event,
            EventKind::SUBSCRIPTION
                .iter()
                .chain(EventKind::ACCOUNT.iter())
                .map(EventKind::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let chave = args
        .chave
        .as_deref()
        .map(|text| ChaveAcesso::parse(text).map_err(|e| CliError::Usage(format!("--chave: {e}"))))
        .transpose()?;
    let valor = args
        .valor
        .as_deref()
        .map(|text| Valor::parse(text).map_err(|e| CliError::Usage(format!("--valor: {e}"))))
        .transpose()?;
    if valor.is_some() && kind.dialect() == Some(Dialect::Account) {
        return Err(CliError::Usage(format!(
            "--valor is not part of {}, an account event",
            kind.as_str()
        )));
    }
    match (&args.to, &args.sandbox) {
        (Some(to), _) => direct(&args, to, kind, chave, valor, json).await,
        (None, Some(sandbox)) => through_sandbox(&args, sandbox, kind, chave, valor, json).await,
        (None, None) => Err(CliError::Usage("give --to URL or --sandbox URL".into())),
    }
}

/// A random valid NF-e key (model 55, São Paulo) of the sample issuer, issued this month.
fn sample_chave(now: Timestamp) -> Result<ChaveAcesso> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| CliError::Server(format!("no random source: {e}")))?;
    let numero = u32::from_le_bytes([random[0], random[1], random[2], random[3]]) % 999_999_999 + 1;
    let codigo = u32::from_le_bytes([random[4], random[5], random[6], random[7]]) % 100_000_000;
    let date = now.to_string();
    let first_43 = format!(
        "35{}{}{SAMPLE_CNPJ}55001{numero:09}1{codigo:08}",
        &date[2..4],
        &date[5..7]
    );
    let digit = nfehook_core::chave::check_digit(first_43.as_bytes());
    ChaveAcesso::parse(&format!("{first_43}{digit}"))
        .map_err(|e| CliError::Server(format!("sample key: {e}")))
}

/// A random lowercase UUID-shaped id.
fn random_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| CliError::Server(format!("no random source: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// The realistic body of `kind` for `chave`, produced at `now`.
fn event_body(
    kind: &EventKind,
    chave: ChaveAcesso,
    valor: Option<Valor>,
    now: i64,
) -> Result<String> {
    if kind.dialect() == Some(Dialect::Account) {
        let mut dados = AccountEventData::new(chave.as_str());
        match kind {
            EventKind::ConsultaConcluida => {
                dados.status = Some("autorizada".into());
                dados.tipo_consulta = Some("completa".into());
            }
            EventKind::ConsultaErro => {
                dados.erro_codigo = Some("404".into());
                dados.erro_mensagem = Some("NF-e não encontrada na base da SEFAZ".into());
            }
            _ => {
                let arquivo_id = random_id()?;
                dados.url_download = Some(format!(
                    "https://api.validanfe.com/GuardaNFe/Download/{arquivo_id}"
                ));
                dados.arquivo_id = Some(arquivo_id);
            }
        }
        return Ok(AccountEvent {
            evento: kind.clone(),
            timestamp: Timestamp::from_unix(now),
            dados,
        }
        .to_json());
    }
    let mut event = nfehook_inspector::test_event(kind.clone(), chave, now);
    if let Some(valor) = valor {
        event.data.valor = Some(valor);
    }
    Ok(event.to_json())
}

/// The URL without its query (it may carry a token).
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

async fn direct(
    args: &TriggerArgs,
    to: &str,
    kind: EventKind,
    chave: Option<ChaveAcesso>,
    valor: Option<Valor>,
    json: bool,
) -> Result<()> {
    let url = parse_url(to, "--to")?;
    let secret = match args.secret.as_deref() {
        Some(secret) if !secret.is_empty() => secret,
        _ => {
            return Err(CliError::Usage(
                "--to needs --secret (or NFEHOOK_SECRET)".into(),
            ));
        }
    };
    let now = now_unix();
    let body = match &args.body {
        Some(path) => crate::signature::read_body(Some(path))?,
        None => {
            let chave = match chave {
                Some(chave) => chave,
                None => sample_chave(Timestamp::from_unix(now))?,
            };
            event_body(&kind, chave, valor, now)?.into_bytes()
        }
    };
    let described = nfehook_core::Event::from_json(&body).ok();
    let dialect = described
        .as_ref()
        .map(nfehook_core::Event::dialect)
        .or(kind.dialect())
        .unwrap_or(Dialect::Subscription);
    let signature = nfehook_core::sign(secret, &body);
    let request = delivery_client()?
        .post(url.clone())
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(dialect.signature_header(), signature)
        .body(body);
    let answer = send(request, MAX_ANSWER).await;
    let event_name = described
        .as_ref()
        .map_or_else(|| kind.as_str().to_owned(), |e| e.event.as_str().to_owned());
    let chave = described
        .as_ref()
        .map_or_else(String::new, |e| e.data.nfe_chave().to_owned());
    let id = described.as_ref().map(|e| e.id.clone());
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    if json {
        crate::output::json_line(&json!({
            "event": event_name,
            "chave": chave,
            "id": id,
            "dialect": dialect.as_str(),
            "url": shown_url(&url),
            "status": answer.status,
            "ok": answer.acknowledged(),
            "latencyMs": answer.latency_ms,
            "body": text,
            "bodyTruncated": answer.body_truncated,
            "error": answer.error,
        }));
    } else {
        let style = Style::detect(false);
        println!(
            "sent {event_name} {chave} to {} ({})",
            shown_url(&url),
            dialect.signature_header()
        );
        match answer.status {
            Some(status) => println!(
                "answer {} in {} ms",
                style.status(status),
                answer.latency_ms
            ),
            None => println!(
                "{} after {} ms: {}",
                style.bad("no answer"),
                answer.latency_ms,
                answer.error.as_deref().unwrap_or("unknown")
            ),
        }
        if !text.is_empty() {
            let cut = truncate(&text, SHOWN_ANSWER);
            let more = cut.len() < text.len() || answer.body_truncated;
            println!("{cut}");
            if more {
                println!("{}", style.dim("(answer truncated)"));
            }
        }
    }
    match answer.status {
        _ if answer.acknowledged() => Ok(()),
        Some(status) => Err(CliError::NotAcknowledged(format!(
            "the receiver answered {status}"
        ))),
        None => Err(CliError::NotAcknowledged(format!(
            "no answer from the receiver: {}",
            answer.error.as_deref().unwrap_or("unknown")
        ))),
    }
}

async fn through_sandbox(
    args: &TriggerArgs,
    sandbox: &str,
    kind: EventKind,
    chave: Option<ChaveAcesso>,
    valor: Option<Valor>,
    json: bool,
) -> Result<()> {
    let base = parse_url(sandbox, "--sandbox")?;
    let api_key = match args.api_key.as_deref() {
        Some(key) if !key.is_empty() => key,
        _ => {
            return Err(CliError::Usage(
                "--sandbox needs --api-key (or NFEHOOK_API_KEY)".into(),
            ));
        }
    };
    let url = base
        .join("_sandbox/events")
        .map_err(|e| CliError::Usage(format!("--sandbox: {e}")))?;
    let mut request = nfehook_sandbox::TriggerRequest::new(kind);
    request.nfe_chave = chave.map(|c| c.as_str().to_owned());
    request.valor = valor;
    let body = serde_json::to_vec(&request)
        .map_err(|e| CliError::Usage(format!("cannot encode the trigger: {e}")))?;
    let http = delivery_client()?
        .post(url)
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .header("X-API-KEY", api_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body);
    let answer = send(http, MAX_ANSWER).await;
    let value: Option<serde_json::Value> = serde_json::from_slice(&answer.body).ok();
    let Some(status) = answer.status else {
        return Err(CliError::Sandbox(format!(
            "no answer: {}",
            answer.error.as_deref().unwrap_or("unknown")
        )));
    };
    if !answer.acknowledged() {
        let message = value
            .as_ref()
            .and_then(|v| v.get("message"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("no message");
        let fields = value
            .as_ref()
            .and_then(|v| v.get("errors"))
            .filter(|e| e.as_object().is_some_and(|o| !o.is_empty()))
            .map_or_else(String::new, |e| format!(" {e}"));
        return Err(CliError::Sandbox(format!("{status}: {message}{fields}")));
    }
    let triggered: nfehook_sandbox::Triggered = value
        .and_then(|v| v.get("data").cloned())
        .and_then(|data| serde_json::from_value(data).ok())
        .ok_or_else(|| CliError::Sandbox(format!("{status}: unreadable answer")))?;
    if json {
        crate::output::json_line(&json!({
            "event": triggered.event.as_str(),
            "chave": triggered.nfe_chave,
            "timestamp": triggered.timestamp.to_string(),
            "deliveries": triggered.deliveries,
        }));
    } else {
        println!(
            "triggered {} {} at {}: {}",
            triggered.event,
            triggered.nfe_chave,
            triggered.timestamp,
            crate::output::count(triggered.deliveries.len(), "delivery", "deliveries")
        );
        for delivery in &triggered.deliveries {
            println!(
                "  delivery {} -> {}",
                delivery.id,
                delivery.subscription_id.as_deref().map_or_else(
                    || "account webhook".to_owned(),
                    |s| format!("subscription {s}")
                )
            );
        }
        if triggered.deliveries.is_empty() {
            println!("  no subscription (nor the account webhook) wants this event");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_keys_are_valid_and_of_the_month() {
        let now = Timestamp::from_unix(1_773_000_000); // 2026-03-08
        let chave = sample_chave(now).expect("key");
        assert_eq!((chave.ano(), chave.mes()), (2026, 3));
        assert_ne!(chave, sample_chave(now).expect("key"));
    }

    #[test]
    fn bodies_of_both_dialects_read_back_as_their_event() {
        let chave =
            ChaveAcesso::parse("52060433009911002506550120000007800267301615").expect("key");
        for kind in EventKind::SUBSCRIPTION
            .iter()
            .chain(EventKind::ACCOUNT.iter())
        {
            let valor = (kind.dialect() == Some(Dialect::Subscription))
                .then(|| Valor::parse("0.10").expect("valor"));
            let body = event_body(kind, chave, valor, 1_710_089_130).expect("body");
            let event = nfehook_core::Event::from_json(body.as_bytes()).expect("event");
            assert_eq!(&event.event, kind);
            assert_eq!(event.data.nfe_chave(), chave.as_str());
            if kind.dialect() == Some(Dialect::Subscription) {
                assert_eq!(event.data.valor().map(Valor::as_str), Some("0.10"));
            }
        }
    }

    #[test]
    fn shown_urls_drop_the_query() {
        let url = reqwest::Url::parse("https://a.example/hook?token=abc#x").expect("url");
        assert_eq!(shown_url(&url), "https://a.example/hook");
    }
}
