//! `relais employees …`

use std::path::{Path, PathBuf};

use clap::Subcommand;
use relais_app::{AppError, Caller, ErrorKind, ImportFormat, ImportOutcome, RowAction};
use relais_store::Window;

use crate::Ctx;
use crate::output::{count, outln, table};

/// Largest file read: far more than 50,000 rows of employees need.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

const IMPORT_HELP: &str = "\
The file is CSV with a header row, or JSON lines (one object per line),
with the columns external_id, email, first_name, last_name, preferred_name,
gender, status, position, department, office, team, supervisor, hire_date,
termination_date, weekly_working_hours, employment_type, effective_date and
custom attributes (dynamic_<id> or their label). A row updates the employee
with its external_id, else its e-mail, and creates one otherwise. Changes
take effect on effective_date (default: today) and are kept as history.
Format and rules: docs/employees.md; an example: fixtures/employees.csv.

Examples:
  relais employees import fixtures/employees.csv --dry-run
  relais employees import fixtures/employees.csv
  relais employees import changes.jsonl";

#[derive(Debug, Subcommand)]
pub(crate) enum EmployeesCommand {
    /// Create and update employees from a file: all or nothing.
    #[command(after_help = IMPORT_HELP)]
    Import {
        /// The file: .csv, or .jsonl / .ndjson.
        file: PathBuf,
        /// Only print what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The company's employees, by id.
    #[command(
        after_help = "Examples:\n  relais employees list\n  relais employees list --page 2 --per-page 100"
    )]
    List {
        /// Page, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        page: u64,
        /// Employees per page, 1 to 500.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=500))]
        per_page: u64,
    },
    /// Set or remove an employee's profile picture.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais employees picture set 42 ana.jpg\n  relais employees picture remove 42"
    )]
    Picture(PictureCommand),
}

/// `relais employees picture …`
#[derive(Debug, Subcommand)]
pub(crate) enum PictureCommand {
    /// Set an employee's profile picture from a PNG or JPEG file (at most
    /// 5 MB and 8000 pixels a side). It is decoded and stored anew as a PNG
    /// of at most 1000 pixels a side; the public API serves it to
    /// credentials that may read the profile_picture attribute.
    #[command(after_help = "Example:\n  relais employees picture set 42 ana.jpg")]
    Set {
        /// The employee's id.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        id: i64,
        /// The picture: a .png or .jpg file.
        file: PathBuf,
    },
    /// Remove an employee's profile picture.
    #[command(after_help = "Example:\n  relais employees picture remove 42")]
    Remove {
        /// The employee's id.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        id: i64,
    },
}

fn read_picture(file: &Path) -> Result<Vec<u8>, AppError> {
    let name = file.display().to_string();
    let cannot =
        |e: std::io::Error| AppError::new(ErrorKind::Invalid, format!("cannot read {name}: {e}"));
    let limit = relais_people::picture::MAX_UPLOAD_BYTES as u64;
    let size = std::fs::metadata(file).map_err(cannot)?.len();
    if size > limit {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("{name} has {size} bytes; a picture may have at most {limit}"),
        ));
    }
    std::fs::read(file).map_err(cannot)
}

fn read(file: &Path) -> Result<(ImportFormat, String), AppError> {
    let name = file.display().to_string();
    let format = ImportFormat::from_file_name(&name).ok_or_else(|| {
        AppError::new(
            ErrorKind::Invalid,
            format!("{name}: name the file .csv, .jsonl or .ndjson, after its format"),
        )
    })?;
    let cannot =
        |e: std::io::Error| AppError::new(ErrorKind::Invalid, format!("cannot read {name}: {e}"));
    let size = std::fs::metadata(file).map_err(cannot)?.len();
    if size > MAX_FILE_BYTES {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("{name} has {size} bytes; import at most {MAX_FILE_BYTES} at a time"),
        ));
    }
    let text = std::fs::read_to_string(file).map_err(cannot)?;
    Ok((format, text))
}

fn print_outcome(ctx: &Ctx, file: &Path, outcome: &ImportOutcome) -> Result<(), AppError> {
    if ctx.out.json {
        return ctx.out.print_json(outcome);
    }
    for row in &outcome.rows {
        match row.action {
            RowAction::Create => outln!(
                "line {}: create employee {} ({})",
                row.line,
                row.employee_id,
                row.email
            )?,
            RowAction::Update => {
                let changes: Vec<String> = row
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {} → {}",
                            c.attribute,
                            c.before.as_deref().unwrap_or("(empty)"),
                            c.after.as_deref().unwrap_or("(empty)")
                        )
                    })
                    .collect();
                outln!(
                    "line {}: update employee {} ({}) from {}: {}",
                    row.line,
                    row.employee_id,
                    row.email,
                    row.effective_date
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    changes.join("; ")
                )?;
            }
            RowAction::Unchanged => {}
        }
    }
    let summary = format!(
        "{} created, {} updated, {} unchanged",
        outcome.created, outcome.updated, outcome.unchanged
    );
    if outcome.dry_run {
        outln!(
            "Dry run of {}: {summary}. Nothing was written.",
            file.display()
        )
    } else {
        outln!("Imported {}: {summary}.", file.display())
    }
}

pub(crate) fn run(ctx: &Ctx, command: EmployeesCommand) -> Result<(), AppError> {
    let company = ctx.company()?;
    match command {
        EmployeesCommand::Import { file, dry_run } => {
            let (format, text) = read(&file)?;
            let outcome = ctx
                .app
                .import_employees(Caller::Operator, &company, format, &text, dry_run)
                .map_err(|e| AppError::new(e.kind(), format!("{}: {e}", file.display())))?;
            print_outcome(ctx, &file, &outcome)
        }
        EmployeesCommand::List { page, per_page } => {
            let window = Window::page(page, per_page)
                .ok_or_else(|| AppError::new(ErrorKind::Invalid, "page: out of range".into()))?;
            let paged = ctx.app.employees(Caller::Operator, &company, window)?;
            if ctx.out.json {
                return ctx.out.print_json(&serde_json::json!({
                    "items": paged.rows,
                    "total": paged.total,
                    "page": page,
                    "per_page": per_page,
                }));
            }
            let mut t = table(["Id", "Name", "E-mail", "Position", "Department", "Status"]);
            for e in &paged.rows {
                t.add_row([
                    e.id.to_string(),
                    format!("{} {}", e.first_name, e.last_name),
                    e.email.clone(),
                    e.position.clone(),
                    e.department
                        .as_ref()
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    e.status.as_str().to_owned(),
                ]);
            }
            outln!("{t}")?;
            outln!("{}", count(paged.total, "employee", "employees"))
        }
        EmployeesCommand::Picture(PictureCommand::Set { id, file }) => {
            let bytes = read_picture(&file)?;
            let (width, height) = ctx
                .app
                .set_employee_picture(Caller::Operator, &company, id, &bytes)
                .map_err(|e| AppError::new(e.kind(), format!("{}: {e}", file.display())))?;
            if ctx.out.json {
                return ctx.out.print_json(&serde_json::json!({
                    "employee_id": id, "width": width, "height": height,
                }));
            }
            outln!("Set the profile picture of employee {id} ({width}×{height} pixels).")
        }
        EmployeesCommand::Picture(PictureCommand::Remove { id }) => {
            ctx.app
                .remove_employee_picture(Caller::Operator, &company, id)?;
            if ctx.out.json {
                return ctx
                    .out
                    .print_json(&serde_json::json!({"employee_id": id, "removed": true}));
            }
            outln!("Removed the profile picture of employee {id}.")
        }
    }
}
