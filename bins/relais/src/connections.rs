//! `relais connections …` and `relais requests …`

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::Subcommand;
use relais_access::Company;
use relais_app::{AppError, Caller, ConnectionChange, ConnectionView, ErrorKind};
use relais_catalog::{FieldInput, WizardStep};
use relais_store::Owned;
use serde_json::{Map, Value};

use crate::Ctx;
use crate::output::{Output, count, outln, table};

const CONNECT_HELP: &str = "\
On a terminal the wizard asks for each field (secrets without echo);
--answers FILE answers it from a JSON object keyed by step id:
  {\"target\": {\"base_url\": \"https://idp.example/scim/v2\",
              \"bearer_token\": \"…\"},
   \"confirm\": {\"accept_data_processing\": true}}
`relais catalog show SLUG` lists the steps and fields. Secret fields need
RELAIS_SECRET_KEY, the same key the server runs with.

If a step is refused, the connection stays pending at that step: run the
same command again with corrected answers and it continues that connection.

Examples:
  relais connections connect scim-provisioning --answers scim.json
  relais connections connect okta";

#[derive(Debug, Subcommand)]
pub(crate) enum ConnectionsCommand {
    /// The company's connected integrations with their status.
    #[command(
        after_help = "Examples:\n  relais connections list\n  relais connections list --status pending"
    )]
    List {
        /// Only this status: pending, connected, inactive or disconnected.
        #[arg(long)]
        status: Option<String>,
    },
    /// One connection: status, reason, wizard progress (secrets masked).
    #[command(after_help = "Example:\n  relais connections show $CONNECTION")]
    Show {
        /// Connection id.
        id: String,
    },
    /// Connect an integration and run its setup wizard.
    #[command(after_help = CONNECT_HELP)]
    Connect {
        /// The integration's slug (see `relais catalog search`).
        integration: String,
        /// Answers for every step, as JSON keyed by step id.
        #[arg(long)]
        answers: Option<PathBuf>,
    },
    /// Continue (or redo) a pending connection's wizard, then complete it.
    #[command(
        after_help = "Examples:\n  relais connections wizard $CONNECTION --answers okta.json\n  relais connections wizard $CONNECTION --answers okta.json \\\n      --from-step tenant"
    )]
    Wizard {
        /// Connection id.
        id: String,
        /// Answers as JSON keyed by step id.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Start again from this step (to change earlier answers).
        #[arg(long)]
        from_step: Option<String>,
    },
    /// Deactivate a connection (Inactive) with a reason.
    #[command(
        after_help = "Example:\n  relais connections deactivate $CONNECTION --reason \"vendor audit\""
    )]
    Deactivate {
        /// Connection id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Reactivate an Inactive connection (a new API credential is issued).
    #[command(after_help = "Example:\n  relais connections reactivate $CONNECTION")]
    Reactivate {
        /// Connection id.
        id: String,
    },
    /// Pause a connection's schedule (Sync now still runs it).
    #[command(after_help = "Example:\n  relais connections pause $CONNECTION")]
    Pause {
        /// Connection id.
        id: String,
    },
    /// Resume a paused connection's schedule.
    #[command(after_help = "Example:\n  relais connections resume $CONNECTION")]
    Resume {
        /// Connection id.
        id: String,
    },
    /// Disconnect (remove) a connection; its credential is revoked, its history kept.
    #[command(after_help = "Example:\n  relais connections disconnect $CONNECTION")]
    Disconnect {
        /// Connection id.
        id: String,
    },
    /// The connection's audit trail.
    #[command(after_help = "Example:\n  relais connections events $CONNECTION")]
    Events {
        /// Connection id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RequestsCommand {
    /// Request a demo of an integration.
    #[command(
        after_help = "Example:\n  relais requests demo okta --message \"We have 300 employees\""
    )]
    Demo {
        /// The integration's slug.
        integration: String,
        /// What to tell the vendor.
        #[arg(long, default_value = "")]
        message: String,
    },
    /// Demo requests, newest first (every company's unless --company).
    #[command(
        after_help = "Examples:\n  relais requests demos\n  relais requests demos --integration okta"
    )]
    Demos {
        /// Only this integration.
        #[arg(long)]
        integration: Option<String>,
    },
    /// Request an integration the catalog lacks (same names are merged and counted).
    #[command(
        after_help = "Example:\n  relais requests integration HiBob --use-case \"migrate our org chart\" \\\n      --website https://www.hibob.com"
    )]
    Integration {
        /// The tool's name.
        name: String,
        /// What it would be used for.
        #[arg(long)]
        use_case: String,
        /// The tool's website.
        #[arg(long)]
        website: Option<String>,
    },
    /// Requested integrations, most requested first.
    #[command(after_help = "Example:\n  relais requests integrations")]
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

/// Runs the wizard from the next unanswered step (or `from_step`) to the
/// end, then completes it. A refused step keeps the connection Pending at
/// that step; the error then says how to continue.
fn run_wizard(
    ctx: &Ctx,
    company: &Company,
    id: &str,
    answers: Option<&Map<String, Value>>,
    from_step: Option<&str>,
) -> Result<Option<ConnectionChange>, AppError> {
    let (app, by) = (&ctx.app, Caller::Operator);
    let view = app.connection(by, company, id)?;
    let integration = app.integration(&view.integration)?;
    let interactive = answers.is_none() && std::io::stdin().is_terminal();
    if answers.is_none() && !interactive {
        eprintln!(
            "No --answers and no terminal: the wizard of connection {id} waits. Continue with `relais connections wizard {id} --answers FILE`."
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
                let ids: Vec<_> = integration
                    .wizard
                    .steps
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect();
                AppError::new(
                    ErrorKind::Invalid,
                    format!(
                        "the wizard has no step '{step}'; its steps are {}",
                        ids.join(", ")
                    ),
                )
            })?,
        None => integration
            .wizard
            .steps
            .iter()
            .position(|s| Some(&s.id) == view.wizard.next_step.as_ref())
            .unwrap_or(integration.wizard.steps.len()),
    };
    let how_to_continue = |step: &str, e: AppError| {
        let hint = if answers.is_some() {
            format!(
                "connection {id} stays pending at step '{step}': correct the answers file and run the same `relais connections connect {}` again (it continues this connection), or `relais connections disconnect {id}` to drop it",
                integration.slug
            )
        } else {
            format!(
                "connection {id} stays pending at step '{step}': continue with `relais connections wizard {id}` (or --answers FILE), or `relais connections disconnect {id}` to drop it"
            )
        };
        AppError::new(e.kind(), format!("{e}\n  {hint}"))
    };
    for step in &integration.wizard.steps[start..] {
        let input = match answers {
            Some(all) => match all.get(&step.id) {
                Some(Value::Object(map)) => map.clone(),
                Some(_) => {
                    return Err(how_to_continue(
                        &step.id,
                        AppError::new(
                            ErrorKind::Invalid,
                            format!("answers for step '{}' must be a JSON object", step.id),
                        ),
                    ));
                }
                None => Map::new(),
            },
            None => ask(step)?,
        };
        app.submit_wizard_step(by, company, id, &step.id, &input)
            .map_err(|e| how_to_continue(&step.id, e))?;
    }
    app.complete_wizard(by, company, id).map(Some)
}

fn print_connection(out: &Output, view: &ConnectionView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(view);
    }
    outln!("{} ({}): {}", view.integration_name, view.id, view.status)?;
    if let Some(reason) = &view.status_reason {
        outln!("Why: {reason}")?;
    }
    if let Some(attention) = &view.attention {
        outln!("Needs attention: {attention}")?;
    }
    outln!("Since {}", view.since.format("%Y-%m-%d %H:%M UTC"))?;
    if let Some(c) = &view.credential {
        outln!("API credential: {c}")?;
    }
    outln!("Sync: {}", view.sync.note)?;
    if view.paused {
        outln!(
            "Schedule: paused (resume with `relais connections resume {}`)",
            view.id
        )?;
    } else if let Some(next) = view.next_sync_at {
        outln!("Next scheduled sync: {}", next.format("%Y-%m-%d %H:%M UTC"))?;
    }
    if let Some(since) = view.failing_since {
        outln!(
            "Every run has failed since {}",
            since.format("%Y-%m-%d %H:%M UTC")
        )?;
    }
    if let Some(last) = &view.last_sync {
        outln!(
            "Last sync run: {} ({})",
            last.id,
            relais_status_label(last.status)
        )?;
    }
    outln!("Setup wizard:")?;
    for step in &view.wizard.steps {
        outln!(
            "  [{}] {} ({})",
            if step.answered { "x" } else { " " },
            step.title,
            step.id
        )?;
        for (key, value) in &step.answers {
            let shown = match value {
                Value::Object(o) if o.get("secret") == Some(&Value::Bool(true)) => {
                    "(secret, stored encrypted)".to_owned()
                }
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            outln!("        {key}: {shown}")?;
        }
    }
    Ok(())
}

/// A run status as the Tracking tab words it.
fn relais_status_label(status: relais_sync::RunStatus) -> &'static str {
    match status {
        relais_sync::RunStatus::Running => "running",
        relais_sync::RunStatus::Completed => "completed successfully",
        relais_sync::RunStatus::PartiallyCompleted => "partially completed",
        relais_sync::RunStatus::Failed => "failed",
    }
}

fn print_change(out: &Output, change: &ConnectionChange) -> Result<(), AppError> {
    if out.json {
        return out.print_json(change);
    }
    print_connection(out, &change.connection)?;
    if let Some(p) = &change.partner_credential {
        outln!()?;
        outln!("Hand this credential to the partner (shown once):")?;
        outln!("client_id:     {}", p.client_id)?;
        outln!("client_secret: {}", p.client_secret)?;
        outln!("scopes:        {}", p.scopes.join(" "))?;
    }
    Ok(())
}

/// Asks on the terminal whether to continue an existing pending connection.
fn confirm_continue(view: &ConnectionView) -> Result<bool, AppError> {
    dialoguer::Confirm::new()
        .with_prompt(format!(
            "{} has a pending connection ({}) whose wizard is not finished. Continue it?",
            view.integration_name, view.id
        ))
        .default(true)
        .interact()
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("terminal: {e}")))
}

fn connect(ctx: &Ctx, slug: &str, answers: Option<&PathBuf>) -> Result<(), AppError> {
    let (app, by) = (&ctx.app, Caller::Operator);
    let company = ctx.company()?;
    let answers = answers.map(read_answers).transpose()?;
    let integration = app.integration(slug)?;
    let existing = app
        .connections(by, &company, None)?
        .into_iter()
        .find(|c| c.integration == integration.slug);
    let id = match existing {
        // The obvious retry after a refused step continues that connection.
        Some(view) if view.status == "pending" && !view.wizard.complete => {
            let from_first = answers.is_some();
            let go_on = if from_first {
                true
            } else if std::io::stdin().is_terminal() {
                confirm_continue(&view)?
            } else {
                false
            };
            if !go_on {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    format!(
                        "{} has a pending connection ({}) whose wizard is not finished: continue it with `relais connections wizard {} --answers FILE`, or drop it with `relais connections disconnect {}`",
                        integration.name, view.id, view.id, view.id
                    ),
                ));
            }
            eprintln!(
                "Continuing the pending connection {} of {}.",
                view.id, integration.name
            );
            // With an answers file, every step is answered again from it, so
            // that the corrected file is what counts.
            let first = integration.wizard.steps.first().map(|s| s.id.clone());
            return finish_connect(
                ctx,
                &company,
                &view.id,
                answers.as_ref(),
                if from_first { first.as_deref() } else { None },
            );
        }
        Some(view) => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!(
                    "{} is already {} in this company (connection {}); see `relais connections show {}`",
                    integration.name, view.status, view.id, view.id
                ),
            ));
        }
        None => app.start_connection(by, &company, &integration.slug)?.id,
    };
    eprintln!("Started connection {id} of {}.", integration.name);
    finish_connect(ctx, &company, &id, answers.as_ref(), None)
}

fn finish_connect(
    ctx: &Ctx,
    company: &Company,
    id: &str,
    answers: Option<&Map<String, Value>>,
    from_step: Option<&str>,
) -> Result<(), AppError> {
    match run_wizard(ctx, company, id, answers, from_step)? {
        Some(change) => print_change(&ctx.out, &change),
        None => print_connection(
            &ctx.out,
            &ctx.app.connection(Caller::Operator, company, id)?,
        ),
    }
}

pub(crate) fn run(ctx: &Ctx, command: ConnectionsCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    match command {
        ConnectionsCommand::List { status } => {
            let company = ctx.company()?;
            let list = app.connections(by, &company, status.as_deref())?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Id", "Integration", "Status", "Since", "Sync run by"]);
            for c in &list {
                let status = match (&c.status_reason, &c.attention) {
                    (_, Some(_)) => format!("{} (needs attention)", c.status),
                    (Some(reason), None) => format!("{}: {reason}", c.status),
                    (None, None) => c.status.to_owned(),
                };
                t.add_row([
                    c.id.clone(),
                    c.integration_name.clone(),
                    status,
                    c.since.format("%Y-%m-%d %H:%M").to_string(),
                    serde_json::to_value(c.sync.run_by)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                        .unwrap_or_default(),
                ]);
            }
            outln!("{t}")?;
            for c in list.iter().filter(|c| c.attention.is_some()) {
                outln!(
                    "{} ({}) needs attention: {}",
                    c.integration_name,
                    c.id,
                    c.attention.as_deref().unwrap_or_default()
                )?;
            }
            Ok(())
        }
        ConnectionsCommand::Show { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_connection(out, &app.connection(by, &company, &id)?)
        }
        ConnectionsCommand::Connect {
            integration,
            answers,
        } => connect(ctx, &integration, answers.as_ref()),
        ConnectionsCommand::Wizard {
            id,
            answers,
            from_step,
        } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            let answers = answers.as_ref().map(read_answers).transpose()?;
            finish_connect(ctx, &company, &id, answers.as_ref(), from_step.as_deref())
        }
        ConnectionsCommand::Deactivate { id, reason } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_connection(out, &app.deactivate_connection(by, &company, &id, &reason)?)
        }
        ConnectionsCommand::Reactivate { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_change(out, &app.reactivate_connection(by, &company, &id)?)
        }
        ConnectionsCommand::Pause { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_connection(out, &app.set_schedule_paused(by, &company, &id, true)?)
        }
        ConnectionsCommand::Resume { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_connection(out, &app.set_schedule_paused(by, &company, &id, false)?)
        }
        ConnectionsCommand::Disconnect { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
            print_connection(out, &app.disconnect(by, &company, &id)?)
        }
        ConnectionsCommand::Events { id } => {
            let company = ctx.company_of(Owned::Connection, &id)?;
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
            outln!("{t}")
        }
    }
}

pub(crate) fn run_requests(ctx: &Ctx, command: RequestsCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    match command {
        RequestsCommand::Demo {
            integration,
            message,
        } => {
            let company = ctx.company()?;
            let request = app.request_demo(by, &company, &integration, &message)?;
            if out.json {
                return out.print_json(&request);
            }
            outln!(
                "Demo of {} requested ({}).",
                request.integration,
                request.id
            )
        }
        RequestsCommand::Demos { integration } => {
            // Every company's, unless --company names one.
            let company = match &ctx.company {
                Some(_) => Some(ctx.company()?),
                None => None,
            };
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
            outln!("{t}")
        }
        RequestsCommand::Integration {
            name,
            use_case,
            website,
        } => {
            let company = ctx.company()?;
            let request =
                app.request_integration(by, &company, &name, website.as_deref(), &use_case)?;
            if out.json {
                return out.print_json(&request);
            }
            outln!(
                "{} is requested {}.",
                request.name,
                count(request.count, "time", "times")
            )
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
            outln!("{t}")
        }
    }
}
