//! `relais sync …`

use clap::Subcommand;
use relais_app::{AppError, Caller, ErrorKind};
use relais_store::{EntryFilter, Owned, Window};
use relais_sync::{EntryStatus, RunStatus, SyncRun, Trigger, UseCase};

use crate::Ctx;
use crate::output::{Output, count, outln, table};

/// Largest page of runs or entries, as the admin API allows.
const MAX_PER_PAGE: u64 = 500;

#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// A connection's runs (the "Tracking" tab), newest first.
    #[command(
        after_help = "Examples:\n  relais sync runs $CONNECTION\n  relais sync runs $CONNECTION --status failed --per-page 5"
    )]
    Runs {
        /// Connection id.
        connection: String,
        /// Only this status: running, completed, partially_completed, failed.
        #[arg(long)]
        status: Option<String>,
        /// Page, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        page: u64,
        /// Runs per page, 1 to 500.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=MAX_PER_PAGE))]
        per_page: u64,
    },
    /// One run: status, counts, error and API response.
    #[command(after_help = "Example:\n  relais sync show $RUN")]
    Show {
        /// Run id.
        run: String,
    },
    /// A run's per-employee entries ("Show details").
    #[command(
        after_help = "Examples:\n  relais sync entries $RUN\n  relais sync entries $RUN --status failed --use-case provision"
    )]
    Entries {
        /// Run id.
        run: String,
        /// Only this status: success, failed, skipped.
        #[arg(long)]
        status: Option<String>,
        /// Only this use case: update, provision, deprovision, link.
        #[arg(long)]
        use_case: Option<String>,
        /// Only this employee (an id from 1).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
        employee: Option<i64>,
        /// Page, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        page: u64,
        /// Entries per page, 1 to 500.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=MAX_PER_PAGE))]
        per_page: u64,
    },
    /// One employee's entries across a connection's runs.
    #[command(after_help = "Example:\n  relais sync employee $CONNECTION 42")]
    Employee {
        /// Connection id.
        connection: String,
        /// Employee id (from 1).
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        employee: i64,
    },
    /// Run a SCIM cycle of a scim-provisioning connection now, here, and print its outcome.
    #[command(
        after_help = "Examples:\n  relais sync now $CONNECTION\n  relais sync now $CONNECTION --full --concurrency 8"
    )]
    Now {
        /// Connection id.
        connection: String,
        /// A full cycle (read every target user back) instead of an incremental one.
        #[arg(long)]
        full: bool,
        /// Requests in flight, 1 to 64.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
    },
    /// Provision one employee now: run the SCIM cycle for them alone, here,
    /// as a run of its own, and print the steps taken.
    #[command(
        after_help = "Examples:\n  relais sync provision $CONNECTION 42\n  relais --json sync provision $CONNECTION 42"
    )]
    Provision {
        /// Connection id.
        connection: String,
        /// Employee id (from 1).
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        employee: i64,
    },
}

fn parse<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
    one_of: &str,
) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        AppError::new(
            ErrorKind::Invalid,
            format!("{what} '{text}' is not one of {one_of}"),
        )
    })
}

/// The window of one page.
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

/// A value's wire name (`partially_completed`, `partner_reported`): tables
/// use the words of the JSON.
fn wire<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn print_run(out: &Output, run: &SyncRun) -> Result<(), AppError> {
    if out.json {
        return out.print_json(run);
    }
    outln!(
        "Run {}: {} ({}, {} cycle)",
        run.id,
        wire(&run.status),
        wire(&run.trigger),
        wire(&run.cycle)
    )?;
    outln!(
        "Started {}{}",
        run.started_at.format("%Y-%m-%d %H:%M:%S"),
        run.finished_at
            .map(|f| format!(", finished {}", f.format("%H:%M:%S")))
            .unwrap_or_default()
    )?;
    for use_case in UseCase::ALL {
        let [s, f, k] = [
            EntryStatus::Success,
            EntryStatus::Failed,
            EntryStatus::Skipped,
        ]
        .map(|st| run.counts.get(use_case, st));
        if s + f + k > 0 {
            outln!(
                "  {:<12} {s} success, {f} failed, {k} skipped",
                use_case.as_str()
            )?;
        }
    }
    if run.staged > 0 {
        outln!("  staged deprovisions: {}", run.staged)?;
    }
    if let Some(notice) = &run.notice {
        outln!("Notice: {notice}")?;
    }
    if let Some(e) = &run.error {
        outln!("Error: {}", e.message)?;
        if let Some(r) = &e.response {
            outln!("API response {}: {}", r.status, r.body)?;
        }
    }
    Ok(())
}

fn print_entries(
    out: &Output,
    paged: relais_store::Paged<relais_store::StoredEntry>,
    window: Window,
) -> Result<(), AppError> {
    if out.json {
        // The admin API's page shape.
        return out.print_json(&page_of(paged, window));
    }
    let mut t = table(["When", "Employee or group", "Use case", "Status", "Message"]);
    for e in &paged.rows {
        t.add_row([
            e.entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            match &e.entry.group {
                Some(group) => format!("{} {}", group.kind.as_str(), group.name),
                None => e.entry.employee_id.to_string(),
            },
            e.entry.use_case.as_str().to_owned(),
            e.entry.status.as_str().to_owned(),
            e.entry.message.clone(),
        ]);
    }
    outln!("{t}")?;
    outln!("{}", count(paged.total, "entry", "entries"))
}

/// A page as the admin API answers it: `{items, total, page, per_page}`.
fn page_of<T: serde::Serialize>(
    paged: relais_store::Paged<T>,
    window: Window,
) -> serde_json::Value {
    serde_json::json!({
        "items": paged.rows,
        "total": paged.total,
        "page": window.offset / window.limit.max(1) + 1,
        "per_page": window.limit,
    })
}

pub(crate) fn run(ctx: &Ctx, command: SyncCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    match command {
        SyncCommand::Runs {
            connection,
            status,
            page,
            per_page,
        } => {
            let company = ctx.company_of(Owned::Connection, &connection)?;
            let status: Option<RunStatus> = status
                .map(|s| {
                    parse(
                        "status",
                        &s,
                        "running, completed, partially_completed, failed",
                    )
                })
                .transpose()?;
            let window = window(page, per_page)?;
            let paged = app.sync_runs(by, &company, &connection, status, None, None, window)?;
            if out.json {
                return out.print_json(&page_of(paged, window));
            }
            let mut t = table(["Run", "Started", "Status", "Trigger", "Entries", "Failed"]);
            for r in &paged.rows {
                t.add_row([
                    r.id.to_string(),
                    r.started_at.format("%Y-%m-%d %H:%M").to_string(),
                    wire(&r.status),
                    wire(&r.trigger),
                    r.counts.total().to_string(),
                    r.counts.with_status(EntryStatus::Failed).to_string(),
                ]);
            }
            outln!("{t}")?;
            outln!("{}", count(paged.total, "run", "runs"))
        }
        SyncCommand::Show { run } => {
            let company = ctx.company_of(Owned::SyncRun, &run)?;
            print_run(out, &app.sync_run(by, &company, &run)?)
        }
        SyncCommand::Entries {
            run,
            status,
            use_case,
            employee,
            page,
            per_page,
        } => {
            let company = ctx.company_of(Owned::SyncRun, &run)?;
            let filter = EntryFilter {
                status: status
                    .map(|s| parse("status", &s, "success, failed, skipped"))
                    .transpose()?,
                use_case: use_case
                    .map(|u| parse("use case", &u, "update, provision, deprovision, link"))
                    .transpose()?,
                employee_id: employee,
                ..EntryFilter::default()
            };
            let window = window(page, per_page)?;
            print_entries(
                out,
                app.sync_entries(by, &company, &run, &filter, window)?,
                window,
            )
        }
        SyncCommand::Employee {
            connection,
            employee,
        } => {
            let company = ctx.company_of(Owned::Connection, &connection)?;
            let window = window(1, 500)?;
            print_entries(
                out,
                app.employee_sync_entries(by, &company, &connection, employee, window)?,
                window,
            )
        }
        SyncCommand::Now {
            connection,
            full,
            concurrency,
        } => {
            let company = ctx.company_of(Owned::Connection, &connection)?;
            app.set_sync_concurrency(usize::from(concurrency));
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
            let run = runtime.block_on(relais_app::sync::run_scim_sync(
                std::sync::Arc::clone(app),
                None,
                company,
                connection,
                Trigger::Manual,
                full,
            ))?;
            print_run(out, &run)
        }
        SyncCommand::Provision {
            connection,
            employee,
        } => provision(ctx, connection, employee),
    }
}

/// `relais sync provision CONNECTION EMPLOYEE`: provisioning on demand.
fn provision(ctx: &Ctx, connection: String, employee: i64) -> Result<(), AppError> {
    let (app, out) = (&ctx.app, &ctx.out);
    let company = ctx.company_of(Owned::Connection, &connection)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
    let done = runtime.block_on(relais_app::sync::provision_employee(
        std::sync::Arc::clone(app),
        None,
        company,
        connection,
        employee,
    ))?;
    if out.json {
        return out.print_json(&done);
    }
    print_run(out, &done.run)?;
    for e in &done.entries {
        outln!(
            "{} {} ({}): {}",
            e.use_case.as_str(),
            e.status.as_str(),
            e.employee_id,
            e.message
        )?;
        for c in &e.changes {
            outln!("  {}: {} -> {}", c.attribute, c.old, c.new)?;
        }
    }
    Ok(())
}
