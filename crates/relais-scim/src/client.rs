//! A small SCIM client: the requests a provisioning cycle makes, with
//! retries for 429 and 5xx.

use std::time::Duration;

use relais_egress::{EgressError, EgressPolicy, GuardedClient};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Most bytes of a successful answer read (a page of users, one user).
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes of an error answer read: enough for any SCIM error document.
pub const MAX_ERROR_BYTES: usize = 16 * 1024;

/// Why a SCIM request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScimError {
    /// The target did not answer (refused, timed out, …).
    #[error("the SCIM service provider is unreachable: {0}")]
    Unreachable(String),
    /// Relais does not call the target (a loopback, private or link-local
    /// address, or a malformed URL).
    #[error("the SCIM base URL is refused: {0}")]
    Refused(String),
    /// The target answered with an error status.
    #[error("the SCIM service provider answered {status}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The SCIM error document's `status`, `scimType` and `detail`
        /// only, or a note saying the answer was not a SCIM error. Never
        /// the raw body: the target may be anything a tenant typed.
        body: String,
    },
    /// The target answered with something that is not a SCIM answer.
    #[error("the SCIM service provider's answer is unusable: {0}")]
    Malformed(String),
}

impl ScimError {
    /// Whether the target refused the credentials (401 or 403).
    #[must_use]
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::Status {
                status: 401 | 403,
                ..
            }
        )
    }
}

impl From<EgressError> for ScimError {
    fn from(error: EgressError) -> Self {
        match error {
            EgressError::BadUrl(_)
            | EgressError::NotAllowed { .. }
            | EgressError::BadSetting(_) => Self::Refused(error.to_string()),
            EgressError::TooLarge { .. } => Self::Malformed(error.to_string()),
            EgressError::Unresolved { .. } | EgressError::Http(_) => {
                Self::Unreachable(error.to_string())
            }
        }
    }
}

/// What of an error answer is kept: a SCIM error document's `status`,
/// `scimType` and `detail` (RFC 7644 §3.12), or a note saying what the
/// answer was. Arbitrary bodies are never kept: a URL pointing somewhere
/// unexpected must not turn the Tracking tab into a way to read it.
fn scim_error_summary(content_type: Option<&str>, body: &[u8]) -> String {
    const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
    const MAX_DETAIL: usize = 500;
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let is_scim_error = parsed.as_ref().is_some_and(|v| {
        v["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == ERROR_SCHEMA))
            || v.get("detail").is_some_and(Value::is_string)
            || v.get("scimType").is_some_and(Value::is_string)
    });
    if let (true, Some(v)) = (is_scim_error, parsed) {
        let mut kept = serde_json::Map::new();
        kept.insert("schemas".into(), serde_json::json!([ERROR_SCHEMA]));
        for key in ["status", "scimType"] {
            if let Some(value) = v.get(key).filter(|x| x.is_string() || x.is_number()) {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), ToOwned::to_owned);
                kept.insert(key.into(), Value::String(text.chars().take(40).collect()));
            }
        }
        if let Some(detail) = v.get("detail").and_then(Value::as_str) {
            kept.insert(
                "detail".into(),
                Value::String(detail.chars().take(MAX_DETAIL).collect()),
            );
        }
        return Value::Object(kept).to_string();
    }
    format!(
        "(not a SCIM error document: {} bytes of {}; not kept)",
        body.len(),
        content_type.unwrap_or("unknown type")
    )
}

/// A SCIM service provider: base URL and bearer token.
#[derive(Clone)]
pub struct ScimClient {
    http: GuardedClient,
    base: String,
    token: String,
    retries: u32,
}

impl std::fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimClient")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl ScimClient {
    /// A client for the service provider at `base` (e.g.
    /// `https://idp.example.com/scim/v2`), calling it only as `policy` allows.
    ///
    /// # Errors
    /// [`ScimError::Refused`] for a base URL the policy refuses,
    /// [`ScimError::Unreachable`] when the HTTP client cannot be built.
    pub fn new(
        base: &str,
        token: &str,
        timeout: Duration,
        policy: &EgressPolicy,
    ) -> Result<Self, ScimError> {
        let base = policy.check_url(base)?;
        let http = policy.client(timeout)?;
        Ok(Self {
            http,
            base: base.as_str().trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            retries: 3,
        })
    }

    /// The bearer token, to redact it from stored responses.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Sends a request; 429 and 5xx are retried up to three times, waiting
    /// `Retry-After` (at most 10 s) or 250 ms doubling. A `POST` creates:
    /// it is retried only on 429 and 503 (refused before the target acted);
    /// after a 500, 502 or 504 the target may have created the resource
    /// all the same, and a second `POST` could make a duplicate where
    /// `userName` is not unique. Its entry fails instead, and the next
    /// cycle, which matches before it creates, links what was made.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), ScimError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)?
                .bearer_auth(&self.token)
                .header("Accept", "application/scim+json");
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/scim+json")
                    .body(body.to_string());
            }
            let response = self.http.send(request).await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|t| t.chars().take(80).collect::<String>());
            let retryable = if method == Method::POST {
                status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
            } else {
                status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
            };
            if !status.is_success() {
                let body = relais_egress::read_body(response, MAX_ERROR_BYTES)
                    .await
                    .map_or_else(
                        |e| format!("({e})"),
                        |b| scim_error_summary(content_type.as_deref(), &b),
                    );
                if retryable && attempt < self.retries {
                    let wait = retry_after.map_or(Duration::from_millis(250 << attempt), |s| {
                        Duration::from_secs(s.min(10))
                    });
                    tracing::debug!(%status, attempt, ?wait, "SCIM target asks to retry");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                return Err(ScimError::Status {
                    status: status.as_u16(),
                    body,
                });
            }
            let body = relais_egress::read_body(response, MAX_ANSWER_BYTES).await?;
            let value = if body.iter().all(u8::is_ascii_whitespace) {
                Value::Null
            } else {
                serde_json::from_slice(&body).map_err(|e| {
                    ScimError::Malformed(format!(
                        "{} bytes of {} that are not JSON ({e})",
                        body.len(),
                        content_type.as_deref().unwrap_or("unknown type")
                    ))
                })?
            };
            return Ok((status.as_u16(), value));
        }
    }
}
