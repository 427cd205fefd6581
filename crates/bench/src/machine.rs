//! What the report says about the machine and the conditions of the run (Linux `/proc`).

use std::fs;
use std::process::Command;
use std::time::Instant;

/// The CPU model, from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// The number of logical cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The current date and time in UTC (`date -u`).
pub fn now_utc() -> String {
    command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "unknown".to_string())
}

/// The workspace's git revision, with `-dirty` when the tree has changes.
pub fn git_revision() -> Option<String> {
    command_output("git", &["describe", "--always", "--dirty"])
}

/// The 1-minute load average.
pub fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Measures how busy the machine was with work other than this process: CPU time of all
/// cores (`/proc/stat`) minus this process's own (`/proc/self/stat`), over wall time.
pub struct LoadProbe {
    start: Instant,
    busy: Option<u64>,
    own: Option<u64>,
}

impl LoadProbe {
    /// Starts measuring.
    pub fn start() -> LoadProbe {
        LoadProbe {
            start: Instant::now(),
            busy: busy_ticks(),
            own: own_ticks(),
        }
    }

    /// The average number of cores busy with other work since `start`.
    pub fn others(&self) -> Option<f64> {
        let busy = busy_ticks()?.checked_sub(self.busy?)?;
        let own = own_ticks()?.checked_sub(self.own?)?;
        let seconds = self.start.elapsed().as_secs_f64();
        // Both files count in USER_HZ ticks, 100 per second on Linux.
        Some((busy.saturating_sub(own) as f64 / 100.0 / seconds).max(0.0))
    }
}

/// Ticks all cores spent on anything but idling, from the `cpu` line of `/proc/stat`
/// (user nice system idle iowait irq softirq steal ...).
fn busy_ticks() -> Option<u64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .take(8)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let total: u64 = fields.iter().sum();
    Some(total - fields.get(3)? - fields.get(4)?)
}

/// Ticks this process spent in user and system mode (fields 14 and 15 of
/// `/proc/self/stat`, counted after the parenthesised command name).
fn own_ticks() -> Option<u64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}
