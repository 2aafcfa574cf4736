//! What `syncport serve` writes: log lines fit for a file or a pipe.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn serve_writes_no_colour_escapes_when_its_output_is_not_a_terminal() {
    let data = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncport"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path().join("data"))
        .env("SYNCPORT_ADMIN_TOKEN", "server-output-test-token-0123456789")
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut printed = String::new();
    while !printed.contains("Syncport listening on") {
        let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) else { break };
        printed.push_str(&line);
        printed.push('\n');
    }
    let _ = child.kill();
    let _ = child.wait();

    assert!(printed.contains("Syncport listening on"), "{printed}");
    assert!(printed.contains(" INFO "), "log lines were written: {printed}");
    assert!(!printed.contains('\u{1b}'), "no ANSI escape in redirected output: {printed:?}");
}
