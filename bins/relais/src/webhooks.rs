//! `relais webhooks …`

use clap::Subcommand;
use relais_app::webhooks::{DeliveryView, WebhookInput, WebhookView, WebhookWithSecret};
use relais_app::{AppError, Caller};

use crate::Ctx;
use crate::output::{Output, outln, table};

const EVENTS_HELP: &str =
    "An event type (repeat, or separate with commas); `relais webhooks event-types` lists them";

#[derive(Debug, Subcommand)]
pub(crate) enum WebhooksCommand {
    /// List the event types an endpoint may receive.
    #[command(after_help = "Example:\n  relais webhooks event-types")]
    EventTypes,
    /// Add an endpoint; its signing secret is printed once.
    #[command(
        after_help = "Example:\n  relais webhooks add --url https://hooks.example.com/relais \\\n      --event sync_run.finished,connection.disabled --description On-call\n\nrelais-server sends the deliveries, signed as Standard Webhooks."
    )]
    Add {
        /// Where deliveries go (https://…).
        #[arg(long)]
        url: String,
        /// Event types.
        #[arg(long = "event", value_delimiter = ',', required = true, help = EVENTS_HELP)]
        events: Vec<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// Add it disabled.
        #[arg(long)]
        disabled: bool,
    },
    /// List the company's endpoints.
    #[command(after_help = "Examples:\n  relais webhooks list\n  relais --json webhooks list")]
    List,
    /// Show one endpoint.
    #[command(after_help = "Example:\n  relais webhooks show 0192f0c4-a1b2-7c3e-9d5e-8f10a2b3c4d5")]
    Show {
        /// The endpoint's id.
        id: String,
    },
    /// Change an endpoint.
    #[command(
        after_help = "Examples:\n  relais webhooks update 0192… --enable\n  relais webhooks update 0192… --event sync_run.finished"
    )]
    Update {
        /// The endpoint's id.
        id: String,
        /// New URL.
        #[arg(long)]
        url: Option<String>,
        /// Replace the event types with these.
        #[arg(long = "event", value_delimiter = ',', help = EVENTS_HELP)]
        events: Option<Vec<String>>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// Enable it (clears its failure record; pending deliveries resume).
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Disable it.
        #[arg(long)]
        disable: bool,
    },
    /// Give an endpoint a new signing secret (the old one signs too for 24 hours).
    #[command(
        after_help = "Example:\n  relais webhooks rotate-secret 0192f0c4-a1b2-7c3e-9d5e-8f10a2b3c4d5"
    )]
    RotateSecret {
        /// The endpoint's id.
        id: String,
    },
    /// Remove an endpoint with its delivery log.
    #[command(
        after_help = "Example:\n  relais webhooks remove 0192f0c4-a1b2-7c3e-9d5e-8f10a2b3c4d5"
    )]
    Remove {
        /// The endpoint's id.
        id: String,
    },
    /// An endpoint's delivery log, newest first.
    #[command(
        after_help = "Example:\n  relais webhooks deliveries 0192f0c4-a1b2-7c3e-9d5e-8f10a2b3c4d5"
    )]
    Deliveries {
        /// The endpoint's id.
        id: String,
        /// Page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u64,
        /// Deliveries per page, 1 to 200.
        #[arg(long, default_value_t = 50)]
        per_page: u64,
    },
    /// One delivery with every attempt.
    #[command(
        after_help = "Example:\n  relais webhooks delivery 0192f0c5-0000-7000-8000-000000000001"
    )]
    Delivery {
        /// The delivery's id.
        id: String,
    },
    /// Send a delivery again now, with the same webhook-id.
    #[command(
        after_help = "Example:\n  relais webhooks redeliver 0192f0c5-0000-7000-8000-000000000001"
    )]
    Redeliver {
        /// The delivery's id.
        id: String,
    },
}

pub(crate) fn run(ctx: &Ctx, command: WebhooksCommand) -> Result<(), AppError> {
    let (app, out) = (&ctx.app, &ctx.out);
    let by = Caller::Operator;
    match command {
        WebhooksCommand::EventTypes => {
            let names = relais_events::EventKind::names();
            if out.json {
                return out.print_json(&names);
            }
            for name in names {
                outln!("{name}")?;
            }
            Ok(())
        }
        WebhooksCommand::Add {
            url,
            events,
            description,
            disabled,
        } => {
            let company = ctx.company()?;
            let input = WebhookInput {
                url: Some(url),
                description,
                events: Some(events),
                enabled: Some(!disabled),
            };
            print_secret(out, &app.create_webhook(by, &company, input)?, "Added")
        }
        WebhooksCommand::List => {
            let company = ctx.company()?;
            let list = app.webhooks(by, &company)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table(["Id", "URL", "Events", "Status"]);
            for w in &list {
                t.add_row([
                    w.id.to_string(),
                    w.url.clone(),
                    w.events.join(" "),
                    status(w),
                ]);
            }
            outln!("{t}")
        }
        WebhooksCommand::Show { id } => {
            let company = ctx.company()?;
            print_view(out, &app.webhook(by, &company, &id)?)
        }
        WebhooksCommand::Update {
            id,
            url,
            events,
            description,
            enable,
            disable,
        } => {
            let company = ctx.company()?;
            let change = WebhookInput {
                url,
                description,
                events,
                enabled: if enable {
                    Some(true)
                } else if disable {
                    Some(false)
                } else {
                    None
                },
            };
            print_view(out, &app.update_webhook(by, &company, &id, change)?)
        }
        WebhooksCommand::RotateSecret { id } => {
            let company = ctx.company()?;
            print_secret(
                out,
                &app.rotate_webhook_secret(by, &company, &id)?,
                "Rotated",
            )
        }
        WebhooksCommand::Remove { id } => {
            let company = ctx.company()?;
            app.delete_webhook(by, &company, &id)?;
            if out.json {
                return out.print_json(&serde_json::json!({"removed": id}));
            }
            outln!("Removed webhook endpoint {id}.")
        }
        WebhooksCommand::Deliveries { id, page, per_page } => {
            let company = ctx.company()?;
            let list = app.webhook_deliveries(by, &company, &id, page, per_page)?;
            if out.json {
                return out.print_json(&list);
            }
            let mut t = table([
                "Delivery",
                "Event",
                "Type",
                "State",
                "Attempts",
                "Last answer",
            ]);
            for d in &list.deliveries {
                t.add_row([
                    d.id.to_string(),
                    d.message_id.clone(),
                    d.kind.clone(),
                    d.state.clone(),
                    d.attempts.to_string(),
                    last_answer(d),
                ]);
            }
            outln!("{t}")?;
            outln!("{} deliveries in all.", list.total)
        }
        WebhooksCommand::Delivery { id } => {
            let company = ctx.company()?;
            print_delivery(out, &app.webhook_delivery(by, &company, &id)?)
        }
        WebhooksCommand::Redeliver { id } => {
            let company = ctx.company()?;
            let d = app.redeliver_webhook(by, &company, &id)?;
            if out.json {
                return out.print_json(&d);
            }
            outln!(
                "Queued {} ({}) for delivery now; relais-server sends it.",
                d.id,
                d.message_id
            )
        }
    }
}

fn status(w: &WebhookView) -> String {
    match (&w.disabled_reason, w.enabled, w.failing_since) {
        (Some(reason), false, _) => format!("disabled by Relais: {reason}"),
        (None, false, _) => "disabled".into(),
        (_, true, Some(since)) => format!(
            "enabled, failing since {}",
            since.format("%Y-%m-%d %H:%M UTC")
        ),
        (_, true, None) => "enabled".into(),
    }
}

fn last_answer(d: &DeliveryView) -> String {
    match &d.last_attempt {
        None => "—".into(),
        Some(a) => match (a.status_code, &a.error) {
            (Some(code), _) => format!("HTTP {code} in {} ms", a.duration_ms),
            (None, Some(error)) => error.chars().take(60).collect(),
            (None, None) => "—".into(),
        },
    }
}

fn print_view(out: &Output, w: &WebhookView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(w);
    }
    outln!("Webhook endpoint {}", w.id)?;
    outln!("URL:         {}", w.url)?;
    outln!("Description: {}", w.description)?;
    outln!("Events:      {}", w.events.join(" "))?;
    outln!("Status:      {}", status(w))?;
    if let Some(until) = w.previous_secret_until {
        outln!(
            "The previous secret signs too until {}.",
            until.format("%Y-%m-%d %H:%M UTC")
        )?;
    }
    Ok(())
}

fn print_secret(out: &Output, w: &WebhookWithSecret, verb: &str) -> Result<(), AppError> {
    if out.json {
        return out.print_json(w);
    }
    outln!(
        "{verb} webhook endpoint {} ({}).",
        w.endpoint.id,
        w.endpoint.url
    )?;
    outln!()?;
    outln!("signing secret: {}", w.secret)?;
    outln!()?;
    outln!(
        "The secret is shown once. Verify each delivery's webhook-signature with it (Standard Webhooks)."
    )
}

fn print_delivery(out: &Output, d: &DeliveryView) -> Result<(), AppError> {
    if out.json {
        return out.print_json(d);
    }
    outln!("Delivery {} of {} ({})", d.id, d.message_id, d.kind)?;
    outln!("State: {} after {} attempts", d.state, d.attempts)?;
    if let Some(next) = d.next_attempt_at {
        outln!("Next attempt: {}", next.format("%Y-%m-%d %H:%M:%S UTC"))?;
    }
    let mut t = table(["At", "Status", "Duration", "Answer or error"]);
    for a in d.attempt_log.iter().flatten() {
        t.add_row([
            a.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            a.status_code.map_or_else(|| "—".into(), |c| c.to_string()),
            format!("{} ms", a.duration_ms),
            a.response
                .clone()
                .or_else(|| a.error.clone())
                .unwrap_or_default()
                .chars()
                .take(80)
                .collect(),
        ]);
    }
    outln!("{t}")
}
