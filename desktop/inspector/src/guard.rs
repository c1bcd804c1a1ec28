//! Who may send to the inspector: local programs that name it by its own address. A page in
//! the user's browser can reach 127.0.0.1 as well, through a DNS name rebound to it (the
//! request then carries that name as its `Host`) or with a cross-site POST (the browser adds
//! `Origin` or `Sec-Fetch-Site`); such requests get `403` before their body is read, and are
//! not recorded.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Refusal;

/// Headers that only browsers send; a webhook sender has no reason to.
const BROWSER_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::ORIGIN, "Origin"),
    (
        header::HeaderName::from_static("sec-fetch-site"),
        "Sec-Fetch-Site",
    ),
];

/// The JSON answer of a refusal, in the API's error envelope with a code added.
#[derive(Serialize)]
struct RefusalBody {
    success: bool,
    code: &'static str,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = RefusalBody {
            success: false,
            code: self.code(),
            message: self.to_string(),
        };
        (StatusCode::FORBIDDEN, Json(body)).into_response()
    }
}

/// The names a local program may give the inspector listening on `addr`: its own address,
/// and 127.0.0.1, `localhost` or `[::1]` with its port (the port left out when it is 80).
fn is_own_host(host: &str, addr: SocketAddr) -> bool {
    let port = addr.port();
    let own_ip = match addr {
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    ["127.0.0.1", "localhost", "[::1]", own_ip.as_str()]
        .iter()
        .any(|name| {
            host.eq_ignore_ascii_case(&format!("{name}:{port}"))
                || (port == 80 && host.eq_ignore_ascii_case(name))
        })
}

/// Checks the host the request names (its request line's authority, when there is one, and
/// every `Host` header) and the headers only browsers send.
pub(crate) fn check(addr: SocketAddr, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
    let expected = || format!("http://{addr}/");
    if let Some((_, name)) = BROWSER_HEADERS
        .iter()
        .find(|(h, _)| headers.contains_key(h))
    {
        return Err(Refusal::FromBrowser { header: name });
    }
    let mut hosts: Vec<String> = headers
        .get_all(header::HOST)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect();
    hosts.extend(uri.authority().map(|a| a.as_str().to_owned()));
    if hosts.is_empty() {
        return Err(Refusal::MissingHost {
            expected: expected(),
        });
    }
    match hosts.into_iter().find(|host| !is_own_host(host, addr)) {
        Some(found) => Err(Refusal::ForeignHost {
            found,
            expected: expected(),
        }),
        None => Ok(()),
    }
}

/// Middleware: refuses what [`check`] refuses, before the body is read.
pub(crate) async fn refuse_foreign(
    State(addr): State<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match check(addr, request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::warn!(%refusal, "inspector refused a request");
            refusal.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    value.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn only_the_inspector_s_own_names_pass() {
        let addr: SocketAddr = "127.0.0.1:8090".parse().unwrap();
        let uri = Uri::from_static("/hook");
        for host in ["127.0.0.1:8090", "LOCALHOST:8090", "[::1]:8090"] {
            assert_eq!(
                check(addr, &uri, &headers(&[("host", host)])),
                Ok(()),
                "{host}"
            );
        }
        for host in [
            "127.0.0.1:8091",
            "127.0.0.1",
            "evil.example:8090",
            "localhost.evil:8090",
        ] {
            assert_eq!(
                check(addr, &uri, &headers(&[("host", host)])).map_err(|r| r.code()),
                Err("foreign_host"),
                "{host}"
            );
        }
        let absolute = Uri::from_static("http://evil.example:8090/hook");
        assert!(check(addr, &absolute, &headers(&[("host", "127.0.0.1:8090")])).is_err());
        assert_eq!(
            check(addr, &uri, &HeaderMap::new()).map_err(|r| r.code()),
            Err("missing_host")
        );
        let on_80: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert_eq!(
            check(on_80, &uri, &headers(&[("host", "localhost")])),
            Ok(())
        );
    }

    #[test]
    fn headers_only_browsers_send_are_refused() {
        let addr: SocketAddr = "127.0.0.1:8090".parse().unwrap();
        let uri = Uri::from_static("/");
        for extra in [("origin", "null"), ("sec-fetch-site", "same-origin")] {
            let refusal = check(addr, &uri, &headers(&[("host", "127.0.0.1:8090"), extra]));
            assert_eq!(refusal.map_err(|r| r.code()), Err("browser_request"));
        }
    }
}
