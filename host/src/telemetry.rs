//! One server's Prometheus metrics: what it counts and times, and the text
//! it serves at `GET /api.rsc/v2/metrics` (and `--metrics-listen`).
//!
//! Each server has its own recorder (several servers run in one test
//! process; none installs a global one), reached through [`Metrics`], which
//! the runtime, the jobs and the API hold. Labels take bounded values only:
//! route templates, never paths; connector names and versions, never
//! connection ids. docs/deploy.md lists every series.

use metrics::{KeyName, Label, Recorder, SharedString, Unit, counter, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::Arc;
use std::time::Duration;

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

/// How a connector call ended, the `outcome` label of `syncport_connector_calls_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The call returned a value.
    Ok,
    /// The connector reported an error of its own (e.g. bad credentials).
    ConnectorError,
    /// The host stopped the call (`syncport_sandbox_faults_total` says why).
    Fault,
}

impl CallOutcome {
    fn label(self) -> &'static str {
        match self {
            CallOutcome::Ok => "ok",
            CallOutcome::ConnectorError => "connector_error",
            CallOutcome::Fault => "fault",
        }
    }
}

/// Which connector version, and which of its operations, a call was.
#[derive(Debug, Clone, Copy)]
pub struct CallLabels<'a> {
    /// The connector's name.
    pub connector: &'a str,
    /// Its version.
    pub version: &'a str,
    /// The operation (`test`, `list-tables`, `read`, ...).
    pub operation: &'a str,
}

impl Metrics {
    /// An empty registry with every series described and the latency
    /// buckets set.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self { inner: Arc::new(Inner { recorder, handle }) };
        metrics.describe();
        metrics
    }

    /// Runs `record` against this server's recorder.
    fn record(&self, record: impl FnOnce()) {
        with_local_recorder(&self.inner.recorder as &dyn Recorder, record);
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

    /// One HTTP request: `route` is the route template (`/api.rsc/v2/connections/{id}`).
    pub fn http_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let (method, route) = (method.to_string(), route.to_string());
        self.record(|| {
            let status = status.to_string();
            counter!(HTTP_REQUESTS.name, "method" => method.clone(), "route" => route.clone(), "status" => status)
                .increment(1);
            histogram!(HTTP_DURATION.name, "method" => method, "route" => route).record(elapsed.as_secs_f64());
        });
    }

    /// One connector call, and the kind of fault that stopped it, if one did
    /// (`kind`, snake_case, as the API's fault reports spell it).
    pub fn connector_call(&self, call: CallLabels<'_>, outcome: CallOutcome, fault: Option<&str>, took: Duration) {
        let labels = call.labels();
        self.record(|| {
            let mut with_outcome = labels.clone();
            with_outcome.push(Label::new("outcome", outcome.label()));
            counter!(CONNECTOR_CALLS.name, with_outcome).increment(1);
            histogram!(CONNECTOR_DURATION.name, labels.clone()).record(took.as_secs_f64());
            if let Some(kind) = fault {
                let mut with_kind = labels[..2].to_vec();
                with_kind.push(Label::new("kind", kind.to_string()));
                counter!(SANDBOX_FAULTS.name, with_kind).increment(1);
            }
        });
    }

    /// A call of `connector` `version` starts waiting for a slot: it counts
    /// in the queue depth until the guard is dropped, which records the
    /// wait (for a slot, the queue timeout, or a caller gone).
    pub fn queued(&self, connector: &str, version: &str) -> Queued {
        let labels = vec![Label::new("connector", connector.to_string()), Label::new("version", version.to_string())];
        self.record(|| gauge!(QUEUE_DEPTH.name, labels.clone()).increment(1.0));
        Queued { metrics: self.clone(), labels, since: std::time::Instant::now() }
    }

    /// Rows (and their bytes) a job run read from a source.
    pub fn job_read(&self, rows: u64, bytes: u64) {
        self.record(|| {
            counter!(JOB_ROWS.name, "direction" => "read").increment(rows);
            counter!(JOB_BYTES.name).increment(bytes);
        });
    }

    /// Rows a job run wrote to a destination.
    pub fn job_written(&self, rows: u64) {
        self.record(|| counter!(JOB_ROWS.name, "direction" => "written").increment(rows));
    }

    /// A table of a job run ended with `status` (`Successful`, `Failed`, `Cancelled`).
    pub fn job_table(&self, status: &str) {
        let status = status.to_string();
        self.record(|| counter!(JOB_TABLES.name, "status" => status).increment(1));
    }

    /// A job run ended with `status` (`Successful`, `Failed`, `Cancelled`).
    pub fn job_run(&self, status: &str) {
        let status = status.to_string();
        self.record(|| counter!(JOB_RUNS.name, "status" => status).increment(1));
    }

    /// The database pool as it is now: `open` connections, `idle` of them, at most `max`.
    pub fn db_pool(&self, open: u32, idle: usize, max: u32) {
        let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(open);
        self.record(|| {
            gauge!(DB_CONNECTIONS.name, "state" => "idle").set(f64::from(idle));
            gauge!(DB_CONNECTIONS.name, "state" => "in_use").set(f64::from(open - idle));
            gauge!(DB_MAX_CONNECTIONS.name).set(f64::from(max));
        });
    }
}

impl CallLabels<'_> {
    /// `connector`, `version`, `operation`: in that order.
    fn labels(&self) -> Vec<Label> {
        vec![
            Label::new("connector", self.connector.to_string()),
            Label::new("version", self.version.to_string()),
            Label::new("operation", self.operation.to_string()),
        ]
    }
}

/// A call waiting for a slot (see [`Metrics::queued`]).
pub struct Queued {
    metrics: Metrics,
    labels: Vec<Label>,
    since: std::time::Instant,
}

impl Drop for Queued {
    fn drop(&mut self) {
        let labels = std::mem::take(&mut self.labels);
        let waited = self.since.elapsed().as_secs_f64();
        self.metrics.record(|| {
            gauge!(QUEUE_DEPTH.name, labels.clone()).decrement(1.0);
            histogram!(QUEUE_WAIT.name, labels).record(waited);
        });
    }
}
