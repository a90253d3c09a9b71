use serde::{Deserialize, Serialize};

/// The public APIs of the HR platform, each with its own read/write scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

impl std::str::FromStr for ApiPermission {
    type Err = crate::AccessError;

    /// Reads `api:access`, e.g. `employees:read`; the Custom Reports API may be
    /// spelt `custom_reports` or, as in token scopes, `reports.custom`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || crate::AccessError::Invalid {
            field: "scope",
            reason: format!(
                "'{text}' is not of the form API:read or API:write with API one of recruiting, custom_reports, employees, absences, attendances, documents"
            ),
        };
        let (api, access) = text.trim().split_once(':').ok_or_else(invalid)?;
        let api = match api {
            "reports.custom" | "custom_reports" => PublicApi::CustomReports,
            other => PublicApi::ALL
                .into_iter()
                .find(|a| a.as_str() == other)
                .ok_or_else(invalid)?,
        };
        let access = match access {
            "read" => ApiAccess::Read,
            "write" => ApiAccess::Write,
            _ => return Err(invalid()),
        };
        if !api.offers(access) {
            return Err(crate::AccessError::Invalid {
                field: "scope",
                reason: format!("the {api} API offers no {access} access"),
            });
        }
        Ok(Self { api, access })
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scopes_parse_in_both_spellings() {
        let p: ApiPermission = "reports.custom:read".parse().unwrap();
        assert_eq!(
            p,
            ApiPermission {
                api: PublicApi::CustomReports,
                access: ApiAccess::Read
            }
        );
        assert_eq!("custom_reports:read".parse::<ApiPermission>().unwrap(), p);
        assert!("custom_reports:write".parse::<ApiPermission>().is_err());
        assert!("payroll:read".parse::<ApiPermission>().is_err());
    }

    proptest! {
        #[test]
        fn every_offered_scope_round_trips(api in proptest::sample::select(PublicApi::ALL.to_vec()), write: bool) {
            let access = if write { ApiAccess::Write } else { ApiAccess::Read };
            prop_assume!(api.offers(access));
            let p = ApiPermission { api, access };
            prop_assert_eq!(p.to_string().parse::<ApiPermission>().unwrap(), p);
            prop_assert_eq!(crate::scope_name(p).parse::<ApiPermission>().unwrap(), p);
        }

        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = text.parse::<ApiPermission>();
        }
    }
}
