//! A small SCIM client: the requests a provisioning cycle makes, with
//! retries for 429 and 5xx.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Why a SCIM request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScimError {
    /// The target did not answer (refused, timed out, …).
    #[error("the SCIM service provider is unreachable: {0}")]
    Unreachable(String),
    /// The target answered with an error status.
    #[error("the SCIM service provider answered {status}")]
    Status {
        /// HTTP status.
        status: u16,
        /// Body (trimmed by the caller before storing).
        body: String,
    },
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

/// A SCIM service provider: base URL and bearer token.
#[derive(Clone)]
pub struct ScimClient {
    http: reqwest::Client,
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
    /// A client for the service provider at `base` (e.g. `https://idp.example.com/scim/v2`).
    ///
    /// # Errors
    /// [`ScimError::Unreachable`] when the HTTP client cannot be built.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Result<Self, ScimError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ScimError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
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
    /// `Retry-After` (at most 10 s) or 250 ms doubling.
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
                .request(method.clone(), &url)
                .bearer_auth(&self.token)
                .header("Accept", "application/scim+json");
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/scim+json")
                    .body(body.to_string());
            }
            let response = request
                .send()
                .await
                .map_err(|e| ScimError::Unreachable(e.without_url().to_string()))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let text = response.text().await.unwrap_or_default();
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && attempt < self.retries {
                let wait = retry_after.map_or(Duration::from_millis(250 << attempt), |s| {
                    Duration::from_secs(s.min(10))
                });
                tracing::debug!(%status, attempt, ?wait, "SCIM target asks to retry");
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            if !status.is_success() {
                return Err(ScimError::Status {
                    status: status.as_u16(),
                    body: text,
                });
            }
            let value = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            return Ok((status.as_u16(), value));
        }
    }
}
