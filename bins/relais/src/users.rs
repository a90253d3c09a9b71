//! `relais users …`

use clap::Subcommand;
use relais_access::MarketplaceRight;
use relais_app::AppError;
use relais_app::users::MAX_TOKEN_DAYS;
use serde::Serialize;

use crate::Ctx;
use crate::output::outln;

#[derive(Debug, Subcommand)]
pub(crate) enum UsersCommand {
    /// Add a user to a company.
    #[command(
        after_help = "Example:\n  relais users add vic@acme.example --name \"Vic Ray\" --right view"
    )]
    Add {
        /// The user's e-mail.
        email: String,
        /// The user's name.
        #[arg(long)]
        name: String,
        /// Right on "Marketplace integrations & API": none, view or edit.
        #[arg(long, default_value = "none")]
        right: MarketplaceRight,
    },
    /// List a company's users.
    #[command(
        after_help = "Examples:\n  relais users list\n  relais --company acme-gmbh users list"
    )]
    List,
    /// Change a user's right on "Marketplace integrations & API".
    #[command(after_help = "Example:\n  relais users set-right vic@acme.example edit")]
    SetRight {
        /// The user's e-mail.
        email: String,
        /// none, view or edit.
        right: MarketplaceRight,
    },
    /// Issue a personal access token for the admin API; it is printed once.
    #[command(
        after_help = "Example:\n  relais users token ana@acme.example --name laptop --days 90"
    )]
    Token {
        /// The user's e-mail.
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until it expires, 1 to 365 (default: 90).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TOKEN_DAYS)))]
        days: Option<u32>,
    },
    /// Turn a user's e-mail alerts on or off (users with the edit right get
    /// them: failed and recovered syncs, connections turned Inactive).
    #[command(
        after_help = "Examples:\n  relais users alerts ana@acme.example off\n  relais users alerts ana@acme.example on"
    )]
    Alerts {
        /// The user's e-mail.
        email: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// List a user's personal access tokens (never their secrets).
    #[command(after_help = "Example:\n  relais users tokens ana@acme.example")]
    Tokens {
        /// The user's e-mail.
        email: String,
    },
    /// Revoke a personal access token by its id (the part between `rlp_` and the second `_`).
    #[command(after_help = "Example:\n  relais users revoke-token 0b075627d24e4df3")]
    RevokeToken {
        /// The token's id.
        id: String,
    },
    /// Remove a user; their tokens and console sessions end at once.
    #[command(after_help = "Example:\n  relais users remove vic@acme.example")]
    Remove {
        /// The user's e-mail.
        email: String,
    },
    /// Make a one-time link for a user to set their console password
    /// (valid seven days), adding the user first when `--name` is given.
    #[command(
        after_help = "Examples:\n  relais users invite ana@acme.example\n  relais users invite vic@acme.example --name \"Vic Ray\" --right view\n  relais users invite ana@acme.example --url https://relais.acme.example"
    )]
    Invite {
        /// The user's e-mail.
        email: String,
        /// Add the user with this name if they do not exist yet.
        #[arg(long)]
        name: Option<String>,
        /// Their right when added: none, view or edit.
        #[arg(long, default_value = "view")]
        right: MarketplaceRight,
        /// Where people reach the console (the link starts with it).
        #[arg(
            long,
            env = "RELAIS_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        url: String,
    },
}

pub(crate) fn run(ctx: &Ctx, command: UsersCommand) -> Result<(), AppError> {
    let (app, out) = (&ctx.app, &ctx.out);
    let company = ctx.company()?;
    match command {
        UsersCommand::Add { email, name, right } => {
            let user = app.add_user(&company, &email, &name, right)?;
            if out.json {
                return out.print_json(&user);
            }
            outln!(
                "Added {} to {} with the right {}.",
                user.email,
                company.slug,
                user.marketplace_right
            )
        }
        UsersCommand::List => out.users(&app.users(&company)?),
        UsersCommand::SetRight { email, right } => {
            let user = app.set_right(&company, &email, right)?;
            if out.json {
                return out.print_json(&user);
            }
            outln!(
                "{} now has the right {}.",
                user.email,
                user.marketplace_right
            )
        }
        UsersCommand::Token { email, name, days } => {
            let token = app.issue_token(&company, &email, &name, days)?;
            if out.json {
                #[derive(Serialize)]
                struct Token<'a> {
                    email: &'a str,
                    token: &'a str,
                }
                return out.print_json(&Token {
                    email: &email,
                    token: &token,
                });
            }
            outln!("Token for {email} (shown once; only its hash is kept):")?;
            outln!("{token}")?;
            outln!()?;
            outln!("Use it as: export TOKEN={token}")
        }
        UsersCommand::Alerts { email, state } => {
            let on = state == "on";
            app.set_email_alerts(relais_app::Caller::Operator, &company, &email, on)?;
            if out.json {
                return out.print_json(&serde_json::json!({"email": email, "alerts": on}));
            }
            outln!("E-mail alerts for {email}: {state}.")
        }
        UsersCommand::Tokens { email } => {
            let tokens = app.tokens(relais_app::Caller::Operator, &company, Some(&email))?;
            if out.json {
                return out.print_json(&tokens);
            }
            if tokens.is_empty() {
                return outln!("{email} has no token.");
            }
            for t in &tokens {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.active {
                    "active"
                } else {
                    "expired"
                };
                outln!(
                    "{}  {:<24}  {}  expires {}",
                    t.id,
                    t.name,
                    state,
                    t.expires_at
                        .map_or_else(|| "never".to_owned(), |e| e.format("%Y-%m-%d").to_string())
                )?;
            }
            Ok(())
        }
        UsersCommand::RevokeToken { id } => {
            let token = app.revoke_token(relais_app::Caller::Operator, &company, &id)?;
            if out.json {
                return out.print_json(&token);
            }
            outln!("Token {} of {} is revoked.", token.id, token.user_email)
        }
        UsersCommand::Remove { email } => {
            let user = app.remove_user(relais_app::Caller::Operator, &company, &email)?;
            if out.json {
                return out.print_json(&user);
            }
            outln!(
                "Removed {}; their tokens and sessions have ended.",
                user.email
            )
        }
        UsersCommand::Invite {
            email,
            name,
            right,
            url,
        } => {
            let (user, issued) = app.invite(
                relais_app::Caller::Operator,
                &company,
                &email,
                name.as_deref().map(|n| (n, right)),
            )?;
            let link = format!(
                "{}/console/invite/{}",
                url.trim_end_matches('/'),
                issued.secret
            );
            if out.json {
                #[derive(Serialize)]
                struct Invitation<'a> {
                    email: &'a str,
                    link: &'a str,
                    expires_at: chrono::DateTime<chrono::Utc>,
                }
                return out.print_json(&Invitation {
                    email: &user.email,
                    link: &link,
                    expires_at: issued.record.expires_at,
                });
            }
            outln!(
                "Send this link to {} to set their console password (works once, for seven days):",
                user.email
            )?;
            outln!("{link}")
        }
    }
}
