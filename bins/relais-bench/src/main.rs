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
    /// Reuse (or keep) the database here instead of a temporary one; the
    /// company is generated only when the file is new.
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
    let fresh = !path.exists();
    let app = Arc::new(App::open(&path)?);
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

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut employees, mut bytes) = (0_u64, 0_u64);
            for _ in 0..passes {
                let mut offset = 0;
                loop {
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
                    // Count the items without building them: the client's
                    // own parsing would otherwise share the two cores.
                    let page: PageCount = serde_json::from_slice(&body)?;
                    let n = page.data.len() as u64;
                    employees += n;
                    if n == 0 {
                        break;
                    }
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

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn fetch_report(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: &str,
    limit: u64,
) -> anyhow::Result<(u64, u64, Duration)> {
    let started = Instant::now();
    let (mut rows, mut bytes, mut page) = (0_u64, 0_u64, 1);
    loop {
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
        let parsed: ReportPage = serde_json::from_slice(&body)?;
        let n = parsed.data.first().map_or(0, |d| d.attributes.items.len()) as u64;
        if n == 0 {
            return Ok((rows, bytes, started.elapsed()));
        }
        rows += n;
        page += 1;
    }
}

#[derive(serde::Deserialize)]
struct ReportPage {
    data: Vec<ReportData>,
}

#[derive(serde::Deserialize)]
struct ReportData {
    attributes: ReportItems,
}

#[derive(serde::Deserialize)]
struct ReportItems {
    items: Vec<serde::de::IgnoredAny>,
}

async fn reports(prepared: Prepared, db: Option<PathBuf>, limit: u64) -> anyhow::Result<()> {
    const OVERTIME: &str = "0196a000-0000-7000-8000-000000000001";
    const HISTORY: &str = "0196a000-0000-7000-8000-000000000002";
    prepared.app.install_example_reports(&prepared.company)?;
    let (base, token, client) = serve_with_credential(&prepared, "custom_reports:read").await?;

    for (name, id) in [
        ("history + overtime, last month (timeframe)", OVERTIME),
        ("history, 24 months (historical)", HISTORY),
    ] {
        // Server time: the computation, measured where it runs.
        let app = Arc::clone(&prepared.app);
        let company = prepared.company.id;
        let computed = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let report = app.compute_report(company, id, &relais_app::Cancel::new())?;
            anyhow::Ok((report.rows.len(), t.elapsed()))
        })
        .await??;
        println!(
            "{name}: {} rows, computed in {:.0} ms (server)",
            computed.0,
            computed.1.as_secs_f64() * 1e3
        );
        let (rows, bytes, wall) = fetch_report(&client, &base, &token, id, limit).await?;
        println!(
            "  GetReportData, every page (limit {limit}): {rows} rows, {:.1} MB in {:.0} ms client wall time (cached rows), {:.1} MB/s",
            bytes as f64 / 1e6,
            wall.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / wall.as_secs_f64()
        );
        let cold = wall + computed.1;
        println!(
            "  first read (computation + every page): {:.0} ms, {:.1} MB/s",
            cold.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / cold.as_secs_f64()
        );
        if id == OVERTIME
            && let Some(path) = &db
        {
            sqlite_ratio(path, bytes as f64 / cold.as_secs_f64())?;
        }
    }
    println!(
        "peak resident memory of the bench process (server and client): {:.0} MB",
        peak_rss_mb()
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

fn tracking(db: Option<PathBuf>, ingest: u64, total: u64, queries: usize) -> anyhow::Result<()> {
    use relais_store::{EntryFilter, SyncStore as _};
    use relais_sync::{EntryStatus, SyncEntry, SyncRun, Trigger, UseCase};
    let dir = tempfile::tempdir()?;
    let path = db.unwrap_or_else(|| dir.path().join("tracking.db"));
    let store = relais_store::SqliteStore::open(&path)?;
    let app = App::open(&path)?;
    let company = match app.company(Some("tracking-bench")) {
        Ok(c) => c,
        Err(_) => {
            app.create_company("Tracking Bench", "bench@bench.example", "Bench")?
                .company
        }
    };
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
    let mut runs = Vec::new();
    let mut written = 0_u64;
    let mut ingest_time = None;
    let started = Instant::now();
    while written < total {
        let run = SyncRun::start(
            uuid::Uuid::now_v7(),
            Trigger::Scheduled,
            relais_sync::Cycle::Incremental,
            chrono::Utc::now(),
        );
        store.start_run(company.id, &run)?;
        let mut in_run = 0;
        while in_run < PER_RUN && written < total {
            let n = BATCH
                .min((PER_RUN - in_run) as usize)
                .min((total - written) as usize);
            let batch: Vec<SyncEntry> = (0..n)
                .map(|i| {
                    let k = written as usize + i;
                    SyncEntry {
                        at: chrono::Utc::now(),
                        employee_id: (k % 10_000) as i64 + 1,
                        use_case: UseCase::ALL[k % 4],
                        status: statuses[k % statuses.len()],
                        message: "nothing to change".into(),
                        response: None,
                        changes: vec![],
                    }
                })
                .collect();
            store.advance_run(
                company.id,
                run.id,
                relais_store::RunProgress {
                    entries: &batch,
                    ..Default::default()
                },
                &mut |_| {},
            )?;
            in_run += n as u64;
            written += n as u64;
            if written == ingest {
                ingest_time = Some(started.elapsed());
            }
        }
        store.advance_run(
            company.id,
            run.id,
            relais_store::RunProgress::default(),
            &mut |r| r.finish(None, chrono::Utc::now()),
        )?;
        runs.push(run.id);
    }
    if let Some(t) = ingest_time {
        println!(
            "ingest: {ingest} entries in {:.1} s, {:.0} entries/s (batches of {BATCH})",
            t.as_secs_f64(),
            ingest as f64 / t.as_secs_f64()
        );
    }
    println!(
        "store: {written} entries in {} runs, {:.0} MB",
        runs.len(),
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
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
        };
        let input = CycleInput {
            employees: records.clone(),
            links: Default::default(),
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
        } => tracking(args.db, ingest, total.max(ingest), queries),
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
