//! `relais recruiting …`

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use relais_app::recruiting::RecruitingSwitches;
use relais_app::{AppError, Caller, ErrorKind};
use relais_recruiting::JobDraft;

use crate::Ctx;
use crate::output::{outln, table};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum OnOff {
    /// Switched on.
    On,
    /// Switched off.
    Off,
}

impl OnOff {
    fn on(self) -> bool {
        matches!(self, Self::On)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum RecruitingCommand {
    /// The company's number (X-Company-ID), switches, feed and set-up.
    #[command(after_help = "Example:\n  relais recruiting show")]
    Show,
    /// Issue the recruiting API key (shown once; the previous key stops working).
    #[command(after_help = "Example:\n  relais recruiting key")]
    Key,
    /// Turn recruiting, its API or its XML feed on or off.
    #[command(
        after_help = "Examples:\n  relais recruiting switch --feed off\n  relais recruiting switch --api on"
    )]
    Switch {
        /// Recruiting as a whole.
        #[arg(long, value_enum)]
        recruiting: Option<OnOff>,
        /// The recruiting API (applications, uploads, the form).
        #[arg(long, value_enum)]
        api: Option<OnOff>,
        /// The public XML job feed.
        #[arg(long, value_enum)]
        feed: Option<OnOff>,
    },
    /// Job positions.
    #[command(
        subcommand,
        after_help = "Examples:\n  relais recruiting jobs list\n  relais recruiting jobs publish 4711"
    )]
    Jobs(JobsCommand),
    /// Applications received, newest change first.
    #[command(
        after_help = "Examples:\n  relais recruiting applications\n  relais recruiting applications --limit 200"
    )]
    Applications {
        /// How many, 1 to 200.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Where to continue (printed under the previous page).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// One application with its candidate, phases and files.
    #[command(after_help = "Example:\n  relais recruiting application 42")]
    Application {
        /// The application's number.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// Every job position.
    #[command(after_help = "Example:\n  relais recruiting jobs list")]
    List,
    /// One job position, as JSON.
    #[command(after_help = "Example:\n  relais recruiting jobs show 4711")]
    Show {
        /// The job's number.
        id: i64,
    },
    /// Open a job from a JSON draft (fields in docs/api.md, "The Recruiting API").
    #[command(
        after_help = "Example file:\n  {\"name\": \"Backend Engineer (m/f/d)\", \"office\": \"Munich\",\n   \"employment_type\": \"permanent\", \"seniority\": \"experienced\",\n   \"schedule\": \"full-time\", \"published\": true,\n   \"descriptions\": {\"en\": [{\"name\": \"Your tasks\", \"value\": \"<p>APIs</p>\"}]}}\n\nExample:\n  relais recruiting jobs create job.json"
    )]
    Create {
        /// The draft (JSON).
        file: PathBuf,
    },
    /// Replace a job's draft with a JSON file.
    #[command(after_help = "Example:\n  relais recruiting jobs edit 4711 job.json")]
    Edit {
        /// The job's number.
        id: i64,
        /// The draft (JSON).
        file: PathBuf,
    },
    /// Publish a job: on the feed, taking applications.
    #[command(after_help = "Example:\n  relais recruiting jobs publish 4711")]
    Publish {
        /// The job's number.
        id: i64,
    },
    /// Unpublish a job: off the feed, taking no applications.
    #[command(after_help = "Example:\n  relais recruiting jobs unpublish 4711")]
    Unpublish {
        /// The job's number.
        id: i64,
    },
}

fn read_draft(file: &PathBuf) -> Result<JobDraft, AppError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        AppError::new(
            ErrorKind::Invalid,
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        AppError::new(
            ErrorKind::Invalid,
            format!("{} is not a job draft: {e}", file.display()),
        )
    })
}

pub(crate) fn run(ctx: &Ctx, command: RecruitingCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    let company = ctx.company()?;
    let on_off = |b: bool| if b { "on" } else { "off" };
    match command {
        RecruitingCommand::Show => {
            let o = app.recruiting_overview(by, &company)?;
            if out.json {
                return out.print_json(&o);
            }
            outln!("Company number (X-Company-ID): {}", o.company_id)?;
            outln!(
                "Recruiting API key: {}",
                o.key_issued_at.map_or_else(
                    || "none yet (relais recruiting key)".to_owned(),
                    |at| format!("issued {at}")
                )
            )?;
            outln!(
                "Recruiting {}, API {}, XML feed {} at {}",
                on_off(o.enabled),
                on_off(o.public_api),
                on_off(o.xml_feed),
                o.feed_path
            )?;
            outln!(
                "{} categories, {} channels, {} attributes, {} tags",
                o.setup.categories.len(),
                o.setup.channels.len(),
                o.setup.attributes.len(),
                o.setup.tags.len()
            )
        }
        RecruitingCommand::Key => {
            let key = app.issue_recruiting_key(by, &company)?;
            if out.json {
                return out.print_json(&key);
            }
            outln!("Company number (X-Company-ID): {}", key.company_id)?;
            outln!("Recruiting API key: {}", key.access_token)?;
            outln!("Shown once; the previous key, if any, no longer works.")
        }
        RecruitingCommand::Switch {
            recruiting,
            api,
            feed,
        } => {
            let o = app.set_recruiting_switches(
                by,
                &company,
                RecruitingSwitches {
                    enabled: recruiting.map(OnOff::on),
                    public_api: api.map(OnOff::on),
                    xml_feed: feed.map(OnOff::on),
                },
            )?;
            if out.json {
                return out.print_json(&o);
            }
            outln!(
                "Recruiting {}, API {}, XML feed {}",
                on_off(o.enabled),
                on_off(o.public_api),
                on_off(o.xml_feed)
            )
        }
        RecruitingCommand::Jobs(command) => jobs(ctx, &company, command),
        RecruitingCommand::Applications { limit, cursor } => {
            let page = app.recruiting_applications(by, &company, limit, cursor.as_deref())?;
            if out.json {
                let items: Vec<_> = page.items.iter().map(|r| &r.application).collect();
                return out
                    .print_json(&serde_json::json!({"items": items, "next_cursor": page.next}));
            }
            let mut t = table(["#", "Date", "Candidate", "Job", "Phase"]);
            for r in &page.items {
                t.add_row([
                    r.application.id.to_string(),
                    r.application.application_date.to_string(),
                    r.candidate
                        .as_ref()
                        .map(|c| format!("{} {} <{}>", c.first_name, c.last_name, c.email))
                        .unwrap_or_default(),
                    r.job
                        .as_ref()
                        .map(|j| j.draft.name.clone())
                        .unwrap_or_default(),
                    page.setup.phase_name(r.application.phase),
                ]);
            }
            outln!("{t}")?;
            if let Some(next) = page.next {
                outln!("More: relais recruiting applications --cursor {next}")?;
            }
            Ok(())
        }
        RecruitingCommand::Application { id } => {
            let detail = app.recruiting_application(by, &company, id)?;
            out.print_json(&detail)
        }
    }
}

fn jobs(ctx: &Ctx, company: &relais_access::Company, command: JobsCommand) -> Result<(), AppError> {
    let (app, out, by) = (&ctx.app, &ctx.out, Caller::Operator);
    let publish = |id: i64, published: bool| -> Result<(), AppError> {
        let mut draft = app.job(by, company, id)?.draft;
        draft.published = published;
        let job = app.update_job(by, company, id, draft)?;
        if out.json {
            return out.print_json(&job);
        }
        outln!(
            "Job {} ({}) is {}.",
            job.id,
            job.draft.name,
            if published {
                "published"
            } else {
                "unpublished"
            }
        )
    };
    match command {
        JobsCommand::List => {
            let jobs = app.jobs(by, company)?;
            if out.json {
                return out.print_json(&jobs);
            }
            let mut t = table(["#", "Name", "Office", "Department", "Published"]);
            for j in &jobs {
                t.add_row([
                    j.id.to_string(),
                    j.draft.name.clone(),
                    j.draft.office.clone(),
                    j.draft.department.clone().unwrap_or_default(),
                    if j.draft.published { "yes" } else { "no" }.to_owned(),
                ]);
            }
            outln!("{t}")
        }
        JobsCommand::Show { id } => out.print_json(&app.job(by, company, id)?),
        JobsCommand::Create { file } => {
            let job = app.create_job(by, company, read_draft(&file)?)?;
            if out.json {
                return out.print_json(&job);
            }
            outln!("Opened job {} ({}).", job.id, job.draft.name)
        }
        JobsCommand::Edit { id, file } => {
            let job = app.update_job(by, company, id, read_draft(&file)?)?;
            if out.json {
                return out.print_json(&job);
            }
            outln!("Changed job {} ({}).", job.id, job.draft.name)
        }
        JobsCommand::Publish { id } => publish(id, true),
        JobsCommand::Unpublish { id } => publish(id, false),
    }
}
