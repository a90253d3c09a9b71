//! `relais`: the Relais admin CLI.
//!
//! Every command calls `relais-app`, so the CLI obeys the same rules as the
//! server. Human tables by default, `--json` for scripts; exit codes are
//! documented in `relais --help` and docs/cli.md.

mod catalog;
mod connections;
mod credentials;
mod demo;
mod documents;
mod employees;
mod operator;
mod output;
mod recruiting;
mod reports;
mod sync;
mod users;
mod webhooks;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use relais_access::Company;
use relais_app::{App, AppError, ErrorKind};
use relais_store::Owned;

use crate::output::Output;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (also when a reader such as `head` stops reading early)
  1  Relais failed, or is not configured for it (database, I/O, secret key)
  2  bad command line (unknown flag, missing argument, value out of range)
  3  not found (no database, unknown company, user, integration, id)
  4  invalid input (a rule the input breaks; the message says which)
  5  conflict (it exists already, or its state does not allow it)
  6  not allowed (rights or credentials)

Examples:
  relais init --company \"Acme GmbH\" --admin-email ana@acme.example
  relais info
  relais --json credentials list";

/// The Relais admin CLI: companies, users, tokens, API credentials, people, connections, reports, sync.
///
/// Works directly on the database file (the server may run at the same time).
#[derive(Debug, Parser)]
#[command(name = "relais", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// SQLite database file, or a PostgreSQL database as
    /// `postgres://user:password@host:port/name`. Only `relais init` creates
    /// a file; every other command needs it to exist. A PostgreSQL database
    /// must exist on its server; Relais creates its tables.
    #[arg(
        long,
        global = true,
        env = "RELAIS_DB",
        hide_env_values = true,
        default_value = "relais.db"
    )]
    db: PathBuf,

    /// Print JSON instead of tables, for scripts (the admin API's shapes).
    #[arg(long, global = true)]
    json: bool,

    /// The company, by slug or id. May be left out while there is only one,
    /// and for ids that name their company (credentials, connections, runs).
    #[arg(long, global = true, env = "RELAIS_COMPANY")]
    company: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database if needed, a company and its first admin; print the admin's token once.
    #[command(
        after_help = "Example:\n  relais init --company \"Acme GmbH\" --admin-email ana@acme.example \\\n      --admin-name \"Ana Lopez\""
    )]
    ///
    /// The company's name is given with --company (its slug is made from
    /// it: "Acme GmbH" becomes acme-gmbh).
    Init {
        /// The first admin's e-mail (gets the *edit* right).
        #[arg(long)]
        admin_email: String,
        /// The first admin's name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
    },
    /// List companies.
    #[command(after_help = "Example:\n  relais companies")]
    Companies,
    /// The database in use: path, schema version, companies, secret key, catalog.
    #[command(
        after_help = "Examples:\n  relais info\n  RELAIS_DB=/var/lib/relais/relais.db relais info"
    )]
    Info,
    /// Browse, search and load the Marketplace catalog.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais catalog search slak\n  relais catalog show okta"
    )]
    Catalog(catalog::CatalogCommand),
    /// Manage users, their Marketplace right and their access tokens.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais users list\n  relais users token ana@acme.example --days 90"
    )]
    Users(users::UsersCommand),
    /// Manage public-API credentials: scopes, readable attributes, secrets.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais credentials create --name BI --scope custom_reports:read\n  relais credentials list"
    )]
    Credentials(credentials::CredentialsCommand),
    /// Manage webhook endpoints: events, signing secrets, the delivery log.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais webhooks add --url https://hooks.example --event sync_run.finished\n  relais webhooks list"
    )]
    Webhooks(webhooks::WebhooksCommand),
    /// Import and list the company's employees, set their profile pictures.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais employees import people.csv --dry-run\n  relais employees list\n  relais employees picture set 42 ana.jpg"
    )]
    Employees(employees::EmployeesCommand),
    /// Employees' documents (stored in the database): list, download, delete, upload.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais documents list --employee 42\n  relais documents download 7 --output contract.pdf"
    )]
    Documents(documents::DocumentsCommand),
    /// Connect integrations: setup wizard, deactivate, reactivate, disconnect, audit trail.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais connections connect scim-provisioning --answers scim.json\n  relais connections list"
    )]
    Connections(connections::ConnectionsCommand),
    /// Demo requests and requests for integrations missing from the catalog.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais requests demo okta --message \"Before we buy\"\n  relais requests integrations"
    )]
    Requests(connections::RequestsCommand),
    /// Custom reports: define, list, inspect and export them.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais reports list\n  relais reports export 0196a000-0000-7000-8000-000000000002 --format csv"
    )]
    Reports(reports::ReportsCommand),
    /// Recruiting: the recruiting API key, switches, job positions, applications.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais recruiting key\n  relais recruiting jobs list\n  relais recruiting applications"
    )]
    Recruiting(recruiting::RecruitingCommand),
    /// Sync tracking: runs, entries, per-employee history; run a SCIM cycle now.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais sync runs $CONNECTION\n  relais sync now $CONNECTION --full"
    )]
    Sync(sync::SyncCommand),
    /// Fill a company with realistic, deterministic demo HR data.
    #[command(
        subcommand,
        after_help = "Example:\n  relais demo generate --employees 150 --months 12"
    )]
    Demo(demo::DemoCommand),
    /// The database file: consistent backups of a live database.
    #[command(
        subcommand,
        after_help = "Example:\n  relais db backup /var/backups/relais-$(date +%F).db"
    )]
    Db(operator::DbCommand),
    /// The key for secrets at rest: make a new one, re-seal every secret with it.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais secrets new-key > relais.key\n  RELAIS_NEW_SECRET_KEY=$(relais secrets new-key) relais secrets rekey"
    )]
    Secrets(operator::SecretsCommand),
    /// Print an API's OpenAPI 3.1 document (needs no database).
    #[command(
        after_help = "Examples:\n  relais openapi --api v1 > docs/openapi/v1.json\n  relais openapi --api admin > docs/openapi/admin.json"
    )]
    Openapi {
        /// Which API: v1 (the public API) or admin (the admin API under /api).
        #[arg(long, value_enum, default_value = "v1")]
        api: OpenApiKind,
    },
}

/// The APIs with an OpenAPI document.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum OpenApiKind {
    /// The public API under /v1.
    V1,
    /// The admin API under /api.
    Admin,
}

/// What every command gets: the use cases, the output style, the company flag.
pub(crate) struct Ctx {
    pub app: Arc<App>,
    pub out: Output,
    company: Option<String>,
}

impl Ctx {
    /// The company of `--company`, or the only one.
    pub(crate) fn company(&self) -> Result<Company, AppError> {
        self.app.company_for(self.company.as_deref(), None)
    }

    /// The company of `--company`, or the one holding the record `id` of `kind`.
    pub(crate) fn company_of(&self, kind: Owned, id: &str) -> Result<Company, AppError> {
        self.app
            .company_for(self.company.as_deref(), Some((kind, id)))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `db copy` names its own databases (--from, --to): --db's default
    // would only mislead.
    let copies = matches!(cli.command, Command::Db(operator::DbCommand::Copy { .. }));
    let db = if relais_store::is_postgres_url(&cli.db.to_string_lossy())
        || relais_store::check_location(&cli.db.to_string_lossy()).is_err()
    {
        relais_store::display_location(cli.db.as_os_str())
    } else {
        std::path::absolute(&cli.db)
            .unwrap_or_else(|_| cli.db.clone())
            .display()
            .to_string()
    };
    // A panic is a bug; it is reported (the hook prints it) and ends with
    // the code of a failure, never with the runtime's 101.
    let outcome = std::panic::catch_unwind(|| run(cli)).unwrap_or_else(|_| {
        Err(AppError::new(
            ErrorKind::Internal,
            "Relais failed unexpectedly (a bug: please report the message above)".into(),
        ))
    });
    let outcome = outcome.and_then(|()| output::flush());
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has what it wanted (`| head`): not a failure.
        Err(_) if output::stdout_closed() => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = format!("error: {error}");
            // Errors about companies, users, credentials and keys depend on
            // the database in use: name it (a CLI in another directory
            // otherwise looks at another database without saying so).
            let text = error.to_string();
            let about_the_database = matches!(
                error.kind(),
                ErrorKind::NotFound | ErrorKind::Conflict | ErrorKind::NotConfigured
            ) || text.contains("--company");
            if about_the_database && !copies && !text.contains(&db) {
                message.push_str(&format!("\n  database: {db}"));
            }
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::from(exit_code(error.kind()))
        }
    }
}

fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Internal | ErrorKind::NotConfigured => 1,
        ErrorKind::NotFound => 3,
        ErrorKind::Invalid => 4,
        ErrorKind::Conflict => 5,
        ErrorKind::Unauthenticated | ErrorKind::Forbidden => 6,
    }
}

fn open(db: &std::path::Path, create: bool) -> Result<App, AppError> {
    relais_app::check_location(db.as_os_str())?;
    let postgres = relais_store::is_postgres_url(&db.to_string_lossy());
    if !create && !postgres && !db.exists() {
        let shown = std::path::absolute(db).unwrap_or_else(|_| db.to_owned());
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!(
                "no database at {}: create one with `relais init`, or name an existing one with --db or RELAIS_DB",
                shown.display()
            ),
        ));
    }
    let app = App::open(db)?
        .with_secret_key(App::secret_key_from_env()?)
        .with_egress_policy(App::egress_policy_from_env()?);
    // Another key than the database's would seal secrets the server cannot
    // open: refuse it before anything is done.
    app.key_state()?;
    Ok(app)
}

fn run(cli: Cli) -> Result<(), AppError> {
    let out = Output { json: cli.json };
    if let Command::Openapi { api } = cli.command {
        let api = match api {
            OpenApiKind::V1 => relais_server::openapi::Api::V1,
            OpenApiKind::Admin => relais_server::openapi::Api::Admin,
        };
        print!("{}", relais_server::openapi::json(api));
        return Ok(());
    }
    if matches!(
        cli.command,
        Command::Secrets(operator::SecretsCommand::NewKey)
    ) {
        return operator::new_key();
    }
    if let Command::Db(operator::DbCommand::Copy { from, to }) = &cli.command {
        return operator::copy(out, from.as_ref().unwrap_or(&cli.db), to);
    }
    let create = matches!(cli.command, Command::Init { .. });
    if create && cli.company.is_none() {
        use clap::CommandFactory as _;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "relais init needs the new company's name: --company NAME",
            )
            .exit()
    }
    let ctx = Ctx {
        app: Arc::new(open(&cli.db, create)?),
        out,
        company: cli.company,
    };
    match cli.command {
        Command::Init {
            admin_email,
            admin_name,
        } => {
            let name = ctx.company.as_deref().unwrap_or_default();
            let created = ctx.app.create_company(name, &admin_email, &admin_name)?;
            out.created_company(&created)
        }
        Command::Companies => out.companies(&ctx.app.companies()?),
        Command::Info => operator::info(&ctx),
        Command::Catalog(command) => catalog::run(&ctx, command),
        Command::Users(command) => users::run(&ctx, command),
        Command::Credentials(command) => credentials::run(&ctx, command),
        Command::Webhooks(command) => webhooks::run(&ctx, command),
        Command::Employees(command) => employees::run(&ctx, command),
        Command::Documents(command) => documents::run(&ctx, command),
        Command::Demo(command) => demo::run(&ctx, command),
        Command::Reports(command) => reports::run(&ctx, command),
        Command::Recruiting(command) => recruiting::run(&ctx, command),
        Command::Sync(command) => sync::run(&ctx, command),
        Command::Connections(command) => connections::run(&ctx, command),
        Command::Requests(command) => connections::run_requests(&ctx, command),
        Command::Db(command) => operator::run_db(&ctx, command),
        Command::Secrets(command) => operator::run_secrets(&ctx, command),
        Command::Openapi { .. } => Ok(()),
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

    /// Every command, with its path from `relais`.
    fn commands(command: &clap::Command, path: &str, all: &mut Vec<(String, clap::Command)>) {
        for sub in command.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            all.push((path.clone(), sub.clone()));
            commands(sub, &path, all);
        }
    }

    #[test]
    fn every_command_has_an_example_that_is_never_wrapped() {
        let mut all = vec![("relais".to_owned(), Cli::command())];
        commands(&Cli::command(), "relais", &mut all);
        assert!(all.len() > 40, "{} commands", all.len());
        let mut problems = Vec::new();
        for (path, command) in all {
            if path.ends_with(" help") {
                continue;
            }
            let after = command
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            let has_example = after.contains("Example")
                && after
                    .lines()
                    .any(|l| l.trim_start().starts_with("relais ") || l.contains(" relais "));
            if !has_example {
                problems.push(format!("`{path} --help` has no example command"));
            }
            // Rendered at 80 columns, each line must appear whole.
            let mut command = command.term_width(80);
            let help = command.render_help().to_string();
            for line in after.lines() {
                if line.chars().count() > 80 {
                    problems.push(format!("`{path} --help`: longer than 80 columns: {line}"));
                } else if !help.contains(line.trim_end()) {
                    problems.push(format!("`{path} --help` wraps: {line}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
