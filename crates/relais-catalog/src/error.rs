/// One broken rule in a catalog: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file, as a JSON path with the integration's slug for
    /// orientation, e.g. `integrations[3] (slack).built_by.support.url`.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why a catalog could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    /// The text is not a catalog document: bad JSON, a missing or unknown
    /// field, or a value of the wrong type.
    #[error("{source_name}: {path}: {message}")]
    Parse {
        /// The file the text came from.
        source_name: String,
        /// The JSON path of the offending field (`.` for the document itself).
        path: String,
        /// What the parser expected.
        message: String,
    },
    /// The document parses but breaks catalog rules.
    #[error("{source_name}: {} {}:\n{}", problems.len(), if problems.len() == 1 { "problem" } else { "problems" }, list(problems))]
    Invalid {
        /// The file the text came from.
        source_name: String,
        /// Every broken rule, in file order.
        problems: Vec<Problem>,
    },
    /// The catalog could not be written as JSON.
    #[error("cannot render the catalog as JSON: {0}")]
    Render(String),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
