//! The wire of `/v1`, the public API, in the modelled HRIS's shapes.
//!
//! Answers borrow the domain values the use cases return and serialise
//! straight from them: an employee page of 100 is written without building
//! one map per attribute first.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use relais_app::public_api::{
    AbsenceContext, Absences, Attendances, AttributeSelection, PageInfo, TimeOffTypes,
};
use relais_people::{
    AbsencePeriod as DomainAbsencePeriod, Attendance, AttributeKind, CostCenterShare,
    CustomAttribute, DocumentCategory as DomainDocumentCategory, Employee as DomainEmployee,
    EmployeeId, OrgUnit, Project, StandardAttribute, TimeOff, TimeOffType as DomainTimeOffType,
    TimeOffUnit,
};
use relais_reports::DataType;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

// ----- Envelopes ------------------------------------------------------------

/// `{"success": true, "data": …}`: an answer holding one thing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success<T> {
    /// Always `true`.
    pub success: bool,
    /// The answer.
    pub data: T,
}

impl<T> Success<T> {
    /// Wraps `data`.
    pub const fn new(data: T) -> Self {
        Self {
            success: true,
            data,
        }
    }
}

/// A page of a list, with where it lies in the whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// Always `true`.
    pub success: bool,
    /// Where the page lies.
    pub metadata: PageMetadata,
    /// The `offset` the page was asked with (items, or the page number where
    /// the endpoint counts pages).
    pub offset: u64,
    /// The page size.
    pub limit: u64,
    /// The items.
    pub data: Vec<T>,
}

impl<T> Page<T> {
    /// Wraps `data`.
    #[must_use]
    pub fn new(data: Vec<T>, page: PageInfo) -> Self {
        Self {
            success: true,
            metadata: PageMetadata {
                total_elements: page.total,
                current_page: page.current_page,
                total_pages: page.total.div_ceil(page.limit.max(1)),
            },
            offset: page.offset,
            limit: page.limit,
            data,
        }
    }
}

/// Paging metadata.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"total_elements": 10000, "current_page": 3, "total_pages": 100}))]
pub struct PageMetadata {
    /// Items in the whole list.
    pub total_elements: u64,
    /// This page's number.
    pub current_page: u64,
    /// Pages in the whole list.
    pub total_pages: u64,
}

/// `{"success": false, "error": {"code", "message"}}`: every error of `/v1`
/// except the Custom Reports API's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"success": false, "error": {"code": 403, "message": "this credential lacks the scope employees:read; grant it under Settings > Integrations > API credentials"}}))]
pub struct ErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    /// What went wrong.
    pub error: ErrorDetail,
}

impl ErrorEnvelope {
    /// An error answer with `status` as its code.
    #[must_use]
    pub fn new(status: u16, message: String) -> Self {
        Self {
            success: false,
            error: ErrorDetail {
                code: status,
                message,
            },
        }
    }
}

/// The error of an [`ErrorEnvelope`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, for people.
    pub message: String,
}

/// An error answer of a Custom Reports operation: the API's own list of
/// exceptions, or, when the request did not reach it (no valid token, over
/// the budget), the envelope of the rest of `/v1`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ReportsError {
    /// From the Custom Reports API.
    Exceptions(Vec<ReportsException>),
    /// From authentication or throttling.
    Envelope(ErrorEnvelope),
}

/// An error of the Custom Reports API: a list of exceptions, as the modelled
/// HRIS answers there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportsException {
    /// The HTTP status.
    pub status: u16,
    /// An id to find the request in the server log.
    pub trace_id: String,
    /// When it happened, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// What went wrong.
    pub errors: Vec<ReportsErrorItem>,
}

/// One error of a [`ReportsException`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportsErrorItem {
    /// The status's reason phrase.
    pub title: String,
    /// What went wrong, for people.
    pub details: String,
    /// `validation`, `authorization`, `search` or `server`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always empty.
    #[serde(rename = "_meta")]
    #[schema(value_type = Vec<Object>)]
    pub meta: Vec<serde_json::Value>,
}

// ----- Authentication -------------------------------------------------------

/// `POST /v1/auth`, as JSON or form fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"client_id": "rlc_d51ce30a7613a6c8", "client_secret": "rls_f7135c4a71fee2fa364e3cc3f7125a24181eeabb385a6959a5e074c6f3f38109"}))]
pub struct AuthRequest {
    /// The credential's client id.
    #[schema(max_length = 200)]
    pub client_id: String,
    /// The credential's client secret.
    #[schema(max_length = 200)]
    pub client_secret: String,
}

/// The answer of `POST /v1/auth`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"token": "rlt_b8056b95c6e51c9a_0d4c…", "expires_in": 86400, "scope": "employees:read absences:read"}))]
pub struct AuthToken {
    /// The bearer token for `/v1/company/...`.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The credential's scopes, space-separated.
    pub scope: String,
}

impl From<relais_app::public_api::AuthToken> for AuthToken {
    fn from(t: relais_app::public_api::AuthToken) -> Self {
        Self {
            token: t.token,
            expires_in: t.expires_in,
            scope: t.scope,
        }
    }
}

// ----- Employees ------------------------------------------------------------

/// The type tag of an employee attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    /// Text or an object.
    Standard,
    /// A date, `YYYY-MM-DDT00:00:00+00:00`.
    Date,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// One of a list of options.
    List,
}

impl From<AttributeKind> for AttributeType {
    fn from(kind: AttributeKind) -> Self {
        match kind {
            AttributeKind::Standard => Self::Standard,
            AttributeKind::Date => Self::Date,
            AttributeKind::Integer => Self::Integer,
            AttributeKind::Decimal => Self::Decimal,
            AttributeKind::List => Self::List,
        }
    }
}

/// One attribute of an employee: its label, value and type.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"label": "First name", "value": "Ana", "type": "standard", "universal_id": "first_name"}))]
pub struct Attribute<'a> {
    /// The label people read.
    pub label: &'a str,
    /// The value: text, a number, an object (office, department, team,
    /// supervisor), a list (cost centres), or `null`.
    #[schema(value_type = Value)]
    pub value: AttributeValue<'a>,
    /// The type tag.
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// The attribute's key for standard attributes; `null` for custom ones.
    pub universal_id: Option<&'a str>,
}

/// An attribute's value, borrowed from the employee.
#[derive(Debug, Clone)]
pub enum AttributeValue<'a> {
    /// No value.
    Null,
    /// A whole number.
    Integer(i64),
    /// Text.
    Text(&'a str),
    /// Text made for the answer.
    Owned(String),
    /// A date, as `YYYY-MM-DDT00:00:00+00:00`.
    Date(NaiveDate),
    /// An instant, as `YYYY-MM-DDTHH:MM:SS+00:00`.
    Instant(DateTime<Utc>),
    /// An office, department or team: `{"type", "attributes": {"id", "name"}}`.
    Unit(&'static str, &'a OrgUnit),
    /// A supervisor: an employee holding only its id.
    Supervisor(EmployeeId),
    /// Cost centres and shares.
    CostCenters(&'a [CostCenterShare]),
}

/// An instant in one of the modelled HRIS's formats, which differ by
/// endpoint: written straight to the answer, without a `String` first.
#[derive(Debug, Clone, Copy)]
pub struct Instant {
    at: DateTime<Utc>,
    format: &'static str,
}

impl Instant {
    /// `YYYY-MM-DDTHH:MM:SS+0000`, as in absences.
    #[must_use]
    pub const fn absence(at: DateTime<Utc>) -> Self {
        Self {
            at,
            format: "%Y-%m-%dT%H:%M:%S+0000",
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS+00:00`, as in attendances and employee attributes.
    #[must_use]
    pub const fn offset(at: DateTime<Utc>) -> Self {
        Self {
            at,
            format: "%Y-%m-%dT%H:%M:%S+00:00",
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as in Custom Reports.
    #[must_use]
    pub const fn zulu(at: DateTime<Utc>) -> Self {
        Self {
            at,
            format: "%Y-%m-%dT%H:%M:%SZ",
        }
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.at.format(self.format))
    }
}

impl Serialize for AttributeValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_none(),
            Self::Integer(n) => s.serialize_i64(*n),
            Self::Text(t) => s.serialize_str(t),
            Self::Owned(t) => s.serialize_str(t),
            Self::Date(d) => s.collect_str(&format_args!("{d}T00:00:00+00:00")),
            Self::Instant(t) => Instant::offset(*t).serialize(s),
            Self::Unit(kind, unit) => Typed {
                kind,
                attributes: UnitAttributes {
                    id: unit.id,
                    name: &unit.name,
                },
            }
            .serialize(s),
            Self::Supervisor(id) => Typed {
                kind: "Employee",
                attributes: IdOnly(*id),
            }
            .serialize(s),
            Self::CostCenters(centers) => {
                let mut seq = s.serialize_seq(Some(centers.len()))?;
                for c in *centers {
                    seq.serialize_element(&Typed {
                        kind: "CostCenter",
                        attributes: CostCenterAttributes {
                            id: c.id,
                            name: &c.name,
                            percentage: c.percentage,
                        },
                    })?;
                }
                seq.end()
            }
        }
    }
}

/// `{"type": …, "attributes": …}`, the modelled HRIS's object shape.
#[derive(Debug, Serialize)]
struct Typed<'a, A> {
    #[serde(rename = "type")]
    kind: &'a str,
    attributes: A,
}

#[derive(Debug, Serialize)]
struct UnitAttributes<'a> {
    id: i64,
    name: &'a str,
}

#[derive(Debug, Serialize)]
struct CostCenterAttributes<'a> {
    id: i64,
    name: &'a str,
    percentage: u8,
}

/// The attributes of an employee known only by id.
#[derive(Debug)]
struct IdOnly(EmployeeId);

impl Serialize for IdOnly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("id", &id_attribute(self.0))?;
        map.end()
    }
}

fn id_attribute(id: EmployeeId) -> Attribute<'static> {
    Attribute {
        label: StandardAttribute::Id.label(),
        value: AttributeValue::Integer(id),
        kind: AttributeType::Integer,
        universal_id: Some("id"),
    }
}

/// A standard attribute's value for `employee`. Equal to
/// [`StandardAttribute::value`] (a test holds them together), without the
/// `Value` tree.
#[must_use]
pub fn standard_value(attribute: StandardAttribute, e: &DomainEmployee) -> AttributeValue<'_> {
    use AttributeValue as V;
    match attribute {
        StandardAttribute::Id => V::Integer(e.id),
        StandardAttribute::FirstName => V::Text(&e.first_name),
        StandardAttribute::LastName => V::Text(&e.last_name),
        StandardAttribute::PreferredName => e.preferred_name.as_deref().map_or_else(
            || V::Owned(format!("{} {}", e.first_name, e.last_name)),
            V::Text,
        ),
        StandardAttribute::Email => V::Text(&e.email),
        StandardAttribute::Gender => V::Text(e.gender.as_str()),
        StandardAttribute::Status => V::Text(e.status.as_str()),
        StandardAttribute::Position => V::Text(&e.position),
        StandardAttribute::Supervisor => e.supervisor_id.map_or(V::Null, V::Supervisor),
        StandardAttribute::EmploymentType => V::Text(e.employment_type.as_str()),
        StandardAttribute::WeeklyWorkingHours => {
            V::Owned(relais_people::format_hours(e.weekly_working_hours))
        }
        StandardAttribute::HireDate => V::Date(e.hire_date),
        StandardAttribute::TerminationDate => e.termination_date.map_or(V::Null, V::Date),
        StandardAttribute::CreatedAt => V::Instant(e.created_at),
        StandardAttribute::LastModifiedAt => V::Instant(e.last_modified_at),
        StandardAttribute::Office => unit("Office", e.office.as_ref()),
        StandardAttribute::Department => unit("Department", e.department.as_ref()),
        StandardAttribute::Team => unit("Team", e.team.as_ref()),
        StandardAttribute::CostCenters => V::CostCenters(&e.cost_centers),
        StandardAttribute::ProfilePicture => {
            relais_people::profile_picture_path(e).map_or(V::Null, V::Owned)
        }
    }
}

fn unit<'a>(kind: &'static str, unit: Option<&'a OrgUnit>) -> AttributeValue<'a> {
    unit.map_or(AttributeValue::Null, |u| AttributeValue::Unit(kind, u))
}

/// An employee: `{"type": "Employee", "attributes": {key: Attribute}}`,
/// holding the attributes of the selection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Employee<'a> {
    /// Always `Employee`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^Employee$")]
    pub kind: &'static str,
    /// The attributes the credential may read (and asked for), by key;
    /// `id` always.
    pub attributes: EmployeeAttributes<'a>,
}

impl<'a> Employee<'a> {
    /// `employee` with the attributes of `selection`.
    #[must_use]
    pub fn new(employee: &'a DomainEmployee, selection: &'a AttributeSelection) -> Self {
        Self {
            kind: "Employee",
            attributes: EmployeeAttributes {
                employee: Known::Found(employee),
                selection,
            },
        }
    }

    /// The employee `id` from `employees`, or one showing only its id when it
    /// is not there.
    #[must_use]
    pub fn embedded(
        id: EmployeeId,
        employees: &'a HashMap<EmployeeId, DomainEmployee>,
        selection: &'a AttributeSelection,
    ) -> Self {
        Self {
            kind: "Employee",
            attributes: EmployeeAttributes {
                employee: employees.get(&id).map_or(Known::IdOnly(id), Known::Found),
                selection,
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Known<'a> {
    Found(&'a DomainEmployee),
    IdOnly(EmployeeId),
}

/// The attributes of an [`Employee`], written as a map in the API's order.
#[derive(Debug)]
pub struct EmployeeAttributes<'a> {
    employee: Known<'a>,
    selection: &'a AttributeSelection,
}

impl Serialize for EmployeeAttributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = match self.employee {
            Known::IdOnly(id) => return IdOnly(id).serialize(s),
            Known::Found(e) => e,
        };
        let selection = self.selection;
        let mut map = s.serialize_map(Some(selection.standard.len() + selection.custom.len()))?;
        for &standard in &selection.standard {
            let key = standard.key();
            map.serialize_entry(
                key,
                &Attribute {
                    label: standard.label(),
                    value: standard_value(standard, e),
                    kind: standard.kind().into(),
                    universal_id: Some(key),
                },
            )?;
        }
        for (key, definition) in &selection.custom {
            let value = e
                .custom
                .get(key)
                .map_or(AttributeValue::Null, |v| AttributeValue::Text(v));
            map.serialize_entry(
                key,
                &Attribute {
                    label: &definition.label,
                    value,
                    kind: definition.kind.into(),
                    universal_id: None,
                },
            )?;
        }
        map.end()
    }
}

impl PartialSchema for EmployeeAttributes<'_> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "The employee's attributes by key (`first_name`, `dynamic_12`, …): the ones the credential may read and, with `attributes[]`, asked for. `id` is always there.",
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::Ref(
                utoipa::openapi::Ref::from_schema_name("Attribute"),
            ))))
            .into()
    }
}

impl ToSchema for EmployeeAttributes<'_> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EmployeeAttributes")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("Attribute".into(), Attribute::schema()));
        schemas.push(("AttributeType".into(), AttributeType::schema()));
    }
}

/// An attribute a credential may read, from
/// `GET /v1/company/employees/attributes`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "dynamic_12", "label": "T-shirt size", "type": "list", "universal_id": null, "options": ["S", "M", "L"]}))]
pub struct AttributeDefinition<'a> {
    /// The key in an employee's `attributes`.
    pub key: Cow<'a, str>,
    /// The label people read.
    pub label: &'a str,
    /// The type tag.
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// The key for standard attributes; `null` for custom ones.
    pub universal_id: Option<&'a str>,
    /// The allowed values of a list attribute.
    pub options: &'a [String],
}

/// The attributes of a selection, standard ones first.
#[must_use]
pub fn attribute_definitions(selection: &AttributeSelection) -> Vec<AttributeDefinition<'_>> {
    let standard = selection.standard.iter().map(|a| AttributeDefinition {
        key: Cow::Borrowed(a.key()),
        label: a.label(),
        kind: a.kind().into(),
        universal_id: Some(a.key()),
        options: &[],
    });
    let custom = selection
        .custom
        .iter()
        .map(|(key, c): &(String, CustomAttribute)| AttributeDefinition {
            key: Cow::Borrowed(key),
            label: &c.label,
            kind: c.kind.into(),
            universal_id: None,
            options: &c.options,
        });
    standard.chain(custom).collect()
}

/// A page of employees.
#[must_use]
pub fn employee_page<'a>(
    employees: &'a [DomainEmployee],
    selection: &'a AttributeSelection,
    page: PageInfo,
) -> Page<Employee<'a>> {
    Page::new(
        employees
            .iter()
            .map(|e| Employee::new(e, selection))
            .collect(),
        page,
    )
}

// ----- Absences -------------------------------------------------------------

/// `{"status": "not-required"}`: absences need no certificate here.
#[derive(Debug, Serialize, ToSchema)]
pub struct Certificate {
    /// Always `not-required`.
    pub status: &'static str,
}

const NO_CERTIFICATE: Certificate = Certificate {
    status: "not-required",
};

/// A day absence, `TimeOffPeriod`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffPeriod<'a> {
    /// Always `TimeOffPeriod`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^TimeOffPeriod$")]
    pub kind: &'static str,
    /// Its attributes.
    pub attributes: TimeOffPeriodAttributes<'a>,
}

/// The attributes of a [`TimeOffPeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffPeriodAttributes<'a> {
    /// Id.
    pub id: i64,
    /// `approved`, `requested` or `rejected`.
    pub status: &'a str,
    /// First day, `YYYY-MM-DDT00:00:00+0000`.
    #[schema(value_type = String)]
    pub start_date: AbsenceDate,
    /// Last day, `YYYY-MM-DDT00:00:00+0000`.
    #[schema(value_type = String)]
    pub end_date: AbsenceDate,
    /// Working days taken (halves count 0.5).
    pub days_count: f64,
    /// Whether the first day is a half day.
    pub half_day_start: bool,
    /// Whether the last day is a half day.
    pub half_day_end: bool,
    /// The absence type.
    pub time_off_type: TimeOffTypeRef<'a>,
    /// The employee: id, names and e-mail, as the whitelist allows.
    pub employee: Employee<'a>,
    /// Comment, empty for none.
    pub comment: &'a str,
    /// The certificate.
    pub certificate: Certificate,
    /// Always `API`.
    pub created_by: &'static str,
    /// `YYYY-MM-DDTHH:MM:SS+0000`.
    #[schema(value_type = String)]
    pub created_at: Instant,
    /// `YYYY-MM-DDTHH:MM:SS+0000`.
    #[schema(value_type = String)]
    pub updated_at: Instant,
}

/// A date with a numeric offset without a colon, as the modelled HRIS
/// writes them in absences.
#[derive(Debug, Clone, Copy)]
pub struct AbsenceDate(pub NaiveDate);

impl Serialize for AbsenceDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}T00:00:00+0000", self.0))
    }
}

/// The absence type inside a [`TimeOffPeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffTypeRef<'a> {
    /// Always `TimeOffType`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Id, name and category.
    pub attributes: TimeOffTypeRefAttributes<'a>,
}

/// The attributes of a [`TimeOffTypeRef`].
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffTypeRefAttributes<'a> {
    /// Id.
    pub id: i64,
    /// Name, empty when the type is gone.
    pub name: &'a str,
    /// Category (`paid_vacation`, `sick_leave`, …), `null` when the type is gone.
    #[schema(value_type = Option<String>)]
    pub category: Option<relais_people::TimeOffCategory>,
}

fn time_off_type_ref(types: &[DomainTimeOffType], id: i64) -> TimeOffTypeRef<'_> {
    let found = types.iter().find(|t| t.id == id);
    TimeOffTypeRef {
        kind: "TimeOffType",
        attributes: TimeOffTypeRefAttributes {
            id,
            name: found.map_or("", |t| t.name.as_str()),
            category: found.map(|t| t.category),
        },
    }
}

/// A day absence with what it embeds.
#[must_use]
pub fn time_off_period<'a>(t: &'a TimeOff, context: &'a AbsenceContext) -> TimeOffPeriod<'a> {
    TimeOffPeriod {
        kind: "TimeOffPeriod",
        attributes: TimeOffPeriodAttributes {
            id: t.id,
            status: t.status.as_str(),
            start_date: AbsenceDate(t.start_date),
            end_date: AbsenceDate(t.end_date),
            days_count: t.days_count,
            half_day_start: t.half_day_start,
            half_day_end: t.half_day_end,
            time_off_type: time_off_type_ref(&context.reference.time_off_types, t.time_off_type_id),
            employee: Employee::embedded(
                t.employee_id,
                &context.employees,
                &context.employee_attributes,
            ),
            comment: t.comment.as_deref().unwrap_or_default(),
            certificate: NO_CERTIFICATE,
            created_by: "API",
            created_at: Instant::absence(t.created_at),
            updated_at: Instant::absence(t.updated_at),
        },
    }
}

/// A page of day absences.
#[must_use]
pub fn time_off_page(absences: &Absences<TimeOff>) -> Page<TimeOffPeriod<'_>> {
    Page::new(
        absences
            .rows
            .iter()
            .map(|t| time_off_period(t, &absences.context))
            .collect(),
        absences.page,
    )
}

/// An hour absence, `AbsencePeriod`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsencePeriod<'a> {
    /// Always `AbsencePeriod`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^AbsencePeriod$")]
    pub kind: &'static str,
    /// Its attributes.
    pub attributes: AbsencePeriodAttributes<'a>,
}

/// The attributes of an [`AbsencePeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsencePeriodAttributes<'a> {
    /// Id, a UUID.
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// Always `hour`.
    pub measurement_unit: &'static str,
    /// Minutes.
    pub effective_duration: i64,
    /// The employee: id, names and e-mail, as the whitelist allows.
    pub employee: Employee<'a>,
    /// The absence type.
    pub absence_type: AbsenceTypeRef<'a>,
    /// The certificate.
    pub certificate: Certificate,
    /// Start, `YYYY-MM-DDTHH:MM:SS.0Z`.
    pub start: String,
    /// End, `YYYY-MM-DDTHH:MM:SS.0Z`.
    pub end: String,
    /// Always `false`.
    pub half_day_start: bool,
    /// Always `false`.
    pub half_day_end: bool,
    /// Comment, empty for none.
    pub comment: &'a str,
    /// Always `api`.
    pub origin: &'static str,
    /// `approved`, `requested` or `rejected`.
    pub status: &'a str,
    /// Always `UTC`.
    pub timezone: &'static str,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// RFC 3339.
    pub approved_at: String,
    /// Minutes per day.
    pub breakdowns: Vec<Breakdown>,
}

/// The absence type inside an [`AbsencePeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceTypeRef<'a> {
    /// Always `AbsenceType`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Id (a UUID), name, and the time-off type id.
    pub attributes: AbsenceTypeRefAttributes<'a>,
}

/// The attributes of an [`AbsenceTypeRef`].
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceTypeRefAttributes<'a> {
    /// The type's id in UUID form.
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// Name, empty when the type is gone.
    pub name: &'a str,
    /// The time-off type's id.
    pub time_off_type_id: i64,
}

/// Minutes of one day of an [`AbsencePeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct Breakdown {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Minutes.
    pub effective_duration: i64,
}

/// An hour absence with what it embeds.
#[must_use]
pub fn absence_period<'a>(
    p: &'a DomainAbsencePeriod,
    context: &'a AbsenceContext,
) -> AbsencePeriod<'a> {
    let name = context
        .reference
        .time_off_types
        .iter()
        .find(|t| t.id == p.time_off_type_id)
        .map_or("", |t| t.name.as_str());
    let minutes = p.minutes();
    AbsencePeriod {
        kind: "AbsencePeriod",
        attributes: AbsencePeriodAttributes {
            id: p.id,
            measurement_unit: "hour",
            effective_duration: minutes,
            employee: Employee::embedded(
                p.employee_id,
                &context.employees,
                &context.employee_attributes,
            ),
            // The modelled HRIS identifies absence types by UUID; ours are
            // small integers, written in UUID form.
            absence_type: AbsenceTypeRef {
                kind: "AbsenceType",
                attributes: AbsenceTypeRefAttributes {
                    id: uuid::Uuid::from_u128(u128::from(p.time_off_type_id.unsigned_abs())),
                    name,
                    time_off_type_id: p.time_off_type_id,
                },
            },
            certificate: NO_CERTIFICATE,
            start: p.start.format("%Y-%m-%dT%H:%M:%S.0Z").to_string(),
            end: p.end.format("%Y-%m-%dT%H:%M:%S.0Z").to_string(),
            half_day_start: false,
            half_day_end: false,
            comment: p.comment.as_deref().unwrap_or_default(),
            origin: "api",
            status: p.status.as_str(),
            timezone: "UTC",
            created_at: p.created_at.to_rfc3339(),
            updated_at: p.updated_at.to_rfc3339(),
            approved_at: p.updated_at.to_rfc3339(),
            breakdowns: breakdowns(p),
        },
    }
}

/// The minutes of an hour absence on each day it touches.
fn breakdowns(p: &DomainAbsencePeriod) -> Vec<Breakdown> {
    p.start
        .date()
        .iter_days()
        .map_while(|day| {
            let from = day.and_time(chrono::NaiveTime::MIN);
            let to = from + chrono::Duration::days(1);
            (from < p.end).then(|| Breakdown {
                date: day.to_string(),
                effective_duration: (p.end.min(to) - p.start.max(from)).num_minutes(),
            })
        })
        .collect()
}

/// A page of hour absences.
#[must_use]
pub fn absence_period_page(absences: &Absences<DomainAbsencePeriod>) -> Page<AbsencePeriod<'_>> {
    Page::new(
        absences
            .rows
            .iter()
            .map(|p| absence_period(p, &absences.context))
            .collect(),
        absences.page,
    )
}

/// An absence type, from `GET /v1/company/time-off-types`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffType<'a> {
    /// Always `TimeOffType`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Its attributes.
    pub attributes: TimeOffTypeAttributes<'a>,
}

/// The attributes of a [`TimeOffType`].
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffTypeAttributes<'a> {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: &'a str,
    /// Category (`paid_vacation`, `sick_leave`, …).
    #[schema(value_type = String)]
    pub category: relais_people::TimeOffCategory,
    /// `day` or `hour`.
    pub unit: &'static str,
    /// Whether requests need approval.
    pub approval_required: bool,
}

/// A page of absence types.
#[must_use]
pub fn time_off_type_page(types: &TimeOffTypes) -> Page<TimeOffType<'_>> {
    let data = types
        .types
        .iter()
        .map(|t| TimeOffType {
            kind: "TimeOffType",
            attributes: TimeOffTypeAttributes {
                id: t.id,
                name: &t.name,
                category: t.category,
                unit: match t.unit {
                    TimeOffUnit::Day => "day",
                    TimeOffUnit::Hour => "hour",
                },
                approval_required: t.approval_required,
            },
        })
        .collect();
    Page::new(data, types.page)
}

/// One allowance in `GET /v1/company/employees/{id}/absences/balance`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "Paid vacation", "category": "paid_vacation", "balance": 23.0, "available_balance": 20.5}))]
pub struct AbsenceBalance<'a> {
    /// The absence type's id.
    pub id: i64,
    /// Its name.
    pub name: &'a str,
    /// Its category (`paid_vacation`, …).
    #[schema(value_type = String)]
    pub category: relais_people::TimeOffCategory,
    /// Days left this year: the entitlement less the approved days taken.
    pub balance: f64,
    /// Days left once the requested ones are approved too.
    pub available_balance: f64,
}

/// An employee's balances.
#[must_use]
pub fn absence_balances(
    balances: &[relais_people::AbsenceBalance],
) -> Success<Vec<AbsenceBalance<'_>>> {
    Success::new(
        balances
            .iter()
            .map(|b| AbsenceBalance {
                id: b.time_off_type.id,
                name: &b.time_off_type.name,
                category: b.time_off_type.category,
                balance: b.balance,
                available_balance: b.available_balance,
            })
            .collect(),
    )
}

// ----- Attendances ----------------------------------------------------------

/// An attendance, `AttendancePeriod`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendancePeriod<'a> {
    /// Id.
    pub id: i64,
    /// Always `AttendancePeriod`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^AttendancePeriod$")]
    pub kind: &'static str,
    /// Its attributes.
    pub attributes: AttendanceAttributes<'a>,
}

/// The attributes of an [`AttendancePeriod`].
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceAttributes<'a> {
    /// The employee's id.
    pub employee: EmployeeId,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String)]
    pub date: Display<NaiveDate>,
    /// `HH:MM`.
    #[schema(value_type = String)]
    pub start_time: Clock,
    /// `HH:MM`.
    #[schema(value_type = String)]
    pub end_time: Clock,
    /// Minutes of break.
    #[serde(rename = "break")]
    pub break_minutes: u32,
    /// Comment, empty for none.
    pub comment: &'a str,
    /// `YYYY-MM-DDTHH:MM:SS+00:00`.
    #[schema(value_type = String)]
    pub updated_at: Instant,
    /// `confirmed`, `pending` or `rejected`.
    pub status: &'a str,
    /// The project, if any.
    pub project: Option<ProjectRef<'a>>,
    /// Always `false`.
    pub is_holiday: bool,
    /// Always `false`.
    pub is_on_time_off: bool,
}

/// A value written with its `Display`.
#[derive(Debug, Clone, Copy)]
pub struct Display<T>(pub T);

impl<T: std::fmt::Display> Serialize for Display<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A time of day written `HH:MM`.
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub chrono::NaiveTime);

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%H:%M"))
    }
}

/// The project of an attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectRef<'a> {
    /// Id.
    pub id: i64,
    /// Always `Project`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Name and whether it is active.
    pub attributes: ProjectAttributes<'a>,
}

/// The attributes of a [`ProjectRef`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectAttributes<'a> {
    /// Name.
    pub name: &'a str,
    /// Whether time can still be booked on it.
    pub active: bool,
}

/// An attendance with its project.
#[must_use]
pub fn attendance<'a>(
    a: &'a Attendance,
    projects: &'a BTreeMap<i64, Project>,
) -> AttendancePeriod<'a> {
    AttendancePeriod {
        id: a.id,
        kind: "AttendancePeriod",
        attributes: AttendanceAttributes {
            employee: a.employee_id,
            date: Display(a.date),
            start_time: Clock(a.start_time),
            end_time: Clock(a.end_time),
            break_minutes: a.break_minutes,
            comment: a.comment.as_deref().unwrap_or_default(),
            updated_at: Instant::offset(a.updated_at),
            status: a.status.as_str(),
            project: a
                .project_id
                .and_then(|id| projects.get(&id))
                .map(|p| ProjectRef {
                    id: p.id,
                    kind: "Project",
                    attributes: ProjectAttributes {
                        name: &p.name,
                        active: p.active,
                    },
                }),
            is_holiday: false,
            is_on_time_off: false,
        },
    }
}

/// A page of attendances.
#[must_use]
pub fn attendance_page(attendances: &Attendances) -> Page<AttendancePeriod<'_>> {
    Page::new(
        attendances
            .rows
            .iter()
            .map(|a| attendance(a, &attendances.projects))
            .collect(),
        attendances.page,
    )
}

/// The request bodies of `POST /v1/company/attendances` and `POST
/// /v1/company/time-offs`: their fields are [`relais_app::public_api::Given`]
/// values, so that a number sent as text or a flag sent as `"1"` is taken as
/// real clients send them, and a wrong one is named by the use case with
/// the item it belongs to.
pub use relais_app::public_api::{NewAttendance, NewAttendances, NewTimeOff};

/// The answer of `POST /v1/company/attendances`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": [1804211], "message": "success"}))]
pub struct CreatedAttendances {
    /// The new attendances' ids, in the order sent.
    pub id: Vec<i64>,
    /// Always `success`.
    pub message: String,
}

/// The request bodies of the other attendance and absence writes.
pub use relais_app::public_api::{AttendanceUpdate, NewAbsencePeriod, NewProject, ProjectUpdate};

/// `{"message": …}`: what the modelled HRIS answers to an update or a delete.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// What was done, for people.
    pub message: String,
}

impl Message {
    /// `{"success": true, "data": {"message": …}}`.
    #[must_use]
    pub fn success(message: &str) -> Success<Self> {
        Success::new(Self {
            message: message.to_owned(),
        })
    }
}

/// An attendance project, `Project`, as the project endpoints list it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 6, "type": "Project", "attributes": {"name": "Customer portal", "active": true, "created_at": "2026-11-30T10:15:00+0000", "updated_at": "2026-11-30T10:15:00+0000"}}))]
pub struct ProjectItem<'a> {
    /// Id.
    pub id: i64,
    /// Always `Project`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^Project$")]
    pub kind: &'static str,
    /// Its attributes.
    pub attributes: ProjectItemAttributes<'a>,
}

/// The attributes of a [`ProjectItem`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectItemAttributes<'a> {
    /// Name.
    pub name: &'a str,
    /// Whether time can be booked on it.
    pub active: bool,
    /// `YYYY-MM-DDTHH:MM:SS+0000`.
    #[schema(value_type = String)]
    pub created_at: Instant,
    /// `YYYY-MM-DDTHH:MM:SS+0000`.
    #[schema(value_type = String)]
    pub updated_at: Instant,
}

/// A project as the project endpoints write it.
#[must_use]
pub fn project(p: &Project) -> ProjectItem<'_> {
    ProjectItem {
        id: p.id,
        kind: "Project",
        attributes: ProjectItemAttributes {
            name: &p.name,
            active: p.active,
            created_at: Instant::absence(p.created_at),
            updated_at: Instant::absence(p.updated_at),
        },
    }
}

/// The error of a project operation, in that API's own shape: the problems
/// by field, `{"success": false, "error": {"name": ["Project name cannot be empty"]}}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"success": false, "error": {"name": ["Project name cannot be empty"]}}))]
pub struct ProjectFieldError {
    /// Always `false`.
    pub success: bool,
    /// Each field's problems.
    pub error: BTreeMap<String, Vec<String>>,
}

/// A project that is not there, in that API's own shape:
/// `{"success": false, "message": "Project 5 not found"}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"success": false, "message": "Project 5 not found"}))]
pub struct ProjectNotFound {
    /// Always `false`.
    pub success: bool,
    /// `Project <id> not found`.
    pub message: String,
}

/// Problems by field, in the order given.
#[must_use]
pub fn problems_by_field(fields: &[relais_app::FieldProblem]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for problem in fields {
        map.entry(problem.field.clone())
            .or_default()
            .push(problem.message.clone());
    }
    map
}

// ----- Employee writes -------------------------------------------------------

/// `POST /v1/company/employees` as JSON: `{"employee": {…}}`. (Form fields
/// are the same, named `employee[email]`, `employee[first_name]`, …, and
/// `employee[custom_attributes][dynamic_<id>]`; personio-py sends those
/// names as the keys of a JSON object, which works too.)
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"employee": {"email": "john.dou@demo.example", "first_name": "John", "last_name": "Dou", "gender": "male", "position": "Developer", "department": "Engineering", "hire_date": "2026-12-01", "weekly_hours": 40}}))]
pub struct NewEmployeeRequest {
    /// The new employee.
    pub employee: NewEmployeeFields,
}

/// The fields of a new employee. Org units are named by name and must
/// exist in the company; `custom_attributes` values must fit their type.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEmployeeFields {
    /// Work e-mail, unique in the company; cannot be changed later.
    #[schema(max_length = 254)]
    pub email: String,
    /// First name.
    #[schema(max_length = 200)]
    pub first_name: String,
    /// Last name.
    #[schema(max_length = 200)]
    pub last_name: String,
    /// Preferred name.
    #[schema(max_length = 200)]
    pub preferred_name: Option<String>,
    /// `male`, `female` or `diverse` (required by Relais).
    pub gender: String,
    /// Job title.
    #[schema(max_length = 200)]
    pub position: Option<String>,
    /// An existing department's name.
    #[schema(max_length = 200)]
    pub department: Option<String>,
    /// An existing office's name.
    #[schema(max_length = 200)]
    pub office: Option<String>,
    /// First day, `YYYY-MM-DD` (default today).
    #[schema(format = Date)]
    pub hire_date: Option<String>,
    /// Contractual weekly hours, more than 0 and at most 80 (also accepted
    /// as `weekly_working_hours`).
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 80)]
    pub weekly_hours: Option<serde_json::Value>,
    /// `active`, `inactive`, `onboarding` or `leave` (default: onboarding
    /// when hired after today, else active).
    pub status: Option<String>,
    /// The supervisor's employee id.
    #[schema(value_type = Option<i64>)]
    pub supervisor_id: Option<serde_json::Value>,
    /// Custom attribute values by key, `dynamic_<id>`.
    #[schema(value_type = Option<Object>)]
    pub custom_attributes: Option<serde_json::Value>,
}

/// `PATCH /v1/company/employees/{id}` as JSON: `{"employee": {…}}`, only the
/// fields to change; `null` clears an optional one. The e-mail cannot be
/// changed. Form fields work as for creation.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"employee": {"position": "Lead developer", "weekly_hours": 32}}))]
pub struct EmployeeChangeRequest {
    /// The fields to change.
    pub employee: EmployeeChangeFields,
}

/// The fields of an employee change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmployeeChangeFields {
    /// First name.
    #[schema(max_length = 200)]
    pub first_name: Option<String>,
    /// Last name.
    #[schema(max_length = 200)]
    pub last_name: Option<String>,
    /// Preferred name.
    #[schema(max_length = 200)]
    pub preferred_name: Option<String>,
    /// `male`, `female` or `diverse`.
    pub gender: Option<String>,
    /// Job title.
    #[schema(max_length = 200)]
    pub position: Option<String>,
    /// An existing department's name.
    #[schema(max_length = 200)]
    pub department: Option<String>,
    /// An existing office's name.
    #[schema(max_length = 200)]
    pub office: Option<String>,
    /// First day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub hire_date: Option<String>,
    /// Contractual weekly hours, more than 0 and at most 80.
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 80)]
    pub weekly_hours: Option<serde_json::Value>,
    /// `active`, `inactive`, `onboarding` or `leave`.
    pub status: Option<String>,
    /// The supervisor's employee id.
    #[schema(value_type = Option<i64>)]
    pub supervisor_id: Option<serde_json::Value>,
    /// Custom attribute values by key, `dynamic_<id>`.
    #[schema(value_type = Option<Object>)]
    pub custom_attributes: Option<serde_json::Value>,
}

/// A picture file in a request or answer body: its bytes, not JSON.
#[derive(Debug)]
pub struct PictureFile;

impl PartialSchema for PictureFile {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .description(Some("The picture file's bytes"))
            .into()
    }
}

impl ToSchema for PictureFile {}

/// The answer of `POST /v1/company/employees`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 81723, "message": "success"}))]
pub struct CreatedEmployee {
    /// The new employee's id.
    pub id: i64,
    /// Always `success`.
    pub message: String,
}

/// The answer of `PATCH /v1/company/employees/{id}`:
/// `{"success": true, "data": {"id": …}, "meta": []}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"success": true, "data": {"id": 12345}, "meta": []}))]
pub struct UpdatedEmployee {
    /// Always `true`.
    pub success: bool,
    /// The employee.
    pub data: EmployeeRef,
    /// Always empty.
    #[schema(value_type = Vec<Object>)]
    pub meta: Vec<serde_json::Value>,
}

/// An employee's id.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmployeeRef {
    /// The id.
    pub id: i64,
}

impl UpdatedEmployee {
    /// The answer for employee `id`.
    #[must_use]
    pub fn new(id: i64) -> Self {
        Self {
            success: true,
            data: EmployeeRef { id },
            meta: Vec::new(),
        }
    }
}

// ----- Documents and partners -----------------------------------------------

/// A document category.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentCategory<'a> {
    /// Id.
    pub id: i64,
    /// Always `DocumentCategory`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Its name.
    pub attributes: DocumentCategoryAttributes<'a>,
}

/// The attributes of a [`DocumentCategory`].
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentCategoryAttributes<'a> {
    /// Name.
    pub name: &'a str,
}

/// The document categories.
#[must_use]
pub fn document_categories(categories: &[DomainDocumentCategory]) -> Vec<DocumentCategory<'_>> {
    categories
        .iter()
        .map(|c| DocumentCategory {
            id: c.id,
            kind: "DocumentCategory",
            attributes: DocumentCategoryAttributes { name: &c.name },
        })
        .collect()
}

/// The form fields of `POST /v1/company/documents` (multipart/form-data).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Describes the form for the OpenAPI document; the server reads the parts.
pub struct DocumentUploadForm {
    /// Title, 1 to 255 characters.
    #[schema(min_length = 1, max_length = 255)]
    title: String,
    /// The employee's id.
    employee_id: i64,
    /// A document category's id (`GET /v1/company/document-categories`).
    category_id: i64,
    /// The file, with its name: at most 30 MiB, of a type accepted.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Comment, up to 2,000 characters.
    #[schema(max_length = 2000)]
    comment: Option<String>,
    /// The day the document is about, `YYYY-MM-DD` (default: today).
    #[schema(value_type = Option<String>, format = Date)]
    date: Option<String>,
}

/// An employee document, as `POST /v1/company/documents` answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Document<'a> {
    /// Id.
    pub id: i64,
    /// Always `Document`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^Document$")]
    pub kind: &'static str,
    /// Title, date, comment, employee and category.
    pub attributes: DocumentAttributes<'a>,
}

/// The attributes of a [`Document`].
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentAttributes<'a> {
    /// Title.
    pub title: &'a str,
    /// The day the document is about, `YYYY-MM-DD` (the upload day unless given).
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Comment, empty for none.
    pub comment: &'a str,
    /// The employee: id, names and e-mail, as the whitelist allows.
    pub employee: Employee<'a>,
    /// The category.
    pub category: DocumentCategory<'a>,
}

/// A stored document with what it embeds.
#[must_use]
pub fn uploaded_document(uploaded: &relais_app::documents::UploadedDocument) -> Document<'_> {
    let d = &uploaded.document;
    Document {
        id: d.id,
        kind: "Document",
        attributes: DocumentAttributes {
            title: &d.title,
            date: d.date,
            comment: d.comment.as_deref().unwrap_or_default(),
            employee: Employee::embedded(
                d.employee_id,
                &uploaded.employees,
                &uploaded.employee_attributes,
            ),
            category: DocumentCategory {
                id: uploaded.category.id,
                kind: "DocumentCategory",
                attributes: DocumentCategoryAttributes {
                    name: &uploaded.category.name,
                },
            },
        },
    }
}

/// `{"success": false, "error": {"code": 422, "message", "error_data":
/// {field: [problems]}}}`: an upload refused, every field at fault named,
/// as the modelled HRIS answers its document endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"success": false, "error": {"code": 422, "message": "The given data failed to pass validation.", "error_data": {"file": ["The file must be a file of type: pdf, docx, doc, xlsx, xls, pptx, ppt, odt, ods, txt, csv, rtf, jpg, jpeg, png, gif, tif, tiff, bmp, zip."]}}}))]
pub struct ValidationErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    /// What went wrong, by field.
    pub error: ValidationErrorDetail,
}

/// The error of a [`ValidationErrorEnvelope`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidationErrorDetail {
    /// Always 422.
    pub code: u16,
    /// `The given data failed to pass validation.`
    pub message: String,
    /// The problems of each field at fault, by the field's name.
    pub error_data: BTreeMap<String, Vec<String>>,
}

impl ValidationErrorEnvelope {
    /// A 422 answer naming `problems` (field, message) with `message`.
    #[must_use]
    pub fn new<'p>(
        message: String,
        problems: impl IntoIterator<Item = (&'p str, &'p str)>,
    ) -> Self {
        let mut error_data: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (field, problem) in problems {
            error_data
                .entry(field.to_owned())
                .or_default()
                .push(problem.to_owned());
        }
        Self {
            success: false,
            error: ValidationErrorDetail {
                code: 422,
                message,
                error_data,
            },
        }
    }
}

/// The answer of `POST /v1/partner/connection/activate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Activation {
    /// The connection.
    pub connection_id: String,
    /// Its status now, `connected`.
    pub status: String,
}

// ----- The employee list's fast writer ----------------------------------------

/// Writes a page of employees as JSON, byte for byte what serialising
/// [`employee_page`] writes (a test holds them together), but with each
/// attribute's key, label, type and id written once per answer rather than
/// escaped again for every employee: on `GET /v1/company/employees` they are
/// four fifths of the strings.
///
/// # Errors
/// Only if a value fails to serialise, which plain text and numbers do not.
pub fn write_employee_page(
    out: &mut Vec<u8>,
    employees: &[DomainEmployee],
    selection: &AttributeSelection,
    page: PageInfo,
) -> serde_json::Result<()> {
    let template = AttributeTemplate::new(selection)?;
    let metadata = Page::<()>::new(Vec::new(), page);
    out.extend_from_slice(b"{\"success\":true,\"metadata\":");
    serde_json::to_writer(&mut *out, &metadata.metadata)?;
    write!(
        out,
        ",\"offset\":{},\"limit\":{},\"data\":[",
        page.offset, page.limit
    )
    .map_err(serde_json::Error::io)?;
    for (i, employee) in employees.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"type\":\"Employee\",\"attributes\":");
        template.write(out, employee)?;
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(())
}

use std::io::Write as _;

/// The constant JSON around each attribute's value, for one selection.
struct AttributeTemplate<'a> {
    parts: Vec<(Vec<u8>, Vec<u8>, Source<'a>)>,
}

enum Source<'a> {
    Standard(StandardAttribute),
    Custom(&'a str),
}

impl<'a> AttributeTemplate<'a> {
    fn new(selection: &'a AttributeSelection) -> serde_json::Result<Self> {
        let mut parts = Vec::new();
        let mut push = |key: &str,
                        label: &str,
                        kind: AttributeType,
                        universal_id: Option<&str>,
                        source: Source<'a>|
         -> serde_json::Result<()> {
            let mut before = serde_json::to_vec(key)?;
            before.extend_from_slice(b":{\"label\":");
            serde_json::to_writer(&mut before, label)?;
            before.extend_from_slice(b",\"value\":");
            let mut after = b",\"type\":".to_vec();
            serde_json::to_writer(&mut after, &kind)?;
            after.extend_from_slice(b",\"universal_id\":");
            serde_json::to_writer(&mut after, &universal_id)?;
            after.push(b'}');
            parts.push((before, after, source));
            Ok(())
        };
        for &a in &selection.standard {
            push(
                a.key(),
                a.label(),
                a.kind().into(),
                Some(a.key()),
                Source::Standard(a),
            )?;
        }
        for (key, c) in &selection.custom {
            push(key, &c.label, c.kind.into(), None, Source::Custom(key))?;
        }
        Ok(Self { parts })
    }

    fn write(&self, out: &mut Vec<u8>, employee: &DomainEmployee) -> serde_json::Result<()> {
        out.push(b'{');
        for (i, (before, after, source)) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(before);
            match source {
                Source::Standard(a) => {
                    serde_json::to_writer(&mut *out, &standard_value(*a, employee))?
                }
                Source::Custom(key) => {
                    serde_json::to_writer(&mut *out, &employee.custom.get(*key))?;
                }
            }
            out.extend_from_slice(after);
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use relais_people::demo::{self, DemoSpec};

    use super::*;

    fn demo_employees() -> Vec<DomainEmployee> {
        demo::employees(DemoSpec {
            employees: 60,
            months: 1,
            seed: 7,
            until: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
        })
        .map(|r| r.employee)
        .collect()
    }

    fn custom() -> Vec<CustomAttribute> {
        vec![
            CustomAttribute {
                id: 1,
                label: "T-shirt \"size\"".into(),
                kind: AttributeKind::List,
                options: vec!["S".into(), "M".into()],
            },
            CustomAttribute {
                id: 2,
                label: "Badge".into(),
                kind: AttributeKind::Integer,
                options: Vec::new(),
            },
        ]
    }

    #[test]
    fn typed_values_are_the_values_the_history_stores() {
        for e in demo_employees() {
            for a in StandardAttribute::ALL {
                let typed = serde_json::to_value(standard_value(a, &e)).ok();
                assert_eq!(typed, Some(a.value(&e)), "{} of {}", a.key(), e.id);
            }
        }
    }

    #[test]
    fn the_fast_writer_writes_what_serde_writes() {
        let mut employees = demo_employees();
        if let Some(e) = employees.first_mut() {
            e.custom
                .insert("dynamic_1".into(), "M \"tall\" \u{e9}".into());
        }
        let custom = custom();
        let all = AttributeSelection {
            standard: StandardAttribute::ALL.to_vec(),
            custom: custom.iter().map(|c| (c.key(), c.clone())).collect(),
        };
        let some = AttributeSelection {
            standard: vec![StandardAttribute::Id, StandardAttribute::Email],
            custom: Vec::new(),
        };
        for selection in [all, some, AttributeSelection::default()] {
            for rows in [&employees[..], &employees[..1], &[]] {
                let page = PageInfo {
                    total: 60,
                    current_page: 0,
                    offset: 0,
                    limit: 100,
                };
                let mut fast = Vec::new();
                write_employee_page(&mut fast, rows, &selection, page).ok();
                let slow = serde_json::to_vec(&employee_page(rows, &selection, page)).ok();
                assert_eq!(Some(fast), slow);
            }
        }
    }
}

// ----- Custom Reports -------------------------------------------------------

/// A report, as `GET /v1/company/custom-reports/reports` lists it and
/// `GET …/reports/{id}` answers it (then with `items`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Report<'a> {
    /// Always `Report`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^Report$")]
    pub kind: &'static str,
    /// Its metadata and, when read, a page of its rows.
    pub attributes: ReportAttributes<'a>,
}

/// The attributes of a [`Report`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAttributes<'a> {
    /// Id.
    #[schema(value_type = String, format = "uuid")]
    pub id: uuid::Uuid,
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Author's first name.
    pub author_first_name: &'a str,
    /// Author's last name.
    pub author_last_name: &'a str,
    /// `point_in_time`, `historical` or `timeframe`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: relais_reports::ReportKind,
    /// Always `up_to_date`: reports are computed when read.
    pub status: &'static str,
    /// First day of the period, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub start_date: Display<NaiveDate>,
    /// Last day of the period, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub end_date: Display<NaiveDate>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    #[schema(value_type = String)]
    pub created_at: Instant,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    #[schema(value_type = String)]
    pub updated_at: Instant,
    /// When the rows were computed, `null` before the first read.
    #[schema(value_type = Option<String>)]
    pub data_refreshed_at: Option<Instant>,
    /// The columns' attribute ids.
    pub columns: &'a [String],
    /// The report's filters.
    #[schema(value_type = Vec<Object>)]
    pub filters: &'a [relais_reports::Filter],
    /// How the period is set (`fixed`, `last_month`, …).
    pub period_type: &'static str,
    /// A page of rows (only when reading the report).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<ReportItem>>)]
    pub items: Option<ReportItems<'a>>,
}

/// A report's metadata; with `computed`, its period as computed and when.
#[must_use]
pub fn report_attributes<'a>(
    d: &'a relais_reports::ReportDefinition,
    computed: Option<&'a relais_app::reports::ComputedReport>,
    today: NaiveDate,
) -> ReportAttributes<'a> {
    let (start, end) = computed.map_or_else(|| d.period.resolve(today), |c| (c.start, c.end));
    ReportAttributes {
        id: d.id,
        name: &d.name,
        description: &d.description,
        author_first_name: &d.author_first_name,
        author_last_name: &d.author_last_name,
        kind: d.kind,
        status: "up_to_date",
        start_date: Display(start),
        end_date: Display(end),
        created_at: Instant::zulu(d.created_at),
        updated_at: Instant::zulu(d.updated_at),
        data_refreshed_at: computed.map(|c| Instant::zulu(c.refreshed_at)),
        columns: &d.columns,
        filters: &d.filters,
        period_type: d.period.type_name(),
        items: None,
    }
}

/// `GET /v1/company/custom-reports/reports`.
#[must_use]
pub fn report_list(listing: &relais_app::reports::ReportListing) -> Page<Report<'_>> {
    let data: Vec<Report<'_>> = listing
        .reports
        .iter()
        .map(|(d, computed)| Report {
            kind: "Report",
            attributes: report_attributes(d, computed.as_deref(), listing.today),
        })
        .collect();
    let total = data.len() as u64;
    let mut page = Page::new(
        data,
        PageInfo {
            total,
            current_page: 1,
            offset: 0,
            limit: total,
        },
    );
    page.metadata.total_pages = u64::from(total > 0);
    page
}

/// `GET /v1/company/custom-reports/reports/{id}`: one page of a computed report.
#[must_use]
pub fn report_data(page: &relais_app::reports::ReportPage) -> Page<Report<'_>> {
    let c = &page.computed;
    let mut attributes = report_attributes(&c.definition, Some(c), c.today());
    attributes.items = Some(ReportItems {
        rows: c.rows.get(page.rows.clone()).unwrap_or_default(),
        start: c.start,
        end: c.end,
    });
    Page::new(
        vec![Report {
            kind: "Report",
            attributes,
        }],
        page.info,
    )
}

/// A page of a report's rows, written straight from the computed cells.
#[derive(Debug)]
pub struct ReportItems<'a> {
    rows: &'a [relais_reports::ReportRow],
    start: NaiveDate,
    end: NaiveDate,
}

impl Serialize for ReportItems<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use relais_reports::ReportRow;
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            match row {
                ReportRow::Attributes { employee_id, cells } => {
                    seq.serialize_element(&RowOut {
                        employee_id: *employee_id,
                        attributes: Some(CellsOut {
                            cells: cells.iter().map(|c| (c, None)).collect(),
                            employee_id: *employee_id,
                            start: self.start,
                            end: self.end,
                        }),
                        historical_attributes: None,
                    })?;
                }
                ReportRow::History { employee_id, cells } => {
                    seq.serialize_element(&RowOut {
                        employee_id: *employee_id,
                        attributes: None,
                        historical_attributes: Some(CellsOut {
                            cells: cells.iter().map(|(c, day)| (c, Some(*day))).collect(),
                            employee_id: *employee_id,
                            start: self.start,
                            end: self.end,
                        }),
                    })?;
                }
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct RowOut<'a> {
    employee_id: EmployeeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<CellsOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    historical_attributes: Option<CellsOut<'a>>,
}

struct CellsOut<'a> {
    cells: Vec<(&'a relais_reports::Cell, Option<NaiveDate>)>,
    employee_id: EmployeeId,
    start: NaiveDate,
    end: NaiveDate,
}

impl Serialize for CellsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.cells.len()))?;
        for (cell, effective) in &self.cells {
            seq.serialize_element(&CellOut {
                cell,
                effective: *effective,
                employee_id: self.employee_id,
                start: self.start,
                end: self.end,
            })?;
        }
        seq.end()
    }
}

/// One cell in the Custom Reports API's attribute shape.
struct CellOut<'a> {
    cell: &'a relais_reports::Cell,
    effective: Option<NaiveDate>,
    employee_id: EmployeeId,
    start: NaiveDate,
    end: NaiveDate,
}

impl Serialize for CellOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use relais_reports::CellValue;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("attribute_id", &self.cell.attribute_id)?;
        match &self.cell.value {
            CellValue::Text(text) => {
                map.serialize_entry("data_type", data_type_name(DataType::Text))?;
                map.serialize_entry("value", text)?;
            }
            CellValue::Entity { id, name } => {
                map.serialize_entry("entity_id", &id.map(Display))?;
                map.serialize_entry("data_type", data_type_name(DataType::Entity))?;
                map.serialize_entry("value", name)?;
            }
            CellValue::CostCenters(list) => {
                map.serialize_entry("data_type", data_type_name(DataType::CostCenter))?;
                map.serialize_entry(
                    "cost_centers",
                    &list
                        .iter()
                        .map(|(id, name, weight)| CostCenterOut {
                            cost_center_id: Display(*id),
                            value: name,
                            weight: Display(Percent(*weight)),
                        })
                        .collect::<Vec<_>>(),
                )?;
            }
            CellValue::Duration(hours) => {
                map.serialize_entry("data_type", data_type_name(DataType::Duration))?;
                map.serialize_entry("duration", hours)?;
            }
            CellValue::AbsenceOverview { days, hours } => {
                map.serialize_entry("data_type", data_type_name(DataType::AbsenceOverview))?;
                map.serialize_entry("start_date", &Display(self.start))?;
                map.serialize_entry("end_date", &Display(self.end))?;
                map.serialize_entry("duration_days", &relais_people::format_hours(*days))?;
                map.serialize_entry("duration_hours", &relais_people::format_hours(*hours))?;
            }
        }
        map.serialize_entry("employee_id", &self.employee_id)?;
        if let Some(day) = self.effective {
            map.serialize_entry("effective_date", &Display(day))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct CostCenterOut<'a> {
    cost_center_id: Display<i64>,
    value: &'a str,
    weight: Display<Percent>,
}

/// A share written `50%`.
#[derive(Debug, Clone, Copy)]
struct Percent(u64);

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// One employee's row of a report (the schema of what [`ReportItems`] writes).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportItem {
    /// The employee.
    pub employee_id: i64,
    /// Point-in-time and timeframe reports: one cell per column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<ReportCell>>,
    /// Historical reports: every value of each column in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical_attributes: Option<Vec<ReportCell>>,
}

/// A cell of a report row; which fields it has depends on `data_type`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportCell {
    /// The column.
    pub attribute_id: String,
    /// `TEXT`, `ENTITY`, `COST_CENTER`, `DURATION` or `ABSENCE_OVERVIEW`.
    pub data_type: String,
    /// The employee.
    pub employee_id: i64,
    /// TEXT and ENTITY: the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Option<String>>,
    /// ENTITY: the referenced record's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<Option<String>>,
    /// COST_CENTER: the cost centres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centers: Option<Vec<ReportCostCenter>>,
    /// DURATION: hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// ABSENCE_OVERVIEW: the period's first day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// ABSENCE_OVERVIEW: the period's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// ABSENCE_OVERVIEW: days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<String>,
    /// ABSENCE_OVERVIEW: hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<String>,
    /// Historical reports: the day the value took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<String>,
}

/// A cost centre in a COST_CENTER cell.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportCostCenter {
    /// Id.
    pub cost_center_id: String,
    /// Name.
    pub value: String,
    /// Share, e.g. `50%`.
    pub weight: String,
}

/// `GET /v1/company/custom-reports/columns`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportColumns<'a> {
    /// Always `true`.
    pub success: bool,
    /// The number of columns.
    pub metadata: PageMetadata,
    /// Always 0.
    pub offset: u64,
    /// Always 0.
    pub limit: u64,
    /// The columns.
    pub data: ColumnSet<'a>,
}

/// The columns of [`ReportColumns`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnSet<'a> {
    /// Always `Column`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// The columns.
    pub attributes: Vec<ColumnInfo<'a>>,
}

/// A column reports can hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnInfo<'a> {
    /// Its id, e.g. `first_name`, `dynamic_12`, `absence_overview_3`.
    pub attribute_id: &'a str,
    /// Its name in the asked locale.
    pub human_readable: &'a str,
    /// `TEXT`, `ENTITY`, `COST_CENTER`, `DURATION` or `ABSENCE_OVERVIEW`.
    pub data_type: &'static str,
}

/// A column's and a cell's `data_type` on the wire.
#[must_use]
pub const fn data_type_name(t: DataType) -> &'static str {
    match t {
        DataType::Text => "TEXT",
        DataType::Entity => "ENTITY",
        DataType::CostCenter => "COST_CENTER",
        DataType::Duration => "DURATION",
        DataType::AbsenceOverview => "ABSENCE_OVERVIEW",
    }
}

/// `GET /v1/company/custom-reports/columns`.
#[must_use]
pub fn report_columns(list: &relais_app::reports::ColumnList) -> ReportColumns<'_> {
    let attributes: Vec<ColumnInfo<'_>> = list
        .columns
        .iter()
        .map(|c| ColumnInfo {
            attribute_id: &c.attribute_id,
            human_readable: c.label(list.locale),
            data_type: data_type_name(c.data_type),
        })
        .collect();
    let total = attributes.len() as u64;
    ReportColumns {
        success: true,
        metadata: PageMetadata {
            total_elements: total,
            current_page: 1,
            total_pages: 1,
        },
        offset: 0,
        limit: 0,
        data: ColumnSet {
            kind: "Column",
            attributes,
        },
    }
}
