//! Interruption. On SIGINT (Ctrl-C), SIGTERM (`kill`, a job scheduler's time limit) or SIGHUP
//! (the terminal closed), the binary removes the temporary files of the writes in progress
//! ([`scalesim::report::stop_writes`]) and exits with 128 + the signal's number: 130, 143 or
//! 129. The outputs already written stay whole; a sweep's CSV keeps every row appended so far.
//!
//! A signal the process was started ignoring stays ignored (`nohup`, a background job of a
//! script), where that can be told (Linux, from `/proc/self/status`). Elsewhere than on Unix
//! no handler is installed and the system's default applies.

/// Starts the thread that waits for the signals; without it (it could not be started) the
/// signals keep their default action.
#[cfg(unix)]
pub(crate) fn install() {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let ignored = ignored_at_start();
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| ignored.is_none_or(|mask| mask & (1 << (s - 1)) == 0))
        .collect();
    let Ok(mut signals) = Signals::new(&wanted) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no write starts or renames after this.
                let _stopped = scalesim::report::stop_writes();
                std::process::exit(128 + signal);
            }
        });
}

#[cfg(not(unix))]
pub(crate) fn install() {}

/// The signals this process ignores, as the bit mask of `SigIgn` in `/proc/self/status` (bit
/// `n - 1` for signal `n`); `None` where there is no such file.
#[cfg(unix)]
fn ignored_at_start() -> Option<u64> {
    let path = std::path::Path::new("/proc/self/status");
    let status = scalesim::input::read_text(path, 64 * 1024, "status file").ok()?;
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))?
        .trim();
    u64::from_str_radix(hex, 16).ok()
}
