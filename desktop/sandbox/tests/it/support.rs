//! Shared test helpers: a sandbox with fast timings, a webhook receiver that verifies
//! signatures with `nfehook-core`, and small HTTP helpers.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use nfehook_core::{Dialect, Event, Verifier};
use nfehook_sandbox::{
    Delivery, DeliveryStatus, ManualClock, RunningSandbox, Sandbox, SandboxBuilder,
};
use serde_json::{Value, json};

pub const API_KEY: &str = "sbx_test_key_0123456789abcdef";

/// A sandbox builder with an in-memory store, a known key, port 0 and fast retries.
pub fn fast_sandbox() -> SandboxBuilder {
    Sandbox::builder()
        .in_memory()
        .api_key(API_KEY)
        .bind("127.0.0.1:0")
        .backoff_base(Duration::from_millis(100))
        .attempt_timeout(Duration::from_secs(2))
}

/// A plain HTTP client for calling the sandbox directly.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends a request with the test key and returns the status, headers and JSON body.
pub async fn call(
    sandbox_url: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = http()
        .request(method, format!("{sandbox_url}{path}"))
        .header("X-API-KEY", API_KEY)
        .header("Accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sandbox answers");
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON answer, got {text}"))
    };
    (status, headers, value)
}

/// Creates a subscription and returns its id and secret.
pub async fn subscribe(sandbox: &RunningSandbox, url: &str, events: &[&str]) -> (String, String) {
    let (status, _, body) = call(
        &sandbox.base_url(),
        reqwest::Method::POST,
        "/Webhooks/Subscriptions",
        Some(json!({ "name": "test", "url": url, "events": events, "isActive": true })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["data"]["id"].as_str().unwrap().to_owned(),
        body["data"]["secret"].as_str().unwrap().to_owned(),
    )
}

/// Turns a subscription off (`PUT … {"isActive": false}`), asserting the sandbox took it.
pub async fn deactivate(sandbox: &RunningSandbox, id: &str) {
    let (status, _, body) = call(
        &sandbox.base_url(),
        reqwest::Method::PUT,
        &format!("/Webhooks/Subscriptions/{id}"),
        Some(json!({ "isActive": false })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Waits until the delivery is no longer pending (or `limit` passes) and returns it.
pub async fn settled(sandbox: &RunningSandbox, id: &str, limit: Duration) -> Delivery {
    let deadline = Instant::now() + limit;
    loop {
        let delivery = sandbox
            .delivery(id)
            .await
            .unwrap()
            .expect("delivery exists");
        if delivery.status != DeliveryStatus::Pending || Instant::now() > deadline {
            return delivery;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A manual clock standing at the wall clock's time (receivers check the event timestamp).
pub fn clock_at_now() -> ManualClock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    ManualClock::at_unix_millis(i64::try_from(now.as_millis()).unwrap())
}

/// Polls the delivery (the dispatcher runs on its own task) until `done` holds.
pub async fn until(
    sandbox: &RunningSandbox,
    id: &str,
    done: impl Fn(&Delivery) -> bool,
) -> Delivery {
    for _ in 0..500 {
        let delivery = sandbox.delivery(id).await.unwrap().unwrap();
        if done(&delivery) {
            return delivery;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("delivery {id} never reached the expected state");
}

/// What the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    Status(u16),
    /// Waits, then answers 200.
    Slow(Duration),
}

/// A request the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The body's `id`; empty for an account delivery (its body has none).
    pub id: String,
    /// The header the signature came in.
    pub signature_header: &'static str,
    pub event: String,
    pub nfe_chave: String,
    pub signature_ok: bool,
    pub content_type: String,
    pub body: Vec<u8>,
    pub answered: u16,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    secret: Mutex<Option<String>>,
    plan: Mutex<VecDeque<Reply>>,
    default: Mutex<Option<Reply>>,
    hits: Mutex<Vec<Hit>>,
}

/// A webhook receiver on 127.0.0.1 that verifies each delivery with `nfehook-core`
/// (signature over the raw body, then JSON and timestamp, in either dialect) and answers per
/// its plan.
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver answering `plan` in order, then `then` for every later request.
    pub async fn start(plan: &[Reply], then: Reply) -> Self {
        let inner = Arc::new(Inner::default());
        inner.plan.lock().unwrap().extend(plan.iter().copied());
        *inner.default.lock().unwrap() = Some(then);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, inner, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The secret deliveries must be signed with.
    pub fn expect_secret(&self, secret: &str) {
        *self.inner.secret.lock().unwrap() = Some(secret.to_owned());
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.hits.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let secret = inner.secret.lock().unwrap().clone();
    // The core's header rule: X-Webhook-Signature, else X-ValidaNFe-Signature.
    let (signature_header, signature) =
        nfehook_core::signature_header(|name| headers.get(name).and_then(|v| v.to_str().ok()))
            .map_or(
                (nfehook_core::SIGNATURE_HEADER, String::new()),
                |(name, value)| (name, value.to_owned()),
            );
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let verified = secret.as_ref().map(|secret| {
        nfehook_core::verify_event(
            &Verifier::new(secret.as_bytes()).unwrap(),
            &body,
            &signature,
            now,
            nfehook_core::DEFAULT_TOLERANCE_SECS,
        )
    });
    let event = Event::from_json(&body).expect("the body is a delivery of either dialect");
    // Account bodies carry no id; the core's id for them is a digest of the body.
    let id = match event.dialect() {
        Dialect::Subscription => event.id.clone(),
        Dialect::Account => String::new(),
    };
    let (event, nfe_chave) = (
        event.event.as_str().to_owned(),
        event.data.nfe_chave().to_owned(),
    );
    let reply = inner
        .plan
        .lock()
        .unwrap()
        .pop_front()
        .or(*inner.default.lock().unwrap())
        .unwrap_or(Reply::Status(200));
    let answered = match reply {
        Reply::Status(code) => code,
        Reply::Slow(_) => 200,
    };
    // Recorded before any wait: a sender that gives up drops this handler mid-way.
    inner.hits.lock().unwrap().push(Hit {
        id,
        signature_header,
        event,
        nfe_chave,
        signature_ok: matches!(verified, Some(Ok(_))),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: body.to_vec(),
        answered,
        at,
    });
    if let Reply::Slow(wait) = reply {
        tokio::time::sleep(wait).await;
    }
    if matches!(verified, Some(Err(_))) {
        return StatusCode::UNAUTHORIZED;
    }
    StatusCode::from_u16(answered).unwrap()
}
