//! The console's static files, compiled into the binary: the stylesheet,
//! our small script, and htmx 2.0.11 (vendored from the npm registry,
//! pinned; see `assets/htmx-LICENSE`).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Shared;

const CSS: &str = include_str!("../../assets/console.css");
const SCRIPT: &str = include_str!("../../assets/console.js");
const HTMX: &str = include_str!("../../assets/htmx-2.0.11.min.js");

/// A fingerprint of the files, put in their links (`?v=…`): a page of a
/// new build never gets a stale stylesheet from a cache.
pub(super) fn fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use std::hash::{Hash as _, Hasher as _};
        // DefaultHasher::new() has fixed keys: the same files give the same
        // value in every process of this build.
        let mut hasher = std::hash::DefaultHasher::new();
        (CSS, SCRIPT, HTMX).hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    });
    &FINGERPRINT
}

pub(super) fn routes() -> Router<Shared> {
    Router::new().route(&format!("{}/assets/{{name}}", super::BASE), get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            // Links carry the files' fingerprint, so a day of caching is safe.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
