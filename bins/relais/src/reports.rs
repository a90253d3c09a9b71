//! `relais reports …`

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use relais_app::{App, AppError, Caller, ErrorKind};
use relais_reports::{CellValue, Locale, ReportDefinition, ReportRow};

use crate::output::{Output, table};

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
    List {
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Show a report's definition.
    Show {
        /// Report id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Create a report from a JSON definition file (format in docs/reports.md).
    #[command(
        after_help = "Example file:\n  {\"name\": \"Overtime March\", \"type\": \"timeframe\",\n   \"period\": {\"type\": \"fixed\", \"start\": \"2026-03-01\", \"end\": \"2026-03-31\"},\n   \"columns\": [\"first_name\", \"last_name\", \"attendance_overtime_hours\"],\n   \"filters\": [{\"column\": \"department\", \"comparison\": \"eq\", \"value\": \"Sales\"}]}"
    )]
    Create {
        /// The definition (JSON).
        file: PathBuf,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Replace a report's definition with a JSON file.
    Edit {
        /// Report id.
        id: String,
        /// The definition (JSON).
        file: PathBuf,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Delete a report.
    Delete {
        /// Report id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Every column a report can hold.
    Columns {
        /// Label language: en, fr or de.
        #[arg(long, default_value = "en")]
        locale: Locale,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Write a whole report for a warehouse: CSV or JSON lines, with a progress bar.
    #[command(
        after_help = "Example:\n  relais reports export 0196a000-0000-7000-8000-000000000001 --format csv --out overtime.csv"
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
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
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

fn print_definition(out: &Output, r: &ReportDefinition) -> Result<(), AppError> {
    if out.json {
        return out.print_json(r);
    }
    println!("{} ({})", r.name, r.id);
    if !r.description.is_empty() {
        println!("{}", r.description);
    }
    println!("Type: {:?}, period: {}", r.kind, r.period.type_name());
    println!("Columns: {}", r.columns.join(", "));
    for f in &r.filters {
        println!("Filter: {} {:?} {}", f.column, f.comparison, f.value);
    }
    Ok(())
}

/// The text of a cell for CSV: entities by name, durations in hours, absences in days.
fn text(value: &CellValue) -> String {
    match value {
        CellValue::Text(t) => t.clone().unwrap_or_default(),
        CellValue::Entity { name, .. } => name.clone().unwrap_or_default(),
        CellValue::CostCenters(list) => list
            .iter()
            .map(|(_, n, w)| format!("{n} ({w}%)"))
            .collect::<Vec<_>>()
            .join("; "),
        CellValue::Duration(h) => format!("{h}"),
        CellValue::AbsenceOverview { days, .. } => format!("{days}"),
    }
}

fn json_value(value: &CellValue) -> serde_json::Value {
    match value {
        CellValue::Text(t) => serde_json::json!(t),
        CellValue::Entity { id, name } => serde_json::json!({"id": id, "name": name}),
        CellValue::CostCenters(list) => serde_json::json!(
            list.iter()
                .map(|(id, n, w)| serde_json::json!({"id": id, "name": n, "weight": w}))
                .collect::<Vec<_>>()
        ),
        CellValue::Duration(h) => serde_json::json!(h),
        CellValue::AbsenceOverview { days, hours } => {
            serde_json::json!({"days": days, "hours": hours})
        }
    }
}

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorKind::Internal, format!("cannot write the export: {e}"))
}

fn export(
    app: &App,
    company: &relais_access::Company,
    id: &str,
    format: Format,
    out: Option<PathBuf>,
) -> Result<(), AppError> {
    let computed = app.compute_report(company.id, id, &relais_app::Cancel::new())?;
    let sink: Box<dyn std::io::Write> = match &out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(io)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = ProgressBar::new(computed.rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let written = write_rows(&computed, format, sink, &bar);
    bar.finish_and_clear();
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other.map_err(io)?,
    }
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

fn write_rows(
    computed: &relais_app::reports::ComputedReport,
    format: Format,
    sink: Box<dyn std::io::Write>,
    bar: &ProgressBar,
) -> std::io::Result<()> {
    let mut sink = std::io::BufWriter::new(sink);
    let columns = &computed.definition.columns;
    let historical = computed
        .rows
        .first()
        .is_some_and(|r| matches!(r, ReportRow::History { .. }));
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(&mut sink);
            let header: Vec<String> = if historical {
                ["employee_id", "attribute_id", "effective_date", "value"]
                    .map(String::from)
                    .to_vec()
            } else {
                std::iter::once("employee_id".to_owned())
                    .chain(columns.iter().cloned())
                    .collect()
            };
            writer.write_record(&header)?;
            for row in &computed.rows {
                match row {
                    ReportRow::Attributes { employee_id, cells } => {
                        let record: Vec<String> = std::iter::once(employee_id.to_string())
                            .chain(cells.iter().map(|c| text(&c.value)))
                            .collect();
                        writer.write_record(&record)?;
                    }
                    ReportRow::History { employee_id, cells } => {
                        for (cell, day) in cells {
                            writer.write_record([
                                employee_id.to_string(),
                                cell.attribute_id.clone(),
                                day.to_string(),
                                text(&cell.value),
                            ])?;
                        }
                    }
                }
                bar.inc(1);
            }
            writer.flush()?;
        }
        Format::Jsonl => {
            for row in &computed.rows {
                let line = match row {
                    ReportRow::Attributes { employee_id, cells } => {
                        let mut object = serde_json::Map::new();
                        object.insert("employee_id".into(), serde_json::json!(employee_id));
                        for c in cells {
                            object.insert(c.attribute_id.clone(), json_value(&c.value));
                        }
                        serde_json::Value::Object(object)
                    }
                    ReportRow::History { employee_id, cells } => serde_json::json!({
                        "employee_id": employee_id,
                        "history": cells.iter().map(|(c, d)| serde_json::json!({"attribute_id": c.attribute_id, "effective_date": d.to_string(), "value": json_value(&c.value)})).collect::<Vec<_>>(),
                    }),
                };
                writeln!(sink, "{line}")?;
                bar.inc(1);
            }
        }
    }
    sink.flush()
}

pub(crate) fn run(app: &App, out: &Output, command: ReportsCommand) -> Result<(), AppError> {
    let by = Caller::Operator;
    match command {
        ReportsCommand::List { company } => {
            let company = app.company(company.as_deref())?;
            let list = app.reports(by, &company)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Id", "Name", "Type", "Period", "Columns"]);
            for r in &list {
                t.add_row([
                    r.id.to_string(),
                    r.name.clone(),
                    format!("{:?}", r.kind),
                    r.period.type_name().to_owned(),
                    r.columns.len().to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
        ReportsCommand::Show { id, company } => {
            let company = app.company(company.as_deref())?;
            print_definition(out, &app.report(by, &company, &id)?)
        }
        ReportsCommand::Create { file, company } => {
            let company = app.company(company.as_deref())?;
            print_definition(
                out,
                &app.create_report(by, &company, read_definition(&file)?)?,
            )
        }
        ReportsCommand::Edit { id, file, company } => {
            let company = app.company(company.as_deref())?;
            print_definition(
                out,
                &app.update_report(by, &company, &id, read_definition(&file)?)?,
            )
        }
        ReportsCommand::Delete { id, company } => {
            let company = app.company(company.as_deref())?;
            app.delete_report(by, &company, &id)?;
            if !out.json {
                println!("Deleted report {id}.");
            }
            Ok(())
        }
        ReportsCommand::Columns { locale, company } => {
            let company = app.company(company.as_deref())?;
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
                    format!("{:?}", c.data_type),
                ]);
            }
            println!("{t}");
            Ok(())
        }
        ReportsCommand::Export {
            id,
            format,
            out: path,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            export(app, &company, &id, format, path)
        }
    }
}
