//! `relais credentials …`

use std::collections::BTreeSet;

use clap::Subcommand;
use relais_access::ApiPermission;
use relais_app::{
    App, AppError, Caller, CredentialChange, CredentialInput, CredentialView, CredentialWithSecret,
};

use crate::output::{Output, table};

const SCOPES_HELP: &str = "API:read or API:write, with API one of recruiting, custom_reports (read only), employees, absences, attendances, documents";

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Generate a new credential; its client secret is printed once.
    #[command(
        after_help = "Examples:\n  relais credentials create --name \"Data warehouse\" --scope custom_reports:read --scope employees:read\n  relais credentials create --name Greenhouse --integration greenhouse --scope recruiting:read --attributes first_name,last_name,email"
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
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// List the company's credentials.
    List {
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// Show one credential.
    Show {
        /// The client id (rlc_…).
        client_id: String,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// Change a credential's name, scopes or readable attributes.
    #[command(
        after_help = "Examples:\n  relais credentials update rlc_0123456789abcdef --add-scope custom_reports:read\n  relais credentials update rlc_0123456789abcdef --attributes first_name,last_name"
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
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// Issue a new secret; the old one and its tokens stop working at once.
    Rotate {
        /// The client id (rlc_…).
        client_id: String,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// Revoke a credential for good; its tokens stop working at once.
    Revoke {
        /// The client id (rlc_…).
        client_id: String,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
}

pub(crate) fn run(app: &App, out: &Output, command: CredentialsCommand) -> Result<(), AppError> {
    let by = Caller::Operator;
    match command {
        CredentialsCommand::Create {
            name,
            integration,
            scopes,
            attributes,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let input = CredentialInput {
                name,
                integration,
                scopes: scopes.into_iter().collect(),
                readable_attributes: attributes.map(|a| a.into_iter().collect()),
            };
            let created = app.create_credential(by, &company, input)?;
            print_secret(out, &created, "Created")
        }
        CredentialsCommand::List { company } => {
            let company = app.company(company.as_deref())?;
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
            println!("{t}");
            Ok(())
        }
        CredentialsCommand::Show { client_id, company } => {
            let company = app.company(company.as_deref())?;
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
            company,
        } => {
            let company = app.company(company.as_deref())?;
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
        CredentialsCommand::Rotate { client_id, company } => {
            let company = app.company(company.as_deref())?;
            let rotated = app.rotate_credential(by, &company, &client_id)?;
            print_secret(out, &rotated, "Rotated")
        }
        CredentialsCommand::Revoke { client_id, company } => {
            let company = app.company(company.as_deref())?;
            let c = app.revoke_credential(by, &company, &client_id)?;
            if out.json {
                return out.print_json(&c);
            }
            println!("Revoked {}; its tokens no longer work.", c.client_id);
            Ok(())
        }
    }
}

fn print_secret(out: &Output, created: &CredentialWithSecret, verb: &str) -> Result<(), AppError> {
    if out.json {
        return out.print_json(created);
    }
    let c = &created.credential;
    println!("{verb} credential {} ({}).", c.name, c.client_id);
    println!(
        "Scopes: {}",
        if c.scopes.is_empty() {
            "none".to_owned()
        } else {
            c.scopes.join(" ")
        }
    );
    println!();
    println!("client_id:     {}", c.client_id);
    println!("client_secret: {}", created.client_secret);
    println!();
    println!("The secret is shown once; only its hash is kept.");
    Ok(())
}

fn print_view(out: &Output, c: &CredentialView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(c);
    }
    println!("{} ({})", c.name, c.client_id);
    println!(
        "Integration: {}",
        c.integration.as_deref().unwrap_or("Other")
    );
    println!("Status: {}", c.status);
    println!(
        "Scopes: {}",
        if c.scopes.is_empty() {
            "none".to_owned()
        } else {
            c.scopes.join(" ")
        }
    );
    println!(
        "Readable employee attributes: {}",
        c.readable_attributes.join(", ")
    );
    println!(
        "Created {}, updated {}",
        c.created_at.format("%Y-%m-%d %H:%M"),
        c.updated_at.format("%Y-%m-%d %H:%M")
    );
    Ok(())
}
