//! `relais`: the Relais admin CLI.
//!
//! Every command calls `relais-app`, so the CLI obeys the same rules as the
//! server. Human tables by default, `--json` for scripts; exit codes are
//! documented in `relais --help` and docs/cli.md.

mod catalog;
mod connections;
mod credentials;
mod demo;
mod output;
mod reports;
mod sync;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use relais_app::{App, AppError, ErrorKind};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  Relais failed (database, I/O); not your input's fault
  2  bad command line (unknown flag, missing argument, bad value)
  3  not found (unknown company, user or integration)
  4  invalid input (a rule the input breaks; the message says which)
  5  conflict (it exists already)
  6  not allowed (rights or credentials)";

/// The Relais admin CLI: companies, users, tokens, API credentials, demo data and the Marketplace catalog.
///
/// Works directly on the database file (the server may run at the same time).
#[derive(Debug, Parser)]
#[command(name = "relais", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// SQLite database file; created with its schema if missing.
    #[arg(long, global = true, env = "RELAIS_DB", default_value = "relais.db")]
    db: PathBuf,

    /// Print JSON instead of tables, for scripts.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database, a company and its first admin; print the admin's token once.
    #[command(
        after_help = "Example:\n  relais init --company \"Acme GmbH\" --admin-email ana@acme.example --admin-name \"Ana Lopez\""
    )]
    Init {
        /// The company's name.
        #[arg(long)]
        company: String,
        /// The first admin's e-mail (gets the *edit* right).
        #[arg(long)]
        admin_email: String,
        /// The first admin's name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
    },
    /// List companies.
    Companies,
    /// Browse, search and load the Marketplace catalog.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Manage users, their Marketplace right and their access tokens.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Manage public-API credentials: scopes, readable attributes, secrets.
    #[command(subcommand)]
    Credentials(credentials::CredentialsCommand),
    /// Connect integrations: setup wizard, deactivate, reactivate, disconnect, audit trail.
    #[command(subcommand)]
    Connections(connections::ConnectionsCommand),
    /// Demo requests and requests for integrations missing from the catalog.
    #[command(subcommand)]
    Requests(connections::RequestsCommand),
    /// Custom reports: define, list, inspect and export them.
    #[command(subcommand)]
    Reports(reports::ReportsCommand),
    /// Sync tracking: runs, entries, per-employee history; run a SCIM cycle now.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// Fill a company with realistic, deterministic demo HR data.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(exit_code(error.kind()))
        }
    }
}

fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Internal => 1,
        ErrorKind::NotFound => 3,
        ErrorKind::Invalid => 4,
        ErrorKind::Conflict => 5,
        ErrorKind::Unauthenticated | ErrorKind::Forbidden => 6,
    }
}

fn run(cli: Cli) -> Result<(), AppError> {
    let app = App::open(&cli.db)?
        .with_secret_key(App::secret_key_from_env()?)
        .with_egress_policy(App::egress_policy_from_env()?);
    let out = output::Output { json: cli.json };
    match cli.command {
        Command::Init {
            company,
            admin_email,
            admin_name,
        } => {
            let created = app.create_company(&company, &admin_email, &admin_name)?;
            out.created_company(&created)
        }
        Command::Companies => out.companies(&app.companies()?),
        Command::Catalog(command) => catalog::run(&app, &out, command),
        Command::Users(command) => users::run(&app, &out, command),
        Command::Credentials(command) => credentials::run(&app, &out, command),
        Command::Demo(command) => demo::run(&app, &out, command),
        Command::Reports(command) => reports::run(&app, &out, command),
        Command::Sync(command) => sync::run(app, &out, command),
        Command::Connections(command) => connections::run(&app, &out, command),
        Command::Requests(command) => connections::run_requests(&app, &out, command),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
