//! The `syncport` command.

fn main() {
    println!("syncport {}", env!("CARGO_PKG_VERSION"));
}
