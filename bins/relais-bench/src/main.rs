//! `relais-bench`: measures Relais on a large demo company and prints the
//! figures (see docs/performance.md for the latest run). Nothing here
//! asserts a time: benchmarks report, tests decide.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use futures_util::StreamExt as _;
use relais_access::ApiPermission;
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use serde_json::{Value, json};

// The same allocator as relais-server, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Relais benchmarks. Build with --release.
///
/// Example:
///   cargo run --release -p relais-bench -- employees --employees 10000 --months 24
#[derive(Debug, Parser)]
#[command(verbatim_doc_comment)]
struct Args {
    /// Reuse (or keep) the database here instead of a temporary SQLite file:
    /// a file path, or a PostgreSQL database as `postgres://…` (to measure
    /// that backend); the company is generated only when the database holds
    /// none.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Tracking store: ingest entries in batches, then page one run's
    /// entries with a status filter (p50/p99).
    Tracking {
        /// Entries to ingest first (timed).
        #[arg(long, default_value_t = 1_000_000)]
        ingest: u64,
        /// Entries in the store for the query figures (the ingested ones count).
        #[arg(long, default_value_t = 10_000_000)]
        total: u64,
        /// Queries to time.
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// Connections whose runs ingest at the same time (the ingested
        /// entries shared out among them), as several companies syncing at once.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=16))]
        writers: u64,
    },
    /// SCIM connector: a first full cycle of N employees against a real
    /// scim2-server, at concurrency 1 and 8, and the server's own limit
    /// measured by a plain load of the same requests.
    Scim {
        /// Employees.
        #[arg(long, default_value_t = 1000)]
        employees: u32,
        /// The scim2-server program (pip install scim2-server).
        #[arg(long, default_value = "scim2-server")]
        scim_server: PathBuf,
    },
    /// Custom Reports API: the history-and-overtime report of last month and
    /// the 24-month history report, every page; compared with `sqlite3 -json`.
    Reports {
        /// Employees of the demo company (when the database is new).
        #[arg(long, default_value_t = 10_000)]
        employees: u32,
        /// Months of history (when the database is new).
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// Page size (1–1000).
        #[arg(long, default_value_t = 1000)]
        limit: u64,
    },
    /// Console pages: time and size of every page over loopback, on the
    /// demo company with a SCIM connection whose Tracking tab holds
    /// `--entries` entries (100,000 a run).
    Console {
        /// Employees of the demo company (when the database is new).
        #[arg(long, default_value_t = 10_000)]
        employees: u32,
        /// Months of history (when the database is new).
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// Tracking entries of the connection (when it is new).
        #[arg(long, default_value_t = 10_000_000)]
        entries: u64,
        /// Requests timed per page.
        #[arg(long, default_value_t = 100)]
        requests: usize,
    },
    /// Demo generation time, then `GET /v1/company/employees` throughput over loopback.
    Employees {
        /// Employees of the demo company.
        #[arg(long, default_value_t = 10_000)]
        employees: u32,
        /// Months of history.
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// Concurrent clients.
        #[arg(long, default_value_t = 4)]
        clients: usize,
        /// Full passes over every employee page, per client.
        #[arg(long, default_value_t = 5)]
        passes: usize,
        /// Page size (the API allows 1–100).
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

/// A company with generated people, ready to serve.
struct Prepared {
    app: Arc<App>,
    company: relais_access::Company,
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

fn prepare(db: Option<PathBuf>, employees: u32, months: u32) -> anyhow::Result<Prepared> {
    let (path, dir) = match db {
        Some(path) => (path, None),
        None => {
            let dir = tempfile::tempdir()?;
            (dir.path().join("bench.db"), Some(dir))
        }
    };
    let app = Arc::new(App::open(&path)?);
    let fresh = app.company(Some("bench-company")).is_err();
    let company = if fresh {
        let company = app
            .create_company("Bench Company", "bench@bench.example", "Bench")?
            .company;
        let spec = DemoSpec {
            employees,
            months,
            seed: 1,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).context("date")?,
        };
        println!("generating {employees} employees × {months} months …");
        let summary = app.generate_demo(&company, spec, false, &mut |_| {})?;
        let rows = summary.attendances
            + summary.time_offs
            + summary.absence_periods
            + summary.history_entries
            + summary.employees;
        let seconds = summary.elapsed.as_secs_f64();
        println!(
            "generated: {} employees, {} attendances, {} time-offs, {} absence periods, {} history entries",
            summary.employees,
            summary.attendances,
            summary.time_offs,
            summary.absence_periods,
            summary.history_entries
        );
        println!(
            "generation: {seconds:.1} s, {:.0} rows/s",
            rows as f64 / seconds
        );
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!("database: {:.0} MB", size as f64 / 1e6);
        company
    } else {
        app.company(Some("bench-company"))?
    };
    Ok(Prepared {
        app,
        company,
        path,
        _dir: dir,
    })
}

/// Starts the server in this process (throttle lifted: it would measure
/// itself), makes a credential with `scope` and authenticates it.
async fn serve_with_credential(
    prepared: &Prepared,
    scope: &str,
) -> anyhow::Result<(String, String, reqwest::Client)> {
    let credential = prepared.app.create_credential(
        Caller::Operator,
        &prepared.company,
        CredentialInput {
            name: "bench".into(),
            scopes: [scope.parse::<ApiPermission>()?].into(),
            ..CredentialInput::default()
        },
    )?;
    let config = relais_server::ServerConfig {
        api_per_minute: NonZeroU32::MAX,
        ..relais_server::ServerConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(relais_server::serve(
        listener,
        relais_server::router(Arc::clone(&prepared.app), config),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let auth: Value = client
        .post(format!("{base}/v1/auth"))
        .json(&json!({"client_id": credential.credential.client_id, "client_secret": credential.client_secret}))
        .send()
        .await?
        .json()
        .await?;
    let token = auth["data"]["token"]
        .as_str()
        .context("no token")?
        .to_owned();
    Ok((base, token, client))
}

#[derive(serde::Deserialize)]
struct PageCount {
    data: Vec<serde::de::IgnoredAny>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

async fn employees(
    prepared: Prepared,
    clients: usize,
    passes: usize,
    limit: u64,
) -> anyhow::Result<()> {
    let (base, token, client) = serve_with_credential(&prepared, "employees:read").await?;

    // One untimed pass parses every page and learns the total; the timed
    // passes then only read the bytes, as a load generator does, so that
    // the client's JSON parsing does not take the server's cores.
    let mut total = 0_u64;
    loop {
        let body = client
            .get(format!(
                "{base}/v1/company/employees?limit={limit}&offset={total}"
            ))
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: PageCount = serde_json::from_slice(&body)?;
        if page.data.is_empty() {
            break;
        }
        total += page.data.len() as u64;
    }
    println!("checked: {total} employees in pages of {limit}");

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut employees, mut bytes) = (0_u64, 0_u64);
            for _ in 0..passes {
                let mut offset = 0;
                while offset < total {
                    let t = Instant::now();
                    let response = client
                        .get(format!(
                            "{base}/v1/company/employees?limit={limit}&offset={offset}"
                        ))
                        .bearer_auth(&token)
                        .send()
                        .await?;
                    if !response.status().is_success() {
                        bail!("status {}", response.status());
                    }
                    let body = response.bytes().await?;
                    latencies.push(t.elapsed());
                    bytes += body.len() as u64;
                    employees += limit.min(total - offset);
                    offset += limit;
                }
            }
            anyhow::Ok((latencies, employees, bytes))
        }));
    }
    let mut latencies = Vec::new();
    let (mut employees, mut bytes) = (0, 0);
    for task in tasks {
        let (l, e, b) = task.await??;
        latencies.extend(l);
        employees += e;
        bytes += b;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "GET /v1/company/employees (limit {limit}, {clients} clients × {passes} passes): {} requests in {elapsed:.2} s",
        latencies.len()
    );
    println!(
        "  {:.0} requests/s, {:.0} employees/s, {:.1} MB/s",
        latencies.len() as f64 / elapsed,
        employees as f64 / elapsed,
        bytes as f64 / elapsed / 1e6
    );
    println!(
        "  latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&latencies, 1.0).as_secs_f64() * 1e3
    );
    Ok(())
}

/// Reads every page of a report; returns rows, bytes and wall time. The
/// client finds the page count in the first page's metadata and does not
/// parse the rows, as a load generator does, so that its parsing does not
/// take the server's cores.
async fn fetch_report(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: &str,
    limit: u64,
) -> anyhow::Result<(u64, u64, Duration)> {
    let started = Instant::now();
    let (mut bytes, mut page, mut pages, mut total) = (0_u64, 1, 1, 0);
    while page <= pages {
        let response = client
            .get(format!(
                "{base}/v1/company/custom-reports/reports/{id}?page={page}&limit={limit}"
            ))
            .bearer_auth(token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("status {}", response.status());
        }
        let body = response.bytes().await?;
        bytes += body.len() as u64;
        if page == 1 {
            (total, pages) = metadata(&body)?;
        }
        page += 1;
    }
    Ok((total, bytes, started.elapsed()))
}

/// `total_elements` and `total_pages` from the metadata at the head of a page.
fn metadata(body: &[u8]) -> anyhow::Result<(u64, u64)> {
    #[derive(serde::Deserialize)]
    struct Metadata {
        total_elements: u64,
        total_pages: u64,
    }
    let head = body.get(..body.len().min(512)).unwrap_or_default();
    let text = std::str::from_utf8(head).unwrap_or_default();
    let start = text.find("\"metadata\":").context("no metadata")? + "\"metadata\":".len();
    let end = text[start..].find('}').context("no metadata")? + start + 1;
    let m: Metadata = serde_json::from_str(&text[start..end])?;
    Ok((m.total_elements, m.total_pages))
}

/// Anonymous resident memory of this process now, and its peak resident
/// memory so far, in MB (Linux).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("RssAnon:"), field("VmHWM:"))
}

/// Samples this process's anonymous resident memory every 2 ms and keeps
/// the highest: the kernel reports a peak only for all resident memory,
/// which here includes the database file's pages SQLite maps.
struct AnonPeak {
    peak_kb: Arc<std::sync::atomic::AtomicU64>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl AnonPeak {
    fn start() -> Self {
        use std::sync::atomic::Ordering;
        let peak_kb = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak_kb), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let kb = (memory_mb().0 * 1024.0) as u64;
                p.fetch_max(kb, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Self { peak_kb, stop }
    }

    /// The highest anonymous memory seen so far, in MB.
    fn mb(&self) -> f64 {
        self.peak_kb.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for AnonPeak {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

async fn reports(prepared: Prepared, db: Option<PathBuf>, limit: u64) -> anyhow::Result<()> {
    const OVERTIME: &str = "0196a000-0000-7000-8000-000000000001";
    const HISTORY: &str = "0196a000-0000-7000-8000-000000000002";
    prepared.app.install_example_reports(&prepared.company)?;
    let (base, token, client) = serve_with_credential(&prepared, "custom_reports:read").await?;
    // Both contenders read the same file: read it once first, so that
    // neither pays for a cold page cache the other then enjoys (a SQLite
    // file; PostgreSQL keeps its own cache).
    if let Ok(mut file) = std::fs::File::open(&prepared.path) {
        let warm = Instant::now();
        let read = std::io::copy(&mut file, &mut std::io::sink())?;
        println!(
            "database read once to warm the page cache: {:.0} MB in {:.0} ms",
            read as f64 / 1e6,
            warm.elapsed().as_secs_f64() * 1e3
        );
    }
    let (anon, _) = memory_mb();
    println!("before any report: {anon:.0} MB anonymous memory");
    let anon_peak = AnonPeak::start();

    for (name, id) in [
        ("history + overtime, last month (timeframe)", OVERTIME),
        ("history, 24 months (historical)", HISTORY),
    ] {
        // First read: the overtime report by one client (compared with
        // sqlite3 below); the history report by two clients at once, which
        // must compute it once for both.
        let computed_before = prepared.app.report_stats().computed;
        let started = Instant::now();
        let (rows, bytes, clients) = if id == OVERTIME {
            let (rows, bytes, _) = fetch_report(&client, &base, &token, id, limit).await?;
            (rows, bytes, 1)
        } else {
            let (a, b) = tokio::join!(
                fetch_report(&client, &base, &token, id, limit),
                fetch_report(&client, &base, &token, id, limit)
            );
            let ((rows, bytes, _), _) = (a?, b?);
            (rows, bytes, 2)
        };
        let first = started.elapsed();
        let computations = prepared.app.report_stats().computed - computed_before;
        let (anon, peak) = (memory_mb().0, anon_peak.mb());
        println!(
            "{name}: {rows} rows, {:.1} MB a read; {clients} client(s) reading it first, computed {computations} time(s)",
            bytes as f64 / 1e6
        );
        println!(
            "  first read (computation + every page): {:.0} ms, {:.1} MB/s per client; {anon:.0} MB anonymous memory after, {peak:.0} MB at the peak so far",
            first.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / first.as_secs_f64()
        );
        // From the cache: one client, three passes.
        let started = Instant::now();
        let mut cached_bytes = 0;
        for _ in 0..3 {
            cached_bytes += fetch_report(&client, &base, &token, id, limit).await?.1;
        }
        let wall = started.elapsed();
        println!(
            "  GetReportData from the cache, every page (limit {limit}), 3 passes: {:.1} MB in {:.0} ms, {:.1} MB/s",
            cached_bytes as f64 / 1e6,
            wall.as_secs_f64() * 1e3,
            cached_bytes as f64 / 1e6 / wall.as_secs_f64()
        );
        if id == OVERTIME
            && let Some(path) = &db
            && !relais_store::is_postgres_url(&path.to_string_lossy())
        {
            sqlite_ratio(path, bytes as f64 / first.as_secs_f64())?;
        }
    }
    let (anon, resident) = memory_mb();
    println!(
        "memory of the bench process (server and client): {anon:.0} MB anonymous now, {:.0} MB anonymous at the peak, {resident:.0} MB peak resident (with the database's mapped pages)",
        anon_peak.mb()
    );
    Ok(())
}

/// Runs an equivalent query (same employees, the month's worked hours) with
/// `sqlite3 -json` and prints its bytes/s next to ours.
fn sqlite_ratio(db: &std::path::Path, ours_bytes_per_second: f64) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let (start, end) = relais_reports::Period::Relative {
        period: relais_reports::RelativePeriod::LastMonth,
    }
    .resolve(today);
    let query = format!(
        "SELECT e.id AS employee_id, json_extract(e.document, '$.first_name') AS first_name,
                json_extract(e.document, '$.last_name') AS last_name,
                json_extract(e.document, '$.department.name') AS department,
                json_extract(e.document, '$.team.name') AS team,
                json_extract(e.document, '$.position') AS position,
                json_extract(e.document, '$.weekly_working_hours') AS weekly_working_hours,
                w.minutes / 60.0 AS attendance_worked_hours
         FROM employees e JOIN companies c ON c.tenant = e.tenant AND c.slug = 'bench-company'
         LEFT JOIN (SELECT tenant, employee_id,
                           SUM(MAX(0, (CAST(substr(end_time, 1, 2) AS INTEGER) * 60 + CAST(substr(end_time, 4, 2) AS INTEGER))
                                    - (CAST(substr(start_time, 1, 2) AS INTEGER) * 60 + CAST(substr(start_time, 4, 2) AS INTEGER))
                                    - break_minutes)) AS minutes
                    FROM attendances WHERE date >= '{start}' AND date <= '{end}' AND status != 'rejected'
                    GROUP BY tenant, employee_id) w ON w.tenant = e.tenant AND w.employee_id = e.id"
    );
    let started = Instant::now();
    let output = std::process::Command::new("sqlite3")
        .arg("-json")
        .arg(db)
        .arg(&query)
        .output();
    let Ok(output) = output else {
        println!("  sqlite3 not found; no comparison");
        return Ok(());
    };
    let wall = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!("sqlite3: {}", String::from_utf8_lossy(&output.stderr));
    }
    let theirs = output.stdout.len() as f64 / wall;
    println!(
        "  sqlite3 -json, equivalent query: {:.1} MB in {:.0} ms, {:.1} MB/s; bytes/s ratio sqlite3 / Relais (first read) = {:.2}",
        output.stdout.len() as f64 / 1e6,
        wall * 1e3,
        theirs / 1e6,
        theirs / ours_bytes_per_second
    );
    Ok(())
}

fn tracking(
    db: Option<PathBuf>,
    ingest: u64,
    total: u64,
    queries: usize,
    writers: u64,
) -> anyhow::Result<()> {
    use relais_store::EntryFilter;
    use relais_sync::EntryStatus;
    let dir = tempfile::tempdir()?;
    let path = db.unwrap_or_else(|| dir.path().join("tracking.db"));
    let store = relais_store::open(path.as_os_str())?;
    let app = App::open(&path)?;
    let company = match app.company(Some("tracking-bench")) {
        Ok(c) => c,
        Err(_) => {
            app.create_company("Tracking Bench", "bench@bench.example", "Bench")?
                .company
        }
    };
    // Timed: the first `ingest` entries; then the rest, untimed.
    let connection = uuid::Uuid::now_v7();
    let started = Instant::now();
    // Each writer fills its own connection's runs; the first writer's
    // connection is the one the untimed rest goes to.
    let mut runs = std::thread::scope(|scope| {
        let store = store.as_ref();
        let filling: Vec<_> = (0..writers)
            .map(|w| {
                let share = ingest / writers + u64::from(w < ingest % writers);
                let connection = if w == 0 {
                    connection
                } else {
                    uuid::Uuid::now_v7()
                };
                scope.spawn(move || fill_tracking(store, company.id, connection, share, 10_000))
            })
            .collect();
        let mut runs = Vec::new();
        for writer in filling {
            runs.extend(
                writer
                    .join()
                    .map_err(|_| anyhow::anyhow!("a writer panicked"))??,
            );
        }
        anyhow::Ok(runs)
    })?;
    let t = started.elapsed();
    println!(
        "ingest: {ingest} entries in {:.1} s, {:.0} entries/s (batches of 10000, {writers} writer{})",
        t.as_secs_f64(),
        ingest as f64 / t.as_secs_f64(),
        if writers == 1 { "" } else { "s at once" }
    );
    runs.extend(fill_tracking(
        store.as_ref(),
        company.id,
        connection,
        total - ingest,
        10_000,
    )?);
    let written = total;
    let location = path.to_string_lossy().into_owned();
    let size = if relais_store::is_postgres_url(&location) {
        // What autovacuum does after bulk inserts (it would, some time
        // later): the visibility map lets the count read the index alone,
        // and the planner gets the table's statistics.
        let mut client = postgres::Client::connect(&location, postgres::NoTls)?;
        let t = Instant::now();
        client.batch_execute("VACUUM (ANALYZE) sync_entries")?;
        println!(
            "VACUUM (ANALYZE) sync_entries: {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let bytes: i64 = client
            .query_one("SELECT pg_database_size(current_database())", &[])?
            .get(0);
        bytes as f64
    } else {
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64
    };
    println!(
        "store: {written} entries in {} runs, {:.0} MB",
        runs.len(),
        size / 1e6
    );
    let mut latencies = Vec::with_capacity(queries);
    for q in 0..queries {
        let run = runs[q * 7919 % runs.len()];
        let page = (q * 31 % 50) as u64;
        let t = Instant::now();
        let found = store.entries(
            run,
            &EntryFilter {
                status: Some(EntryStatus::Failed),
                ..EntryFilter::default()
            },
            relais_store::Window {
                offset: page * 50,
                limit: 50,
            },
        )?;
        latencies.push(t.elapsed());
        anyhow::ensure!(!found.rows.is_empty(), "empty page");
    }
    latencies.sort();
    println!(
        "entries of one run, status=failed, 50 a page (pages 1–50), {queries} queries: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}

struct ScimProcess(std::process::Child, String);

impl Drop for ScimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_scim(program: &std::path::Path, token: &str) -> anyhow::Result<ScimProcess> {
    use std::io::BufRead as _;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = std::process::Command::new(program)
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--bearer-token",
            token,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", program.display()))?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    Ok(ScimProcess(child, format!("http://127.0.0.1:{port}/v2")))
}

async fn scim(employees: u32, program: PathBuf) -> anyhow::Result<()> {
    use relais_scim::{CycleInput, DeprovisionMode, MatchAttribute, ScimClient, ScimSettings};
    const TOKEN: &str = "bench-token-0123456789";
    let records: Vec<_> = relais_people::demo::employees(DemoSpec {
        employees,
        months: 1,
        seed: 3,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).context("date")?,
    })
    .map(|r| r.employee)
    .collect();
    let in_scope = records
        .iter()
        .filter(|e| e.status != relais_people::EmployeeStatus::Inactive)
        .count();
    for concurrency in [1, 8] {
        let server = start_scim(&program, TOKEN)?;
        // The target is scim2-server on this machine's loopback, allowed explicitly.
        let client = ScimClient::new(
            &server.1,
            TOKEN,
            Duration::from_secs(30),
            &relais_egress::EgressPolicy::parse("127.0.0.1")?,
        )?;
        let settings = ScimSettings {
            match_attribute: MatchAttribute::UserName,
            deprovision: DeprovisionMode::Deactivate,
            deletion_threshold: 50,
            concurrency,
            groups: relais_scim::GroupProvisioning::default(),
        };
        let input = CycleInput {
            employees: records.clone(),
            links: Default::default(),
            group_links: Default::default(),
            cycle: relais_sync::Cycle::Full,
        };
        let started = Instant::now();
        let out = relais_scim::run_cycle(&client, &settings, input, None).await;
        let t = started.elapsed().as_secs_f64();
        let failed = out
            .entries
            .iter()
            .filter(|e| e.status == relais_sync::EntryStatus::Failed)
            .count();
        println!(
            "connector, first full cycle, concurrency {concurrency}: {in_scope} employees in {t:.2} s, {:.0} employees/s ({} entries, {failed} failed; each: two match queries, then a create)",
            in_scope as f64 / t,
            out.entries.len()
        );
    }
    // The same requests without the connector (two match queries and a create
    // per employee), 8 at a time.
    let server = start_scim(&program, TOKEN)?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let users: Vec<_> = records
        .iter()
        .filter(|e| e.status != relais_people::EmployeeStatus::Inactive)
        .map(|e| relais_scim::desired_user(e, None))
        .collect();
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(users.iter().map(|u| {
        let (http, base) = (http.clone(), server.1.clone());
        async move {
            for filter in [
                format!(
                    "userName eq \"{}\"",
                    u["userName"].as_str().unwrap_or_default()
                ),
                format!(
                    "externalId eq \"{}\"",
                    u["externalId"].as_str().unwrap_or_default()
                ),
            ] {
                http.get(format!("{base}/Users"))
                    .query(&[("filter", filter)])
                    .bearer_auth(TOKEN)
                    .send()
                    .await?
                    .error_for_status()?;
            }
            http.post(format!("{base}/Users"))
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/scim+json")
                .body(u.to_string())
                .send()
                .await?
                .error_for_status()?;
            anyhow::Ok(())
        }
    }))
    .buffer_unordered(8)
    .collect()
    .await;
    let t = started.elapsed().as_secs_f64();
    let errors = results.iter().filter(|r| r.is_err()).count();
    println!(
        "plain load of the same requests, 8 at a time: {in_scope} employees in {t:.2} s, {:.0} employees/s ({errors} errors): the SCIM server's own limit",
        in_scope as f64 / t
    );
    Ok(())
}

/// The console bench's fixed key: the database it keeps must open with the
/// same key on the next run.
const CONSOLE_BENCH_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const CONSOLE_BENCH_PASSWORD: &str = "console bench password 2026";

/// Runs of `connection` holding `total` entries, 100,000 a run, in batches
/// of 10,000 (one transaction each): statuses, use cases and employees
/// spread as a real directory sync spreads them. Returns the run ids.
fn fill_tracking(
    store: &dyn relais_store::Store,
    company: relais_access::CompanyId,
    connection: uuid::Uuid,
    total: u64,
    employees: u64,
) -> anyhow::Result<Vec<uuid::Uuid>> {
    use relais_sync::{EntryStatus, SyncEntry, SyncRun, Trigger, UseCase};
    const PER_RUN: u64 = 100_000;
    const BATCH: usize = 10_000;
    let statuses = [
        EntryStatus::Success,
        EntryStatus::Success,
        EntryStatus::Skipped,
        EntryStatus::Skipped,
        EntryStatus::Skipped,
        EntryStatus::Failed,
    ];
    let (mut runs, mut written) = (Vec::new(), 0_u64);
    while written < total {
        let run = SyncRun::start(
            connection,
            Trigger::Scheduled,
            relais_sync::Cycle::Incremental,
            chrono::Utc::now(),
        );
        store.start_run(company, &run, None)?;
        let mut in_run = 0;
        while in_run < PER_RUN && written < total {
            let n = BATCH
                .min((PER_RUN - in_run) as usize)
                .min((total - written) as usize);
            let batch: Vec<SyncEntry> = (0..n)
                .map(|i| {
                    let k = written as usize + i;
                    let status = statuses[k % statuses.len()];
                    SyncEntry {
                        at: chrono::Utc::now(),
                        employee_id: (k as u64 % employees) as i64 + 1,
                        group: None,
                        use_case: UseCase::ALL[k % 4],
                        status,
                        message: match status {
                            EntryStatus::Failed => "the target answered 409: userName is taken".into(),
                            EntryStatus::Skipped => "nothing to change".into(),
                            EntryStatus::Success => "updated title, department".into(),
                        },
                        response: (status == EntryStatus::Failed).then(|| {
                            relais_sync::ApiResponse::new(409, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness"}"#, &[])
                        }),
                        changes: vec![],
                    }
                })
                .collect();
            store.advance_run(
                company,
                run.id,
                relais_store::RunProgress {
                    entries: &batch,
                    ..Default::default()
                },
                &mut |_| {},
            )?;
            in_run += n as u64;
            written += n as u64;
        }
        store.advance_run(
            company,
            run.id,
            relais_store::RunProgress::default(),
            &mut |r| r.finish(None, chrono::Utc::now()),
        )?;
        runs.push(run.id);
    }
    Ok(runs)
}

/// Every console page, timed from a client in this process (so the figure
/// includes the loopback round trip and the client's share of the cores:
/// an upper bound of the server's time).
async fn console(
    db: Option<PathBuf>,
    employees: u32,
    months: u32,
    entries: u64,
    requests: usize,
) -> anyhow::Result<()> {
    let prepared = prepare(db, employees, months)?;
    let company = prepared.company.clone();
    let path = prepared.path.clone();
    let app = Arc::new(
        App::open(&path)?
            .with_secret_key(Some(relais_access::SecretKey::from_hex(CONSOLE_BENCH_KEY)?))
            .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1")?),
    );
    app.install_example_reports(&company)?;
    let by = Caller::Operator;
    let connection = match app
        .connections(by, &company, Some("connected"))?
        .into_iter()
        .find(|c| c.integration == "scim-provisioning")
    {
        Some(c) => c.id,
        None => {
            let id = app.start_connection(by, &company, "scim-provisioning")?.id;
            for (step, answers) in [
                (
                    "target",
                    json!({"base_url": "http://127.0.0.1:9/v2", "bearer_token": "bench-token-0123456789"}),
                ),
                (
                    "matching",
                    json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
                ),
                ("confirm", json!({"accept_data_processing": true})),
            ] {
                let answers = answers.as_object().context("answers")?;
                app.submit_wizard_step(by, &company, &id, step, answers)?;
            }
            app.complete_wizard(by, &company, &id)?;
            id
        }
    };
    let store = relais_store::open(path.as_os_str())?;
    let connection_uuid: uuid::Uuid = connection.parse()?;
    let mut runs = store
        .runs(
            company.id,
            connection_uuid,
            None,
            None,
            None,
            relais_store::Window {
                offset: 0,
                limit: 1,
            },
        )?
        .rows;
    if runs.is_empty() {
        let t = Instant::now();
        fill_tracking(
            store.as_ref(),
            company.id,
            connection_uuid,
            entries,
            u64::from(employees),
        )?;
        println!(
            "tracking: {entries} entries written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        runs = store
            .runs(
                company.id,
                connection_uuid,
                None,
                None,
                None,
                relais_store::Window {
                    offset: 0,
                    limit: 1,
                },
            )?
            .rows;
    }
    let run = runs.first().context("no run")?.id;
    let entry = store
        .entries(
            run,
            &relais_store::EntryFilter {
                status: Some(relais_sync::EntryStatus::Failed),
                ..Default::default()
            },
            relais_store::Window {
                offset: 0,
                limit: 1,
            },
        )?
        .rows
        .first()
        .context("no failed entry")?
        .id;
    let credential = app.create_credential(
        by,
        &company,
        CredentialInput {
            name: "Warehouse".into(),
            scopes: ["employees:read".parse::<ApiPermission>()?].into(),
            ..CredentialInput::default()
        },
    )?;
    app.set_password(&company, "bench@bench.example", CONSOLE_BENCH_PASSWORD)?;
    let (_, session) = app.sign_in("bench@bench.example", CONSOLE_BENCH_PASSWORD, None)?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(relais_server::serve(
        listener,
        relais_server::router(Arc::clone(&app), relais_server::ServerConfig::default()),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = format!("relais_session={}", session.secret);
    let c = format!("/console/connections/{connection}");
    let today = chrono::Utc::now().date_naive();
    let month_ago = today - chrono::Days::new(30);
    let pages = [
        ("Marketplace".to_owned(), "/console/marketplace".to_owned()),
        (
            "Marketplace, search 'slak'".into(),
            "/console/marketplace?q=slak".into(),
        ),
        (
            "Marketplace, filters".into(),
            "/console/marketplace?kind=partner&category=identity_access&capability=sync_tracking"
                .into(),
        ),
        (
            "Integration page".into(),
            "/console/marketplace/okta".into(),
        ),
        (
            "Connected integrations".into(),
            "/console/connections".into(),
        ),
        ("A connection".into(), c.clone()),
        ("Tracking: runs".into(), format!("{c}/tracking")),
        (
            "Tracking: runs, status and dates".into(),
            format!("{c}/tracking?status=completed&from={month_ago}&to={today}"),
        ),
        (
            "Tracking: runs, page 4".into(),
            format!("{c}/tracking?page=4"),
        ),
        (
            "A run (100,000 entries)".into(),
            format!("{c}/tracking/{run}"),
        ),
        (
            "A run, failed entries".into(),
            format!("{c}/tracking/{run}?status=failed"),
        ),
        (
            "A run, use case".into(),
            format!("{c}/tracking/{run}?use_case=link"),
        ),
        (
            "A run, employee".into(),
            format!("{c}/tracking/{run}?employee=4242"),
        ),
        (
            "A run, failed, use case and employee".into(),
            format!("{c}/tracking/{run}?status=failed&use_case=link&employee=4242"),
        ),
        (
            "A run, page 2000".into(),
            format!("{c}/tracking/{run}?page=2000"),
        ),
        (
            "An entry".into(),
            format!("{c}/tracking/{run}/entries/{entry}"),
        ),
        (
            "An employee across 100 runs".into(),
            format!("{c}/employees/4242"),
        ),
        (
            "API credentials".into(),
            "/console/settings/api-credentials".into(),
        ),
        (
            "Generate new credential".into(),
            "/console/settings/api-credentials/new".into(),
        ),
        (
            "Edit a credential".into(),
            format!(
                "/console/settings/api-credentials/{}",
                credential.credential.client_id
            ),
        ),
        ("Custom reports".into(), "/console/reports".into()),
        (
            "A report (timeframe, cached)".into(),
            "/console/reports/0196a000-0000-7000-8000-000000000001".into(),
        ),
        (
            "A report (24-month history, cached), page 100".into(),
            "/console/reports/0196a000-0000-7000-8000-000000000002?page=100".into(),
        ),
        ("Requests".into(), "/console/requests".into()),
        ("Users and rights".into(), "/console/settings/users".into()),
    ];
    println!("| page | p50 | p99 | size |");
    println!("|---|---|---|---|");
    for (name, path) in pages {
        let mut latencies = Vec::with_capacity(requests);
        let mut size = 0;
        let mut first = None;
        // One untimed request first: a report's first view computes it
        // (reported apart), later views read the cache.
        for i in 0..=requests {
            let t = Instant::now();
            let response = client
                .get(format!("{base}{path}"))
                .header("Cookie", &cookie)
                .send()
                .await?;
            let status = response.status();
            let body = response.bytes().await?;
            let elapsed = t.elapsed();
            if !status.is_success() {
                bail!("{path}: status {status}");
            }
            size = body.len();
            if i == 0 {
                first = Some(elapsed);
            } else {
                latencies.push(elapsed);
            }
        }
        latencies.sort();
        let first = first.unwrap_or_default();
        let note = if first > percentile(&latencies, 0.99) * 4 {
            format!(" (first view {:.0} ms)", first.as_secs_f64() * 1e3)
        } else {
            String::new()
        };
        println!(
            "| {name}{note} | {:.1} ms | {:.1} ms | {:.1} KB |",
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            size as f64 / 1024.0
        );
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.bench {
        Bench::Tracking {
            ingest,
            total,
            queries,
            writers,
        } => tracking(args.db, ingest, total.max(ingest), queries, writers),
        Bench::Scim {
            employees,
            scim_server,
        } => runtime.block_on(scim(employees, scim_server)),
        Bench::Reports {
            employees: n,
            months,
            limit,
        } => {
            let db = args.db.clone();
            let prepared = prepare(args.db, n, months)?;
            runtime.block_on(reports(prepared, db, limit))
        }
        Bench::Console {
            employees: n,
            months,
            entries,
            requests,
        } => runtime.block_on(console(args.db, n, months, entries, requests.max(1))),
        Bench::Employees {
            employees: n,
            months,
            clients,
            passes,
            limit,
        } => {
            let prepared = prepare(args.db, n, months)?;
            runtime.block_on(employees(prepared, clients, passes, limit))
        }
    }
}
