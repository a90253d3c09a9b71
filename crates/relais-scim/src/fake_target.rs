//! A SCIM service provider in memory, for the unit tests: RFC 7644 at the
//! HTTP level (filter `eq`, paging, POST with `userName` uniqueness, PATCH,
//! DELETE), with the quirks of real targets the connector must survive,
//! each switched on by a test. The integration tests use a real server
//! (scim2-server); this one shows what no real server at hand does.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::user::ENTERPRISE;

/// How the fake departs from RFC 7643/7644, as some targets do.
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    /// `userName eq` compares with case (RFC 7643 says it must not).
    pub case_sensitive_filter: bool,
    /// A path-less `replace` of `emails` adds the addresses to those held.
    pub pathless_replace_adds: bool,
    /// Attributes (PATCH paths) accepted with 204 and silently dropped.
    pub ignored: Vec<&'static str>,
    /// PATCH answers 200 with the user instead of 204.
    pub patch_answers_user: bool,
    /// PATCH answers 200 with the user as it was before the PATCH.
    pub patch_answers_stale_user: bool,
    /// A list with `attributes` is refused with 400.
    pub refuses_attributes: bool,
    /// Lists always start at the first user, whatever `startIndex` says.
    pub ignores_start_index: bool,
    /// Groups are never answered with their members (as AWS IAM Identity
    /// Center documents for GetGroup).
    pub hides_members: bool,
    /// `POST /Groups` with more than this many members is refused with 400.
    pub create_members_limit: Option<usize>,
    /// `POST /Users` creates the user, then answers 502 (a gateway that gave
    /// up waiting while the target went on), and keeps no `userName`
    /// unique, so a second `POST` makes a duplicate.
    pub creates_then_answers_502: bool,
}

/// The fake's state, shared with the test.
#[derive(Debug, Default)]
pub struct Held {
    /// The users, in creation order.
    pub users: Vec<Value>,
    /// The groups, in creation order (members as `[{"value": id}]`).
    pub groups: Vec<Value>,
    /// Every request: method, path and query, body.
    pub requests: Vec<(String, String, Value)>,
    next: u64,
}

type Shared = Arc<(Quirks, Mutex<Held>)>;

/// A running fake: its base URL and what it holds.
pub struct FakeTarget {
    pub base: String,
    shared: Shared,
}

impl FakeTarget {
    /// Serves on a free port of 127.0.0.1 until the test ends.
    pub async fn start(quirks: Quirks) -> Self {
        let shared: Shared = Arc::new((quirks, Mutex::default()));
        let app = axum::Router::new()
            .route("/Users", get(list).post(create))
            .route("/Users/{id}", get(read).patch(patch).delete(delete))
            .route("/Groups", get(list_groups).post(create_group))
            .route(
                "/Groups/{id}",
                get(read_group).patch(patch_group).delete(delete_group),
            )
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, shared }
    }

    /// Adds a user as if someone else had created it; returns its id.
    pub fn insert(&self, mut user: Value) -> String {
        let mut held = self.shared.1.lock().unwrap();
        held.next += 1;
        let id = format!("u{}", held.next);
        user["id"] = json!(id);
        held.users.push(user);
        id
    }

    /// The users held.
    pub fn users(&self) -> Vec<Value> {
        self.shared.1.lock().unwrap().users.clone()
    }

    /// The groups held, with their members.
    pub fn groups(&self) -> Vec<Value> {
        self.shared.1.lock().unwrap().groups.clone()
    }

    /// Deletes a group as someone else would.
    pub fn remove_group(&self, id: &str) {
        self.shared
            .1
            .lock()
            .unwrap()
            .groups
            .retain(|g| g["id"] != id);
    }

    /// The requests received, as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .1
            .lock()
            .unwrap()
            .requests
            .iter()
            .map(|(m, p, _)| format!("{m} {p}"))
            .collect()
    }

    /// The bodies of the PATCH requests received.
    pub fn patches(&self) -> Vec<Value> {
        self.shared
            .1
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(m, _, _)| m == "PATCH")
            .map(|(_, _, b)| b.clone())
            .collect()
    }
}

fn log(shared: &Shared, method: &str, path: String, body: &Value) {
    shared
        .1
        .lock()
        .unwrap()
        .requests
        .push((method.to_owned(), path, body.clone()));
}

fn error(status: StatusCode, scim_type: &str, detail: &str) -> Response {
    (
        status,
        Json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": status.as_u16().to_string(), "scimType": scim_type, "detail": detail})),
    )
        .into_response()
}

/// `name eq "value"`, as the connector writes it.
fn parse_filter(filter: &str) -> Option<(String, String)> {
    let (name, rest) = filter.split_once(" eq ")?;
    let value = rest.strip_prefix('"')?.strip_suffix('"')?;
    Some((
        name.to_owned(),
        value.replace("\\\"", "\"").replace("\\\\", "\\"),
    ))
}

async fn list(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let query_text = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    log(&shared, "GET", format!("/Users?{query_text}"), &Value::Null);
    let quirks = &shared.0;
    if quirks.refuses_attributes && query.contains_key("attributes") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalidSyntax",
            "attributes is not supported",
        );
    }
    let users = shared.1.lock().unwrap().users.clone();
    let matching: Vec<Value> = match query.get("filter").map(|f| parse_filter(f)) {
        None => users,
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalidFilter",
                "unsupported filter",
            );
        }
        Some(Some((name, value))) => users
            .into_iter()
            .filter(|u| match (name.as_str(), u[&name].as_str()) {
                ("userName", Some(held)) if !quirks.case_sensitive_filter => {
                    held.to_lowercase() == value.to_lowercase()
                }
                (_, Some(held)) => held == value,
                _ => false,
            })
            .collect(),
    };
    let start: usize = query
        .get("startIndex")
        .filter(|_| !quirks.ignores_start_index)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let count: usize = query
        .get("count")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let page: Vec<Value> = matching
        .iter()
        .skip(start - 1)
        .take(count)
        .cloned()
        .collect();
    Json(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": matching.len(), "startIndex": start, "itemsPerPage": page.len(),
                "Resources": page}),
    )
    .into_response()
}

async fn create(State(shared): State<Shared>, Json(mut user): Json<Value>) -> Response {
    log(&shared, "POST", "/Users".into(), &user);
    let mut held = shared.1.lock().unwrap();
    let name = user["userName"].as_str().unwrap_or_default().to_lowercase();
    if shared.0.creates_then_answers_502 {
        held.next += 1;
        user["id"] = json!(format!("u{}", held.next));
        held.users.push(user);
        return error(StatusCode::BAD_GATEWAY, "", "upstream timed out");
    }
    // Uniqueness follows RFC 7643 (no case), whatever the filter does.
    if held
        .users
        .iter()
        .any(|u| u["userName"].as_str().unwrap_or_default().to_lowercase() == name)
    {
        return error(StatusCode::CONFLICT, "uniqueness", "userName is taken");
    }
    held.next += 1;
    user["id"] = json!(format!("u{}", held.next));
    held.users.push(user.clone());
    (StatusCode::CREATED, Json(user)).into_response()
}

async fn read(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    log(&shared, "GET", format!("/Users/{id}"), &Value::Null);
    let held = shared.1.lock().unwrap();
    match held.users.iter().find(|u| u["id"] == id.as_str()) {
        Some(user) => Json(user.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "", "no such user"),
    }
}

async fn delete(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    log(&shared, "DELETE", format!("/Users/{id}"), &Value::Null);
    let mut held = shared.1.lock().unwrap();
    let before = held.users.len();
    held.users.retain(|u| u["id"] != id.as_str());
    if held.users.len() == before {
        return error(StatusCode::NOT_FOUND, "", "no such user");
    }
    // A deleted user leaves its groups.
    for group in &mut held.groups {
        if let Some(members) = group["members"].as_array_mut() {
            members.retain(|m| m["value"] != id.as_str());
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn patch(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    log(&shared, "PATCH", format!("/Users/{id}"), &body);
    let quirks = &shared.0;
    let mut held = shared.1.lock().unwrap();
    let Some(user) = held.users.iter_mut().find(|u| u["id"] == id.as_str()) else {
        return error(StatusCode::NOT_FOUND, "", "no such user");
    };
    let before = user.clone();
    if let Err(detail) = apply_patch(user, &body, quirks) {
        return error(StatusCode::BAD_REQUEST, "invalidValue", &detail);
    }
    if quirks.patch_answers_stale_user {
        Json(before).into_response()
    } else if quirks.patch_answers_user {
        Json(user.clone()).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// Where a PATCH path points: (parent key or none, key).
fn locate(path: &str) -> (Option<&str>, &str) {
    if let Some(key) = path
        .strip_prefix(ENTERPRISE)
        .and_then(|p| p.strip_prefix(':'))
    {
        (Some(ENTERPRISE), key)
    } else if let Some((parent, key)) = path.split_once('.') {
        (Some(parent), key)
    } else {
        (None, path)
    }
}

/// Applies a PATCH request (RFC 7644 §3.5.2, the forms the connector
/// sends and path-less `replace`), as the target with `quirks` does.
pub fn apply_patch(user: &mut Value, body: &Value, quirks: &Quirks) -> Result<(), String> {
    for op in body["Operations"].as_array().ok_or("no Operations")? {
        let kind = op["op"].as_str().ok_or("no op")?.to_lowercase();
        match (kind.as_str(), op["path"].as_str()) {
            (_, Some(path)) if quirks.ignored.contains(&path) => {}
            ("replace" | "add", Some(path)) => {
                let value = op["value"].clone();
                match locate(path) {
                    (Some(parent), key) => {
                        if !user[parent].is_object() {
                            user[parent] = json!({});
                        }
                        user[parent][key] = value;
                    }
                    (None, key) => user[key] = value,
                }
            }
            ("remove", Some(path)) => match locate(path) {
                (Some(parent), key) => {
                    if let Some(o) = user[parent].as_object_mut() {
                        o.remove(key);
                    }
                }
                (None, key) => {
                    if let Some(o) = user.as_object_mut() {
                        o.remove(key);
                    }
                }
            },
            ("replace", None) => {
                for (key, value) in op["value"].as_object().ok_or("no value")? {
                    if quirks.ignored.contains(&key.as_str()) {
                        continue;
                    }
                    match (key.as_str(), value) {
                        ("emails", Value::Array(new)) if quirks.pathless_replace_adds => {
                            let mut emails = user["emails"].as_array().cloned().unwrap_or_default();
                            emails.extend(new.iter().cloned());
                            user["emails"] = Value::Array(emails);
                        }
                        (_, Value::Object(fields)) if key != "emails" => {
                            if !user[key.as_str()].is_object() {
                                user[key.as_str()] = json!({});
                            }
                            for (k, v) in fields {
                                user[key.as_str()][k] = v.clone();
                            }
                        }
                        _ => user[key.as_str()] = value.clone(),
                    }
                }
            }
            (other, _) => return Err(format!("unsupported op {other}")),
        }
    }
    Ok(())
}

fn shown(group: &Value, quirks: &Quirks) -> Value {
    let mut group = group.clone();
    if quirks.hides_members
        && let Some(o) = group.as_object_mut()
    {
        o.remove("members");
    }
    group
}

async fn list_groups(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let query_text = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    log(
        &shared,
        "GET",
        format!("/Groups?{query_text}"),
        &Value::Null,
    );
    let groups = shared.1.lock().unwrap().groups.clone();
    let matching: Vec<Value> = match query.get("filter").map(|f| parse_filter(f)) {
        None => groups,
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalidFilter",
                "unsupported filter",
            );
        }
        Some(Some((name, value))) => groups
            .into_iter()
            .filter(|g| g[&name].as_str() == Some(value.as_str()))
            .collect(),
    };
    let page: Vec<Value> = matching.iter().map(|g| shown(g, &shared.0)).collect();
    Json(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": page.len(), "startIndex": 1, "itemsPerPage": page.len(),
                "Resources": page}),
    )
    .into_response()
}

async fn create_group(State(shared): State<Shared>, Json(mut group): Json<Value>) -> Response {
    log(&shared, "POST", "/Groups".into(), &group);
    let members = group["members"].as_array().map_or(0, Vec::len);
    if shared
        .0
        .create_members_limit
        .is_some_and(|limit| members > limit)
    {
        return error(StatusCode::BAD_REQUEST, "invalidValue", "too many members");
    }
    let mut held = shared.1.lock().unwrap();
    held.next += 1;
    group["id"] = json!(format!("g{}", held.next));
    held.groups.push(group.clone());
    (StatusCode::CREATED, Json(shown(&group, &shared.0))).into_response()
}

async fn read_group(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    log(&shared, "GET", format!("/Groups/{id}"), &Value::Null);
    let held = shared.1.lock().unwrap();
    match held.groups.iter().find(|g| g["id"] == id.as_str()) {
        Some(group) => Json(shown(group, &shared.0)).into_response(),
        None => error(StatusCode::NOT_FOUND, "", "no such group"),
    }
}

async fn delete_group(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    log(&shared, "DELETE", format!("/Groups/{id}"), &Value::Null);
    shared
        .1
        .lock()
        .unwrap()
        .groups
        .retain(|g| g["id"] != id.as_str());
    StatusCode::NO_CONTENT.into_response()
}

/// A group PATCH as a strict target applies it: atomically, and a
/// `remove` of a member the group does not have is 400 `noTarget`
/// (RFC 7644 §3.12).
async fn patch_group(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    log(&shared, "PATCH", format!("/Groups/{id}"), &body);
    let mut held = shared.1.lock().unwrap();
    let Some(group) = held.groups.iter_mut().find(|g| g["id"] == id.as_str()) else {
        return error(StatusCode::NOT_FOUND, "", "no such group");
    };
    let mut changed = group.clone();
    for op in body["Operations"].as_array().cloned().unwrap_or_default() {
        let path = op["path"].as_str().unwrap_or_default();
        let mut members = changed["members"].as_array().cloned().unwrap_or_default();
        match (op["op"].as_str().unwrap_or_default(), path) {
            ("replace", "displayName") => changed["displayName"] = op["value"].clone(),
            ("add", "members") => {
                for m in op["value"].as_array().cloned().unwrap_or_default() {
                    if !members.iter().any(|held| held["value"] == m["value"]) {
                        members.push(json!({"value": m["value"]}));
                    }
                }
                changed["members"] = Value::Array(members);
            }
            ("remove", path) if path.starts_with("members[value eq \"") => {
                let value = &path["members[value eq \"".len()..path.len() - 2];
                let before = members.len();
                members.retain(|m| m["value"] != value);
                if members.len() == before {
                    return error(StatusCode::BAD_REQUEST, "noTarget", "no such member");
                }
                changed["members"] = Value::Array(members);
            }
            (op, path) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalidPath",
                    &format!("unsupported {op} {path}"),
                );
            }
        }
    }
    *group = changed;
    StatusCode::NO_CONTENT.into_response()
}
