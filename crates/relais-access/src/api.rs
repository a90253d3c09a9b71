use serde::{Deserialize, Serialize};

/// The public APIs of the HR platform, each with its own read/write scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicApi {
    /// Recruiting: applications, candidates, jobs.
    Recruiting,
    /// Custom Reports: read-only access to every custom report.
    CustomReports,
    /// Personnel Data: employees.
    Employees,
    /// Personnel Data: absences (time-offs and absence periods).
    Absences,
    /// Personnel Data: attendances.
    Attendances,
    /// Personnel Data: documents.
    Documents,
}

impl PublicApi {
    /// Every public API.
    pub const ALL: [Self; 6] = [
        Self::Recruiting,
        Self::CustomReports,
        Self::Employees,
        Self::Absences,
        Self::Attendances,
        Self::Documents,
    ];

    /// The API's wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Recruiting => "recruiting",
            Self::CustomReports => "custom_reports",
            Self::Employees => "employees",
            Self::Absences => "absences",
            Self::Attendances => "attendances",
            Self::Documents => "documents",
        }
    }

    /// The access levels this API offers. Custom Reports is read-only.
    #[must_use]
    pub fn offers(self, access: ApiAccess) -> bool {
        !(self == Self::CustomReports && access == ApiAccess::Write)
    }
}

impl std::fmt::Display for PublicApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read or write access to one public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiAccess {
    /// May read.
    Read,
    /// May create and change.
    Write,
}

impl std::fmt::Display for ApiAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
        })
    }
}

/// One API and the access needed on it, e.g. Employees read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiPermission {
    /// Which API.
    pub api: PublicApi,
    /// Which access.
    pub access: ApiAccess,
}

impl std::fmt::Display for ApiPermission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.api, self.access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_reports_is_read_only() {
        assert!(PublicApi::CustomReports.offers(ApiAccess::Read));
        assert!(!PublicApi::CustomReports.offers(ApiAccess::Write));
        assert!(PublicApi::Employees.offers(ApiAccess::Write));
    }

    #[test]
    fn permission_has_a_stable_wire_shape() {
        let p: ApiPermission =
            serde_json::from_str(r#"{"api":"custom_reports","access":"read"}"#).unwrap();
        assert_eq!(p.to_string(), "custom_reports:read");
    }
}
