//! Start-up time and memory of the real app, printed as tables (a figure, not
//! a test: nothing is asserted). Run under a display:
//!
//! ```sh
//! cargo build --release --features tauri/custom-protocol
//! KENSE_BIN=target/release/kense xvfb-run -a -s "-screen 0 1366x768x24" \
//!     cargo run --release -p e2e --example startup -- 15
//! ```
//!
//! Start-up: from `spawn()` of `kense --data-dir <temp> --demo` to the line
//! the shell logs when it answers the page's first `app_status` call. The page
//! makes that call from its module script, after `DOMContentLoaded`, to pick
//! the first screen; the log line reaches this program through a pipe.
//! Measured two ways: on an empty data directory (the first start: the
//! registry is created and the demo office written, with Argon2 hashes of the
//! demo accounts), and on a directory that already holds it (every later
//! start).
//!
//! Memory: resident set (VmRSS) and proportional set (Pss, which shares the
//! libraries between the processes instead of counting them in each) of the
//! app and every process under it (WebKitGTK's web and network processes),
//! read from /proc: once with the log-in screen shown, and once more after
//! logging in as the demo administrator with the registry's worklist shown
//! (through WebDriver, so tauri-driver must be installed).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use e2e::{app_binary, click, type_into, visible, Driver, Res};
use fantoccini::Locator;

const MARK: &str = "first screen asked for";

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let app = app_binary();
    assert!(app.exists(), "{} does not exist: build it first (see the top of this file)", app.display());
    let size = std::fs::metadata(&app).map(|m| m.len()).unwrap_or(0);
    println!("binary: {} ({:.1} MB)", app.display(), size as f64 / 1e6);
    println!("runs: {runs}; load average before: {}", load());

    let kept = tempdir("kept");
    // The first start of `kept` fills it; it is not counted among the warm runs.
    let _ = start(&app, &kept, false);
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut memory = Vec::new();
    for i in 0..runs {
        let fresh = tempdir(&format!("fresh-{i}"));
        let (t, _) = start(&app, &fresh, false);
        cold.push(t);
        let _ = std::fs::remove_dir_all(&fresh);
        let (t, m) = start(&app, &kept, i == 0);
        warm.push(t);
        memory.extend(m);
    }
    println!();
    println!("| start-up, spawn → first app_status answered | median | p90 | min | max |");
    println!("|---|---|---|---|---|");
    row("empty data directory (registry and demo office created)", &mut cold);
    row("existing demo registry", &mut warm);
    println!("load average after: {}", load());

    if let Some(m) = memory.first() {
        print_memory("log-in screen shown (existing demo registry, 3 s after the first app_status)", m);
    }
    match registry_shown(&kept) {
        Ok(m) => print_memory("logged in as admin, worklist of the demo registry shown (3 s settle)", &m),
        Err(e) => println!("\nmemory with the registry shown: not measured: {e}"),
    }
    let _ = std::fs::remove_dir_all(&kept);
}

fn tempdir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kense-startup-{}-{what}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Starts the app, waits for the mark, optionally samples memory, stops it.
fn start(app: &Path, data: &Path, sample: bool) -> (Duration, Option<Vec<Proc>>) {
    let spawned = Instant::now();
    let mut child = Command::new(app)
        .args(["--data-dir", data.to_str().unwrap(), "--demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the app");
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        // Read to the end, so the app never blocks on a full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(MARK) {
                let _ = tx.send(Instant::now());
            }
        }
    });
    let seen = rx.recv_timeout(Duration::from_secs(120)).expect("the app never asked for its first screen");
    let took = seen - spawned;
    let memory = sample.then(|| {
        std::thread::sleep(Duration::from_secs(3));
        tree(child.id())
    });
    stop(&mut child);
    (took, memory)
}

/// SIGTERM first, so that WebKit's processes see their parent go and end too.
fn stop(child: &mut Child) {
    // SAFETY: kill(2) on our own child's pid has no memory effects.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn row(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    println!("| {what} | {} | {} | {} | {} |", ms(at(0.5)), ms(at(0.9)), ms(times[0]), ms(times[times.len() - 1]));
}

struct Proc {
    pid: u32,
    name: String,
    rss_kb: u64,
    pss_kb: u64,
}

fn field_kb(text: &str, key: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The process and all its descendants, from /proc.
fn tree(root: u32) -> Vec<Proc> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name is in parentheses and may hold spaces.
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        if let Some(ppid) = after.split(' ').nth(1).and_then(|p| p.parse::<u32>().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let p = pids[i];
        pids.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    pids.into_iter()
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            // /proc's own name is cut at 15 bytes ("WebKitNetworkPr"); argv[0] is whole.
            let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let name = match cmdline.split('\0').next().and_then(|a| a.rsplit('/').next()).filter(|a| !a.is_empty()) {
                Some(a) => a.to_owned(),
                None => status.lines().next()?.trim_start_matches("Name:").trim().to_owned(),
            };
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
            Some(Proc { pid, name, rss_kb: field_kb(&status, "VmRSS:"), pss_kb: field_kb(&rollup, "Pss:") })
        })
        .collect()
}

fn print_memory(what: &str, procs: &[Proc]) {
    println!("\nmemory, {what}:\n");
    println!("| process | pid | RSS MB | PSS MB |");
    println!("|---|---|---|---|");
    let mb = |kb: u64| format!("{:.1}", kb as f64 / 1024.0);
    for p in procs {
        println!("| {} | {} | {} | {} |", p.name, p.pid, mb(p.rss_kb), mb(p.pss_kb));
    }
    let (rss, pss) = procs.iter().fold((0, 0), |(r, s), p| (r + p.rss_kb, s + p.pss_kb));
    println!("| **sum of {} processes** | | **{}** | **{}** |", procs.len(), mb(rss), mb(pss));
}

/// The app's pid under WebDriver: the process running our binary on our
/// data directory (WebKitWebDriver, not we, started it).
fn find_app(app: &Path, data: &Path) -> Option<u32> {
    let want = data.to_str()?;
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_string_lossy().parse::<u32>().ok()?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).ok()?;
        (exe == app.canonicalize().ok()? && cmdline.split('\0').any(|a| a == want)).then_some(pid)
    })
}

fn registry_shown(data: &Path) -> Res<Vec<Proc>> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let driver = Driver::start();
        let c = driver.launch(&["--data-dir", data.to_str().unwrap(), "--demo"]).await?;
        let r = async {
            type_into(&c, "login-login", "admin").await?;
            type_into(&c, "login-password", "kense-demo-2026").await?;
            click(&c, "login-submit").await?;
            visible(&c, "screen-desk").await?;
            // The administrator (also a clerk) lands on registration; the
            // registry's worklist is the next tab.
            click(&c, "nav-work").await?;
            let deadline = Instant::now() + Duration::from_secs(20);
            while c.find(Locator::Css("#worklist tr")).await.is_err() {
                if Instant::now() > deadline {
                    return Err("the worklist showed no rows".to_owned());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
            let pid = find_app(&app_binary(), data).ok_or("the app's process was not found")?;
            Ok(tree(pid))
        }
        .await;
        let _ = c.close().await;
        r
    })
}
