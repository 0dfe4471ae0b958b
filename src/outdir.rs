//! The output folder: checked before a run, written whole (a temporary folder beside it that
//! then replaces it) or not at all, and never replacing what permeate did not write.

use std::path::{Path, PathBuf};

use crate::error::Error;

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

/// Checks that `out` is free to be written: missing, an empty folder, or a previous results folder
/// (it has `summary.json`). Anything else — a file, a folder of other things — is refused, so a
/// mistyped `--out` never deletes a user's data. Call it before a long run to fail fast.
pub fn check_output_folder(out: &Path) -> Result<(), Error> {
    let refuse = |reason: &str| Err(Error::OutputInUse { path: out.to_path_buf(), reason: reason.into() });
    match std::fs::symlink_metadata(out) {
        Err(_) => Ok(()),
        Ok(m) if !m.is_dir() => refuse("it is a file, not a results folder"),
        Ok(_) => {
            let empty = std::fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
            if empty || out.join("summary.json").is_file() {
                Ok(())
            } else {
                refuse("it is a folder without summary.json, so not a permeate results folder")
            }
        }
    }
}

/// Writes `files` into a fresh temporary folder beside `out`, then swaps it into place. A file
/// name may be a relative path with `/` (`charts/ecdf.svg`): its folders are created.
pub fn write_folder_atomically(out: &Path, files: &[(&str, String)]) -> Result<(), Error> {
    check_output_folder(out)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(write_err(&parent))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(write_err(&tmp))?;
        for (file, content) in files {
            let relative = Path::new(file);
            if relative.is_absolute() || relative.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
                let path = tmp.join(file);
                return Err(Error::Write {
                    path,
                    source: std::io::Error::other("result file names must be relative paths inside the folder"),
                });
            }
            let path = tmp.join(relative);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).map_err(write_err(folder))?;
            }
            std::fs::write(&path, content).map_err(write_err(&path))?;
        }
        if out.exists() {
            std::fs::rename(out, &old).map_err(write_err(out))?;
        }
        std::fs::rename(&tmp, out).map_err(write_err(out))?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if old.exists() && !out.exists() {
            let _ = std::fs::rename(&old, out);
        }
    }
    result
}
