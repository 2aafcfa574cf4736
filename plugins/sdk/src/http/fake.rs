//! A stand-in for the network in native unit tests.

use super::{Backoff, Client, Request, Response, Transport, TransportError};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// A scripted [`Transport`] for native unit tests: answers by path and keeps
/// every request it gets. Clones share the script and the requests, so keep
/// one and hand a [`client`](FakeHttp::client) to the connector.
///
/// ```
/// use syncport_connector_sdk::http::{FakeHttp, Request};
///
/// let fake = FakeHttp::new();
/// fake.respond("/v1/ping", 200, r#"{"ok":true}"#);
/// let response = fake.client().send(Request::get("https://api.example/v1/ping?x=1").unwrap()).unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(fake.requests()[0].url(), "https://api.example/v1/ping?x=1");
/// ```
#[derive(Clone, Default)]
pub struct FakeHttp {
    routes: Rc<RefCell<Vec<Route>>>,
    sent: Rc<RefCell<Vec<Request>>>,
}

/// The answers to one path, in turn; the last one repeats.
struct Route {
    path: String,
    answers: Vec<Result<Response, TransportError>>,
}

impl FakeHttp {
    /// A fake that answers every path with 404 until told otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the next request to `path` (the path without query) with
    /// `status` and the JSON `body`; several answers to one path are given
    /// in turn, and the last one repeats.
    pub fn respond(&self, path: &str, status: u16, body: &str) -> &Self {
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        self.answer(path, Ok(Response::new(status, headers, body.as_bytes().to_vec())))
    }

    /// Answers the next request to `path` with `response`, or fails it with
    /// a [`TransportError`].
    pub fn answer(&self, path: &str, answer: Result<Response, TransportError>) -> &Self {
        let mut routes = self.routes.borrow_mut();
        match routes.iter_mut().find(|r| r.path == path) {
            Some(route) => route.answers.push(answer),
            None => routes.push(Route { path: path.to_string(), answers: vec![answer] }),
        }
        self
    }

    /// A client sending to this fake, without waits between attempts.
    pub fn client(&self) -> Client {
        Client::with_transport(self.clone()).with_backoff(Backoff { first: Duration::ZERO })
    }

    /// The requests sent so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.sent.borrow().clone()
    }
}

impl Transport for FakeHttp {
    fn send(&self, request: &Request) -> Result<Response, TransportError> {
        self.sent.borrow_mut().push(request.clone());
        let path_with_query = request.path_with_query();
        let path = path_with_query.split('?').next().unwrap_or_default();
        let mut routes = self.routes.borrow_mut();
        match routes.iter_mut().find(|r| r.path == path) {
            Some(route) if route.answers.len() > 1 => route.answers.remove(0),
            Some(route) => route.answers[0].clone(),
            None => Ok(Response::new(404, vec![], format!("no route for {path}").into_bytes())),
        }
    }

    fn sleep(&self, _duration: Duration) {}
}
