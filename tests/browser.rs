//! report.html in a real headless browser (Debian's Chromium): the page loads without console
//! messages or uncaught errors, its script runs (the event filter counts rows and reads a
//! `#q=` filter from the address), every plot is in the DOM, and a screenshot of the plots is
//! not blank. Without Chromium the test is skipped with a message, except under `CI=true`,
//! where it fails (`.ci/run` installs Chromium).

mod scenario_support;

use scenario_support::repo;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kubesim");

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium headless on `url` with `args`; returns (stdout, stderr). A test harness
/// process with a wall-clock timeout, not simulation code.
#[allow(clippy::disallowed_methods)]
fn chromium(bin: &Path, profile: &Path, url: &str, args: &[&str]) -> (String, String) {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    let started = Instant::now();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let to = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let te = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            child.kill().ok();
            panic!("chromium did not finish within 180 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (to.join().unwrap(), te.join().unwrap())
}

/// Console lines Chromium logged (`INFO:CONSOLE...] "message", source: ...`).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = find_chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but Chromium is not installed: .ci/run installs it \
                 (apt-get install -y chromium); the browser test cannot be skipped in CI"
            );
        }
        eprintln!(
            "SKIPPED report_renders_in_headless_chromium: chromium not found on PATH \
             (apt-get install -y chromium, or set CHROMIUM=/path/to/chromium)"
        );
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let run = t.path().join("spike");
    let out = Command::new(BIN)
        .args([
            "run",
            "scenarios/autoscaling/hpa-ca-spike.yaml",
            "-q",
            "--out",
        ])
        .arg(&run)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plots = std::fs::read_dir(run.join("plots")).unwrap().count();
    assert!(plots >= 10, "{plots} plots");
    let url = format!("file://{}", run.join("report.html").display());
    let profile = t.path().join("profile");

    // Control: the console capture sees an uncaught error (else a clean report proves nothing).
    let bad = t.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>throw new Error('control-error')</script></body></html>",
    )
    .unwrap();
    let (_, err) = chromium(
        &bin,
        &profile,
        &format!("file://{}", bad.display()),
        &["--dump-dom"],
    );
    assert!(
        console_lines(&err)
            .iter()
            .any(|l| l.contains("control-error")),
        "the console capture does not work with this Chromium:\n{err}"
    );

    // The report: no console output at all, every plot in the DOM, the script ran.
    let (dom, err) = chromium(&bin, &profile, &url, &["--dump-dom"]);
    let console = console_lines(&err);
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains("<h1>kubesim report: hpa-ca-spike</h1>"),
        "{dom:.500}"
    );
    assert_eq!(dom.matches("<svg").count(), plots, "inline SVGs in the DOM");
    for id in [
        "plot-load",
        "plot-nodes",
        "plot-cpu",
        "plot-hpa-default-api",
        "plot-cost",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "no {id} in the DOM");
    }
    let count = |dom: &str| -> (usize, usize) {
        let s = dom.split("id=\"ev-count\">").nth(1).expect("ev-count");
        let s = &s[..s.find('<').unwrap()];
        let mut it = s.split(" of ");
        let shown = it
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{s}"));
        let total = it
            .next()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        (shown, total)
    };
    let (shown, total) = count(&dom);
    assert!(total > 100 && shown == total, "{shown} of {total}");
    // The text filter, given in the address: fewer rows shown, all of them Scheduled.
    let (dom, err) = chromium(
        &bin,
        &profile,
        &format!("{url}#q=TriggeredScaleUp"),
        &["--dump-dom"],
    );
    assert!(console_lines(&err).is_empty(), "{err}");
    let (shown, total2) = count(&dom);
    assert_eq!(total2, total);
    assert!(shown > 0 && shown < total, "filter: {shown} of {total}");

    // A screenshot of the top of the page (summary and the first plots): not blank, and in
    // colour (the series).
    let shot = t.path().join("shot.png");
    let (_, err) = chromium(
        &bin,
        &profile,
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,2400",
        ],
    );
    assert!(shot.is_file(), "no screenshot: {err}");
    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    assert!(px >= 3, "{:?}", info.color_type);
    let bytes = &buf[..info.buffer_size()];
    let (mut n, mut sum, mut sq, mut colored) = (0f64, 0f64, 0f64, 0usize);
    for p in bytes.chunks(px) {
        let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        n += 1.0;
        sum += y;
        sq += y * y;
        if (r - g).abs() > 60.0 || (g - b).abs() > 60.0 || (r - b).abs() > 60.0 {
            colored += 1;
        }
    }
    let var = sq / n - (sum / n) * (sum / n);
    assert!(
        var > 30.0,
        "screenshot looks blank (luminance variance {var:.1})"
    );
    assert!(
        colored > 500,
        "no coloured series in the screenshot ({colored} px)"
    );
}
