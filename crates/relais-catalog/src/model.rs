//! The catalog's types and their JSON form.
//!
//! Every struct refuses unknown fields so that a typo in an operator's catalog
//! file is an error naming the field, not a silently ignored setting.

use relais_access::ApiPermission;
use serde::{Deserialize, Serialize};

use crate::CatalogError;

/// The version of the catalog file format this crate reads.
pub const FORMAT_VERSION: u32 = 1;

/// A catalog file: a format version and the integrations.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogFile {
    pub version: u32,
    pub integrations: Vec<Integration>,
}

impl CatalogFile {
    pub(crate) fn parse(source: &str, text: &str) -> Result<Self, CatalogError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let file: Self = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            CatalogError::Parse {
                source_name: source.to_owned(),
                path: if path == "." {
                    "(document)".to_owned()
                } else {
                    path
                },
                message: inner.to_string(),
            }
        })?;
        if file.version != FORMAT_VERSION {
            return Err(CatalogError::Parse {
                source_name: source.to_owned(),
                path: "version".to_owned(),
                message: format!(
                    "format version {} is not supported (this Relais reads version {FORMAT_VERSION})",
                    file.version
                ),
            });
        }
        Ok(file)
    }

    pub(crate) fn render(integrations: &[Integration]) -> Result<String, CatalogError> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            version: u32,
            integrations: &'a [Integration],
        }
        serde_json::to_string_pretty(&Borrowed {
            version: FORMAT_VERSION,
            integrations,
        })
        .map_err(|e| CatalogError::Render(e.to_string()))
    }
}

/// One integration of the Marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Integration {
    /// Stable identifier used in URLs and references: lower-case letters,
    /// digits and single dashes, e.g. `slack`.
    pub slug: String,
    /// Display name, e.g. "Slack".
    pub name: String,
    /// One sentence for the catalog's tiles.
    pub short_description: String,
    /// The integration page's text (Markdown).
    pub long_description: String,
    /// Who built it: the platform, or a partner with its badge and support.
    pub built_by: BuiltBy,
    /// The categories it is listed under (at least one).
    pub categories: Vec<Category>,
    /// How to set it up (Markdown), shown on the integration page.
    pub setup_instructions: String,
    /// The public-API access it needs once connected.
    #[serde(default)]
    pub permissions: Vec<ApiPermission>,
    /// What it costs.
    pub pricing: Pricing,
    /// Side panel: who develops it.
    pub developer: Developer,
    /// Optional features it offers.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The setup wizard a user walks through to connect it.
    pub wizard: WizardDefinition,
}

impl Integration {
    /// Built by the platform or by a partner.
    #[must_use]
    pub fn kind(&self) -> IntegrationKind {
        match self.built_by {
            BuiltBy::Platform => IntegrationKind::Platform,
            BuiltBy::Partner { .. } => IntegrationKind::Partner,
        }
    }

    /// The partner's badge, for partner integrations.
    #[must_use]
    pub fn badge(&self) -> Option<Badge> {
        match &self.built_by {
            BuiltBy::Platform => None,
            BuiltBy::Partner { badge, .. } => Some(*badge),
        }
    }

    /// The partner's name, for partner integrations.
    #[must_use]
    pub fn partner(&self) -> Option<&str> {
        match &self.built_by {
            BuiltBy::Platform => None,
            BuiltBy::Partner { partner, .. } => Some(partner),
        }
    }

    /// Where a user gets help with this integration (side panel).
    #[must_use]
    pub fn support(&self) -> Support<'_> {
        match &self.built_by {
            BuiltBy::Platform => Support::HelpAndFeedback,
            BuiltBy::Partner { support, .. } => Support::Partner(support),
        }
    }
}

/// Who built an integration. Support follows from it: the platform supports
/// its own integrations through "Help & feedback"; it does not support
/// partner-built ones, whose support is the partner's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BuiltBy {
    /// Built and supported by the HR platform.
    Platform,
    /// Built and supported by a partner.
    Partner {
        /// The partner company's name.
        partner: String,
        /// The partnership level.
        badge: Badge,
        /// The partner's support channels.
        support: PartnerSupport,
    },
}

/// The two kinds of integrations, as a filter sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegrationKind {
    /// Built by the platform.
    Platform,
    /// Built by a partner.
    Partner,
}

impl IntegrationKind {
    /// Both kinds.
    pub const ALL: [Self; 2] = [Self::Platform, Self::Partner];
}

/// A partner's partnership level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// Select partner.
    Select,
    /// Elite partner.
    Elite,
    /// Premier partner, the highest level.
    Premier,
}

impl Badge {
    /// Every badge, lowest level first.
    pub const ALL: [Self; 3] = [Self::Select, Self::Elite, Self::Premier];
}

/// A partner's support channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerSupport {
    /// The partner's support page (http or https).
    pub url: String,
    /// The partner's support e-mail address.
    pub email: String,
}

/// Where a user gets help with an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum Support<'a> {
    /// The platform's own "Help & feedback".
    HelpAndFeedback,
    /// The partner's support page and e-mail.
    Partner(&'a PartnerSupport),
}

/// A Marketplace category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Identity & access management: directories, single sign-on, provisioning.
    IdentityAccess,
    /// Team communication: chat and collaboration tools.
    TeamCommunication,
    /// Payroll.
    Payroll,
    /// Recruiting and applicant tracking.
    Recruiting,
    /// Learning and training.
    Learning,
    /// Performance and engagement.
    Performance,
    /// Time tracking and scheduling.
    TimeTracking,
    /// Business intelligence and reporting.
    BiReporting,
    /// Expenses and travel.
    Expenses,
    /// Benefits and rewards.
    Benefits,
    /// Accounting and finance.
    Accounting,
    /// Productivity and workflow automation.
    Productivity,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Self; 12] = [
        Self::IdentityAccess,
        Self::TeamCommunication,
        Self::Payroll,
        Self::Recruiting,
        Self::Learning,
        Self::Performance,
        Self::TimeTracking,
        Self::BiReporting,
        Self::Expenses,
        Self::Benefits,
        Self::Accounting,
        Self::Productivity,
    ];

    /// The wire name, e.g. `identity_access`.
    #[must_use]
    pub fn id(self) -> &'static str {
        crate::Named::name(self)
    }

    /// The English display name, e.g. "Identity & access".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::IdentityAccess => "Identity & access",
            Self::TeamCommunication => "Team communication",
            Self::Payroll => "Payroll",
            Self::Recruiting => "Recruiting",
            Self::Learning => "Learning",
            Self::Performance => "Performance",
            Self::TimeTracking => "Time tracking",
            Self::BiReporting => "BI & reporting",
            Self::Expenses => "Expenses",
            Self::Benefits => "Benefits",
            Self::Accounting => "Accounting",
            Self::Productivity => "Productivity",
        }
    }

    /// Whether integrations of this category may offer sync tracking
    /// (identity & access and team communication only, as on the platform).
    #[must_use]
    pub const fn allows_sync_tracking(self) -> bool {
        matches!(self, Self::IdentityAccess | Self::TeamCommunication)
    }
}

/// What an integration costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pricing {
    /// Free of charge.
    Free,
    /// Included in the platform subscription.
    Included,
    /// Paid to the vendor.
    Paid {
        /// Price in minor units of the currency (cents), per unit and period.
        amount_minor: u64,
        /// ISO 4217 currency code, e.g. `EUR`.
        currency: String,
        /// What the price is counted by.
        unit: PriceUnit,
        /// How often it is charged.
        period: PricePeriod,
    },
    /// Priced by the vendor on request.
    OnRequest,
}

impl Pricing {
    /// The pricing model, as a filter sees it.
    #[must_use]
    pub fn model(&self) -> PricingModel {
        match self {
            Self::Free => PricingModel::Free,
            Self::Included => PricingModel::Included,
            Self::Paid { .. } => PricingModel::Paid,
            Self::OnRequest => PricingModel::OnRequest,
        }
    }

    /// A short human summary, e.g. "4.50 EUR per employee / month".
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Self::Free => "Free".to_owned(),
            Self::Included => "Included".to_owned(),
            Self::OnRequest => "On request".to_owned(),
            Self::Paid {
                amount_minor,
                currency,
                unit,
                period,
            } => {
                let unit = match unit {
                    PriceUnit::Employee => " per employee",
                    PriceUnit::Company => "",
                };
                let period = match period {
                    PricePeriod::Month => " / month",
                    PricePeriod::Year => " / year",
                    PricePeriod::OneTime => " once",
                };
                format!(
                    "{}.{:02} {currency}{unit}{period}",
                    amount_minor / 100,
                    amount_minor % 100
                )
            }
        }
    }
}

/// The four pricing models, as a filter sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PricingModel {
    /// Free of charge.
    Free,
    /// Included in the subscription.
    Included,
    /// Paid.
    Paid,
    /// On request.
    OnRequest,
}

impl PricingModel {
    /// Every pricing model.
    pub const ALL: [Self; 4] = [Self::Free, Self::Included, Self::Paid, Self::OnRequest];
}

/// What a paid price is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceUnit {
    /// Per employee of the company.
    Employee,
    /// A flat price for the company.
    Company,
}

/// How often a paid price is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PricePeriod {
    /// Monthly.
    Month,
    /// Yearly.
    Year,
    /// Once.
    OneTime,
}

/// Side panel: who develops an integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Developer {
    /// The developer's name.
    pub name: String,
    /// The developer's website (http or https).
    pub website: String,
    /// The developer's privacy policy (http or https).
    pub privacy_policy_url: String,
}

/// Optional features of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Its recurring syncs can be followed in the Tracking tab.
    #[serde(default)]
    pub sync_tracking: bool,
    /// A demo can be requested before connecting.
    #[serde(default)]
    pub demo: bool,
}

/// One capability, as a filter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Sync tracking is available.
    SyncTracking,
    /// A demo can be requested.
    Demo,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Self; 2] = [Self::SyncTracking, Self::Demo];

    /// Whether `capabilities` has this one.
    #[must_use]
    pub fn in_(self, capabilities: Capabilities) -> bool {
        match self {
            Self::SyncTracking => capabilities.sync_tracking,
            Self::Demo => capabilities.demo,
        }
    }
}

/// The setup wizard of an integration: ordered steps of typed fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WizardDefinition {
    /// Does connecting need the partner's activation before the connection is
    /// live? (Partner integrations only; the connection stays Pending until then.)
    #[serde(default)]
    pub needs_partner_activation: bool,
    /// The steps, in order (at least one).
    pub steps: Vec<WizardStep>,
}

/// One step of a setup wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WizardStep {
    /// Identifier within the wizard, e.g. `credentials`.
    pub id: String,
    /// Heading shown to the user.
    pub title: String,
    /// Explanation shown under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fields, in order (a step may have none: an information step).
    #[serde(default)]
    pub fields: Vec<WizardField>,
}

/// One field of a wizard step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WizardField {
    /// Key of the answer, unique within the whole wizard, e.g. `api_token`.
    pub key: String,
    /// Label shown to the user.
    pub label: String,
    /// Help text shown under the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What kind of input it is.
    pub input: FieldInput,
    /// Whether the step cannot be submitted without it (for a checkbox: it must be ticked).
    #[serde(default)]
    pub required: bool,
    /// Extra rules for text and secret fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

/// The kind of input of a wizard field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldInput {
    /// Free text.
    Text,
    /// A secret (API key, password): encrypted at rest, never shown again.
    Secret,
    /// An http or https URL.
    Url,
    /// One value out of a list.
    Select {
        /// The choices, in display order.
        options: Vec<SelectOption>,
    },
    /// Yes or no.
    Checkbox,
}

/// One choice of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SelectOption {
    /// The stored value.
    pub value: String,
    /// What the user sees.
    pub label: String,
}

/// Extra rules for a text or secret field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Fewest characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A regular expression the whole value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}
