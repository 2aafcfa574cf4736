//! Project tasks, so that one command works on a fresh clone with only Rust:
//!
//! - `cargo xtask plugins`: installs the `wasm32-wasip2` target if missing,
//!   builds every plugin and copies the components to `plugins/dist/`,
//!   reproducibly: the same sources give the same bytes in any folder and on
//!   any machine with the same toolchain (Cargo's home is remapped to
//!   `/cargo`; see `remap_cargo_home`).
//! - `cargo xtask serve [ARGS]`: `plugins`, then `syncport serve` (release
//!   build) with the bundled connectors; ARGS go to `serve`.
//! - `cargo xtask test [ARGS]`: `plugins`, the plugins' native unit tests
//!   (each feature build on its own), then Debian's `chromium` and
//!   `chromium-driver` for the console's browser tests (installed with
//!   apt-get when missing, if we are root; each test run below gets
//!   `SYNCPORT_TEST_CHROMEDRIVER=/usr/bin/chromedriver` when it is there,
//!   else the browser tests say they are skipped), then the whole test
//!   suite; without ARGS, then the API suite on PostgreSQL when
//!   `SYNCPORT_TEST_POSTGRES_URL` is set (with the `#[ignore]`d
//!   `_on_postgres` tests, without the `_on_sqlite` ones), then the
//!   `#[ignore]`d reliability tests that load the machine, alone, and
//!   schemathesis against the real server (docs/api.md).
//! - `cargo xtask schemathesis`: that last check alone.
//! - `cargo xtask bench [ARGS]`: `plugins`, then the benchmarks.
//! - `cargo xtask release`: the release binary, stripped, in
//!   `target/dist/syncport`, and its debug information beside it in
//!   `syncport.debug` (linked by name, so `perf` and `gdb` find it).
//!
//! Connectors go to `plugins/dist/connectors/` (bundled with the server),
//! test fixtures to `plugins/dist/fixtures/` (tests only).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// A component to build: its crate, the features, and where it goes in `dist/`.
struct Component {
    package: &'static str,
    features: &'static str,
    file: &'static str,
    dist: &'static str,
}

const COMPONENTS: &[Component] = &[
    // The 1.x releases build on WIT 0.1.0 (their features enable the SDK's
    // `wit-0-1`), each in a cargo run of its own; the default build, last,
    // is the newest release on WIT 0.2.0.
    Component {
        package: "syncport-quickbooks",
        features: "release-1-0",
        file: "quickbooks-1.0.0.wasm",
        dist: "connectors",
    },
    Component {
        package: "syncport-quickbooks",
        features: "release-1-1",
        file: "quickbooks-1.1.0.wasm",
        dist: "connectors",
    },
    Component { package: "syncport-quickbooks", features: "", file: "quickbooks-2.0.0.wasm", dist: "connectors" },
    Component {
        package: "syncport-salesforce",
        features: "release-1-0",
        file: "salesforce-1.0.0.wasm",
        dist: "connectors",
    },
    Component { package: "syncport-salesforce", features: "", file: "salesforce-2.0.0.wasm", dist: "connectors" },
    Component { package: "syncport-csv", features: "", file: "csv-1.0.0.wasm", dist: "connectors" },
    // The 3.0.0 releases call the real services, on WIT 0.3.0 (their SDK
    // dependency enables `wit-0-3`).
    Component {
        package: "syncport-quickbooks-online",
        features: "",
        file: "quickbooks-3.0.0.wasm",
        dist: "connectors",
    },
    Component { package: "syncport-salesforce-rest", features: "", file: "salesforce-3.0.0.wasm", dist: "connectors" },
    // Fixtures stay on WIT 0.1.0 (their SDK dependency enables `wit-0-1`).
    Component { package: "fixture-misbehave", features: "", file: "misbehave.wasm", dist: "fixtures" },
    Component { package: "fixture-stub", features: "variant", file: "stub-variant.wasm", dist: "fixtures" },
    Component { package: "fixture-stub", features: "hang-describe", file: "stub-hang.wasm", dist: "fixtures" },
    Component { package: "fixture-stub", features: "renamable", file: "stub-renamable.wasm", dist: "fixtures" },
    Component { package: "fixture-stub", features: "", file: "stub.wasm", dist: "fixtures" },
    Component { package: "fixture-wide", features: "release-0-2", file: "wide-0.2.0.wasm", dist: "fixtures" },
    Component { package: "fixture-wide", features: "", file: "wide.wasm", dist: "fixtures" },
    // The conformance check's fixture: one build per flaw of `describe`, then the default.
    Component {
        package: "fixture-sloppy",
        features: "unmarked-secret",
        file: "sloppy-unmarked-secret.wasm",
        dist: "fixtures",
    },
    Component {
        package: "fixture-sloppy",
        features: "lax-required",
        file: "sloppy-lax-required.wasm",
        dist: "fixtures",
    },
    Component { package: "fixture-sloppy", features: "", file: "sloppy.wasm", dist: "fixtures" },
    // The conformance check's source fixture, on WIT 0.2.0: its flaw of
    // `read` is the runtime property `Mode`, so one build covers them all.
    Component { package: "fixture-sloppy-source", features: "", file: "sloppy-source.wasm", dist: "fixtures" },
    // The sandbox's attacker, on WIT 0.2.0: one build, its attack is the property `Mode`.
    Component { package: "fixture-hostile", features: "", file: "hostile.wasm", dist: "fixtures" },
    // The egress policy's attacker, on WIT 0.3.0: one build, its attempt is the property `Mode`.
    Component { package: "fixture-egress", features: "", file: "egress.wasm", dist: "fixtures" },
];

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = root();
    match task.as_str() {
        "plugins" => plugins(&root),
        "serve" => {
            plugins(&root)?;
            let connectors = root.join("plugins/dist/connectors");
            let connectors = connectors.to_str().context("a UTF-8 path")?;
            let args = [
                &["run", "--release", "-p", "syncport", "--", "serve", "--connectors-dir", connectors][..],
                &strs(&rest),
            ]
            .concat();
            cargo(&root, &args)
        }
        "test" => {
            plugins(&root)?;
            // The SDK's and connectors' own unit tests run natively, once per
            // build: features are unified within one cargo run, so each
            // feature build (WIT 0.1.0) runs on its own.
            plugin_tests(&root.join("plugins"))?;
            let browser = browser_env()?;
            let browser: Vec<(&str, &str)> = browser.iter().map(|(k, v)| (*k, v.as_str())).collect();
            cargo_with(&root, &[&["test", "--workspace"][..], &strs(&rest)].concat(), &browser)?;
            if rest.is_empty() {
                // Tests that need PostgreSQL are `#[ignore]`d and end in
                // `_on_postgres`; tests of SQLite itself end in `_on_sqlite`.
                let postgres = std::env::var("SYNCPORT_TEST_POSTGRES_URL").is_ok_and(|url| !url.trim().is_empty());
                // The API suite again on PostgreSQL, each test in a database of
                // its own: with the PostgreSQL-only tests, without SQLite's.
                if postgres {
                    cargo_with(
                        &root,
                        &[
                            "test",
                            "-p",
                            "syncport",
                            "--test",
                            "syncport",
                            "api::",
                            "--",
                            "--include-ignored",
                            "--skip",
                            "_on_sqlite",
                        ],
                        &[&[("SYNCPORT_TEST_BACKEND", "postgres")][..], &browser].concat(),
                    )?;
                } else {
                    eprintln!(
                        "xtask: SKIPPED the API suite on PostgreSQL and the tests that need it (`_on_postgres`): \
                         set SYNCPORT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them"
                    );
                }
                // Tests that start the real binary and load the machine (hostile
                // plugins, SIGKILL) are `#[ignore]`d in the run above so they do
                // not starve its timing-sensitive tests; they run here, one at a time.
                let mut reliability =
                    vec!["test", "-p", "syncport", "--test", "syncport", "reliability::", "--", "--ignored"];
                reliability.extend(["--test-threads", "1"]);
                if !postgres {
                    reliability.extend(["--skip", "_on_postgres"]);
                }
                cargo_with(&root, &reliability, &browser)?;
                schemathesis(&root)?;
            }
            Ok(())
        }
        // The API check alone, against a server built from this tree.
        "schemathesis" => schemathesis(&root),
        "bench" => {
            plugins(&root)?;
            cargo(&root, &[&["bench", "-p", "syncport"][..], &strs(&rest)].concat())
        }
        "release" => release(&root),
        _ => bail!("usage: cargo xtask <plugins|serve|test|schemathesis|bench|release> [ARGS]"),
    }
}

/// The browser the console's tests drive (tests/console/browser.rs), as
/// Debian packages it.
const CHROMIUM: &str = "/usr/bin/chromium";
/// Its WebDriver server.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Makes sure Chromium and chromedriver are installed: when either is
/// missing and we are root, `apt-get update` then `apt-get install
/// chromium chromium-driver`, failing if that does; not root, a warning
/// (the browser tests will say they are skipped). The environment of the
/// test runs: `SYNCPORT_TEST_CHROMEDRIVER` when chromedriver is there.
fn browser_env() -> Result<Vec<(&'static str, String)>> {
    let installed = || Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file();
    if !installed() && is_root() {
        eprintln!("xtask: {CHROMIUM} or {CHROMEDRIVER} is missing: installing chromium and chromium-driver");
        let steps: [&[&str]; 2] =
            [&["apt-get", "update"], &["apt-get", "install", "-y", "chromium", "chromium-driver"]];
        for step in steps {
            eprintln!("xtask: DEBIAN_FRONTEND=noninteractive {}", step.join(" "));
            let status = Command::new(step[0])
                .args(&step[1..])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .with_context(|| format!("running {}", step[0]))?;
            if !status.success() {
                bail!("`{}` failed ({status}): the console's browser tests need chromium", step.join(" "));
            }
        }
    } else if !installed() {
        eprintln!(
            "xtask: {CHROMIUM} or {CHROMEDRIVER} is missing and we are not root: install them with \
             `sudo apt-get install chromium chromium-driver` for the console's browser tests"
        );
    }
    if Path::new(CHROMEDRIVER).is_file() {
        Ok(vec![("SYNCPORT_TEST_CHROMEDRIVER", CHROMEDRIVER.to_string())])
    } else {
        eprintln!("xtask: SKIPPED the console's browser tests: {CHROMEDRIVER} is not installed");
        Ok(Vec::new())
    }
}

/// Whether this process runs as root (`id -u` says 0).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The schemathesis release the API is checked with (docs/api.md).
const SCHEMATHESIS: &str = "4.32.5";
/// Test cases per operation and phase: the two runs take a few minutes.
const MAX_EXAMPLES: &str = "50";

/// Runs schemathesis, every check, against the real `syncport serve` (a
/// fresh data directory, the bundled connectors, a free port): once with
/// the admin token, once without (every operation must answer its
/// documented 401). Installs the pinned release in `target/schemathesis`
/// when missing.
fn schemathesis(root: &Path) -> Result<()> {
    let bin = install_schemathesis(root)?;
    cargo(root, &["build", "-p", "syncport"])?;
    let server = root.join("target/debug/syncport");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = format!("127.0.0.1:{port}");
    let unique = format!("{}-{}", std::process::id(), port);
    let work = std::env::temp_dir().join(format!("syncport-schemathesis-{unique}"));
    std::fs::create_dir_all(&work)?;
    let token = format!("spt_schemathesis_{unique}");
    let log = std::fs::File::create(work.join("server.log"))?;
    let mut child = Command::new(&server)
        .args(["serve", "--listen", &addr, "--data-dir"])
        .arg(work.join("data"))
        .arg("--connectors-dir")
        .arg(root.join("plugins/dist/connectors"))
        // Unauthenticated requests by the thousand are the point here, not
        // the throttle (which answers 429 after 20 a minute).
        .args(["--auth-failure-limit", "100000000"])
        .env("SYNCPORT_ADMIN_TOKEN", &token)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", server.display()))?;
    let result = (|| {
        wait_for_connectors(&addr, &token)?;
        let schema = format!("http://{addr}/api.rsc/v2/openapi.json");
        let header = format!("x-cdata-authtoken: {token}");
        let config = root.join("xtask/schemathesis.toml");
        let config = config.to_str().context("a UTF-8 path")?;
        let run = |auth: &[&str]| -> Result<()> {
            let mut command = Command::new(&bin);
            command.args(["--config-file", config, "run", &schema]).args(auth).args([
                "--checks",
                "all",
                "--max-examples",
                MAX_EXAMPLES,
                "--workers",
                "2",
                "--no-color",
            ]);
            eprintln!(
                "xtask: schemathesis {}",
                if auth.is_empty() { "without a token" } else { "with the admin token" }
            );
            let status = command.current_dir(&work).status().context("running schemathesis")?;
            if !status.success() {
                bail!("schemathesis failed (server log: {})", work.join("server.log").display());
            }
            Ok(())
        };
        run(&["-H", &header])?;
        run(&[])
    })();
    let _ = child.kill();
    let _ = child.wait();
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

/// The schemathesis executable, installed with pip in a virtual
/// environment under `target/` when missing or of another version.
fn install_schemathesis(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/schemathesis");
    let bin = venv.join("bin/schemathesis");
    let version = Command::new(&bin).arg("--version").output();
    if version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SCHEMATHESIS)) {
        return Ok(bin);
    }
    eprintln!("xtask: installing schemathesis {SCHEMATHESIS} in {}", venv.display());
    let created = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
    if !created.is_ok_and(|s| s.success()) {
        bail!(
            "schemathesis needs python3 with the venv module (e.g. `apt-get install python3-venv`); \
             could not create {}",
            venv.display()
        );
    }
    let pip = venv.join("bin/pip");
    let status = Command::new(&pip)
        .args(["install", "--quiet", &format!("schemathesis=={SCHEMATHESIS}")])
        .status()
        .context("running pip")?;
    if !status.success() {
        bail!("`pip install schemathesis=={SCHEMATHESIS}` failed");
    }
    Ok(bin)
}

/// Waits until the server answers and lists its bundled connectors (they
/// load in the background; until then connection calls answer 503).
fn wait_for_connectors(addr: &str, token: &str) -> Result<()> {
    use std::io::{Read, Write};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    while std::time::Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            let request = format!(
                "GET /api.rsc/v2/connectors HTTP/1.1\r\nHost: {addr}\r\nx-cdata-authtoken: {token}\r\nConnection: close\r\n\r\n"
            );
            let mut response = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut response).is_ok()
                && response.starts_with("HTTP/1.1 200")
                && ["QuickBooks", "Salesforce", "CSV"].iter().all(|name| response.contains(name))
            {
                return Ok(());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    bail!("the server on {addr} did not list its bundled connectors within 180 s")
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The repository root (the parent of this crate).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the repository").to_path_buf()
}

/// Builds every component and copies it into `plugins/dist/`.
fn plugins(root: &Path) -> Result<()> {
    ensure_target()?;
    let plugins = root.join("plugins");
    let remap = remap_cargo_home()?;
    for c in COMPONENTS {
        let mut args = vec!["--config", remap.as_str(), "build", "--release", "--target", TARGET, "-p", c.package];
        if !c.features.is_empty() {
            args.extend(["--features", c.features]);
        }
        cargo(&plugins, &args)?;
        let built =
            plugins.join("target").join(TARGET).join("release").join(format!("{}.wasm", c.package.replace('-', "_")));
        let dir = plugins.join("dist").join(c.dist);
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(&built, dir.join(c.file)).with_context(|| format!("copying {}", built.display()))?;
    }
    eprintln!("xtask: components in {}", plugins.join("dist").display());
    Ok(())
}

/// The `--config` that makes the components reproducible: the workspace's
/// own sources are named by their paths in it already, and the crates.io
/// dependencies, compiled from Cargo's home (`$CARGO_HOME`, default
/// `~/.cargo`), are named `/cargo/...` instead, so the bytes depend neither on
/// the machine nor on its user's home folder (which they would otherwise
/// show). A `RUSTFLAGS` in the environment replaces it.
fn remap_cargo_home() -> Result<String> {
    let home = match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cargo"),
    };
    let home = home.to_str().context("a UTF-8 CARGO_HOME")?;
    let flag = format!("--remap-path-prefix={home}=/cargo").replace('\\', "\\\\").replace('"', "\\\"");
    Ok(format!("build.rustflags=[\"{flag}\"]"))
}

/// The plugin crates' unit tests, natively: the default builds (WIT 0.2.0)
/// together, then each feature build alone, then the WIT 0.3.0 crates (their
/// SDK dependency enables `wit-0-3`) alone.
fn plugin_tests(plugins: &Path) -> Result<()> {
    let host = host_triple()?;
    let native = ["test", "--target", host.as_str()];
    let defaults = [
        "syncport-connector-sdk",
        "syncport-generator",
        "syncport-quickbooks",
        "syncport-salesforce",
        "syncport-csv",
        "syncport-template",
        "fixture-sloppy-source",
    ];
    let mut args = native.to_vec();
    for package in defaults {
        args.extend(["-p", package]);
    }
    cargo(plugins, &args)?;
    for (package, features) in [
        ("syncport-connector-sdk", "wit-0-1"),
        ("syncport-connector-sdk", "wit-0-3"),
        ("syncport-quickbooks", "release-1-0"),
        ("syncport-quickbooks", "release-1-1"),
        ("syncport-salesforce", "release-1-0"),
    ] {
        cargo(plugins, &[&native[..], &["-p", package, "--features", features]].concat())?;
    }
    for package in ["syncport-quickbooks-online", "syncport-salesforce-rest"] {
        cargo(plugins, &[&native[..], &["-p", package]].concat())?;
    }
    Ok(())
}

/// Builds the release binary and splits it with the toolchain's own
/// `rust-objcopy` (every rustup toolchain has it): the debug information
/// (line tables and symbols) into `target/dist/syncport.debug`, the
/// binary stripped into `target/dist/syncport` with a `.gnu_debuglink` to
/// it. Prints both sizes (README.md, "Release binary").
fn release(root: &Path) -> Result<()> {
    cargo(root, &["build", "--release", "-p", "syncport"])?;
    let objcopy = sysroot()?.join("lib/rustlib").join(host_triple()?).join("bin/rust-objcopy");
    let built = root.join("target/release/syncport");
    let dist = root.join("target/dist");
    std::fs::create_dir_all(&dist)?;
    let (binary, debug) = (dist.join("syncport"), dist.join("syncport.debug"));
    let run = |args: &[&std::ffi::OsStr]| -> Result<()> {
        let status = Command::new(&objcopy).args(args).status().with_context(|| format!("{}", objcopy.display()))?;
        if !status.success() {
            bail!("rust-objcopy {args:?} failed");
        }
        Ok(())
    };
    run(&["--only-keep-debug".as_ref(), built.as_os_str(), debug.as_os_str()])?;
    // The link names the file only: keep the two side by side.
    let link = format!("--add-gnu-debuglink={}", debug.display());
    run(&["--strip-all".as_ref(), link.as_ref(), built.as_os_str(), binary.as_os_str()])?;
    let mib = |path: &Path| -> Result<f64> { Ok(std::fs::metadata(path)?.len() as f64 / f64::from(1 << 20)) };
    println!("{}: {:.1} MiB, stripped", binary.display(), mib(&binary)?);
    println!("{}: {:.1} MiB of debug information", debug.display(), mib(&debug)?);
    Ok(())
}

/// The triple of the machine we run on, for native tests of plugin crates.
fn host_triple() -> Result<String> {
    let out = Command::new("rustc").arg("-vV").output().context("running rustc")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .context("rustc -vV names no host")
}

/// The active toolchain's root (`rustc --print sysroot`).
fn sysroot() -> Result<PathBuf> {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().context("running rustc")?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Adds the wasm target with rustup when the toolchain lacks it.
fn ensure_target() -> Result<()> {
    if sysroot()?.join("lib/rustlib").join(TARGET).exists() {
        return Ok(());
    }
    eprintln!("xtask: installing the {TARGET} target");
    let status = Command::new("rustup").args(["target", "add", TARGET]).status().context("running rustup")?;
    if !status.success() {
        bail!("`rustup target add {TARGET}` failed");
    }
    Ok(())
}

/// Runs cargo in `dir`, failing on a non-zero exit.
fn cargo(dir: &Path, args: &[&str]) -> Result<()> {
    cargo_with(dir, args, &[])
}

/// `cargo ARGS` in `dir` with extra environment variables.
fn cargo_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(dir).envs(env.iter().copied());
    let status = command.status().context("running cargo")?;
    if !status.success() {
        bail!("cargo {} failed in {}", args.join(" "), dir.display());
    }
    Ok(())
}
