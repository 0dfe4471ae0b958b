//! The output folder: checked before a run, written whole (a temporary folder beside it that
//! then replaces it) or not at all, and never replacing what permeate did not write.
//!
//! **What permeate writes** is recorded in the folder itself: every results folder holds the
//! marker file [`MARKER`], whose lines after the first name each file permeate wrote there
//! (`summary.json`, `charts/ecdf.svg`, ...; whatever the report writers, shards or `merge`
//! pass to [`write_folder_atomically`]). A folder is replaced only when it has the marker and
//! holds nothing but the marker, the files it lists and their folders: a file added by hand, a
//! symbolic link, or a folder without the marker (a user's project folder that merely contains
//! a `summary.json`) is refused before the run. An empty folder may be used too.
//!
//! Interrupted runs leave nothing behind: the binary calls [`abandon_pending_write`] on SIGINT
//! and SIGTERM, which removes the temporary folder and puts the old results back; temporary
//! folders of processes that died without cleaning up (SIGKILL, power loss) are removed by the
//! next write beside them ([`remove_stale_temporaries`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// The marker file of a results folder; it lists what permeate wrote there.
pub const MARKER: &str = ".permeate";
/// The first line of [`MARKER`], for people who find the file.
pub const MARKER_HEADER: &str =
    "# permeate results folder: replaced whole by the next run into it; the lines below are the files permeate wrote";
/// The largest marker file read (bytes): a marker lists a few dozen file names.
pub const MAX_MARKER_BYTES: u64 = 1 << 20;
/// The most entries examined in a results folder before refusing to replace it.
pub const MAX_FOLDER_ENTRIES: usize = 100_000;

/// The marker of an organisation folder written by `permeate import`: each file it wrote with
/// its checksum. Such a folder is replaced only while every file still has its checksum, so a
/// skeleton the consultant has edited is never overwritten.
pub const IMPORT_MARKER: &str = ".permeate-import";

/// The files `permeate import` writes (besides [`IMPORT_MARKER`]).
pub const IMPORT_FILES: [&str; 5] = ["people.csv", "links.csv", "people-details.csv", "presence.csv", "scenario.toml"];

/// What a folder holds and so when permeate may replace it: the one rule of every writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// A results folder (`run`, `merge`, `calibrate`, `optimise`, shards): marked by [`MARKER`],
    /// which lists the files; replaced while it holds nothing else.
    Results,
    /// An organisation folder (`import`): marked by [`IMPORT_MARKER`], which lists each file with
    /// its checksum; replaced while it holds nothing else and no file was edited.
    Import,
}

impl Policy {
    /// The marker file's name.
    pub fn marker(self) -> &'static str {
        match self {
            Policy::Results => MARKER,
            Policy::Import => IMPORT_MARKER,
        }
    }

    /// Which command writes such folders, for messages.
    fn writer(self) -> &'static str {
        match self {
            Policy::Results => "permeate",
            Policy::Import => "permeate import",
        }
    }
}

/// 64-bit FNV-1a of `bytes`: a stable checksum of an imported file (not a security measure).
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn refuse(out: &Path, reason: impl Into<String>) -> Error {
    Error::OutputInUse { path: out.to_path_buf(), reason: reason.into() }
}

fn unusable(out: &Path, reason: impl Into<String>) -> Error {
    Error::OutputPath { path: out.to_path_buf(), reason: reason.into() }
}

/// The folder `out` is created in, and its name.
fn parent_and_name(out: &Path) -> Result<(PathBuf, String), Error> {
    let name = match out.components().next_back() {
        Some(Component::Normal(n)) => n.to_string_lossy().into_owned(),
        _ => {
            return Err(unusable(
                out,
                "it names no folder of its own (like `.`, `..` or `/`); give a new folder's name, e.g. -o results/acme",
            ));
        }
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// The files a marker lists, with their checksums under [`Policy::Import`], if `folder` has a
/// marker of `policy` that is a regular file.
fn marker_list(folder: &Path, policy: Policy) -> Option<BTreeMap<PathBuf, Option<String>>> {
    use std::io::Read as _;
    let path = folder.join(policy.marker());
    if !std::fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(&path).ok()?.take(MAX_MARKER_BYTES).read_to_string(&mut text).ok()?;
    match policy {
        Policy::Results => {
            let mut lines = text.lines();
            if lines.next()? != MARKER_HEADER {
                return None;
            }
            Some(lines.filter(|l| !l.is_empty()).map(|l| (PathBuf::from(l), None)).collect())
        }
        Policy::Import => Some(
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .filter_map(|l| l.split_once(' '))
                .map(|(name, sum)| (PathBuf::from(name), Some(sum.to_string())))
                .collect(),
        ),
    }
}

/// Why `folder` is not a folder of `policy` permeate may replace, or `None` if it is one (it has
/// the marker and nothing but what the marker lists; with `sums`, every file still has the
/// checksum an import listed). An empty folder is fine too.
fn not_ours(folder: &Path, policy: Policy, sums: bool) -> Option<String> {
    let empty = std::fs::read_dir(folder).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty {
        return None;
    }
    let marker = policy.marker();
    let Some(listed) = marker_list(folder, policy) else {
        return Some(match policy {
            Policy::Results => format!(
                "it is a folder without permeate's marker file {MARKER}, so not a results folder permeate wrote (folders written before permeate wrote the marker have none: remove them yourself)"
            ),
            Policy::Import => {
                let foreign = std::fs::read_dir(folder).ok().and_then(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .find(|n| !IMPORT_FILES.contains(&n.as_str()))
                });
                match foreign {
                    Some(n) => format!(
                        "it holds {}, which permeate import does not write (it replaces only an empty folder or one it wrote itself)",
                        crate::error::quoted(&n)
                    ),
                    None => format!("it has no {IMPORT_MARKER}, so permeate import did not write it"),
                }
            }
        });
    };
    // The folders the listed files are in.
    let folders: BTreeSet<PathBuf> = listed
        .keys()
        .flat_map(|f| f.ancestors().skip(1).map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    // An explicit stack, not recursion: the depth is the folder's, whatever it is.
    let mut stack = vec![PathBuf::new()];
    let mut seen = 0usize;
    while let Some(rel) = stack.pop() {
        let entries = match std::fs::read_dir(folder.join(&rel)) {
            Ok(e) => e,
            Err(e) => return Some(format!("cannot list {}: {e}", folder.join(&rel).display())),
        };
        for entry in entries {
            seen += 1;
            if seen > MAX_FOLDER_ENTRIES {
                return Some(format!("it holds more than {MAX_FOLDER_ENTRIES} entries"));
            }
            let Ok(entry) = entry else { return Some("cannot list it".into()) };
            let path = rel.join(entry.file_name());
            let shown = crate::error::quoted(&path.to_string_lossy());
            let Ok(kind) = entry.file_type() else { return Some(format!("cannot examine {shown}")) };
            if kind.is_symlink() {
                return Some(format!("it holds the symbolic link {shown}, which permeate does not write"));
            } else if kind.is_dir() && folders.contains(&path) {
                stack.push(path);
            } else if kind.is_file() && path == Path::new(marker) {
                continue;
            } else if kind.is_file()
                && let Some(sum) = listed.get(&path)
            {
                if let (true, Some(sum)) = (sums, sum) {
                    let now = std::fs::read(folder.join(&path)).map(|b| format!("{:016x}", checksum(&b)));
                    if now.as_deref().ok() != Some(sum.as_str()) {
                        return Some(format!(
                            "{} was changed after {} wrote it; move your edited files elsewhere first",
                            path.to_string_lossy().escape_debug(),
                            policy.writer()
                        ));
                    }
                }
            } else {
                return Some(format!("it holds {shown}, which {} did not write", policy.writer()));
            }
        }
    }
    None
}

/// Checks that `out` can be written before a long run, so that the run fails fast (exit status
/// 2) instead of after the simulation: `out` must name a folder of its own, be missing, an empty
/// folder or a results folder permeate wrote (see the module documentation), and the folder it
/// is in must be creatable and writable. Nothing a user wrote is ever replaced.
pub fn check_output_folder(out: &Path) -> Result<(), Error> {
    check_output_folder_for(out, Policy::Results)
}

/// [`check_output_folder`] for a folder of `policy`.
pub fn check_output_folder_for(out: &Path, policy: Policy) -> Result<(), Error> {
    let (parent, name) = parent_and_name(out)?;
    match std::fs::symlink_metadata(out) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {}
        Err(e) => return Err(unusable(out, format!("cannot examine it: {e}"))),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(refuse(out, "it is a symbolic link, not a results folder permeate wrote"));
        }
        Ok(m) if !m.is_dir() => return Err(refuse(out, "it is a file, not a results folder")),
        Ok(_) => {
            if let Some(reason) = not_ours(out, policy, true) {
                return Err(refuse(out, reason));
            }
        }
    }
    // The nearest existing folder on the way must be a folder we may create things in.
    let existing = parent.ancestors().find(|a| a.as_os_str().is_empty() || std::fs::symlink_metadata(a).is_ok());
    let existing = match existing {
        Some(a) if a.as_os_str().is_empty() => Path::new("."),
        Some(a) => a,
        None => Path::new("."),
    };
    match std::fs::metadata(existing) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(unusable(out, format!("{} is a file, so no folder can be made inside it", existing.display())));
        }
        Err(e) => return Err(unusable(out, format!("cannot examine {}: {e}", existing.display()))),
    }
    let probe = existing.join(format!(".{name}.probe-{}", std::process::id()));
    // Made and removed as one step under the signal handlers' lock (see
    // `abandon_pending_write`): an interruption waits for it, so it never leaves the probe
    // behind (seen under load in `context::signals_undo_the_write_of_every_writing_subcommand`).
    let _step = pending();
    match std::fs::create_dir(&probe) {
        Ok(()) => {
            let _ = std::fs::remove_dir(&probe);
            Ok(())
        }
        Err(e) => Err(unusable(out, format!("cannot create a folder in {}: {e}", existing.display()))),
    }
}

/// Where an interrupted write stands, for [`abandon_pending_write`].
#[derive(Debug, Clone)]
struct Pending {
    out: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// How far the write got.
    phase: Phase,
}

/// The steps of a write that an interruption must undo or finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Files are written into `tmp`.
    Writing,
    /// `out` has been moved to `old` and not yet replaced by `tmp`.
    Moved,
    /// `tmp` is in place as `out`; `old` is still to be removed.
    Swapped,
}

/// The write in progress in this process, if any. Held while each step of the write runs, so
/// that a signal handler sees the folders between steps, never in the middle of one.
static PENDING: Mutex<Option<Pending>> = Mutex::new(None);

fn pending() -> std::sync::MutexGuard<'static, Option<Pending>> {
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Undoes the write in progress, if any: removes the temporary folder and puts the previous
/// results back. For signal handlers (the binary calls it on SIGINT and SIGTERM, then exits): it
/// waits for the current step of the write to finish, and the write does not continue after it.
pub fn abandon_pending_write() {
    let mut guard = pending();
    if let Some(p) = guard.take() {
        match p.phase {
            Phase::Writing => {
                let _ = std::fs::remove_dir_all(&p.tmp);
            }
            Phase::Moved => {
                let _ = std::fs::remove_dir_all(&p.tmp);
                if !p.out.exists() {
                    let _ = std::fs::rename(&p.old, &p.out);
                }
            }
            Phase::Swapped => {
                let _ = std::fs::remove_dir_all(&p.old);
            }
        }
    }
    // The guard is kept until the process exits: the interrupted write must not go on.
    std::mem::forget(guard);
}

/// Whether process `pid` is alive (Linux: `/proc/PID` exists); `None` where that cannot be told.
fn process_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// Removes the temporary folders that writes of `out` by processes no longer alive left beside
/// it (`.NAME.tmp-PID`), and puts back or removes their moved-away results (`.NAME.old-PID`). Only
/// folders that hold nothing but what permeate writes are removed. Called before each write.
pub fn remove_stale_temporaries(out: &Path) {
    let Ok((parent, name)) = parent_and_name(out) else { return };
    let Ok(entries) = std::fs::read_dir(&parent) else { return };
    let (tmp_prefix, old_prefix) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    for entry in entries.flatten().take(MAX_FOLDER_ENTRIES) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let (pid, is_old) = if let Some(pid) = file_name.strip_prefix(&tmp_prefix) {
            (pid, false)
        } else if let Some(pid) = file_name.strip_prefix(&old_prefix) {
            (pid, true)
        } else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || process_alive(pid) != Some(false) {
            continue;
        }
        let path = entry.path();
        let ours = [Policy::Results, Policy::Import].into_iter().any(|p| not_ours(&path, p, false).is_none());
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || !ours {
            continue;
        }
        if is_old && std::fs::symlink_metadata(out).is_err() {
            let _ = std::fs::rename(&path, out);
        } else {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// The marker's text of `policy` for `files`.
fn marker_text(files: &[(&str, String)], policy: Policy) -> String {
    use std::fmt::Write as _;
    match policy {
        Policy::Results => {
            let mut text = format!("{MARKER_HEADER}\n");
            for (n, _) in files {
                text.push_str(n);
                text.push('\n');
            }
            text
        }
        Policy::Import => {
            let mut text = String::from(
                "# Written by permeate import. A later import may replace this folder only while every file\n\
                 # below is unchanged (FNV-1a 64 checksums).\n",
            );
            for (name, content) in files {
                let _ = writeln!(text, "{name} {:016x}", checksum(content.as_bytes()));
            }
            text
        }
    }
}

/// Writes `files` into a fresh temporary folder beside `out`, then swaps it into place. A file
/// name may be a relative path with `/` (`charts/ecdf.svg`): its folders are created. The folder
/// also gets the marker [`MARKER`] listing the files, written first, so that even a temporary
/// folder left by a killed process is recognisably permeate's.
pub fn write_folder_atomically(out: &Path, files: &[(&str, String)]) -> Result<(), Error> {
    write_folder(out, files, Policy::Results)
}

/// [`write_folder_atomically`] for a folder of `policy`: its marker is that policy's.
pub fn write_folder(out: &Path, files: &[(&str, String)], policy: Policy) -> Result<(), Error> {
    check_output_folder_for(out, policy)?;
    let marker = policy.marker();
    let (parent, name) = parent_and_name(out)?;
    std::fs::create_dir_all(&parent).map_err(write_err(&parent))?;
    remove_stale_temporaries(out);
    for (file, _) in files {
        let relative = Path::new(file);
        let plain = relative.components().all(|c| matches!(c, Component::Normal(_)));
        if relative.as_os_str().is_empty() || !plain || *file == marker || file.contains('\n') {
            return Err(Error::Write {
                path: parent.join(&name).join(file),
                source: std::io::Error::other("result file names must be relative paths inside the folder"),
            });
        }
    }
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        {
            let mut p = pending();
            std::fs::create_dir(&tmp).map_err(write_err(&tmp))?;
            *p = Some(Pending { out: out.to_path_buf(), tmp: tmp.clone(), old: old.clone(), phase: Phase::Writing });
            std::fs::write(tmp.join(marker), marker_text(files, policy)).map_err(write_err(&tmp.join(marker)))?;
        }
        for (file, content) in files {
            let _step = pending();
            let path = tmp.join(file);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).map_err(write_err(folder))?;
            }
            std::fs::write(&path, content).map_err(write_err(&path))?;
        }
        let set_phase = |p: &mut Option<Pending>, phase: Phase| {
            if let Some(p) = p.as_mut() {
                p.phase = phase;
            }
        };
        let mut p = pending();
        if out.exists() {
            std::fs::rename(out, &old).map_err(write_err(out))?;
            set_phase(&mut p, Phase::Moved);
        }
        std::fs::rename(&tmp, out).map_err(write_err(out))?;
        set_phase(&mut p, Phase::Swapped);
        let _ = std::fs::remove_dir_all(&old);
        *p = None;
        Ok(())
    })();
    if result.is_err() {
        let mut p = pending();
        *p = None;
        let _ = std::fs::remove_dir_all(&tmp);
        if old.exists() && !out.exists() {
            let _ = std::fs::rename(&old, out);
        }
    }
    result
}
