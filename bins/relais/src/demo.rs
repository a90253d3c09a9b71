//! `relais demo …`

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use relais_app::{AppError, DEMO_MAX_EMPLOYEES, DEMO_MAX_MONTHS};
use relais_people::demo::DemoSpec;

use crate::Ctx;
use crate::output::outln;

#[derive(Debug, Subcommand)]
pub(crate) enum DemoCommand {
    /// Generate employees with history, attendances and absences. The same
    /// options give the same data on every machine.
    ///
    /// The options are checked before anything is deleted. An interrupted
    /// generation (Ctrl-C, kill, power loss) is finished by running the same
    /// command again: it resumes where it stopped.
    #[command(
        after_help = "Examples:\n  relais demo generate --employees 150 --months 12\n  relais demo generate --employees 10000 --months 24 --seed 7 \\\n      --until 2026-10-31 --replace"
    )]
    Generate {
        /// How many employees, 1 to 100000.
        #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u32).range(1..=i64::from(DEMO_MAX_EMPLOYEES)))]
        employees: u32,
        /// Months of attendances and absences ending on --until, 1 to 120.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=i64::from(DEMO_MAX_MONTHS)))]
        months: u32,
        /// Seed of every random choice.
        #[arg(long, default_value_t = relais_app::DEMO_SEED)]
        seed: u64,
        /// Last day of the generated history, 1970-01-01 to 2999-12-31 (default: today).
        #[arg(long)]
        until: Option<NaiveDate>,
        /// Delete the company's existing people data first (after the options are checked).
        #[arg(long)]
        replace: bool,
    },
}

pub(crate) fn run(ctx: &Ctx, command: DemoCommand) -> Result<(), AppError> {
    match command {
        DemoCommand::Generate {
            employees,
            months,
            seed,
            until,
            replace,
        } => {
            let company = ctx.company()?;
            let spec = DemoSpec {
                employees,
                months,
                seed,
                until: until.unwrap_or_else(|| Utc::now().date_naive()),
            };
            // Drawn on standard error, and only on a terminal.
            let bar = ProgressBar::new(u64::from(employees));
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} employees  {elapsed_precise}  eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let summary = ctx
                .app
                .generate_demo(&company, spec, replace, &mut |done| bar.set_position(done));
            bar.finish_and_clear();
            let summary = summary?;
            if ctx.out.json {
                return ctx.out.print_json(&summary);
            }
            if let Some(written) = summary.resumed_from {
                outln!("Resumed an interrupted generation after employee {written}.")?;
            }
            outln!(
                "Generated {} employees, {} attendances, {} time-offs, {} absence periods, {} history entries and {} job applications for {} in {:.1} s.",
                summary.employees,
                summary.attendances,
                summary.time_offs,
                summary.absence_periods,
                summary.history_entries,
                summary.applications,
                company.slug,
                summary.elapsed.as_secs_f64()
            )
        }
    }
}
