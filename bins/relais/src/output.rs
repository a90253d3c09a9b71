//! Printing: tables for people, JSON for scripts.
//!
//! Everything goes through [`write_out`] (the `outln!` macro): a reader that
//! stops early (`relais … | head`) closes standard output, and the command
//! then ends quietly with exit code 0 instead of failing or panicking as
//! `println!` does.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use relais_access::{Company, User};
use relais_app::{AppError, ErrorKind, NewCompany};
use serde::Serialize;

/// Writes a line to standard output; `Err` when it is closed or fails.
macro_rules! outln {
    () => {
        $crate::output::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;

/// Set once standard output is found closed by its reader.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether standard output was closed by its reader (the command then ends
/// quietly and successfully: the reader has what it wanted).
pub(crate) fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// An I/O error on standard output as an [`AppError`]; a closed pipe is
/// remembered so that `main` can end quietly.
pub(crate) fn stdout_error(error: &std::io::Error) -> AppError {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        return AppError::new(ErrorKind::Internal, "standard output was closed".into());
    }
    AppError::new(
        ErrorKind::Internal,
        format!("cannot write to standard output: {error}"),
    )
}

/// Writes formatted text to standard output.
pub(crate) fn write_out(args: std::fmt::Arguments<'_>) -> Result<(), AppError> {
    std::io::stdout()
        .lock()
        .write_fmt(args)
        .map_err(|e| stdout_error(&e))
}

/// Flushes standard output at the end of a command.
pub(crate) fn flush() -> Result<(), AppError> {
    std::io::stdout()
        .lock()
        .flush()
        .map_err(|e| stdout_error(&e))
}

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub json: bool,
}

impl Output {
    /// Prints a value as pretty JSON.
    pub(crate) fn print_json<T: Serialize + ?Sized>(self, value: &T) -> Result<(), AppError> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        outln!("{text}")
    }

    pub(crate) fn created_company(self, created: &NewCompany) -> Result<(), AppError> {
        if self.json {
            #[derive(Serialize)]
            struct Created<'a> {
                company: &'a Company,
                admin: &'a User,
                token: &'a str,
            }
            return self.print_json(&Created {
                company: &created.company,
                admin: &created.admin,
                token: &created.token,
            });
        }
        outln!(
            "Created company {} (slug: {}).",
            created.company.name,
            created.company.slug
        )?;
        outln!(
            "Admin {} has the right \"Marketplace integrations & API\" = edit.",
            created.admin.email
        )?;
        outln!()?;
        outln!("Admin token (shown once; store it now, only its hash is kept):")?;
        outln!("{}", created.token)?;
        outln!()?;
        outln!(
            "Use it as: export TOKEN={}   then   curl -H \"Authorization: Bearer $TOKEN\" localhost:8080/api/me",
            created.token
        )
    }

    pub(crate) fn companies(self, companies: &[Company]) -> Result<(), AppError> {
        if self.json {
            return self.print_json(companies);
        }
        let mut table = table(["Slug", "Name", "Id", "Created"]);
        for c in companies {
            table.add_row([
                c.slug.clone(),
                c.name.clone(),
                c.id.to_string(),
                c.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]);
        }
        outln!("{table}")
    }

    pub(crate) fn users(self, users: &[User]) -> Result<(), AppError> {
        if self.json {
            return self.print_json(users);
        }
        let mut table = table(["E-mail", "Name", "Marketplace & API", "Created"]);
        for u in users {
            table.add_row([
                u.email.clone(),
                u.name.clone(),
                u.marketplace_right.to_string(),
                u.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]);
        }
        outln!("{table}")
    }
}

/// An empty table with a header, sized to the terminal.
pub(crate) fn table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table
}

/// "1 entry", "2 entries": a count with its noun in the right number.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
