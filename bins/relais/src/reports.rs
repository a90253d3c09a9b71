//! `relais reports …`

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use relais_app::export::{ExportFormat, write_report};
use relais_app::{AppError, Caller, ErrorKind};
use relais_reports::{Locale, Period, ReportDefinition};
use relais_store::Owned;

use crate::Ctx;
use crate::output::{Output, outln, table};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReportsCommand {
    /// List the company's custom reports.
    #[command(after_help = "Examples:\n  relais reports list\n  relais --json reports list")]
    List,
    /// Show a report's definition, with the days its period covers today.
    #[command(after_help = "Example:\n  relais reports show 0196a000-0000-7000-8000-000000000002")]
    Show {
        /// Report id.
        id: String,
    },
    /// Create a report from a JSON definition file (format in docs/reports.md).
    #[command(
        after_help = "Example file:\n  {\"name\": \"Overtime March\", \"type\": \"timeframe\",\n   \"period\": {\"type\": \"fixed\", \"start\": \"2026-03-01\",\n              \"end\": \"2026-03-31\"},\n   \"columns\": [\"first_name\", \"last_name\", \"attendance_overtime_hours\"],\n   \"filters\": [{\"column\": \"department\", \"comparison\": \"eq\",\n                \"value\": \"Sales\"}]}\n\nExample:\n  relais reports create overtime.json"
    )]
    Create {
        /// The definition (JSON).
        file: PathBuf,
    },
    /// Replace a report's definition with a JSON file.
    #[command(
        after_help = "Example:\n  relais reports edit 0196a000-0000-7000-8000-000000000002 overtime.json"
    )]
    Edit {
        /// Report id.
        id: String,
        /// The definition (JSON).
        file: PathBuf,
    },
    /// Delete a report.
    #[command(
        after_help = "Example:\n  relais reports delete 0196a000-0000-7000-8000-000000000002"
    )]
    Delete {
        /// Report id.
        id: String,
    },
    /// Every column a report can hold.
    #[command(
        after_help = "Examples:\n  relais reports columns\n  relais reports columns --locale fr"
    )]
    Columns {
        /// Label language: en, fr or de.
        #[arg(long, default_value = "en")]
        locale: Locale,
    },
    /// Write a whole report for a warehouse: CSV or JSON lines, with a progress bar.
    #[command(
        after_help = "Examples:\n  relais reports export 0196a000-0000-7000-8000-000000000002 \\\n      --format csv --out overtime.csv\n  relais reports export 0196a000-0000-7000-8000-000000000002 | head"
    )]
    Export {
        /// Report id.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn read_definition(path: &PathBuf) -> Result<ReportDefinition, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::new(
            ErrorKind::Invalid,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|e| AppError::new(ErrorKind::Invalid, format!("{}: {e}", path.display())))
}

/// A value's wire name (`point_in_time`, `eq`, `DURATION`): tables use the
/// words of the JSON.
fn wire<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The period's days, as it resolves today.
fn period_text(period: Period) -> String {
    let today = chrono::Utc::now().date_naive();
    let (start, end) = period.resolve(today);
    match period {
        Period::Fixed { .. } => format!("fixed, {start} to {end}"),
        Period::Relative { .. } => {
            format!("{} (today: {start} to {end})", period.type_name())
        }
    }
}

fn print_definition(out: &Output, r: &ReportDefinition) -> Result<(), AppError> {
    if out.json {
        return out.print_json(r);
    }
    outln!("{} ({})", r.name, r.id)?;
    if !r.description.is_empty() {
        outln!("{}", r.description)?;
    }
    outln!("Type: {}", wire(&r.kind))?;
    outln!("Period: {}", period_text(r.period))?;
    outln!("Columns: {}", r.columns.join(", "))?;
    for f in &r.filters {
        outln!("Filter: {} {} {}", f.column, wire(&f.comparison), f.value)?;
    }
    Ok(())
}

fn io(e: &std::io::Error) -> AppError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return crate::output::stdout_error(e);
    }
    AppError::new(ErrorKind::Internal, format!("cannot write the export: {e}"))
}

fn export(
    ctx: &Ctx,
    company: &relais_access::Company,
    id: &str,
    format: Format,
    out: Option<PathBuf>,
) -> Result<(), AppError> {
    let computed = ctx
        .app
        .compute_report(company.id, id, &relais_app::Cancel::new())?;
    let catalog = ctx.app.report_columns(Caller::Operator, company)?;
    let sink: Box<dyn std::io::Write> = match &out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| io(&e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = ProgressBar::new(computed.rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let format = match format {
        Format::Csv => ExportFormat::Csv,
        Format::Jsonl => ExportFormat::Jsonl,
    };
    let written = write_report(&computed, &catalog, format, sink, &mut || bar.inc(1));
    bar.finish_and_clear();
    // A reader that stops early (`| head`) ends the command quietly (main).
    written.map_err(|e| io(&e))?;
    if let Some(path) = out {
        eprintln!(
            "Wrote {} rows of '{}' to {}.",
            computed.rows.len(),
            computed.definition.name,
            path.display()
        );
    }
    Ok(())
}

pub(crate) fn run(ctx: &Ctx, command: ReportsCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    match command {
        ReportsCommand::List => {
            let company = ctx.company()?;
            let list = app.reports(by, &company)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Id", "Name", "Type", "Period", "Columns"]);
            for r in &list {
                t.add_row([
                    r.id.to_string(),
                    r.name.clone(),
                    wire(&r.kind),
                    period_text(r.period),
                    r.columns.len().to_string(),
                ]);
            }
            outln!("{t}")
        }
        ReportsCommand::Show { id } => {
            let company = ctx.company_of(Owned::Report, &id)?;
            print_definition(out, &app.report(by, &company, &id)?)
        }
        ReportsCommand::Create { file } => {
            let company = ctx.company()?;
            print_definition(
                out,
                &app.create_report(by, &company, read_definition(&file)?)?,
            )
        }
        ReportsCommand::Edit { id, file } => {
            let company = ctx.company_of(Owned::Report, &id)?;
            print_definition(
                out,
                &app.update_report(by, &company, &id, read_definition(&file)?)?,
            )
        }
        ReportsCommand::Delete { id } => {
            let company = ctx.company_of(Owned::Report, &id)?;
            app.delete_report(by, &company, &id)?;
            if out.json {
                return out.print_json(&serde_json::json!({"deleted": id}));
            }
            outln!("Deleted report {id}.")
        }
        ReportsCommand::Columns { locale } => {
            let company = ctx.company()?;
            let columns = app.report_columns(by, &company)?;
            if out.json {
                let list: Vec<_> = columns.iter().map(|c| serde_json::json!({"attribute_id": c.attribute_id, "label": c.label(locale), "data_type": c.data_type})).collect();
                return out.print_json(&list);
            }
            let mut t = table(["Column", "Label", "Type"]);
            for c in &columns {
                t.add_row([
                    c.attribute_id.clone(),
                    c.label(locale).to_owned(),
                    wire(&c.data_type),
                ]);
            }
            outln!("{t}")
        }
        ReportsCommand::Export {
            id,
            format,
            out: path,
        } => {
            let company = ctx.company_of(Owned::Report, &id)?;
            export(ctx, &company, &id, format, path)
        }
    }
}
