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
    }
}
