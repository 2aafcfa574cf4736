//! The guarded sender against a local server, without a component: each
//! rule of the egress policy, and each budget, broken on purpose.

use super::hooks::{CallEgress, Network};
use super::origin::{Origin, Scheme};
use super::{EgressLimits, Grant};
use crate::connector::model::LogLevel;
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime_wasi_http::{Error, WasiBody, WasiHttpHooks};

/// A server on 127.0.0.1: `/ok`, `/moved` (308 to `/ok`), `/big` (4 MiB), `/drip` (a byte every 50 ms, forever), `/slow` (headers after 2 s).
async fn server() -> SocketAddr {
    let drip = || async {
        let bytes = futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Some((Ok::<_, std::io::Error>(Bytes::from_static(b"x")), ()))
        });
        Body::from_stream(bytes)
    };
    let app = Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route(
            "/moved",
            get(|| async { (http::StatusCode::PERMANENT_REDIRECT, [("location", "/ok"), ("retry-after", "7")]) }),
        )
        .route("/big", get(|| async { vec![b'x'; 4 << 20] }))
        .route("/drip", get(drip))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(2)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn origin(host: &str, port: u16) -> Origin {
    Origin { scheme: Scheme::Http, host: host.into(), port }
}

/// A call that may reach `origins` under `limits`, with 10 s left.
fn call(limits: EgressLimits, origins: Vec<Origin>) -> CallEgress {
    let grant = Grant { origins, notes: Vec::new() };
    let net = Arc::new(Network::new(limits));
    CallEgress::new(net, Arc::default(), Arc::new(grant), Instant::now() + Duration::from_secs(10))
}

fn allowing(addr: SocketAddr) -> EgressLimits {
    EgressLimits { allow_private: vec![addr], ..Default::default() }
}

/// Sends a GET to `url` through `egress`; the status and the whole body, or the first error.
async fn get_url(egress: &mut CallEgress, url: &str) -> Result<(u16, usize), Error> {
    let body: WasiBody = Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync();
    let request = http::Request::get(url).body(body).expect("a request");
    let sent = Box::into_pin(egress.send_request(request, None, Box::new(async { Ok(()) })));
    let (response, io) = sent.await?;
    tokio::spawn(Box::into_pin(io));
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body.len()))
}

fn lines(egress: &CallEgress) -> Vec<(LogLevel, String)> {
    egress.take_lines()
}

#[tokio::test]
async fn a_declared_origin_the_operator_allows_is_reached_and_logged_without_its_query() {
    let addr = server().await;
    let mut egress = call(allowing(addr), vec![origin("127.0.0.1", addr.port())]);
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/ok?token=s3cret", addr.port())).await;
    assert_eq!(got.ok(), Some((200, 4)));
    let logged = lines(&egress);
    assert_eq!(logged.len(), 1, "{logged:?}");
    let (level, line) = &logged[0];
    assert_eq!(*level, LogLevel::Verbose);
    assert!(line.starts_with(&format!("egress: GET http://127.0.0.1:{}/ok -> 200, 4 bytes, ", addr.port())), "{line}");
    assert!(!line.contains("s3cret") && !line.contains('?'), "{line}");
}

#[tokio::test]
async fn an_undeclared_origin_is_refused_before_any_connection() {
    let addr = server().await;
    let mut egress = call(allowing(addr), vec![origin("127.0.0.1", addr.port() + 1)]);
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/ok", addr.port())).await;
    assert!(matches!(got, Err(Error::HttpRequestDenied)), "{got:?}");
    let logged = lines(&egress);
    assert!(logged[0].1.starts_with("egress refused: GET http://127.0.0.1:"), "{logged:?}");
    assert!(logged[0].1.contains("is not an origin this connector declared"), "{logged:?}");
}

#[tokio::test]
async fn a_private_address_is_refused_unless_the_operator_allows_that_address_and_port() {
    let addr = server().await;
    let declared = vec![origin("127.0.0.1", addr.port()), origin("mock.example.com", addr.port())];
    let resolve = vec![("mock.example.com".to_string(), addr.ip())];
    for (limits, url) in [
        (EgressLimits::default(), format!("http://127.0.0.1:{}/ok", addr.port())),
        (
            EgressLimits { resolve: resolve.clone(), ..Default::default() },
            format!("http://mock.example.com:{}/ok", addr.port()),
        ),
        (
            EgressLimits {
                allow_private: vec![SocketAddr::new(addr.ip(), addr.port() + 1)],
                resolve,
                ..Default::default()
            },
            format!("http://mock.example.com:{}/ok", addr.port()),
        ),
    ] {
        let mut egress = call(limits, declared.clone());
        let got = get_url(&mut egress, &url).await;
        assert!(matches!(got, Err(Error::DestinationIpProhibited)), "{url}: {got:?}");
        let logged = lines(&egress);
        assert!(logged[0].1.contains("which is a private or special address"), "{logged:?}");
    }
}

#[tokio::test]
async fn a_denied_range_holds_even_for_an_allowed_private_address() {
    let addr = server().await;
    let limits = EgressLimits { deny_ranges: vec!["127.0.0.0/8".parse().expect("a range")], ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/ok", addr.port())).await;
    assert!(matches!(got, Err(Error::DestinationIpProhibited)), "{got:?}");
}

#[tokio::test]
async fn a_dripping_body_ends_at_the_request_timeout() {
    let addr = server().await;
    let limits = EgressLimits { request_timeout: Duration::from_millis(300), ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/drip", addr.port())).await;
    assert!(matches!(got, Err(Error::ConnectionReadTimeout)), "{got:?}");
    let logged = lines(&egress);
    assert!(logged.iter().any(|(l, t)| *l == LogLevel::Error && t.contains("did not end within")), "{logged:?}");
}

#[tokio::test]
async fn a_slow_server_is_given_up_on_at_the_request_timeout() {
    let addr = server().await;
    let limits = EgressLimits { request_timeout: Duration::from_millis(200), ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/slow", addr.port())).await;
    assert!(matches!(got, Err(Error::ConnectionReadTimeout)), "{got:?}");
}

#[tokio::test]
async fn responses_past_the_call_s_byte_budget_fail() {
    let addr = server().await;
    let limits = EgressLimits { max_response_bytes: 6 << 20, ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    let url = format!("http://127.0.0.1:{}/big", addr.port());
    assert_eq!(get_url(&mut egress, &url).await.ok(), Some((200, 4 << 20)), "the first fits");
    let got = get_url(&mut egress, &url).await;
    assert!(matches!(got, Err(Error::HttpResponseBodySize(Some(n))) if n == 6 << 20), "{got:?}");
}

#[tokio::test]
async fn a_call_may_start_only_so_many_requests_and_logs_the_limit_once() {
    let addr = server().await;
    let limits = EgressLimits { max_requests: 3, ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    let url = format!("http://127.0.0.1:{}/ok", addr.port());
    for _ in 0..3 {
        assert!(get_url(&mut egress, &url).await.is_ok());
    }
    for _ in 0..50 {
        assert!(matches!(get_url(&mut egress, &url).await, Err(Error::ConnectionLimitReached)));
    }
    let refusals: Vec<_> = lines(&egress).into_iter().filter(|(_, t)| t.starts_with("egress refused")).collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_wait_their_turn_within_their_timeout() {
    let addr = server().await;
    let limits = EgressLimits { max_concurrent: 1, request_timeout: Duration::from_millis(500), ..allowing(addr) };
    let mut egress = call(limits, vec![origin("127.0.0.1", addr.port())]);
    // The first holds the only slot while its body drips.
    let body: WasiBody = Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync();
    let request = http::Request::get(format!("http://127.0.0.1:{}/drip", addr.port())).body(body).expect("request");
    let (dripping, io) =
        Box::into_pin(egress.send_request(request, None, Box::new(async { Ok(()) }))).await.expect("headers");
    tokio::spawn(Box::into_pin(io));
    let got = get_url(&mut egress, &format!("http://127.0.0.1:{}/ok", addr.port())).await;
    assert!(matches!(got, Err(Error::ConnectionLimitReached)), "{got:?}");
    drop(dripping);
    assert!(
        get_url(&mut egress, &format!("http://127.0.0.1:{}/ok", addr.port())).await.is_ok(),
        "the slot is free again"
    );
}

/// An HTTPS server on 127.0.0.1 answering `fine` with a self-signed
/// certificate for 127.0.0.1; the certificate, to trust it or not.
async fn tls_server() -> (SocketAddr, rustls::pki_types::CertificateDer<'static>) {
    let key = rcgen::KeyPair::generate().expect("a key");
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
    let cert = params.self_signed(&key).expect("a certificate");
    let der = cert.der().clone();
    let private = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).expect("a private key");
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], private)
        .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else { return };
                let service = hyper::service::service_fn(|_| async {
                    Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(Bytes::from(
                        "fine",
                    ))))
                });
                let io = wasmtime_wasi_http::io::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    (addr, der)
}

#[tokio::test]
async fn https_is_spoken_to_a_server_whose_certificate_is_trusted_and_refused_otherwise() {
    let (addr, cert) = tls_server().await;
    let declared = vec![Origin { scheme: Scheme::Https, host: "127.0.0.1".into(), port: addr.port() }];
    let url = format!("https://127.0.0.1:{}/ok", addr.port());

    let mut untrusted = call(allowing(addr), declared.clone());
    let got = get_url(&mut untrusted, &url).await;
    assert!(matches!(got, Err(Error::TlsCertificateError)), "{got:?}");
    let logged = lines(&untrusted);
    assert!(logged[0].1.contains("TLS: invalid peer certificate"), "{logged:?}");

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).expect("a root");
    let net = Arc::new(Network::with_roots(allowing(addr), roots));
    let grant = Arc::new(Grant { origins: declared, notes: Vec::new() });
    let mut trusted = CallEgress::new(net, Arc::default(), grant, Instant::now() + Duration::from_secs(10));
    assert_eq!(get_url(&mut trusted, &url).await.ok(), Some((200, 4)));
}

#[tokio::test]
async fn the_response_s_status_and_headers_reach_the_connector_as_sent() {
    let addr = server().await;
    let mut egress = call(allowing(addr), vec![origin("127.0.0.1", addr.port())]);
    let body: WasiBody = Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync();
    let request = http::Request::get(format!("http://127.0.0.1:{}/moved", addr.port())).body(body).expect("request");
    let (response, _io) =
        Box::into_pin(egress.send_request(request, None, Box::new(async { Ok(()) }))).await.expect("a response");
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers().get("location").and_then(|v| v.to_str().ok()), Some("/ok"));
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("7"));
}

/// A server on 127.0.0.1 answering `fine`, closing a connection idle for
/// `idle` (if given), and the number of TCP connections it accepted.
async fn counting_server(idle: Option<Duration>) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_| async {
                    Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(Bytes::from(
                        "fine",
                    ))))
                });
                let io = wasmtime_wasi_http::io::TokioIo::new(stream);
                let mut server = hyper::server::conn::http1::Builder::new();
                if let Some(idle) = idle {
                    server.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(idle);
                }
                let _ = server.serve_connection(io, service).await;
            });
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn a_connection_is_kept_for_the_next_request_to_the_same_origin_only_after_a_whole_response() {
    let (addr, accepted) = counting_server(None).await;
    let pool = Arc::new(super::Pool::default());
    let url = format!("http://127.0.0.1:{}/ok", addr.port());
    let calls = || {
        let grant = Arc::new(Grant { origins: vec![origin("127.0.0.1", addr.port())], notes: Vec::new() });
        let net = Arc::new(Network::new(allowing(addr)));
        CallEgress::new(net, pool.clone(), grant, Instant::now() + Duration::from_secs(10))
    };
    for _ in 0..5 {
        let mut egress = calls();
        assert_eq!(get_url(&mut egress, &url).await.ok(), Some((200, 4)));
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1, "five calls, one connection");

    // A response dropped before its end leaves its connection unused.
    let mut egress = calls();
    let body: WasiBody = Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync();
    let request = http::Request::get(&url).body(body).expect("request");
    let (response, _io) =
        Box::into_pin(egress.send_request(request, None, Box::new(async { Ok(()) }))).await.expect("a response");
    drop(response);
    let mut egress = calls();
    assert_eq!(get_url(&mut egress, &url).await.ok(), Some((200, 4)));
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2, "a new connection after the dropped one");

    // A call whose grant does not allow the origin never gets the kept connection.
    let grant = Arc::new(Grant::default());
    let mut refused = CallEgress::new(
        Arc::new(Network::new(allowing(addr))),
        pool.clone(),
        grant,
        Instant::now() + Duration::from_secs(10),
    );
    assert!(matches!(get_url(&mut refused, &url).await, Err(Error::HttpRequestDenied)));
    // Nor does a call whose operator rules refuse the address.
    let grant = Arc::new(Grant { origins: vec![origin("127.0.0.1", addr.port())], notes: Vec::new() });
    let mut private = CallEgress::new(
        Arc::new(Network::new(EgressLimits::default())),
        pool.clone(),
        grant,
        Instant::now() + Duration::from_secs(10),
    );
    assert!(matches!(get_url(&mut private, &url).await, Err(Error::DestinationIpProhibited)));
}

#[tokio::test]
async fn a_kept_connection_the_server_closed_is_not_reused() {
    let (addr, accepted) = counting_server(Some(Duration::from_millis(20))).await;
    let pool = Arc::new(super::Pool::default());
    let url = format!("http://127.0.0.1:{}/ok", addr.port());
    let grant = Arc::new(Grant { origins: vec![origin("127.0.0.1", addr.port())], notes: Vec::new() });
    let net = Arc::new(Network::new(allowing(addr)));
    let mut egress = CallEgress::new(net, pool.clone(), grant, Instant::now() + Duration::from_secs(10));
    assert!(get_url(&mut egress, &url).await.is_ok());
    // The server closes the kept connection after 20 ms without a request.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(get_url(&mut egress, &url).await.is_ok(), "the next request goes on a new connection");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}
