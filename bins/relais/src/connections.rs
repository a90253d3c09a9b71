//! `relais connections …` and `relais requests …`

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::Subcommand;
use relais_app::{App, AppError, Caller, ConnectionChange, ConnectionView, ErrorKind};
use relais_catalog::{FieldInput, WizardStep};
use serde_json::{Map, Value};

use crate::output::{Output, table};

#[derive(Debug, Subcommand)]
pub(crate) enum ConnectionsCommand {
    /// The company's connected integrations with their status.
    List {
        /// Only this status: pending, connected, inactive or disconnected.
        #[arg(long)]
        status: Option<String>,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
    /// One connection: status, reason, wizard progress (secrets masked).
    Show {
        /// Connection id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Connect an integration and run its setup wizard.
    #[command(
        after_help = "The wizard asks for each field on a terminal; --answers FILE answers it from JSON:\n  {\"tenant\": {\"tenant_url\": \"https://acme.okta.com\", \"api_token\": \"…\"}, \"provisioning\": {…}, \"confirm\": {\"accept_data_processing\": true}}\n\nSecret fields need RELAIS_SECRET_KEY (64 hex digits) to be set.\n\nExample:\n  relais connections connect okta --answers okta.json"
    )]
    Connect {
        /// The integration's slug.
        integration: String,
        /// Answers for every step, as JSON keyed by step id.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Continue (or redo) a connection's wizard, then complete it.
    Wizard {
        /// Connection id.
        id: String,
        /// Answers as JSON keyed by step id.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Start again from this step (to change earlier answers).
        #[arg(long)]
        from_step: Option<String>,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Deactivate a connection (Inactive) with a reason.
    Deactivate {
        /// Connection id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Reactivate an Inactive connection (a new API credential is issued).
    Reactivate {
        /// Connection id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Disconnect (remove) a connection; its credential is revoked, its history kept.
    Disconnect {
        /// Connection id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// The connection's audit trail.
    Events {
        /// Connection id.
        id: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RequestsCommand {
    /// Request a demo of an integration.
    Demo {
        /// The integration's slug.
        integration: String,
        /// What to tell the vendor.
        #[arg(long, default_value = "")]
        message: String,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Demo requests, newest first (every company's unless --company).
    Demos {
        /// Only this integration.
        #[arg(long)]
        integration: Option<String>,
        /// Only this company.
        #[arg(long)]
        company: Option<String>,
    },
    /// Request an integration the catalog lacks (same names are merged and counted).
    Integration {
        /// The tool's name.
        name: String,
        /// What it would be used for.
        #[arg(long)]
        use_case: String,
        /// The tool's website.
        #[arg(long)]
        website: Option<String>,
        /// Company id or handle.
        #[arg(long)]
        company: Option<String>,
    },
    /// Requested integrations, most requested first.
    Integrations,
}

fn read_answers(path: &PathBuf) -> Result<Map<String, Value>, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::new(
            ErrorKind::Invalid,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::new(
            ErrorKind::Invalid,
            format!("{}: must be a JSON object keyed by step id", path.display()),
        )),
        Err(e) => Err(AppError::new(
            ErrorKind::Invalid,
            format!("{}: {e}", path.display()),
        )),
    }
}

/// Asks for one step's fields on the terminal.
fn ask(step: &WizardStep) -> Result<Map<String, Value>, AppError> {
    let failed = |e: dialoguer::Error| AppError::new(ErrorKind::Internal, format!("terminal: {e}"));
    eprintln!("\n== {}", step.title);
    if let Some(d) = &step.description {
        eprintln!("{d}");
    }
    let mut answers = Map::new();
    for field in &step.fields {
        let label = if field.required {
            format!("{} (required)", field.label)
        } else {
            field.label.clone()
        };
        let value = match &field.input {
            FieldInput::Secret => Value::String(
                dialoguer::Password::new()
                    .with_prompt(label)
                    .allow_empty_password(!field.required)
                    .interact()
                    .map_err(failed)?,
            ),
            FieldInput::Checkbox => Value::Bool(
                dialoguer::Confirm::new()
                    .with_prompt(label)
                    .default(false)
                    .interact()
                    .map_err(failed)?,
            ),
            FieldInput::Select { options } => {
                let labels: Vec<_> = options.iter().map(|o| o.label.as_str()).collect();
                let at = dialoguer::Select::new()
                    .with_prompt(label)
                    .items(&labels)
                    .default(0)
                    .interact()
                    .map_err(failed)?;
                Value::String(options[at].value.clone())
            }
            FieldInput::Text | FieldInput::Url => Value::String(
                dialoguer::Input::<String>::new()
                    .with_prompt(label)
                    .allow_empty(!field.required)
                    .interact_text()
                    .map_err(failed)?,
            ),
        };
        if value != Value::String(String::new()) {
            answers.insert(field.key.clone(), value);
        }
    }
    Ok(answers)
}

/// Runs the wizard from the next unanswered step (or `from_step`) to the end, then completes it.
fn run_wizard(
    app: &App,
    company: &relais_access::Company,
    id: &str,
    answers: Option<&Map<String, Value>>,
    from_step: Option<&str>,
) -> Result<Option<ConnectionChange>, AppError> {
    let by = Caller::Operator;
    let view = app.connection(by, company, id)?;
    let integration = app.integration(&view.integration)?;
    let interactive = answers.is_none() && std::io::stdin().is_terminal();
    if answers.is_none() && !interactive {
        eprintln!(
            "No --answers and no terminal: the wizard waits. Continue with `relais connections wizard {id} --answers FILE`."
        );
        return Ok(None);
    }
    let start = match from_step {
        Some(step) => integration
            .wizard
            .steps
            .iter()
            .position(|s| s.id == step)
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Invalid,
                    format!("the wizard has no step '{step}'"),
                )
            })?,
        None => integration
            .wizard
            .steps
            .iter()
            .position(|s| Some(&s.id) == view.wizard.next_step.as_ref())
            .unwrap_or(integration.wizard.steps.len()),
    };
    for step in &integration.wizard.steps[start..] {
        let input = match answers {
            Some(all) => match all.get(&step.id) {
                Some(Value::Object(map)) => map.clone(),
                Some(_) => {
                    return Err(AppError::new(
                        ErrorKind::Invalid,
                        format!("answers for step '{}' must be a JSON object", step.id),
                    ));
                }
                None => Map::new(),
            },
            None => ask(step)?,
        };
        app.submit_wizard_step(by, company, id, &step.id, &input)?;
    }
    app.complete_wizard(by, company, id).map(Some)
}

fn print_connection(out: &Output, view: &ConnectionView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(view);
    }
    println!("{} ({}) — {}", view.integration_name, view.id, view.status);
    match &view.state {
        relais_connections::ConnectionState::Pending { reason } => println!("Pending: {reason:?}"),
        relais_connections::ConnectionState::Inactive { reason } => {
            println!("Inactive: {reason:?}")
        }
        _ => {}
    }
    println!("Since {}", view.since.format("%Y-%m-%d %H:%M UTC"));
    if let Some(c) = &view.credential {
        println!("API credential: {c}");
    }
    for step in &view.wizard.steps {
        println!(
            "  [{}] {} ({})",
            if step.answered { "x" } else { " " },
            step.title,
            step.id
        );
        for (key, value) in &step.answers {
            println!("        {key}: {value}");
        }
    }
    Ok(())
}

fn print_change(out: &Output, change: &ConnectionChange) -> Result<(), AppError> {
    if out.json {
        return out.print_json(change);
    }
    print_connection(out, &change.connection)?;
    if let Some(p) = &change.partner_credential {
        println!();
        println!("Hand this credential to the partner (shown once):");
        println!("client_id:     {}", p.client_id);
        println!("client_secret: {}", p.client_secret);
        println!("scopes:        {}", p.scopes.join(" "));
    }
    Ok(())
}

pub(crate) fn run(app: &App, out: &Output, command: ConnectionsCommand) -> Result<(), AppError> {
    let by = Caller::Operator;
    match command {
        ConnectionsCommand::List { status, company } => {
            let company = app.company(company.as_deref())?;
            let list = app.connections(by, &company, status.as_deref())?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Id", "Integration", "Status", "Since"]);
            for c in &list {
                t.add_row([
                    c.id.clone(),
                    c.integration_name.clone(),
                    c.status.to_owned(),
                    c.since.format("%Y-%m-%d %H:%M").to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
        ConnectionsCommand::Show { id, company } => {
            let company = app.company(company.as_deref())?;
            print_connection(out, &app.connection(by, &company, &id)?)
        }
        ConnectionsCommand::Connect {
            integration,
            answers,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let answers = answers.as_ref().map(read_answers).transpose()?;
            let started = app.start_connection(by, &company, &integration)?;
            match run_wizard(app, &company, &started.id, answers.as_ref(), None)? {
                Some(change) => print_change(out, &change),
                None => print_connection(out, &app.connection(by, &company, &started.id)?),
            }
        }
        ConnectionsCommand::Wizard {
            id,
            answers,
            from_step,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let answers = answers.as_ref().map(read_answers).transpose()?;
            match run_wizard(app, &company, &id, answers.as_ref(), from_step.as_deref())? {
                Some(change) => print_change(out, &change),
                None => print_connection(out, &app.connection(by, &company, &id)?),
            }
        }
        ConnectionsCommand::Deactivate {
            id,
            reason,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            print_connection(out, &app.deactivate_connection(by, &company, &id, &reason)?)
        }
        ConnectionsCommand::Reactivate { id, company } => {
            let company = app.company(company.as_deref())?;
            print_change(out, &app.reactivate_connection(by, &company, &id)?)
        }
        ConnectionsCommand::Disconnect { id, company } => {
            let company = app.company(company.as_deref())?;
            print_connection(out, &app.disconnect(by, &company, &id)?)
        }
        ConnectionsCommand::Events { id, company } => {
            let company = app.company(company.as_deref())?;
            let events = app.connection_events(by, &company, &id)?;
            if out.json {
                return out.print_json(&events);
            }
            let mut t = table(["When", "Who", "What", "Before", "After", "Reason"]);
            for e in &events {
                t.add_row([
                    e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    e.actor.clone(),
                    e.action.clone(),
                    e.before.clone().unwrap_or_default(),
                    e.after.clone().unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
    }
}

pub(crate) fn run_requests(
    app: &App,
    out: &Output,
    command: RequestsCommand,
) -> Result<(), AppError> {
    let by = Caller::Operator;
    match command {
        RequestsCommand::Demo {
            integration,
            message,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let request = app.request_demo(by, &company, &integration, &message)?;
            if out.json {
                return out.print_json(&request);
            }
            println!(
                "Demo of {} requested ({}).",
                request.integration, request.id
            );
            Ok(())
        }
        RequestsCommand::Demos {
            integration,
            company,
        } => {
            let company = company.map(|c| app.company(Some(&c))).transpose()?;
            let list = app.demo_requests(by, company.as_ref(), integration.as_deref())?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["When", "Integration", "Company", "Who", "Message"]);
            for r in &list {
                t.add_row([
                    r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    r.integration.clone(),
                    r.company_id.to_string(),
                    r.requested_by.clone(),
                    r.message.clone(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
        RequestsCommand::Integration {
            name,
            use_case,
            website,
            company,
        } => {
            let company = app.company(company.as_deref())?;
            let request =
                app.request_integration(by, &company, &name, website.as_deref(), &use_case)?;
            if out.json {
                return out.print_json(&request);
            }
            println!("{} is requested {} time(s).", request.name, request.count);
            Ok(())
        }
        RequestsCommand::Integrations => {
            let list = app.integration_requests(Caller::Operator, None)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Name", "Requests", "Website", "Latest"]);
            for r in &list {
                t.add_row([
                    r.name.clone(),
                    r.count.to_string(),
                    r.website.clone().unwrap_or_default(),
                    r.last_requested_at.format("%Y-%m-%d").to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
    }
}
