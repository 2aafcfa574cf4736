//! File helpers.

use std::path::Path;

/// Writes a file whole or not at all: a synced temporary file in the same
/// directory, renamed over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename itself survives a power loss once the directory is synced.
    std::fs::File::open(dir)?.sync_all()
}
