//! The wire of Relais's HTTP APIs: every request and answer, as a type.
//!
//! - [`v1`]: the public API, in the shapes of the modelled HRIS, so that its
//!   existing clients work against Relais by changing only the base URL.
//!
//! The use cases in `relais-app` return domain values; this crate maps them
//! to what goes over the wire, serialising straight from borrowed domain
//! values (no intermediate `serde_json::Value` tree), and describes each type
//! for the OpenAPI documents with `utoipa`.

#![warn(missing_docs)]

pub mod recruiting;
pub mod v1;
