//! A sandbox on port 0 and a tiny scripted HTTP server that counts its requests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use nfehook_client::{Client, RetryPolicy};
use nfehook_sandbox::{RateLimit, RunningSandbox, Sandbox};

pub const API_KEY: &str = "test-api-key-9f8e7d6c5b4a";

/// A retry policy with short waits, so retry tests are fast.
pub fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

pub async fn sandbox() -> RunningSandbox {
    Sandbox::builder()
        .in_memory()
        .api_key(API_KEY)
        .bind("127.0.0.1:0")
        .start()
        .await
        .unwrap()
}

pub async fn rate_limited_sandbox(limit: RateLimit) -> RunningSandbox {
    Sandbox::builder()
        .in_memory()
        .api_key(API_KEY)
        .bind("127.0.0.1:0")
        .rate_limit(limit)
        .start()
        .await
        .unwrap()
}

pub fn client(base_url: &str) -> Client {
    Client::builder(API_KEY)
        .base_url(base_url)
        .retry(quick_retries(3))
        .build()
        .unwrap()
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Answer {
    pub fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

type Script = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

struct Inner {
    script: Script,
    hits: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
}

/// A server on 127.0.0.1 answering request `n` (0-based) with `script(n)`.
pub struct TinyServer {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl TinyServer {
    pub async fn start(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let inner = Arc::new(Inner {
            script: Arc::new(script),
            hits: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        });
        let state = Arc::clone(&inner);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: axum::http::Uri, headers: HeaderMap, body: String| {
                let state = Arc::clone(&state);
                async move {
                    let n = state.hits.fetch_add(1, Ordering::SeqCst);
                    state.seen.lock().unwrap().push(Seen {
                        method,
                        path: uri.path().to_owned(),
                        headers,
                        body,
                    });
                    let answer = (state.script)(n);
                    tokio::time::sleep(answer.delay).await;
                    let mut response: Response =
                        (StatusCode::from_u16(answer.status).unwrap(), answer.body).into_response();
                    for (name, value) in answer.headers {
                        response.headers_mut().insert(name, value.parse().unwrap());
                    }
                    response
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, inner, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn hits(&self) -> usize {
        self.inner.hits.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }
}

impl Drop for TinyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
