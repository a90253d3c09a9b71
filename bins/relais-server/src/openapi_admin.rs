//! The admin API's OpenAPI document: every route under `/api`, and
//! `/healthz`. The handlers' `#[utoipa::path]` annotations say what each
//! operation answers; the modifiers here add what the server's global
//! layers answer on every route (time-outs, body limits, body types), so
//! that those statuses are documented once, where the layers are known.

use relais_catalog::{Badge, Capability, Category, IntegrationKind, Named, PricingModel};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Relais admin API",
        description = "The HR platform's own API for the Marketplace and its settings: browse the catalog, connect integrations and walk their setup wizards, follow their syncs, manage public-API credentials, custom reports, employees, users and personal access tokens. The web console is built on the same use cases.\n\nAuthenticate with `Authorization: Bearer <token>`, a personal access token (`rlp_…`) from `relais init`, `relais users token`, the console's settings or `POST /api/tokens`. What a token may do is its user's right on \"Marketplace integrations & API\": *view* reads, *edit* also changes; each operation that needs *edit* says so. Every call acts on the token user's company.\n\nErrors are problem documents (`application/problem+json`, RFC 9457) with a stable `code` to branch on, a `message` for people and, for input fields at fault, `errors`.",
        license(name = "Apache-2.0"),
    ),
    paths(
        crate::health,
        crate::ready,
        crate::openapi::admin_document,
        crate::openapi::admin_reference,
        crate::auth::me,
        crate::catalog::search,
        crate::catalog::categories,
        crate::catalog::detail,
        crate::connections::list,
        crate::connections::start,
        crate::connections::show,
        crate::connections::disconnect,
        crate::connections::step,
        crate::connections::complete,
        crate::connections::deactivate,
        crate::connections::reactivate,
        crate::connections::pause,
        crate::connections::resume,
        crate::connections::events,
        crate::sync::runs,
        crate::sync::sync_now,
        crate::sync::provision,
        crate::sync::employee_entries,
        crate::sync::run,
        crate::sync::entries,
        crate::connections::demo_requests,
        crate::connections::request_demo,
        crate::connections::integration_requests,
        crate::connections::request_integration,
        crate::credentials::list,
        crate::credentials::create,
        crate::credentials::show,
        crate::credentials::update,
        crate::credentials::delete,
        crate::credentials::rotate,
        crate::credentials::revoke,
        crate::auth::alerts,
        crate::auth::set_alerts,
        crate::webhooks::event_types,
        crate::webhooks::list,
        crate::webhooks::create,
        crate::webhooks::show,
        crate::webhooks::update,
        crate::webhooks::delete,
        crate::webhooks::rotate_secret,
        crate::webhooks::deliveries,
        crate::webhooks::delivery,
        crate::webhooks::redeliver,
        crate::employees::list,
        crate::employees::import,
        crate::documents::list,
        crate::documents::download,
        crate::documents::delete,
        crate::employees::set_picture,
        crate::employees::remove_picture,
        crate::reports::list,
        crate::reports::create,
        crate::reports::columns,
        crate::reports::show,
        crate::reports::update,
        crate::reports::delete,
        crate::users::list,
        crate::users::add,
        crate::users::change,
        crate::users::remove,
        crate::users::user_tokens,
        crate::users::own_tokens,
        crate::users::issue,
        crate::users::revoke,
        crate::recruiting::overview,
        crate::recruiting::switches,
        crate::recruiting::issue_key,
        crate::recruiting::jobs,
        crate::recruiting::create_job,
        crate::recruiting::job,
        crate::recruiting::update_job,
        crate::recruiting::applications,
        crate::recruiting::application,
        crate::recruiting::application_file,
    ),
    modifiers(&TokenScheme, &CatalogFilters, &GlobalLayers, &Flattened, &LinkFields),
    tags(
        (name = "Server", description = "Liveness, and this document"),
        (name = "Account", description = "Who a token belongs to"),
        (name = "Catalog", description = "The Marketplace: integrations, categories, search and filters"),
        (name = "Connections", description = "Connecting integrations: the setup wizard, deactivating, reactivating, disconnecting, and the audit trail"),
        (name = "Sync tracking", description = "A connection's sync runs and their entries (the Tracking tab), and Sync now"),
        (name = "Requests", description = "Demo requests, and requests for integrations the catalog lacks"),
        (name = "Credentials", description = "API credentials for the public API (/v1)"),
        (name = "Webhooks", description = "Endpoints told of events (a connection's status, finished runs, recoveries, staged deprovisions, credentials, requests) as signed Standard Webhooks, their delivery log and redelivery"),
        (name = "Employees", description = "The company's employees, and importing them from a file"),
        (name = "Documents", description = "Employees' documents: list, download, delete (uploads go through the public API)"),
        (name = "Reports", description = "Custom report definitions, and the columns they can hold"),
        (name = "Users and tokens", description = "Who holds the \"Marketplace integrations & API\" right, and personal access tokens"),
        (name = "Recruiting", description = "The recruiting API key and switches, job positions, and the applications received"),
    ),
)]
pub(crate) struct AdminDoc;

/// The `bearer` scheme: personal access tokens.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "A personal access token (rlp_…): from `relais init`, `relais users token` or POST /api/tokens, valid 90 days unless issued for 1 to 365. It acts with its user's right (view or edit) in their company.".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}

/// The catalog's list filters, as the server reads them: each value
/// comma-separated choices in any case, blanks ignored. An `enum` of the
/// choices would refuse what the server takes (`Payroll`, `payroll,`), so
/// a document-driven client or test would be told wrong; the patterns are
/// made from the catalog's own choices so that they cannot drift.
struct CatalogFilters;

/// A pattern matching what a list filter accepts: comma-separated
/// `names`, each in any ASCII case, with white space and empty items around.
fn choices_pattern(names: &[&str]) -> String {
    let alternatives: Vec<String> = names
        .iter()
        .map(|name| {
            name.chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
        .collect();
    let choice = format!(r"(?:(?:{})\s*)?", alternatives.join("|"));
    format!(r"^\s*{choice}(?:,\s*{choice})*$")
}

fn names<T: Named>() -> Vec<&'static str> {
    T::CHOICES.iter().map(|c| c.name()).collect()
}

impl utoipa::Modify for CatalogFilters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let filters = [
            ("kind", names::<IntegrationKind>()),
            ("category", names::<Category>()),
            ("badge", names::<Badge>()),
            ("capability", names::<Capability>()),
            ("pricing", names::<PricingModel>()),
        ];
        let Some(search) = openapi
            .paths
            .paths
            .get_mut("/api/catalog")
            .and_then(|item| item.get.as_mut())
        else {
            return;
        };
        for parameter in search.parameters.iter_mut().flatten() {
            let Some((_, choices)) = filters.iter().find(|(name, _)| *name == parameter.name)
            else {
                continue;
            };
            if parameter.parameter_in != ParameterIn::Query {
                continue;
            }
            let item = ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(choices_pattern(choices)));
            parameter.schema = Some(ArrayBuilder::new().items(item).build().into());
        }
    }
}

/// What the server's global layers (lib.rs) answer on any route: 408 when
/// a request outlives the time-out; on requests with a body, 413 past the
/// size limit and 415 for a body not declared as what the route takes.
struct GlobalLayers;

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

fn add_response(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

impl utoipa::Modify for GlobalLayers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.delete].into_iter().flatten() {
                add_response(operation, "408", TIMEOUT);
            }
            for operation in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                add_response(operation, "408", TIMEOUT);
                add_response(
                    operation,
                    "413",
                    "The body is larger than the server's limit (1 MiB)",
                );
                add_response(
                    operation,
                    "415",
                    "The body is not declared as `Content-Type: application/json` (or another `+json` type)",
                );
            }
        }
    }
}

/// Types a JSON answer flattens into another (`#[serde(flatten)]`, or a
/// tagged enum's newtype variant) appear as members of an `allOf`. A type
/// that refuses unknown fields when it is read (a catalog entry) is
/// sealed with `additionalProperties: false`, which inside an `allOf`
/// would refuse the fields of the other members: the answer has them.
struct Flattened;

/// The names of the component schemas `schema` flattens, at any depth.
fn flattened_into(schema: &RefOr<Schema>, names: &mut Vec<String>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::AllOf(all) => {
            for item in &all.items {
                match item {
                    RefOr::Ref(r) => names.extend(
                        r.ref_location
                            .strip_prefix("#/components/schemas/")
                            .map(str::to_owned),
                    ),
                    RefOr::T(_) => flattened_into(item, names),
                }
            }
        }
        Schema::OneOf(one) => one.items.iter().for_each(|i| flattened_into(i, names)),
        Schema::AnyOf(any) => any.items.iter().for_each(|i| flattened_into(i, names)),
        Schema::Object(object) => object
            .properties
            .values()
            .for_each(|p| flattened_into(p, names)),
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &array.items {
                flattened_into(items, names);
            }
        }
        _ => {}
    }
}

impl utoipa::Modify for Flattened {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let mut names = Vec::new();
        for schema in components.schemas.values() {
            flattened_into(schema, &mut names);
        }
        for name in names {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.additional_properties = None;
            }
        }
    }
}

/// utoipa 5 writes a link's `operationId` in snake case (`operation_id`),
/// which OpenAPI tools do not read: the links that let a client (or a
/// test generator) go from a created resource to its operations would be
/// lost. The field is written under its right name instead.
struct LinkFields;

impl utoipa::Modify for LinkFields {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                for response in operation.responses.responses.values_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    for link in response.links.values_mut() {
                        let RefOr::T(link) = link else { continue };
                        if link.operation_id.is_empty() {
                            continue;
                        }
                        let id = std::mem::take(&mut link.operation_id);
                        link.extensions
                            .get_or_insert_with(Default::default)
                            .insert("operationId".to_owned(), id.into());
                    }
                }
            }
        }
    }
}

const TIMEOUT: &str =
    "The request took longer than the server's time-out (`--request-timeout`, 30 s by default)";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use relais_catalog::{CatalogQuery, PricingModel};

    use super::{choices_pattern, names};

    fn agree(text: &str) -> Result<(), TestCaseError> {
        let pattern = regex_lite::Regex::new(&choices_pattern(&names::<PricingModel>()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let by_server = CatalogQuery::from_pairs([("pricing", text)]).is_ok();
        prop_assert_eq!(pattern.is_match(text), by_server, "{:?}", text);
        Ok(())
    }

    #[test]
    fn a_filter_pattern_takes_what_the_catalog_query_takes() {
        for text in [
            "",
            ",",
            "free",
            "FREE",
            " paid , on_request ",
            "free,,paid",
            "fre",
            "free;",
            "freex",
            "free paid",
            "on request",
        ] {
            agree(text).unwrap();
        }
    }

    proptest! {
        #[test]
        fn any_filter_value_is_judged_alike(text in "[a-zA-Z_, ]{0,24}|(free|paid|on_request|[ ,]){0,6}") {
            agree(&text)?;
        }
    }
}
