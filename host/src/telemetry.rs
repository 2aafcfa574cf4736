//! One server's Prometheus metrics: what it counts and times, and the text
//! it serves at `GET /api.rsc/v2/metrics` (and `--metrics-listen`).
//!
//! Each server has its own recorder (several servers run in one test
//! process; none installs a global one), reached through [`Metrics`], which
//! the runtime, the jobs and the API hold. Labels take bounded values only:
//! route templates, never paths; connector names and versions, never
//! connection ids. docs/deploy.md lists every series.

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;
use std::time::Instant;

/// A series: its name, type, unit and help text.
struct Series {
    name: &'static str,
    kind: Kind,
    unit: Option<Unit>,
    help: &'static str,
}

enum Kind {
    Counter,
    Gauge,
    Histogram,
}

const fn series(name: &'static str, kind: Kind, unit: Option<Unit>, help: &'static str) -> Series {
    Series { name, kind, unit, help }
}

const HTTP_REQUESTS: Series =
    series("syncport_http_requests_total", Kind::Counter, None, "HTTP requests, by method, route template and status.");
const HTTP_DURATION: Series = series(
    "syncport_http_request_duration_seconds",
    Kind::Histogram,
    Some(Unit::Seconds),
    "HTTP request latency, by method and route template.",
);
const CONNECTOR_CALLS: Series = series(
    "syncport_connector_calls_total",
    Kind::Counter,
    None,
    "Connector calls, by connector, version, operation and outcome (ok, connector_error, fault).",
);
const CONNECTOR_DURATION: Series = series(
    "syncport_connector_call_duration_seconds",
    Kind::Histogram,
    Some(Unit::Seconds),
    "Connector call latency (instantiation included), by connector, version and operation.",
);
const SANDBOX_FAULTS: Series = series(
    "syncport_sandbox_faults_total",
    Kind::Counter,
    None,
    "Connector calls the sandbox stopped, by connector, version and kind.",
);
const QUEUE_DEPTH: Series = series(
    "syncport_connector_queue_depth",
    Kind::Gauge,
    None,
    "Calls waiting for a free slot of their connector version.",
);
const QUEUE_WAIT: Series = series(
    "syncport_connector_queue_wait_seconds",
    Kind::Histogram,
    Some(Unit::Seconds),
    "How long calls waited for a slot of their connector version.",
);
const JOB_ROWS: Series = series(
    "syncport_job_rows_total",
    Kind::Counter,
    None,
    "Rows job runs read from sources and wrote to destinations, by direction.",
);
const JOB_BYTES: Series = series(
    "syncport_job_bytes_total",
    Kind::Counter,
    Some(Unit::Bytes),
    "Bytes of row data job runs read from their sources.",
);
const JOB_TABLES: Series =
    series("syncport_job_tables_total", Kind::Counter, None, "Tables of job runs ended, by status.");
const JOB_RUNS: Series = series("syncport_job_runs_total", Kind::Counter, None, "Job runs ended, by status.");
const DB_CONNECTIONS: Series =
    series("syncport_db_pool_connections", Kind::Gauge, None, "Open database connections, by state (idle, in_use).");
const DB_MAX_CONNECTIONS: Series =
    series("syncport_db_pool_max_connections", Kind::Gauge, None, "The most database connections the pool opens.");
const CACHES_FRESH: Series = series(
    "syncport_cache_fresh",
    Kind::Gauge,
    None,
    "1 while the in-process caches serve reads (on PostgreSQL: the cache listener hears its pings), else 0.",
);

/// Every series, described once at start.
const ALL: &[Series] = &[
    HTTP_REQUESTS,
    HTTP_DURATION,
    CONNECTOR_CALLS,
    CONNECTOR_DURATION,
    SANDBOX_FAULTS,
    QUEUE_DEPTH,
    QUEUE_WAIT,
    JOB_ROWS,
    JOB_BYTES,
    JOB_TABLES,
    JOB_RUNS,
    DB_CONNECTIONS,
    DB_MAX_CONNECTIONS,
    CACHES_FRESH,
];

/// Latency buckets, in seconds: half a millisecond to two minutes (a
/// connector call may run for its whole deadline).
const SECONDS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// How often histograms are folded even when nobody scrapes: without it
/// their samples would pile up between scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

/// A server's metrics. Cheap to clone; every clone records into the same
/// registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// The handles of each route template's requests.
    http: RwLock<HashMap<String, Vec<HttpSeries>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// How a connector call ended, for the `outcome` label of `syncport_connector_calls_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The call returned a value.
    Ok,
    /// The connector reported an error of its own (e.g. bad credentials).
    ConnectorError,
    /// The host stopped the call (`syncport_sandbox_faults_total` says why).
    Fault,
}

/// What every registration names as its origin (the exporter ignores it).
static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

impl Metrics {
    /// An empty registry with every series described and the latency
    /// buckets set.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self { inner: Arc::new(Inner { recorder, handle, http: RwLock::default() }) };
        metrics.describe();
        metrics
    }

    fn describe(&self) {
        let recorder = &self.inner.recorder;
        for series in ALL {
            let (name, help) = (KeyName::from_const_str(series.name), SharedString::const_str(series.help));
            match series.kind {
                Kind::Counter => recorder.describe_counter(name, series.unit, help),
                Kind::Gauge => recorder.describe_gauge(name, series.unit, help),
                Kind::Histogram => recorder.describe_histogram(name, series.unit, help),
            }
        }
    }

    /// The handle of `series` with `labels` (the same storage every time).
    fn counter(&self, series: &Series, labels: Vec<Label>) -> Counter {
        self.inner.recorder.register_counter(&Key::from_parts(series.name, labels), &METADATA)
    }

    fn gauge(&self, series: &Series, labels: Vec<Label>) -> Gauge {
        self.inner.recorder.register_gauge(&Key::from_parts(series.name, labels), &METADATA)
    }

    fn histogram(&self, series: &Series, labels: Vec<Label>) -> Histogram {
        self.inner.recorder.register_histogram(&Key::from_parts(series.name, labels), &METADATA)
    }

    /// Folds histogram samples every few seconds, until the runtime stops.
    pub fn upkeep_every(&self) -> tokio::task::JoinHandle<()> {
        let handle = self.inner.handle.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(UPKEEP);
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        })
    }

    /// The Prometheus text exposition of every series so far.
    pub fn render(&self) -> String {
        self.inner.handle.render()
    }

    /// One HTTP request: `route` is the route template
    /// (`/api.rsc/v2/connections/{connection_id}`), `method` one of a fixed
    /// few (the caller maps any other to one label), so the series stay
    /// bounded. Registered at a route's first request, then two atomic
    /// updates per request.
    pub fn http_request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let seconds = took.as_secs_f64();
        let known = |routes: &HashMap<String, Vec<HttpSeries>>| {
            let series = routes.get(route)?.iter().find(|s| s.method == method && s.status == status)?;
            series.requests.increment(1);
            series.duration.record(seconds);
            Some(())
        };
        if known(&self.inner.http.read().unwrap_or_else(|e| e.into_inner())).is_some() {
            return;
        }
        let mut routes = self.inner.http.write().unwrap_or_else(|e| e.into_inner());
        if known(&routes).is_some() {
            return;
        }
        let labels = || vec![Label::new("method", method), Label::new("route", route.to_string())];
        let mut with_status = labels();
        with_status.push(Label::new("status", status.to_string()));
        let series = HttpSeries {
            method,
            status,
            requests: self.counter(&HTTP_REQUESTS, with_status),
            duration: self.histogram(&HTTP_DURATION, labels()),
        };
        series.requests.increment(1);
        series.duration.record(seconds);
        routes.entry(route.to_string()).or_default().push(series);
    }

    /// The series of the calls of `connector` `version`, registered as
    /// they are first used.
    pub fn connector(&self, connector: &str, version: &str) -> ConnectorSeries {
        ConnectorSeries {
            metrics: self.clone(),
            labels: [Label::new("connector", connector.to_string()), Label::new("version", version.to_string())],
            operations: RwLock::default(),
            queue: OnceLock::new(),
        }
    }

    /// Rows (and their bytes) a job run read from a source.
    pub fn job_read(&self, rows: u64, bytes: u64) {
        self.counter(&JOB_ROWS, vec![Label::new("direction", "read")]).increment(rows);
        self.counter(&JOB_BYTES, Vec::new()).increment(bytes);
    }

    /// Rows a job run wrote to a destination.
    pub fn job_written(&self, rows: u64) {
        self.counter(&JOB_ROWS, vec![Label::new("direction", "written")]).increment(rows);
    }

    /// A table of a job run ended with `status` (`Successful`, `Failed`, `Cancelled`).
    pub fn job_table(&self, status: &'static str) {
        self.counter(&JOB_TABLES, vec![Label::new("status", status)]).increment(1);
    }

    /// A job run ended with `status` (`Successful`, `Failed`, `Cancelled`).
    pub fn job_run(&self, status: &'static str) {
        self.counter(&JOB_RUNS, vec![Label::new("status", status)]).increment(1);
    }

    /// The database pool as it is now: `open` connections, `idle` of them, at most `max`.
    pub fn db_pool(&self, open: u32, idle: usize, max: u32) {
        let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(open);
        self.gauge(&DB_CONNECTIONS, vec![Label::new("state", "idle")]).set(f64::from(idle));
        self.gauge(&DB_CONNECTIONS, vec![Label::new("state", "in_use")]).set(f64::from(open - idle));
        self.gauge(&DB_MAX_CONNECTIONS, Vec::new()).set(f64::from(max));
    }

    /// Whether the in-process caches serve reads now.
    pub fn caches_fresh(&self, fresh: bool) {
        self.gauge(&CACHES_FRESH, Vec::new()).set(if fresh { 1.0 } else { 0.0 });
    }
}

/// The handles of one method, route and status.
struct HttpSeries {
    method: &'static str,
    status: u16,
    requests: Counter,
    duration: Histogram,
}

/// The series of one connector version (see [`Metrics::connector`]).
pub struct ConnectorSeries {
    metrics: Metrics,
    /// `connector` and `version`.
    labels: [Label; 2],
    /// Per operation: its calls by outcome, and their durations.
    operations: RwLock<Vec<(&'static str, OperationSeries)>>,
    /// The depth of the version's call line, and the waits in it.
    queue: OnceLock<(Gauge, Histogram)>,
}

/// The handles of one operation of a connector version.
#[derive(Clone)]
struct OperationSeries {
    ok: Counter,
    connector_error: Counter,
    fault: Counter,
    duration: Histogram,
}

impl ConnectorSeries {
    /// The same series for another name and version (a version's name is
    /// known once its `describe` ran).
    pub fn relabelled(&self, connector: &str, version: &str) -> ConnectorSeries {
        self.metrics.connector(connector, version)
    }

    /// One call of `operation` (`test`, `list-tables`, `read`, ...), and
    /// the kind of fault that stopped it, if one did (snake_case, as the
    /// API's fault reports spell it).
    pub fn call(&self, operation: &'static str, outcome: CallOutcome, fault: Option<&'static str>, took: Duration) {
        let series = self.operation(operation);
        let calls = match outcome {
            CallOutcome::Ok => &series.ok,
            CallOutcome::ConnectorError => &series.connector_error,
            CallOutcome::Fault => &series.fault,
        };
        calls.increment(1);
        series.duration.record(took.as_secs_f64());
        if let Some(kind) = fault {
            let labels = [&self.labels[..], &[Label::new("kind", kind)]].concat();
            self.metrics.counter(&SANDBOX_FAULTS, labels).increment(1);
        }
    }

    fn operation(&self, operation: &'static str) -> OperationSeries {
        let find = |ops: &Vec<(&'static str, OperationSeries)>| {
            ops.iter().find(|(op, _)| *op == operation).map(|(_, series)| series.clone())
        };
        if let Some(series) = find(&self.operations.read().unwrap_or_else(|e| e.into_inner())) {
            return series;
        }
        let mut ops = self.operations.write().unwrap_or_else(|e| e.into_inner());
        if let Some(series) = find(&ops) {
            return series;
        }
        let labels = [&self.labels[..], &[Label::new("operation", operation)]].concat();
        let with_outcome = |outcome: &'static str| [&labels[..], &[Label::new("outcome", outcome)]].concat();
        let series = OperationSeries {
            ok: self.metrics.counter(&CONNECTOR_CALLS, with_outcome("ok")),
            connector_error: self.metrics.counter(&CONNECTOR_CALLS, with_outcome("connector_error")),
            fault: self.metrics.counter(&CONNECTOR_CALLS, with_outcome("fault")),
            duration: self.metrics.histogram(&CONNECTOR_DURATION, labels.clone()),
        };
        ops.push((operation, series.clone()));
        series
    }

    /// A call starts waiting for a slot: it counts in the queue depth until
    /// the guard is dropped, which records the wait (for a slot, the queue
    /// timeout, or a caller gone).
    pub fn queued(&self) -> Queued {
        let (depth, wait) = self.queue.get_or_init(|| {
            let depth = self.metrics.gauge(&QUEUE_DEPTH, self.labels.to_vec());
            (depth, self.metrics.histogram(&QUEUE_WAIT, self.labels.to_vec()))
        });
        depth.increment(1.0);
        Queued { depth: depth.clone(), wait: wait.clone(), since: Instant::now() }
    }
}

/// A call waiting for a slot (see [`ConnectorSeries::queued`]).
pub struct Queued {
    depth: Gauge,
    wait: Histogram,
    since: Instant,
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.depth.decrement(1.0);
        self.wait.record(self.since.elapsed().as_secs_f64());
    }
}
