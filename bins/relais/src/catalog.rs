//! `relais catalog …`

use std::path::PathBuf;

use clap::Subcommand;
use relais_app::views::{CatalogPage, category_counts};
use relais_app::{AppError, ErrorKind};
use relais_catalog::{
    Badge, Capability, CatalogFilter, CatalogQuery, Category, FieldInput, Integration,
    IntegrationKind, Page, PricingModel, Support,
};

use crate::Ctx;
use crate::output::{count, outln, table};

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCommand {
    /// Search and filter the catalog. Without a query, lists everything by name.
    #[command(
        after_help = "Examples:\n  relais catalog search slak\n  relais catalog search --category identity_access --capability sync_tracking\n  relais catalog search --kind partner --badge premier,elite --json"
    )]
    Search {
        /// Free text: name, partner, categories and descriptions; accents,
        /// case and one typo (in words of four letters or more) do not matter.
        query: Vec<String>,
        /// platform or partner (comma-separated or repeated: any of them).
        #[arg(long, value_delimiter = ',')]
        kind: Vec<IntegrationKind>,
        /// Category id, e.g. payroll (any of them).
        #[arg(long, value_delimiter = ',')]
        category: Vec<Category>,
        /// select, elite or premier (any of them).
        #[arg(long, value_delimiter = ',')]
        badge: Vec<Badge>,
        /// sync_tracking or demo (all of them).
        #[arg(long, value_delimiter = ',')]
        capability: Vec<Capability>,
        /// free, included, paid or on_request (any of them).
        #[arg(long, value_delimiter = ',')]
        pricing: Vec<PricingModel>,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// Results per page, 1 to 100.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
        per_page: u32,
    },
    /// Show an integration's page: setup, permissions, pricing, support, developer, wizard.
    #[command(after_help = "Example:\n  relais catalog show slack")]
    Show {
        /// The integration's slug.
        slug: String,
    },
    /// List categories with their number of integrations.
    #[command(
        after_help = "Examples:\n  relais catalog categories\n  relais --json catalog categories"
    )]
    Categories,
    /// Replace the catalog with a catalog file (validated first; all or nothing).
    #[command(
        after_help = "Examples:\n  relais catalog load my-catalog.json\n  relais catalog load --shipped   # back to the catalog shipped with Relais"
    )]
    Load {
        /// The catalog file (JSON, format in docs/catalog.md).
        #[arg(required_unless_present = "shipped", conflicts_with = "shipped")]
        file: Option<PathBuf>,
        /// Load the catalog shipped with this Relais instead of a file.
        #[arg(long)]
        shipped: bool,
    },
    /// Write the current catalog as a catalog file to standard output.
    #[command(after_help = "Example:\n  relais catalog export > my-catalog.json")]
    Export,
    /// Where the current catalog came from.
    #[command(after_help = "Example:\n  relais catalog info")]
    Info,
}

pub(crate) fn run(ctx: &Ctx, command: CatalogCommand) -> Result<(), AppError> {
    let (app, out) = (&ctx.app, &ctx.out);
    match command {
        CatalogCommand::Search {
            query,
            kind,
            category,
            badge,
            capability,
            pricing,
            page,
            per_page,
        } => {
            let query = CatalogQuery {
                text: Some(query.join(" ")).filter(|t| !t.trim().is_empty()),
                filter: CatalogFilter {
                    kinds: kind,
                    categories: category,
                    badges: badge,
                    capabilities: capability,
                    pricing,
                },
                page: Page::new(page, per_page)?,
            };
            let catalog = app.catalog();
            let found = CatalogPage::search(&catalog, &query);
            if out.json {
                return out.print_json(&found);
            }
            let mut table = table([
                "Slug",
                "Name",
                "Built by",
                "Categories",
                "Pricing",
                "Tracking",
            ]);
            for item in &found.items {
                let built_by = match (item.partner, item.badge) {
                    (Some(partner), Some(badge)) => format!("{partner} ({badge})"),
                    _ => "platform".to_owned(),
                };
                let categories: Vec<_> = item.categories.iter().map(|c| c.label()).collect();
                table.add_row([
                    item.slug.to_owned(),
                    item.name.to_owned(),
                    built_by,
                    categories.join(", "),
                    item.pricing.summary.clone(),
                    if item.capabilities.sync_tracking {
                        "yes"
                    } else {
                        ""
                    }
                    .to_owned(),
                ]);
            }
            outln!("{table}")?;
            outln!(
                "{}; page {} of {}",
                count(found.total as u64, "match", "matches"),
                found.page,
                found.total_pages.max(1)
            )
        }
        CatalogCommand::Show { slug } => {
            let integration = app.integration(&slug)?;
            let detail = app.integration_detail(&integration);
            if out.json {
                return out.print_json(&detail);
            }
            print_integration(&integration)?;
            outln!()?;
            outln!("Sync: {}", detail.sync.note)?;
            if let Some(notice) = &detail.setup_notice {
                outln!()?;
                outln!("Note: {notice}.")?;
            }
            Ok(())
        }
        CatalogCommand::Categories => {
            let counts = category_counts(&app.catalog());
            if out.json {
                // The admin API's shape (GET /api/catalog/categories).
                return out.print_json(&serde_json::json!({ "categories": counts }));
            }
            let mut table = table(["Id", "Category", "Integrations"]);
            for c in counts {
                table.add_row([c.id.to_owned(), c.label.to_owned(), c.count.to_string()]);
            }
            outln!("{table}")
        }
        CatalogCommand::Load { file, shipped } => {
            let info = match file {
                Some(path) if !shipped => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        AppError::new(
                            ErrorKind::Invalid,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    })?;
                    app.load_catalog(&path.display().to_string(), &text)?
                }
                _ => app.load_shipped_catalog()?,
            };
            if out.json {
                return out.print_json(&serde_json::json!({
                    "source": info.source,
                    "loaded_at": info.loaded_at,
                    "integrations": info.integration_count,
                }));
            }
            outln!(
                "Loaded {} from {}.",
                count(info.integration_count as u64, "integration", "integrations"),
                info.source
            )
        }
        CatalogCommand::Export => outln!("{}", app.catalog().to_json()?),
        CatalogCommand::Info => {
            let info = app.catalog_info()?;
            if out.json {
                return out.print_json(&serde_json::json!({
                    "source": info.source,
                    "loaded_at": info.loaded_at,
                    "integrations": info.integration_count,
                }));
            }
            outln!(
                "{} from {}, loaded {}",
                count(info.integration_count as u64, "integration", "integrations"),
                info.source,
                info.loaded_at.format("%Y-%m-%d %H:%M UTC")
            )
        }
    }
}

fn print_integration(i: &Integration) -> Result<(), AppError> {
    outln!("{} ({})", i.name, i.slug)?;
    match (i.partner(), i.badge()) {
        (Some(partner), Some(badge)) => outln!("Built by partner {partner} · {badge} partner")?,
        _ => outln!("Built by the platform")?,
    }
    let categories: Vec<_> = i.categories.iter().map(|c| c.label()).collect();
    outln!("Categories: {}", categories.join(", "))?;
    outln!()?;
    outln!("{}", i.short_description)?;
    outln!()?;
    outln!("{}", i.long_description)?;
    outln!()?;
    outln!("Pricing: {}", i.pricing.summary())?;
    let permissions: Vec<_> = i.permissions.iter().map(ToString::to_string).collect();
    outln!(
        "Permissions: {}",
        if permissions.is_empty() {
            "none".to_owned()
        } else {
            permissions.join(", ")
        }
    )?;
    outln!(
        "Capabilities: sync tracking {}, demo {}",
        yes_no(i.capabilities.sync_tracking),
        yes_no(i.capabilities.demo)
    )?;
    outln!()?;
    outln!("Setup:\n{}", i.setup_instructions)?;
    outln!()?;
    match i.support() {
        Support::HelpAndFeedback => outln!("Support: the platform's Help & feedback")?,
        Support::Partner(s) => outln!(
            "Support: {} · {} (the platform does not support partner-built integrations)",
            s.url,
            s.email
        )?,
    }
    outln!(
        "Developer: {} · {} · privacy: {}",
        i.developer.name,
        i.developer.website,
        i.developer.privacy_policy_url
    )?;
    outln!()?;
    let activation = if i.wizard.needs_partner_activation {
        " (then waits for the partner's activation)"
    } else {
        ""
    };
    outln!("Setup wizard{activation}:")?;
    for (n, step) in i.wizard.steps.iter().enumerate() {
        outln!("  {}. {}", n + 1, step.title)?;
        for field in &step.fields {
            let kind = match &field.input {
                FieldInput::Text => "text".to_owned(),
                FieldInput::Secret => "secret".to_owned(),
                FieldInput::Url => "url".to_owned(),
                FieldInput::Checkbox => "checkbox".to_owned(),
                FieldInput::Select { options } => {
                    let values: Vec<_> = options.iter().map(|o| o.value.as_str()).collect();
                    format!("one of {}", values.join("|"))
                }
            };
            let required = if field.required { ", required" } else { "" };
            outln!("     - {} [{}{required}]: {}", field.key, kind, field.label)?;
        }
    }
    Ok(())
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}
