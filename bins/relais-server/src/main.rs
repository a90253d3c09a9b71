//! `relais-server`: the Relais HTTP server.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use std::io::IsTerminal as _;

use relais_app::{App, KeyState};
use relais_server::{CatalogAccess, Relais, SchedulerOptions};
use tracing_subscriber::EnvFilter;

// JSON answers allocate many small values; mimalloc serves them markedly
// faster than the system allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Relais HTTP server: the web console under /console, the admin API
/// under /api and the public API under /v1.
///
/// It speaks plain HTTP. Serve it on the loopback address (the default)
/// behind a reverse proxy that terminates TLS (see docs/operations.md);
/// listen on other addresses only inside a network you trust.
///
/// Examples:
///   relais-server --demo                 # shipped catalog + a demo company
///   relais-server --bind 127.0.0.1:9000  # another port
///   RELAIS_DB=/var/lib/relais/relais.db RELAIS_SECRET_KEY=... relais-server
#[derive(Debug, Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Args {
    /// SQLite database file (created with its schema if missing), or a
    /// PostgreSQL database as `postgres://user:password@host:port/name`
    /// (its schema created or brought up to date; several servers may share it).
    #[arg(
        long,
        env = "RELAIS_DB",
        hide_env_values = true,
        default_value = "relais.db"
    )]
    db: PathBuf,

    /// Address and port to listen on (port 0 picks a free one). Plain HTTP:
    /// keep it on 127.0.0.1 behind a TLS proxy.
    #[arg(long, env = "RELAIS_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,

    /// Create a demo company (once: 150 employees, 12 months of attendances and
    /// absences, five example reports) and print its admin token.
    #[arg(long)]
    demo: bool,

    /// Who may read the catalog.
    #[arg(long, env = "RELAIS_CATALOG_ACCESS", value_enum, default_value_t = CatalogAccess::Public)]
    catalog_access: CatalogAccess,

    /// Seconds a request may take before it is answered 408, 1 to 3600.
    #[arg(long, env = "RELAIS_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout: u64,

    /// Public-API calls allowed per credential and minute (then 429 with Retry-After), 1 to 1000000.
    #[arg(long, env = "RELAIS_API_RATE_LIMIT", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    api_rate_limit: u32,

    /// `POST /v1/company/documents` uploads allowed per credential and minute
    /// (besides the API budget), 1 to 1000000.
    #[arg(long, env = "RELAIS_DOCUMENTS_RATE_LIMIT", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    documents_rate_limit: u32,

    /// Seconds a document upload may take, its body included, before it is
    /// answered 408 (instead of --request-timeout), 1 to 3600. The default
    /// lets a 30 MiB file through at about 110 KB/s.
    #[arg(long, env = "RELAIS_UPLOAD_TIMEOUT", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    upload_timeout: u64,

    /// `POST /v1/auth` calls allowed per client id, source address and minute, 1 to 1000000.
    #[arg(long, env = "RELAIS_AUTH_RATE_LIMIT", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    auth_rate_limit: u32,

    /// Seconds between the scheduler's looks for due sync cycles, 1 to 86400.
    #[arg(long, env = "RELAIS_SYNC_TICK", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    sync_tick: u64,

    /// Seconds a sync run of Relais's own may go without a heartbeat before
    /// it is closed as Failed and its cycle is run again, 5 to 3600. With
    /// several replicas on one PostgreSQL database, how soon the cycle of a
    /// replica that died is taken over by another.
    #[arg(long, env = "RELAIS_RUN_LEASE", default_value_t = 300, value_parser = clap::value_parser!(u64).range(5..=3600))]
    run_lease: u64,

    /// Start although the database holds secrets sealed with a key this
    /// server was not given, because that key is lost: everything else is
    /// served, and the connections that need the secrets show `attention`.
    /// Without it such a start is refused, so that a replica missing
    /// RELAIS_SECRET_KEY never serves beside the others.
    #[arg(long, env = "RELAIS_WITHOUT_SECRET_KEY")]
    without_secret_key: bool,

    /// Days sync entries are kept (run summaries are kept for good), 1 to 3650.
    #[arg(long, env = "RELAIS_SYNC_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    sync_retention_days: u32,

    /// Requests the SCIM connector keeps in flight, 1 to 64.
    #[arg(long, env = "RELAIS_SCIM_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    scim_concurrency: u16,

    /// Networks and addresses connectors may call although they are loopback,
    /// private or link-local (refused by default against server-side request
    /// forgery), comma-separated: e.g. an on-premises directory at 10.20.0.0/16.
    #[arg(
        long,
        env = "RELAIS_EGRESS_ALLOW",
        default_value = "",
        hide_default_value = true
    )]
    egress_allow: String,

    /// Connections served at once (more wait in the listen queue); at most
    /// what the open-file limit leaves room for; 1 to 1000000.
    #[arg(long, env = "RELAIS_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,

    /// Seconds a client has to send a request's headers (also on an idle
    /// kept-alive connection) before the connection is closed, 1 to 3600.
    #[arg(long, env = "RELAIS_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,

    /// Mark the console's cookies Secure (sent over HTTPS only): set it when
    /// the server is reached through a TLS proxy, as it should be.
    #[arg(long, env = "RELAIS_SECURE_COOKIES")]
    secure_cookies: bool,

    /// The server is reached through a reverse proxy (as it should be): take
    /// a client's address from the last X-Forwarded-For entry, so that the
    /// sign-in and /v1/auth throttles count per client, not per proxy.
    #[arg(long, env = "RELAIS_TRUST_PROXY")]
    trust_proxy: bool,

    /// Days every run of a connection may fail before Relais turns it off
    /// (its admins are warned a day before), 1 to 365.
    #[arg(long, env = "RELAIS_DISABLE_FAILING_AFTER_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=365))]
    disable_failing_after_days: u64,

    /// The SMTP server e-mail alerts go through: smtp://host:port (plain;
    /// add ?tls=required for STARTTLS) or smtps://host:port (TLS), with
    /// user:password@ when it wants them. Without it no alert is mailed.
    #[arg(long, env = "RELAIS_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,

    /// Minutes between two alert mails about one connection, 0 to 1440: the
    /// events in between are summarised in the next mail.
    #[arg(long, env = "RELAIS_ALERT_DIGEST_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=1440))]
    alert_digest_minutes: u64,

    /// The sender of e-mail alerts.
    #[arg(
        long,
        env = "RELAIS_ALERT_FROM",
        default_value = "Relais <relais@localhost>"
    )]
    alert_from: String,

    /// Where people reach the console: links in e-mail alerts start with it.
    #[arg(
        long,
        env = "RELAIS_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    public_url: String,

    /// Log lines as JSON instead of text (filter with RELAIS_LOG, e.g. RELAIS_LOG=debug).
    #[arg(long, env = "RELAIS_LOG_JSON")]
    log_json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging(args.log_json);

    let db = args.db.clone();
    let secret_key = App::secret_key_from_env()?;
    let app = relais_app::spawn_blocking(move || App::open(&db))
        .await?
        .with_context(|| {
            format!(
                "cannot start on {}",
                relais_store::display_location(args.db.as_os_str())
            )
        })?
        .with_secret_key(secret_key)
        .with_egress_policy(relais_egress::EgressPolicy::parse(&args.egress_allow)?)
        .with_run_lease(Duration::from_secs(args.run_lease))
        .with_failing_disable_after(Duration::from_secs(
            args.disable_failing_after_days * 86_400,
        ));
    // Another key than the one the database's secrets are sealed with
    // would seal secrets the CLI cannot open, and open none: refuse it now.
    match app.key_state()? {
        KeyState::Matches { .. } | KeyState::Unused { .. } => {}
        KeyState::Missing { .. } if args.without_secret_key => tracing::warn!(
            "RELAIS_SECRET_KEY is not set, but the database holds sealed secrets: connections that need them cannot sync (they show `attention`)"
        ),
        KeyState::Missing { fingerprint } => anyhow::bail!(
            "the database holds secrets sealed with a key{}, but RELAIS_SECRET_KEY is not set: give this server the key the CLI and the other replicas use; if that key is lost, start with --without-secret-key (RELAIS_WITHOUT_SECRET_KEY=true) to serve without the secrets (the connections that need them show `attention`)",
            fingerprint
                .map(|f| format!(" (fingerprint {f})"))
                .unwrap_or_default()
        ),
        KeyState::NotSet => tracing::warn!(
            "RELAIS_SECRET_KEY is not set: integrations whose setup wizard asks for secrets cannot be connected"
        ),
    }

    // Bind first: a taken port must fail before anything is created.
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (choose another address with --bind or RELAIS_BIND, e.g. --bind 127.0.0.1:8081)",
                args.bind
            )
        })?;
    let address = listener.local_addr()?;
    let app = Arc::new(app);
    if args.demo {
        let demo_app = Arc::clone(&app);
        match relais_app::spawn_blocking(move || {
            let created = demo_app.ensure_demo_company()?;
            // The console's sign-in for the demo admin: a generated
            // password, printed once (only its hash is kept).
            let password = match &created {
                Some(demo) => {
                    let password = relais_app::App::generate_password()?;
                    demo_app.set_password(&demo.company, &demo.admin.email, &password)?;
                    Some(password)
                }
                None => None,
            };
            Ok::<_, relais_app::AppError>((created, password))
        })
        .await??
        {
            (Some(demo), password) => {
                say(&format!(
                    "demo company '{}' created with 150 employees; admin {} token (shown once): {}",
                    demo.company.name, demo.admin.email, demo.token
                ));
                if let Some(password) = password {
                    say(&format!(
                        "console sign-in (shown once): e-mail {} password {}",
                        demo.admin.email, password
                    ));
                }
            }
            (None, _) => say(&format!(
                "demo company exists; get a new admin token with: relais users token {0} --company demo-company, and a console sign-in link with: relais users invite {0} --company demo-company",
                relais_app::DEMO_ADMIN_EMAIL
            )),
        }
    }

    let mut builder = Relais::builder(Arc::clone(&app))
        .catalog_access(args.catalog_access)
        .request_timeout(Duration::from_secs(args.request_timeout))
        .api_per_minute(NonZeroU32::new(args.api_rate_limit).unwrap_or(NonZeroU32::MIN))
        .auth_per_minute(NonZeroU32::new(args.auth_rate_limit).unwrap_or(NonZeroU32::MIN))
        .documents_per_minute(NonZeroU32::new(args.documents_rate_limit).unwrap_or(NonZeroU32::MIN))
        .upload_timeout(Duration::from_secs(args.upload_timeout))
        .secure_cookies(args.secure_cookies)
        .trust_proxy(args.trust_proxy)
        .scheduler(Some(SchedulerOptions {
            tick: Duration::from_secs(args.sync_tick),
            retention_days: args.sync_retention_days,
        }));
    if args.trust_proxy && !args.secure_cookies {
        tracing::warn!(
            "--trust-proxy without --secure-cookies: behind a TLS proxy, mark the console's cookies Secure too"
        );
    }
    tracing::info!(%address, db = %app.database(), integrations = app.catalog().len(), "relais-server started");
    // Standard output is for scripts, which may stop reading once they have
    // the address: a closed pipe must not stop the server.
    if cfg!(feature = "console") {
        say(&format!(
            "console: http://{address}/console/ (sign in as a user of your company)"
        ));
    }
    say(&format!("relais-server listening on http://{address}"));

    app.set_sync_concurrency(usize::from(args.scim_concurrency));
    match &args.smtp_url {
        Some(url) => {
            let mailer = relais_app::alerts::Mailer::new(url, &args.alert_from, &args.public_url)?
                .with_digest_gap(Duration::from_secs(args.alert_digest_minutes * 60));
            builder = builder.alerts(mailer);
        }
        None => tracing::info!("e-mail alerts are off: RELAIS_SMTP_URL is not set"),
    }
    let relais = builder.build();
    // The scheduler, webhook deliveries and alerts run until the process ends.
    let _background = relais.start_background()?;
    let max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    let limits = relais_server::ConnectionLimits {
        max_connections: relais_server::ConnectionLimits::fitting_open_files(max_connections, 64),
        header_read_timeout: Duration::from_secs(args.header_timeout),
    };
    if limits.max_connections < max_connections {
        tracing::warn!(
            max_connections = limits.max_connections,
            asked = args.max_connections,
            "the open-file limit leaves room for fewer connections; raise it (ulimit -n) to serve more"
        );
    }
    relais_server::serve_with(listener, relais.router(), shutdown_signal(), limits).await?;
    tracing::info!("relais-server stopped");
    Ok(())
}

/// Writes a line to standard output, ignoring a reader that has gone.
fn say(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_env("RELAIS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only for a person at a terminal, not in log files.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
