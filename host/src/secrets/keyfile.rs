//! Key files beside the database: `secret.key` (the key), and
//! `secret.key.next` (the new key while a rotation is under way). Each holds
//! the base64 of 32 bytes, is created with mode 0600 and is refused when
//! others may read it.

use super::KeyError;
use super::keyring::SecretKey;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key file of a data directory.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(super::KEY_FILE)
}

/// The next-key file of a data directory (present during a rotation).
pub fn next_path(data_dir: &Path) -> PathBuf {
    data_dir.join(super::NEXT_KEY_FILE)
}

fn io_error(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::Io { path: path.display().to_string(), source }
}

/// The key in `path`, or `None` if there is no such file. Refused if the
/// file's permissions let anyone but its owner read or write it.
pub fn read(path: &Path) -> Result<Option<SecretKey>, KeyError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    check_mode(path, &meta)?;
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    SecretKey::from_base64(&text, &format!("the key file {}", path.display())).map(Some)
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions { path: path.display().to_string(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), KeyError> {
    Ok(())
}

/// A synced temporary file in `path`'s directory holding `encoded`, readable
/// and writable by its owner only.
fn temporary(path: &Path, encoded: &str) -> Result<tempfile::NamedTempFile, KeyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".secret.key.").tempfile_in(dir).map_err(|e| io_error(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| io_error(path, e))?;
    }
    tmp.write_all(format!("{encoded}\n").as_bytes()).map_err(|e| io_error(path, e))?;
    tmp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    Ok(tmp)
}

/// Writes `encoded` to `path` unless the file exists; whether it wrote.
/// Two servers starting at once never overwrite each other's key.
pub fn create(path: &Path, encoded: &str) -> Result<bool, KeyError> {
    let tmp = temporary(path, encoded)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(path)?;
            Ok(true)
        }
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(path, e.error)),
    }
}

/// Writes `encoded` to `path`, replacing it whole.
pub fn replace(path: &Path, encoded: &str) -> Result<(), KeyError> {
    let tmp = temporary(path, encoded)?;
    tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    sync_dir(path)
}

/// Moves `from` over `to` (same directory), durably.
pub fn promote(from: &Path, to: &Path) -> Result<(), KeyError> {
    std::fs::rename(from, to).map_err(|e| io_error(to, e))?;
    sync_dir(to)
}

/// Removes `path` if it exists, durably.
pub fn remove(path: &Path) -> Result<(), KeyError> {
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Syncs the directory of `path`, so a rename or creation survives a crash.
fn sync_dir(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_created_key_file_is_owner_only_and_never_overwritten() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_path(dir.path());
        let first = SecretKey::generate_base64().expect("random");
        assert!(create(&path, &first).expect("create"));
        assert!(!create(&path, &SecretKey::generate_base64().expect("random")).expect("create again"));
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let key = read(&path).expect("read").expect("present");
        assert_eq!(key.id(), SecretKey::from_base64(&first, "k").expect("key").id());
    }

    #[test]
    fn a_key_file_others_can_read_is_refused_without_showing_the_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_path(dir.path());
        let text = SecretKey::generate_base64().expect("random");
        std::fs::write(&path, &text).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = read(&path).expect_err("refused").to_string();
        assert!(error.contains("0644") && error.contains("chmod 600"), "{error}");
        assert!(!error.contains(&text));
    }
}
