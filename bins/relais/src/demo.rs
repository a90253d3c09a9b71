//! `relais demo …`

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use relais_app::{App, AppError};
use relais_people::demo::DemoSpec;

use crate::output::Output;

#[derive(Debug, Subcommand)]
pub(crate) enum DemoCommand {
    /// Generate employees with history, attendances and absences. The same
    /// options give the same data on every machine.
    #[command(
        after_help = "Examples:\n  relais demo generate --employees 150 --months 12\n  relais demo generate --employees 10000 --months 24 --seed 7 --until 2026-10-31 --replace"
    )]
    Generate {
        /// How many employees.
        #[arg(long, default_value_t = 150)]
        employees: u32,
        /// Months of attendances and absences, ending on --until.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Seed of every random choice.
        #[arg(long, default_value_t = relais_app::DEMO_SEED)]
        seed: u64,
        /// Last day of the generated history (default: today).
        #[arg(long)]
        until: Option<NaiveDate>,
        /// Delete the company's existing people data first.
        #[arg(long)]
        replace: bool,
        /// Company id or handle (needed when there are several).
        #[arg(long)]
        company: Option<String>,
    },
}

pub(crate) fn run(app: &App, out: &Output, command: DemoCommand) -> Result<(), AppError> {
    match command {
        DemoCommand::Generate {
            employees,
            months,
            seed,
            until,
            replace,
            company,
        } => {
            let company = app.company(company.as_deref())?;
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
            let summary =
                app.generate_demo(&company, spec, replace, &mut |done| bar.set_position(done));
            bar.finish_and_clear();
            let summary = summary?;
            if out.json {
                return out.print_json(&summary);
            }
            println!(
                "Generated {} employees, {} attendances, {} time-offs, {} absence periods and {} history entries for {} in {:.1} s.",
                summary.employees,
                summary.attendances,
                summary.time_offs,
                summary.absence_periods,
                summary.history_entries,
                company.slug,
                summary.elapsed.as_secs_f64()
            );
            Ok(())
        }
    }
}
