//! Printing: tables for people, JSON for scripts.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use relais_access::{Company, User};
use relais_app::{AppError, ErrorKind, NewCompany};
use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub json: bool,
}

impl Output {
    /// Prints a value as pretty JSON.
    pub(crate) fn print_json<T: Serialize + ?Sized>(self, value: &T) -> Result<(), AppError> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        println!("{text}");
        Ok(())
    }

    pub(crate) fn created_company(self, created: &NewCompany) -> Result<(), AppError> {
        if self.json {
            #[derive(Serialize)]
            struct Created<'a> {
                company: &'a Company,
                admin: &'a User,
                token: &'a str,
            }
            return self.print_json(&Created {
                company: &created.company,
                admin: &created.admin,
                token: &created.token,
            });
        }
        println!(
            "Created company {} (handle: {}).",
            created.company.name, created.company.slug
        );
        println!(
            "Admin {} has the right \"Marketplace integrations & API\" = edit.",
            created.admin.email
        );
        println!();
        println!("Admin token (shown once; store it now, only its hash is kept):");
        println!("{}", created.token);
        Ok(())
    }

    pub(crate) fn companies(self, companies: &[Company]) -> Result<(), AppError> {
        if self.json {
            return self.print_json(companies);
        }
        let mut table = table(["Handle", "Name", "Id", "Created"]);
        for c in companies {
            table.add_row([
                c.slug.clone(),
                c.name.clone(),
                c.id.to_string(),
                c.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]);
        }
        println!("{table}");
        Ok(())
    }

    pub(crate) fn users(self, users: &[User]) -> Result<(), AppError> {
        if self.json {
            return self.print_json(users);
        }
        let mut table = table(["E-mail", "Name", "Marketplace & API", "Created"]);
        for u in users {
            table.add_row([
                u.email.clone(),
                u.name.clone(),
                u.marketplace_right.to_string(),
                u.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]);
        }
        println!("{table}");
        Ok(())
    }
}

/// An empty table with a header, sized to the terminal.
pub(crate) fn table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table
}
