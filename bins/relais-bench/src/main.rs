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
    let scopes = ["employees:read"]
        .iter()
        .map(|s| s.parse::<ApiPermission>())
        .collect::<Result<_, _>>()?;
    let credential = prepared.app.create_credential(
        Caller::Operator,
        &prepared.company,
        CredentialInput {
            name: "bench".into(),
            scopes,
            ..CredentialInput::default()
        },
    )?;
    // The throttle would measure itself; lift it for the benchmark.
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

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.bench {
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
