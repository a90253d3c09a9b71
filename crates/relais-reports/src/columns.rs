//! The column catalogue: every column a report can hold, with labels in
//! English, French and German.

use relais_people::{CustomAttribute, StandardAttribute, TimeOffType};
use serde::{Deserialize, Serialize};

/// A language for labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
    /// German.
    De,
}

impl std::str::FromStr for Locale {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().get(..2) {
            Some("en") => Ok(Self::En),
            Some("fr") => Ok(Self::Fr),
            Some("de") => Ok(Self::De),
            _ => Err(format!("locale '{text}' is not one of en, fr, de")),
        }
    }
}

/// How a column's values are shaped on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataType {
    /// Text (also dates, as `YYYY-MM-DD`).
    Text,
    /// A reference to another record: id and name.
    Entity,
    /// Cost centres with weights.
    CostCenter,
    /// Hours.
    Duration,
    /// Absence days and hours in the period.
    AbsenceOverview,
}

/// What a column is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// A standard employee attribute.
    Standard(StandardAttribute),
    /// A custom employee attribute (`dynamic_<id>`).
    Custom(String),
    /// Hours worked in the period (timeframe).
    WorkedHours,
    /// Contractual hours of the period: working days employed × weekly hours ÷ 5, absences credited (timeframe).
    ContractualHours,
    /// Worked − contractual hours (timeframe).
    OvertimeHours,
    /// Days of one absence type in the period (timeframe).
    AbsenceDays(i64),
}

impl ColumnKind {
    /// Whether the column is an aggregate over a period (timeframe reports only).
    #[must_use]
    pub fn is_aggregate(&self) -> bool {
        !matches!(self, Self::Standard(_) | Self::Custom(_))
    }
}

/// One column of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Stable id, e.g. `first_name`, `attendance_overtime_hours`, `absence_1`.
    pub attribute_id: String,
    /// Labels: English, French, German.
    labels: [String; 3],
    /// Wire shape.
    pub data_type: DataType,
    /// Source.
    pub kind: ColumnKind,
}

impl Column {
    /// The label in `locale`.
    #[must_use]
    pub fn label(&self, locale: Locale) -> &str {
        &self.labels[locale as usize]
    }
}

fn standard_labels(a: StandardAttribute) -> [&'static str; 3] {
    use StandardAttribute as A;
    match a {
        A::Id => ["ID", "ID", "ID"],
        A::FirstName => ["First name", "Prénom", "Vorname"],
        A::LastName => ["Last name", "Nom", "Nachname"],
        A::PreferredName => ["Preferred name", "Nom d'usage", "Rufname"],
        A::Email => ["Email", "E-mail", "E-Mail"],
        A::Gender => ["Gender", "Genre", "Geschlecht"],
        A::Status => ["Status", "Statut", "Status"],
        A::Position => ["Position", "Poste", "Position"],
        A::Supervisor => ["Supervisor", "Supérieur hiérarchique", "Vorgesetzte:r"],
        A::EmploymentType => ["Employment type", "Type d'emploi", "Beschäftigungsart"],
        A::WeeklyWorkingHours => ["Weekly hours", "Heures hebdomadaires", "Wochenstunden"],
        A::HireDate => ["Hire date", "Date d'embauche", "Eintrittsdatum"],
        A::TerminationDate => ["Termination date", "Date de départ", "Austrittsdatum"],
        A::CreatedAt => ["Created at", "Créé le", "Erstellt am"],
        A::LastModifiedAt => ["Last modified", "Dernière modification", "Zuletzt geändert"],
        A::Office => ["Office", "Site", "Standort"],
        A::Department => ["Department", "Département", "Abteilung"],
        A::Team => ["Team", "Équipe", "Team"],
        A::CostCenters => ["Cost center", "Centre de coûts", "Kostenstelle"],
        A::ProfilePicture => ["Profile Picture", "Photo de profil", "Profilbild"],
    }
}

fn labels(texts: [&str; 3]) -> [String; 3] {
    texts.map(str::to_owned)
}

/// Every column a report of this company can hold: standard and custom
/// attributes, attendance and overtime aggregates, and absence days per type.
#[must_use]
pub fn column_catalog(custom: &[CustomAttribute], time_off_types: &[TimeOffType]) -> Vec<Column> {
    let mut columns: Vec<Column> = StandardAttribute::ALL
        .into_iter()
        // A picture's address is no report data.
        .filter(|a| !matches!(a, StandardAttribute::Id | StandardAttribute::ProfilePicture))
        .map(|a| Column {
            attribute_id: a.key().to_owned(),
            labels: labels(standard_labels(a)),
            data_type: match a {
                StandardAttribute::Department
                | StandardAttribute::Office
                | StandardAttribute::Team
                | StandardAttribute::Supervisor => DataType::Entity,
                StandardAttribute::CostCenters => DataType::CostCenter,
                _ => DataType::Text,
            },
            kind: ColumnKind::Standard(a),
        })
        .collect();
    columns.extend(custom.iter().map(|c| Column {
        attribute_id: c.key(),
        labels: [c.label.clone(), c.label.clone(), c.label.clone()],
        data_type: DataType::Text,
        kind: ColumnKind::Custom(c.key()),
    }));
    columns.push(Column {
        attribute_id: "attendance_worked_hours".into(),
        labels: labels(["Worked hours", "Heures travaillées", "Gearbeitete Stunden"]),
        data_type: DataType::Duration,
        kind: ColumnKind::WorkedHours,
    });
    columns.push(Column {
        attribute_id: "attendance_contractual_target_hours".into(),
        labels: labels([
            "Contractual target hours",
            "Heures contractuelles",
            "Vertragliche Sollstunden",
        ]),
        data_type: DataType::Duration,
        kind: ColumnKind::ContractualHours,
    });
    columns.push(Column {
        attribute_id: "attendance_overtime_hours".into(),
        labels: labels(["Overtime hours", "Heures supplémentaires", "Überstunden"]),
        data_type: DataType::Duration,
        kind: ColumnKind::OvertimeHours,
    });
    columns.extend(time_off_types.iter().map(|t| Column {
        attribute_id: format!("absence_{}", t.id),
        labels: [
            format!("Absence: {}", t.name),
            format!("Absence : {}", t.name),
            format!("Abwesenheit: {}", t.name),
        ],
        data_type: DataType::AbsenceOverview,
        kind: ColumnKind::AbsenceDays(t.id),
    }));
    columns
}
