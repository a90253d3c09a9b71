//! `relais users …`

use clap::Subcommand;
use relais_access::MarketplaceRight;
use relais_app::{App, AppError};
use serde::Serialize;

use crate::output::Output;

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
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// List a company's users.
    List {
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// Change a user's right on "Marketplace integrations & API".
    #[command(after_help = "Example:\n  relais users set-right vic@acme.example edit")]
    SetRight {
        /// The user's e-mail.
        email: String,
        /// none, view or edit.
        right: MarketplaceRight,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
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
        /// Days until it expires (default: never).
        #[arg(long)]
        days: Option<u32>,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
}

pub(crate) fn run(app: &App, out: &Output, command: UsersCommand) -> Result<(), AppError> {
    match command {
        UsersCommand::Add {
            email,
            name,
            right,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let user = app.add_user(&company, &email, &name, right)?;
            if out.json {
                return out.print_json(&user);
            }
            println!(
                "Added {} to {} with right {}.",
                user.email, company.slug, user.marketplace_right
            );
            Ok(())
        }
        UsersCommand::List { company } => {
            let company = app.company(company.as_deref())?;
            out.users(&app.users(&company)?)
        }
        UsersCommand::SetRight {
            email,
            right,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let user = app.set_right(&company, &email, right)?;
            if out.json {
                return out.print_json(&user);
            }
            println!(
                "{} now has the right {}.",
                user.email, user.marketplace_right
            );
            Ok(())
        }
        UsersCommand::Token {
            email,
            name,
            days,
            company,
        } => {
            let company = app.company(company.as_deref())?;
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
            println!("Token for {email} (shown once; only its hash is kept):");
            println!("{token}");
            Ok(())
        }
    }
}
