//! `relais info`, `relais db …`, `relais secrets …`: the operator's commands.

use std::path::PathBuf;

use clap::Subcommand;
use relais_access::SecretKey;
use relais_app::{AppError, ErrorKind};

use crate::Ctx;
use crate::output::outln;

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Write a consistent copy of the database, also while the server runs.
    ///
    /// The copy is one snapshot (SQLite's VACUUM INTO), compacted, and is a
    /// database of its own: restore it by stopping the server and putting
    /// the copy in place of the database file (see docs/operations.md).
    #[command(
        after_help = "Examples:\n  relais db backup /var/backups/relais-$(date +%F).db\n  relais --db /srv/relais.db db backup /srv/backup.db"
    )]
    Backup {
        /// The file to write; it must not exist.
        file: PathBuf,
    },
    /// Copy every row of one database into another, new and empty one: to
    /// move a deployment from SQLite to PostgreSQL (or back).
    ///
    /// Reads one consistent snapshot of the source (the server may keep
    /// running on it; what it writes after the copy began is not copied) and
    /// writes the target in one transaction: the catalog, companies, users,
    /// tokens, credentials, sealed secrets (copied sealed: give the new
    /// servers the same RELAIS_SECRET_KEY), connections, audit trail, people
    /// data, reports, sync history, recruiting and documents. Every table is
    /// counted in the target before it commits; a target that holds any row
    /// is refused, and after any error the target is left as it was.
    #[command(
        after_help = "Examples:\n  relais db copy --from relais.db --to postgres://relais@db/relais\n  relais db copy --from postgres://relais@db/relais --to /var/backups/relais.db"
    )]
    Copy {
        /// The database to read (a file path or a postgres:// address);
        /// defaults to --db / RELAIS_DB.
        #[arg(long)]
        from: Option<PathBuf>,
        /// The database to write: a file path (created) or a postgres://
        /// address of an empty database.
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SecretsCommand {
    /// Print a new random key for RELAIS_SECRET_KEY (64 hex digits); needs no database.
    ///
    /// Give the server and every CLI on the database the same key, and keep
    /// it with your backups: without it the sealed secrets cannot be opened.
    #[command(
        after_help = "Examples:\n  relais secrets new-key > relais.key\n  export RELAIS_SECRET_KEY=$(cat relais.key)"
    )]
    NewKey,
    /// Re-seal every secret at rest with a new key, in one transaction.
    ///
    /// Reads the current key from RELAIS_SECRET_KEY and the new one from
    /// RELAIS_NEW_SECRET_KEY (never from the command line, where other
    /// users could see it). Stop the server first and start it again with
    /// the new key: a process still using the old key is refused.
    #[command(
        after_help = "Example:\n  export RELAIS_NEW_SECRET_KEY=$(relais secrets new-key)\n  relais secrets rekey    # then: RELAIS_SECRET_KEY=$RELAIS_NEW_SECRET_KEY"
    )]
    Rekey,
}

pub(crate) fn info(ctx: &Ctx) -> Result<(), AppError> {
    let info = ctx.app.info()?;
    if ctx.out.json {
        return ctx.out.print_json(&info);
    }
    outln!(
        "Database:   {} (schema version {} of {})",
        info.database,
        info.schema_version,
        info.schema_version_known
    )?;
    let companies: Vec<String> = info
        .companies
        .iter()
        .map(|c| format!("{} ({})", c.slug, c.name))
        .collect();
    outln!(
        "Companies:  {}",
        if companies.is_empty() {
            "none yet (create one with `relais init`)".to_owned()
        } else {
            companies.join(", ")
        }
    )?;
    outln!("Secret key: {}", info.secret_key)?;
    outln!(
        "Catalog:    {} integrations from {}",
        info.catalog_integrations,
        info.catalog_source
    )
}

pub(crate) fn run_db(ctx: &Ctx, command: DbCommand) -> Result<(), AppError> {
    match command {
        DbCommand::Copy { .. } => Err(AppError::new(
            ErrorKind::Internal,
            "relais db copy runs before a database is opened".into(),
        )),
        DbCommand::Backup { file } => {
            ctx.app.backup(&file)?;
            if ctx.out.json {
                return ctx.out.print_json(
                    &serde_json::json!({"database": ctx.app.database(), "backup": file}),
                );
            }
            outln!(
                "Wrote a consistent copy of {} to {}.",
                ctx.app.database(),
                file.display()
            )
        }
    }
}

/// `relais db copy`: runs before any database is opened (opening the target
/// as an application would install the catalog into it).
pub(crate) fn copy(
    out: crate::Output,
    from: &std::path::Path,
    to: &std::path::Path,
) -> Result<(), AppError> {
    let report = relais_app::copy_database(from.as_os_str(), to.as_os_str())?;
    let shown_from = relais_store::display_location(from.as_os_str());
    let shown_to = relais_store::display_location(to.as_os_str());
    if out.json {
        let tables: serde_json::Map<String, serde_json::Value> = report
            .tables
            .iter()
            .map(|(t, n)| (t.clone(), serde_json::Value::from(*n)))
            .collect();
        return out.print_json(&serde_json::json!({
            "from": shown_from,
            "to": shown_to,
            "rows": report.rows(),
            "tables": tables,
        }));
    }
    outln!(
        "Copied {} from {shown_from} to {shown_to}; every table counted in the target:",
        crate::output::count(report.rows(), "row", "rows")
    )?;
    for (table, n) in report.tables.iter().filter(|(_, n)| *n > 0) {
        outln!("  {table:<30} {n:>10}")?;
    }
    outln!("Start the servers on the new database with the same RELAIS_SECRET_KEY.")
}

/// Prints a new key; runs before any database is opened.
pub(crate) fn new_key() -> Result<(), AppError> {
    outln!("{}", SecretKey::generate_hex()?)
}

pub(crate) fn run_secrets(ctx: &Ctx, command: SecretsCommand) -> Result<(), AppError> {
    match command {
        SecretsCommand::NewKey => new_key(),
        SecretsCommand::Rekey => {
            let new_key = match std::env::var("RELAIS_NEW_SECRET_KEY") {
                Ok(text) if !text.trim().is_empty() => SecretKey::from_hex(&text).map_err(|e| {
                    AppError::new(ErrorKind::Invalid, format!("RELAIS_NEW_SECRET_KEY: {e}"))
                })?,
                _ => {
                    return Err(AppError::new(
                        ErrorKind::Invalid,
                        "set RELAIS_NEW_SECRET_KEY to the new key (64 hex digits, e.g. from `relais secrets new-key`)".into(),
                    ));
                }
            };
            let count = ctx.app.rekey(&new_key)?;
            if ctx.out.json {
                return ctx.out.print_json(
                    &serde_json::json!({"resealed": count, "fingerprint": new_key.fingerprint()}),
                );
            }
            outln!(
                "Re-sealed {} with the new key (fingerprint {}).",
                crate::output::count(count as u64, "secret", "secrets"),
                new_key.fingerprint()
            )?;
            outln!(
                "From now on start the server and the CLI with RELAIS_SECRET_KEY set to the new key."
            )
        }
    }
}
