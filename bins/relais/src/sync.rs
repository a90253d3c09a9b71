//! `relais sync …`

use std::sync::Arc;

use clap::Subcommand;
use relais_app::{App, AppError, Caller, ErrorKind};
use relais_store::{EntryFilter, Window};
use relais_sync::{EntryStatus, RunStatus, SyncRun, Trigger, UseCase};

use crate::output::{Output, table};

#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// A connection's runs (the "Tracking" tab), newest first.
    Runs {
        /// Connection id.
        connection: String,
        /// Only this status: running, completed, partially_completed, failed.
        #[arg(long)]
        status: Option<String>,
        /// Page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u64,
        /// Runs per page.
        #[arg(long, default_value_t = 20)]
        per_page: u64,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// One run: status, counts, error and API response.
    Show {
        /// Run id.
        run: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// A run's per-employee entries ("Show details").
    Entries {
        /// Run id.
        run: String,
        /// Only this status: success, failed, skipped.
        #[arg(long)]
        status: Option<String>,
        /// Only this use case: update, provision, deprovision, link.
        #[arg(long)]
        use_case: Option<String>,
        /// Only this employee.
        #[arg(long)]
        employee: Option<i64>,
        /// Page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u64,
        /// Entries per page.
        #[arg(long, default_value_t = 50)]
        per_page: u64,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// One employee's entries across a connection's runs.
    Employee {
        /// Connection id.
        connection: String,
        /// Employee id.
        employee: i64,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Run a SCIM cycle of a connection now, here, and print its outcome.
    Now {
        /// Connection id.
        connection: String,
        /// A full cycle (read every target user back) instead of an incremental one.
        #[arg(long)]
        full: bool,
        /// Requests in flight.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| AppError::new(ErrorKind::Invalid, format!("{what} '{text}' is not valid")))
}

fn window(page: u64, per_page: u64) -> Result<Window, AppError> {
    Window::page(page, per_page)
        .filter(|_| per_page <= 500)
        .ok_or_else(|| {
            AppError::new(
                ErrorKind::Invalid,
                format!(
                    "page must be 1 or more (got {page}) and per-page 1 to 500 (got {per_page})"
                ),
            )
        })
}

fn print_run(out: &Output, run: &SyncRun) -> Result<(), AppError> {
    if out.json {
        return out.print_json(run);
    }
    println!(
        "Run {} — {:?} ({:?}, {:?})",
        run.id, run.status, run.trigger, run.cycle
    );
    println!(
        "Started {}{}",
        run.started_at.format("%Y-%m-%d %H:%M:%S"),
        run.finished_at
            .map(|f| format!(", finished {}", f.format("%H:%M:%S")))
            .unwrap_or_default()
    );
    for use_case in UseCase::ALL {
        let [s, f, k] = [
            EntryStatus::Success,
            EntryStatus::Failed,
            EntryStatus::Skipped,
        ]
        .map(|st| run.counts.get(use_case, st));
        if s + f + k > 0 {
            println!(
                "  {:<12} {s} success, {f} failed, {k} skipped",
                use_case.as_str()
            );
        }
    }
    if run.staged > 0 {
        println!("  staged deprovisions: {}", run.staged);
    }
    if let Some(notice) = &run.notice {
        println!("Notice: {notice}");
    }
    if let Some(e) = &run.error {
        println!("Error: {}", e.message);
        if let Some(r) = &e.response {
            println!("API response {}: {}", r.status, r.body);
        }
    }
    Ok(())
}

fn print_entries(
    out: &Output,
    paged: &relais_store::Paged<relais_store::StoredEntry>,
) -> Result<(), AppError> {
    if out.json {
        return out.print_json(&serde_json::json!({"items": paged.rows, "total": paged.total}));
    }
    let mut t = table(["When", "Employee", "Use case", "Status", "Message"]);
    for e in &paged.rows {
        t.add_row([
            e.entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.entry.employee_id.to_string(),
            e.entry.use_case.as_str().to_owned(),
            e.entry.status.as_str().to_owned(),
            e.entry.message.clone(),
        ]);
    }
    println!("{t}");
    println!("{} entries", paged.total);
    Ok(())
}

pub(crate) fn run(app: App, out: &Output, command: SyncCommand) -> Result<(), AppError> {
    let by = Caller::Operator;
    match command {
        SyncCommand::Runs {
            connection,
            status,
            page,
            per_page,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let status: Option<RunStatus> = status.map(|s| parse("status", &s)).transpose()?;
            let paged = app.sync_runs(
                by,
                &company,
                &connection,
                status,
                None,
                None,
                window(page, per_page)?,
            )?;
            if out.json {
                return out
                    .print_json(&serde_json::json!({"items": paged.rows, "total": paged.total}));
            }
            let mut t = table(["Run", "Started", "Status", "Trigger", "Entries", "Failed"]);
            for r in &paged.rows {
                t.add_row([
                    r.id.to_string(),
                    r.started_at.format("%Y-%m-%d %H:%M").to_string(),
                    format!("{:?}", r.status),
                    format!("{:?}", r.trigger),
                    r.counts.total().to_string(),
                    r.counts.with_status(EntryStatus::Failed).to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
        SyncCommand::Show { run, company } => {
            let company = app.company(company.as_deref())?;
            print_run(out, &app.sync_run(by, &company, &run)?)
        }
        SyncCommand::Entries {
            run,
            status,
            use_case,
            employee,
            page,
            per_page,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let filter = EntryFilter {
                status: status.map(|s| parse("status", &s)).transpose()?,
                use_case: use_case.map(|u| parse("use case", &u)).transpose()?,
                employee_id: employee,
            };
            print_entries(
                out,
                &app.sync_entries(by, &company, &run, &filter, window(page, per_page)?)?,
            )
        }
        SyncCommand::Employee {
            connection,
            employee,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            print_entries(
                out,
                &app.employee_sync_entries(by, &company, &connection, employee, window(1, 500)?)?,
            )
        }
        SyncCommand::Now {
            connection,
            full,
            concurrency,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            app.set_sync_concurrency(concurrency);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
            let run = runtime.block_on(relais_app::sync::run_scim_sync(
                Arc::new(app),
                None,
                company,
                connection,
                Trigger::Manual,
                full,
            ))?;
            print_run(out, &run)
        }
    }
}
