//! `relais credentials …`

use std::collections::BTreeSet;

use clap::Subcommand;
use relais_access::ApiPermission;
use relais_app::{
    AppError, Caller, CredentialChange, CredentialInput, CredentialView, CredentialWithSecret,
};
use relais_store::Owned;

use crate::Ctx;
use crate::output::{Output, outln, table};

const SCOPES_HELP: &str = "API:read or API:write, with API one of recruiting, custom_reports (read only), employees, absences, attendances, documents";

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Generate a new credential; its client secret is printed once.
    #[command(
        after_help = "Examples:\n  relais credentials create --name \"Data warehouse\" \\\n      --scope custom_reports:read --scope employees:read\n  relais credentials create --name Greenhouse --integration greenhouse \\\n      --scope recruiting:read --attributes first_name,last_name,email"
    )]
    Create {
        /// What the credential is for.
        #[arg(long)]
        name: String,
        /// The catalog integration it is for (leave out for "Other").
        #[arg(long)]
        integration: Option<String>,
        /// A scope (repeat, or separate with commas).
        #[arg(long = "scope", value_delimiter = ',', help = SCOPES_HELP)]
        scopes: Vec<ApiPermission>,
        /// Readable employee attributes, comma-separated (default: every standard attribute, no custom one).
        #[arg(long, value_delimiter = ',')]
        attributes: Option<Vec<String>>,
    },
    /// List the company's credentials.
    #[command(
        after_help = "Examples:\n  relais credentials list\n  relais --json credentials list"
    )]
    List,
    /// Show one credential.
    #[command(after_help = "Example:\n  relais credentials show rlc_0123456789abcdef")]
    Show {
        /// The client id (rlc_…).
        client_id: String,
    },
    /// Change a credential's name, scopes or readable attributes.
    #[command(
        after_help = "Examples:\n  relais credentials update rlc_0123456789abcdef --add-scope custom_reports:read\n  relais credentials update rlc_0123456789abcdef \\\n      --attributes first_name,last_name"
    )]
    Update {
        /// The client id (rlc_…).
        client_id: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// Replace every scope with these.
        #[arg(long = "scope", value_delimiter = ',', help = SCOPES_HELP)]
        scopes: Option<Vec<ApiPermission>>,
        /// Add scopes.
        #[arg(long = "add-scope", value_delimiter = ',')]
        add_scopes: Vec<ApiPermission>,
        /// Remove scopes.
        #[arg(long = "remove-scope", value_delimiter = ',')]
        remove_scopes: Vec<ApiPermission>,
        /// Replace the readable attributes, comma-separated.
        #[arg(long, value_delimiter = ',')]
        attributes: Option<Vec<String>>,
    },
    /// Issue a new secret; the old one and its tokens stop working at once.
    #[command(after_help = "Example:\n  relais credentials rotate rlc_0123456789abcdef")]
    Rotate {
        /// The client id (rlc_…).
        client_id: String,
    },
    /// Revoke a credential for good; its tokens stop working at once.
    #[command(after_help = "Example:\n  relais credentials revoke rlc_0123456789abcdef")]
    Revoke {
        /// The client id (rlc_…).
        client_id: String,
    },
}

pub(crate) fn run(ctx: &Ctx, command: CredentialsCommand) -> Result<(), AppError> {
    let (app, out) = (&ctx.app, &ctx.out);
    let by = Caller::Operator;
    match command {
        CredentialsCommand::Create {
            name,
            integration,
            scopes,
            attributes,
        } => {
            let company = ctx.company()?;
            let input = CredentialInput {
                name,
                integration,
                scopes: scopes.into_iter().collect(),
                readable_attributes: attributes.map(|a| a.into_iter().collect()),
            };
            let created = app.create_credential(by, &company, input)?;
            print_secret(out, &created, "Created")
        }
        CredentialsCommand::List => {
            let company = ctx.company()?;
            let list = app.credentials(by, &company)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Client id", "Name", "Integration", "Scopes", "Status"]);
            for c in &list {
                t.add_row([
                    c.client_id.clone(),
                    c.name.clone(),
                    c.integration.clone().unwrap_or_else(|| "Other".into()),
                    c.scopes.join(" "),
                    c.status.to_owned(),
                ]);
            }
            outln!("{t}")
        }
        CredentialsCommand::Show { client_id } => {
            let company = ctx.company_of(Owned::Credential, &client_id)?;
            let c = app.credential(by, &company, &client_id)?;
            print_view(out, &c)
        }
        CredentialsCommand::Update {
            client_id,
            name,
            scopes,
            add_scopes,
            remove_scopes,
            attributes,
        } => {
            let company = ctx.company_of(Owned::Credential, &client_id)?;
            let scopes = if scopes.is_none() && add_scopes.is_empty() && remove_scopes.is_empty() {
                None
            } else {
                let mut set: BTreeSet<ApiPermission> = match scopes {
                    Some(list) => list.into_iter().collect(),
                    None => app
                        .credential(by, &company, &client_id)?
                        .scopes
                        .iter()
                        .filter_map(|s| s.parse().ok())
                        .collect(),
                };
                set.extend(add_scopes);
                for scope in &remove_scopes {
                    set.remove(scope);
                }
                Some(set)
            };
            let change = CredentialChange {
                name,
                scopes,
                readable_attributes: attributes.map(|a| a.into_iter().collect()),
            };
            let c = app.update_credential(by, &company, &client_id, change)?;
            print_view(out, &c)
        }
        CredentialsCommand::Rotate { client_id } => {
            let company = ctx.company_of(Owned::Credential, &client_id)?;
            let rotated = app.rotate_credential(by, &company, &client_id)?;
            print_secret(out, &rotated, "Rotated")
        }
        CredentialsCommand::Revoke { client_id } => {
            let company = ctx.company_of(Owned::Credential, &client_id)?;
            let c = app.revoke_credential(by, &company, &client_id)?;
            if out.json {
                return out.print_json(&c);
            }
            outln!("Revoked {}; its tokens no longer work.", c.client_id)
        }
    }
}

fn print_secret(out: &Output, created: &CredentialWithSecret, verb: &str) -> Result<(), AppError> {
    for warning in &created.warnings {
        eprintln!("warning: {warning}");
    }
    if out.json {
        return out.print_json(created);
    }
    let c = &created.credential;
    outln!("{verb} credential {} ({}).", c.name, c.client_id)?;
    outln!(
        "Scopes: {}",
        if c.scopes.is_empty() {
            "none".to_owned()
        } else {
            c.scopes.join(" ")
        }
    )?;
    outln!()?;
    outln!("client_id:     {}", c.client_id)?;
    outln!("client_secret: {}", created.client_secret)?;
    outln!()?;
    outln!("The secret is shown once; only its hash is kept.")
}

fn print_view(out: &Output, c: &CredentialView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(c);
    }
    outln!("{} ({})", c.name, c.client_id)?;
    outln!(
        "Integration: {}",
        c.integration.as_deref().unwrap_or("Other")
    )?;
    outln!("Status: {}", c.status)?;
    outln!(
        "Scopes: {}",
        if c.scopes.is_empty() {
            "none".to_owned()
        } else {
            c.scopes.join(" ")
        }
    )?;
    outln!(
        "Readable employee attributes: {}",
        c.readable_attributes.join(", ")
    )?;
    outln!(
        "Created {}, updated {}",
        c.created_at.format("%Y-%m-%d %H:%M"),
        c.updated_at.format("%Y-%m-%d %H:%M")
    )?;
    Ok(())
}
