//! Sync tracking and running the SCIM connector.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use relais_access::{Company, CompanyId, limits};
use relais_connections::{Connection, ConnectionState, StoredAnswer};
use relais_people::EmployeeId;
use relais_scim::{CycleInput, DeprovisionMode, MatchAttribute, ScimClient, ScimSettings};
use relais_store::{EmployeeFilter, EntryFilter, Paged, StoredEntry, Window};
use relais_sync::{Cycle, RunError, RunStatus, SyncEntry, SyncRun, Trigger};
use serde::Deserialize;

use crate::public_api::ApiCaller;
use crate::{App, AppError, Caller, ErrorKind};

/// The integration Relais's own SCIM connector runs for.
pub const SCIM_INTEGRATION: &str = "scim-provisioning";

/// Runs in a row the target may refuse the credentials before the
/// connection turns Inactive.
pub const AUTH_FAILURE_LIMIT: u32 = 3;

/// Deprovisions one cycle may make when the wizard leaves the threshold empty.
pub const DEFAULT_DELETION_THRESHOLD: usize = 50;

/// When a connection's next scheduled cycle is, and which run it follows.
struct CycleSchedule {
    next_at: chrono::DateTime<Utc>,
    /// The start of the latest run (the cycle's claim: see
    /// [`relais_store::SyncStore::start_run`]).
    latest_started_at: Option<chrono::DateTime<Utc>>,
}

/// A prepared SCIM cycle: the run (already stored as Running) and what the
/// connector needs.
#[derive(Debug)]
pub struct ScimJob {
    /// The company.
    pub company: Company,
    /// The run.
    pub run: SyncRun,
    /// The client, or why the target is refused (the run then fails
    /// without a request, and says why in the Tracking tab).
    client: Result<ScimClient, relais_scim::ScimError>,
    settings: ScimSettings,
    input: CycleInput,
}

fn plain(connection: &Connection, key: &str) -> Option<String> {
    match connection.answers.get(key) {
        Some(StoredAnswer::Plain(
            relais_connections::Answer::Text(v)
            | relais_connections::Answer::Url(v)
            | relais_connections::Answer::Choice(v),
        )) => Some(v.clone()),
        _ => None,
    }
}

impl App {
    /// The minutes between scheduled cycles of a SCIM connection (wizard answer, default 30).
    fn interval_minutes(connection: &Connection) -> i64 {
        plain(connection, "sync_interval_minutes")
            .and_then(|m| m.parse().ok())
            .unwrap_or(30)
    }

    /// Prepares a SCIM cycle of a Connected `scim-provisioning` connection and
    /// stores its run as Running.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the connection is not Connected, not a
    /// SCIM connection, or a run is under way; [`ErrorKind::Invalid`] when
    /// its secret cannot be opened (no or another `RELAIS_SECRET_KEY`).
    pub fn prepare_scim_cycle(
        &self,
        by: Caller<'_>,
        company: &Company,
        connection_id: &str,
        trigger: Trigger,
        force_full: bool,
    ) -> Result<ScimJob, AppError> {
        by.may_configure(company)?;
        let connection = self.load_connection(company.id, connection_id)?;
        if connection.integration != SCIM_INTEGRATION {
            let note = self.integration(&connection.integration).map_or_else(
                |_| format!("{} is no longer in the catalog", connection.integration),
                |i| crate::setup::sync_info(&i).note,
            );
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!("Relais runs syncs only for {SCIM_INTEGRATION} connections: {note}"),
            ));
        }
        if connection.state != ConnectionState::Connected {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!(
                    "the connection is {}; only connected connections sync",
                    connection.state.status()
                ),
            ));
        }
        let base_url = plain(&connection, "base_url")
            .ok_or_else(|| AppError::invalid("the connection has no base_url answer".into()))?;
        let token = match connection.answers.get("bearer_token") {
            Some(StoredAnswer::Sealed(sealed)) => {
                let opened = self.secret_key.as_ref().map(|key| key.open(sealed));
                match (opened, self.secrets_attention(&connection)) {
                    (Some(Ok(token)), _) => token,
                    (_, attention) => {
                        return Err(AppError::new(
                            ErrorKind::NotConfigured,
                            format!(
                                "the connection cannot sync: {}",
                                attention.unwrap_or_else(|| "its token cannot be opened".into())
                            ),
                        ));
                    }
                }
            }
            _ => {
                return Err(AppError::invalid(
                    "the connection has no bearer_token answer".into(),
                ));
            }
        };
        let settings = ScimSettings {
            match_attribute: if plain(&connection, "match_attribute").as_deref()
                == Some("externalId")
            {
                MatchAttribute::ExternalId
            } else {
                MatchAttribute::UserName
            },
            deprovision: if plain(&connection, "deprovision_mode").as_deref() == Some("delete") {
                DeprovisionMode::Delete
            } else {
                DeprovisionMode::Deactivate
            },
            deletion_threshold: plain(&connection, "deletion_threshold")
                .and_then(|t| t.parse().ok())
                .unwrap_or(DEFAULT_DELETION_THRESHOLD),
            concurrency: self
                .sync_concurrency
                .load(std::sync::atomic::Ordering::Relaxed)
                .max(1),
            groups: relais_scim::GroupProvisioning::from_answer(
                plain(&connection, "group_provisioning").as_deref(),
            ),
        };
        let client = ScimClient::new(&base_url, &token, Duration::from_secs(30), &self.egress);
        let state = self.store.sync_state(connection.id.0)?;
        let cycle = if force_full || state.last_success_at.is_none() {
            Cycle::Full
        } else {
            Cycle::Incremental
        };
        let employees = self
            .store
            .employees(
                company.id,
                &EmployeeFilter::default(),
                Window {
                    offset: 0,
                    limit: u64::MAX >> 1,
                },
            )?
            .rows;
        let links = self
            .store
            .scim_links(connection.id.0)?
            .into_iter()
            .map(|l| (l.employee_id, l))
            .collect();
        let group_links = self
            .store
            .scim_group_links(connection.id.0)?
            .into_iter()
            .map(|l| (l.key.clone(), l))
            .collect();
        // A scheduled cycle is claimed as the one after the latest run seen,
        // so that of several schedulers (replicas) that found it due, one
        // runs it; a cycle already run meanwhile is no longer due.
        let scheduled_after = if trigger == Trigger::Scheduled {
            match self.scim_schedule(&connection)? {
                Some(schedule) if schedule.next_at <= Utc::now() => Some(
                    schedule
                        .latest_started_at
                        .map(relais_store::sortable)
                        .unwrap_or_default(),
                ),
                _ => {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        "the connection's next cycle is not due".into(),
                    ));
                }
            }
        } else {
            None
        };
        let run = SyncRun::start(connection.id.0, trigger, cycle, Utc::now());
        self.start_run(company, &run, scheduled_after.as_deref())?;
        Ok(ScimJob {
            company: company.clone(),
            run,
            client,
            settings,
            input: CycleInput {
                employees,
                links,
                group_links,
                cycle,
            },
        })
    }

    /// Stores a new Running run: one at a time per connection, which the
    /// store enforces (a second, concurrent start is refused).
    fn start_run(
        &self,
        company: &Company,
        run: &SyncRun,
        scheduled_after: Option<&str>,
    ) -> Result<(), AppError> {
        self.store
            .start_run(company.id, run, scheduled_after)
            .map_err(|e| match e {
                relais_store::StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    "a run of this connection is under way; wait for it to finish".into(),
                ),
                other => other.into(),
            })
    }

    /// Advances a running run (see [`relais_store::SyncStore::advance_run`]);
    /// a finished run is refused with [`ErrorKind::Conflict`].
    fn advance_run(
        &self,
        company: CompanyId,
        run: uuid::Uuid,
        progress: relais_store::RunProgress<'_>,
        change: &mut (dyn FnMut(&mut SyncRun) + Send),
    ) -> Result<SyncRun, AppError> {
        self.store
            .advance_run(company, run, progress, change)
            .map_err(|e| match e {
                relais_store::StoreError::Changed(message) => {
                    AppError::new(ErrorKind::Conflict, message)
                }
                other => other.into(),
            })
    }

    /// Records what a running SCIM cycle did so far: its entries and links,
    /// in one transaction with the run's counts (and a heartbeat).
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the run was closed meanwhile.
    pub fn record_scim_batch(
        &self,
        company: CompanyId,
        run: uuid::Uuid,
        batch: &relais_scim::CycleBatch,
    ) -> Result<SyncRun, AppError> {
        let now = Utc::now();
        self.advance_run(
            company,
            run,
            relais_store::RunProgress {
                entries: &batch.entries,
                upserted_links: &batch.upserted_links,
                removed_links: &batch.removed_links,
                upserted_group_links: &batch.upserted_group_links,
                removed_group_links: &batch.removed_group_links,
            },
            &mut |r| r.heartbeat_at = now,
        )
    }

    /// Finishes a SCIM cycle whose entries and links were recorded as it
    /// went ([`App::record_scim_batch`]): the run with its derived status,
    /// and the connection's health (repeated authentication refusals turn
    /// it Inactive).
    ///
    /// # Errors
    /// [`AppError`] when the database fails or the run was closed meanwhile.
    pub fn finish_scim_cycle(
        &self,
        job: &ScimJob,
        output: &relais_scim::CycleOutput,
    ) -> Result<SyncRun, AppError> {
        // Staging is a partial completion, not a failure: the status rule
        // makes it Partially completed; the notice says why.
        let notice = (output.staged > 0).then(|| {
            format!(
                "{} deprovisions were staged: more than the deletion safety threshold in one cycle",
                output.staged
            )
        });
        let run = self.advance_run(
            job.company.id,
            job.run.id,
            relais_store::RunProgress::default(),
            &mut |r| {
                r.staged = output.staged;
                r.notice.clone_from(&notice);
                r.finish(output.error.clone(), Utc::now());
            },
        )?;
        // Read, changed and saved in one transaction: a reactivation at the
        // same time (which clears the record) is not overwritten with what
        // this run read before it.
        let now = Utc::now();
        let mut health = relais_sync::HealthAction::Nothing;
        let state = self
            .store
            .update_sync_state(run.connection_id, &mut |state| {
                if output.auth_failed {
                    state.consecutive_auth_failures += 1;
                } else if output.error.is_none() {
                    state.consecutive_auth_failures = 0;
                    state.last_success_at = run.finished_at;
                }
                // A run closed because its process stopped neither starts
                // nor ends a failing streak.
                if !run.interrupted {
                    if run.status == RunStatus::Failed {
                        state.failing_since.get_or_insert(run.started_at);
                    } else {
                        state.failing_since = None;
                        state.warned_at = None;
                    }
                }
                health = relais_sync::health(
                    state.failing_since,
                    state.warned_at,
                    now,
                    self.failing_disable_after,
                );
                if health == relais_sync::HealthAction::Warn {
                    state.warned_at = Some(now);
                }
            })?;
        let id = run.connection_id.to_string();
        if let (Some(since), true) = (
            state.failing_since,
            state.consecutive_auth_failures < AUTH_FAILURE_LIMIT,
        ) {
            let result = match health {
                relais_sync::HealthAction::Nothing => Ok(()),
                relais_sync::HealthAction::Warn => {
                    self.warn_failing(&job.company, &id, since, since + self.failing_disable_after)
                }
                relais_sync::HealthAction::Disable => {
                    let days =
                        u32::try_from(self.failing_disable_after.num_days()).unwrap_or(u32::MAX);
                    self.deactivate_failing_too_long(&job.company, &id, days, since)
                        .map(drop)
                }
            };
            match result {
                Ok(()) if health == relais_sync::HealthAction::Disable => {
                    tracing::warn!(connection = %id, "connection turned off: every run failed too long");
                }
                Ok(()) => {}
                Err(e) => tracing::debug!(connection = %id, error = %e, "health action not taken"),
            }
        }
        self.turn_off_if_refused_too_often(&job.company, run.connection_id, &state);
        tracing::info!(run = %run.id, status = ?run.status, entries = run.counts.total(), "sync run finished");
        Ok(run)
    }

    /// Turns a connection Inactive once its target refused the credentials
    /// [`AUTH_FAILURE_LIMIT`] runs in a row (scheduled, manual or on demand).
    fn turn_off_if_refused_too_often(
        &self,
        company: &Company,
        connection: uuid::Uuid,
        state: &relais_store::SyncState,
    ) {
        if state.consecutive_auth_failures < AUTH_FAILURE_LIMIT {
            return;
        }
        let id = connection.to_string();
        match self.deactivate_after_auth_failures(company, &id, state.consecutive_auth_failures) {
            Ok(_) => {
                tracing::warn!(connection = %id, "connection deactivated after repeated authentication failures");
            }
            Err(e) => tracing::debug!(connection = %id, error = %e, "not deactivated"),
        }
    }

    /// Marks a run as alive.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the run is finished.
    pub fn heartbeat(&self, company: CompanyId, run: uuid::Uuid) -> Result<(), AppError> {
        let now = Utc::now();
        self.advance_run(
            company,
            run,
            relais_store::RunProgress::default(),
            &mut |r| r.heartbeat_at = now,
        )
        .map(|_| ())
    }

    /// Closes runs left Running: Relais's own runs at start-up
    /// (`restarted`: a previous process was running them and nobody is
    /// now) when this process is the only one on its database, and any run
    /// whose heartbeat stopped: Relais's own after the run lease (see
    /// [`App::with_run_lease`]; with several replicas on one database this
    /// is how a lost replica's run is closed), partner-reported ones after
    /// five minutes. Partner-reported runs are not closed by a restart: the
    /// partner goes on reporting. Returns how many were closed.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn close_interrupted_runs(&self, restarted: bool) -> Result<usize, AppError> {
        let now = Utc::now();
        let alone = !self.shared_database();
        let mut closed = 0;
        for (company, run) in self.store.running_runs()? {
            let ours = run.trigger != Trigger::PartnerReported;
            let lease_seconds = self.run_lease.num_seconds();
            let why = if restarted && ours && alone {
                "interrupted: Relais restarted during the run; the next cycle picks up the work"
                    .to_owned()
            } else if ours && run.is_stale_after(now, self.run_lease) {
                format!(
                    "interrupted: no heartbeat for {lease_seconds} seconds (the process running it stopped); the next cycle picks up the work"
                )
            } else if !ours && run.is_stale(now) {
                "no heartbeat for 5 minutes; closed as failed".to_owned()
            } else {
                continue;
            };
            // Decided again on the run as stored under the write lock: a
            // heartbeat that came since it was read keeps it running.
            let lease = self.run_lease;
            let mut closed_it = false;
            match self.advance_run(
                company,
                run.id,
                relais_store::RunProgress::default(),
                &mut |r| {
                    let still = if ours && !(restarted && alone) {
                        r.is_stale_after(now, lease)
                    } else if ours {
                        true
                    } else {
                        r.is_stale(now)
                    };
                    if still {
                        r.close_interrupted(&why, now);
                        // A partner's silence is the partner's failure.
                        r.interrupted = ours;
                        closed_it = true;
                    }
                },
            ) {
                Ok(_) => closed += usize::from(closed_it),
                // Finished meanwhile: nothing to close.
                Err(e) if e.kind() == ErrorKind::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    /// When Relais runs the next scheduled cycle of a connection: `None`
    /// for connections it does not run (not SCIM, not Connected) or while a
    /// run is under way; a time in the past when it is due.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub(crate) fn next_scim_cycle_at(
        &self,
        c: &Connection,
    ) -> Result<Option<chrono::DateTime<Utc>>, AppError> {
        Ok(self.scim_schedule(c)?.map(|s| s.next_at))
    }

    /// The next scheduled cycle of a connection and the run it follows.
    fn scim_schedule(&self, c: &Connection) -> Result<Option<CycleSchedule>, AppError> {
        if c.integration != SCIM_INTEGRATION || c.state != ConnectionState::Connected {
            return Ok(None);
        }
        if self.store.sync_state(c.id.0)?.paused {
            return Ok(None);
        }
        // Shown on the connection instead (`attention`): not scheduled,
        // trying every tick would only fill the log.
        if self.secrets_attention(c).is_some() {
            return Ok(None);
        }
        let recent = self
            .store
            .runs(
                c.company_id,
                c.id.0,
                None,
                None,
                None,
                Window {
                    offset: 0,
                    limit: 12,
                },
            )?
            .rows
            .into_iter()
            // Provisioning one employee on demand is no cycle: it neither
            // delays the schedule nor counts as a failure in a row.
            .filter(|r| r.trigger != Trigger::OnDemand)
            .collect::<Vec<_>>();
        // A run closed because its process stopped is nobody's failure:
        // it neither slows the schedule down nor delays the next cycle.
        let failed_in_a_row = recent
            .iter()
            .filter(|r| !r.interrupted)
            .take_while(|r| r.status == RunStatus::Failed)
            .count();
        let wait = relais_sync::next_cycle_in_minutes(
            Self::interval_minutes(c),
            u32::try_from(failed_in_a_row).unwrap_or(u32::MAX),
        );
        let latest_started_at = recent.first().map(|r| r.started_at);
        // A cycle that keeps killing its process is not retried at once for ever.
        let interrupted_in_a_row = recent.iter().take_while(|r| r.interrupted).count();
        let next_at = match recent.first() {
            None => c.state_since,
            Some(r) if r.status == RunStatus::Running => return Ok(None),
            Some(r) if r.interrupted && interrupted_in_a_row < 3 => {
                r.finished_at.unwrap_or(r.started_at)
            }
            Some(r) if r.interrupted => {
                r.finished_at.unwrap_or(r.started_at)
                    + chrono::Duration::minutes(relais_sync::next_cycle_in_minutes(
                        Self::interval_minutes(c),
                        u32::try_from(interrupted_in_a_row).unwrap_or(u32::MAX),
                    ))
            }
            Some(r) => r.finished_at.unwrap_or(r.started_at) + chrono::Duration::minutes(wait),
        };
        Ok(Some(CycleSchedule {
            next_at,
            latest_started_at,
        }))
    }

    /// Connected SCIM connections whose next cycle is due.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn due_scim_connections(&self) -> Result<Vec<(Company, String)>, AppError> {
        let now = Utc::now();
        let mut due = Vec::new();
        for company in self.store.companies()? {
            for c in self.store.connections(company.id, false)? {
                if self.next_scim_cycle_at(&c)?.is_some_and(|at| at <= now) {
                    due.push((company.clone(), c.id.to_string()));
                }
            }
        }
        Ok(due)
    }

    /// Deletes entries older than `days`, and events with their finished
    /// webhook deliveries and alerts; run summaries are kept.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn purge_sync_entries(&self, days: u32) -> Result<u64, AppError> {
        let before = Utc::now() - chrono::Duration::days(i64::from(days));
        // Events, their deliveries and alerts are kept as long as entries.
        let events = self.store.purge_events(before)?;
        if events > 0 {
            tracing::info!(events, "old events and their deliveries purged");
        }
        Ok(self.store.purge_entries(before)?)
    }

    /// A connection's runs ("Tracking" tab), newest first.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Forbidden`] below *view*.
    #[allow(clippy::too_many_arguments)]
    pub fn sync_runs(
        &self,
        by: Caller<'_>,
        company: &Company,
        connection: &str,
        status: Option<RunStatus>,
        from: Option<chrono::DateTime<Utc>>,
        to: Option<chrono::DateTime<Utc>>,
        window: Window,
    ) -> Result<Paged<SyncRun>, AppError> {
        by.may_browse(company)?;
        let connection = self.load_connection(company.id, connection)?;
        Ok(self
            .store
            .runs(company.id, connection.id.0, status, from, to, window)?)
    }

    /// One run.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn sync_run(
        &self,
        by: Caller<'_>,
        company: &Company,
        run: &str,
    ) -> Result<SyncRun, AppError> {
        by.may_browse(company)?;
        let missing = || AppError::not_found(format!("sync run {run}"));
        let id = run.parse::<uuid::Uuid>().map_err(|_| missing())?;
        self.store.run(company.id, id)?.ok_or_else(missing)
    }

    /// A run's entries ("Show details").
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn sync_entries(
        &self,
        by: Caller<'_>,
        company: &Company,
        run: &str,
        filter: &EntryFilter,
        window: Window,
    ) -> Result<Paged<StoredEntry>, AppError> {
        let run = self.sync_run(by, company, run)?;
        if let Some(employee) = filter.employee_id.filter(|id| *id <= 0) {
            return Err(AppError::invalid(format!(
                "employee {employee} is not an employee id (a positive number)"
            )));
        }
        Ok(self.store.entries(run.id, filter, window)?)
    }

    /// One employee's entries across a connection's runs.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn employee_sync_entries(
        &self,
        by: Caller<'_>,
        company: &Company,
        connection: &str,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<StoredEntry>, AppError> {
        by.may_browse(company)?;
        // 0 stands for "a group" in entries: not an employee.
        if employee <= 0 {
            return Err(AppError::invalid(format!(
                "{employee} is not an employee id (a positive number)"
            )));
        }
        let connection = self.load_connection(company.id, connection)?;
        Ok(self
            .store
            .employee_entries(connection.id.0, employee, window)?)
    }

    /// The names of the company's employees with these ids, for pages that
    /// list employees by id (the Tracking tab). Unknown ids are left out.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn employee_names(
        &self,
        by: Caller<'_>,
        company: &Company,
        ids: &[EmployeeId],
    ) -> Result<std::collections::HashMap<EmployeeId, String>, AppError> {
        by.may_browse(company)?;
        Ok(self
            .store
            .employees_by_id(company.id, ids)?
            .into_iter()
            .map(|e| (e.id, format!("{} {}", e.first_name, e.last_name)))
            .collect())
    }

    /// Sets the SCIM connector's requests in flight (1 by default).
    pub fn set_sync_concurrency(&self, concurrency: usize) {
        self.sync_concurrency
            .store(concurrency.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    fn partner_connection(&self, caller: &ApiCaller) -> Result<(Company, Connection), AppError> {
        let connection = self
            .store
            .connection_by_credential(&caller.credential.client_id)?
            .ok_or_else(|| AppError::not_found("connection for this credential".into()))?;
        let company = self.company(Some(&connection.company_id.to_string()))?;
        let integration = self.integration(&connection.integration)?;
        if !integration.capabilities.sync_tracking {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                format!("{} has no sync tracking", integration.name),
            ));
        }
        if connection.state != ConnectionState::Connected {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                format!("the connection is {}", connection.state.status()),
            ));
        }
        Ok((company, connection))
    }

    /// A partner starts reporting a sync run of its connection.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] for an integration without sync tracking or a connection not Connected.
    pub fn partner_start_run(&self, caller: &ApiCaller, cycle: Cycle) -> Result<SyncRun, AppError> {
        let (company, connection) = self.partner_connection(caller)?;
        let run = SyncRun::start(connection.id.0, Trigger::PartnerReported, cycle, Utc::now());
        self.start_run(&company, &run, None)?;
        Ok(run)
    }

    fn partner_run(&self, caller: &ApiCaller, run: &str) -> Result<(Company, SyncRun), AppError> {
        let (company, connection) = self.partner_connection(caller)?;
        let missing = || AppError::not_found(format!("sync run {run}"));
        let id = run.parse::<uuid::Uuid>().map_err(|_| missing())?;
        let run = self
            .store
            .run(company.id, id)?
            .filter(|r| r.connection_id == connection.id.0)
            .ok_or_else(missing)?;
        Ok((company, run))
    }

    /// A partner appends a batch of entries (at most 1,000) to its running
    /// run; entries and counts are stored in one transaction, so concurrent
    /// batches lose nothing, and a finished run takes no more.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for an empty or too large batch or a bad
    /// entry, [`ErrorKind::Conflict`] for a finished run.
    pub fn partner_append_entries(
        &self,
        caller: &ApiCaller,
        run: &str,
        entries: Vec<SyncEntry>,
    ) -> Result<SyncRun, AppError> {
        if entries.is_empty() || entries.len() > 1000 {
            return Err(AppError::invalid(format!(
                "entries: send 1 to 1000 per batch, got {}",
                entries.len()
            )));
        }
        let (company, run) = self.partner_run(caller, run)?;
        let now = Utc::now();
        for (i, e) in entries.iter().enumerate() {
            check_reported_entry(i, e, &run, now)?;
        }
        let secret = caller.credential.client_id.to_string();
        let entries: Vec<SyncEntry> = entries
            .into_iter()
            .map(|mut e| {
                e.response = e
                    .response
                    .map(|r| relais_sync::ApiResponse::new(r.status, &r.body, &[&secret]));
                e
            })
            .collect();
        self.advance_run(
            company.id,
            run.id,
            relais_store::RunProgress {
                entries: &entries,
                ..relais_store::RunProgress::default()
            },
            &mut |r| r.heartbeat_at = now,
        )
    }

    /// A partner finishes its run; the status is derived by the one rule.
    /// Finishing is final: of concurrent finishes exactly one succeeds.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] for a finished run.
    pub fn partner_finish_run(
        &self,
        caller: &ApiCaller,
        run: &str,
        error: Option<RunError>,
    ) -> Result<SyncRun, AppError> {
        if let Some(error) = &error {
            check_reported_error(error)?;
        }
        let (company, run) = self.partner_run(caller, run)?;
        self.advance_run(
            company.id,
            run.id,
            relais_store::RunProgress::default(),
            &mut |r| r.finish(error.clone(), Utc::now()),
        )
    }
}

/// Refuses a reported entry that would escape retention (dated in the
/// future, or long before its run began) or names no possible employee.
fn check_reported_entry(
    index: usize,
    entry: &SyncEntry,
    run: &SyncRun,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    let earliest = run.started_at - chrono::Duration::days(1);
    let latest = now + chrono::Duration::minutes(5);
    if entry.at < earliest || entry.at > latest {
        return Err(AppError::invalid(format!(
            "entries[{index}].at: {} is outside the run ({} to now)",
            entry.at.to_rfc3339(),
            earliest.to_rfc3339()
        )));
    }
    if entry.employee_id <= 0 {
        return Err(AppError::invalid(format!(
            "entries[{index}].employee_id: {} is not an employee id (a positive number)",
            entry.employee_id
        )));
    }
    limits::check_length(
        format!("entries[{index}].message"),
        &entry.message,
        limits::TEXT,
    )?;
    if let Some(response) = &entry.response {
        check_reported_response(&format!("entries[{index}].response"), response)?;
    }
    if entry.changes.len() > limits::LIST {
        return Err(AppError::invalid(format!(
            "entries[{index}].changes: at most {} attributes, got {}",
            limits::LIST,
            entry.changes.len()
        )));
    }
    for (c, change) in entry.changes.iter().enumerate() {
        let field = format!("entries[{index}].changes[{c}]");
        limits::check_length(
            format!("{field}.attribute"),
            &change.attribute,
            limits::NAME,
        )?;
        limits::check_length(
            format!("{field}.old"),
            &change.old.to_string(),
            limits::TEXT,
        )?;
        limits::check_length(
            format!("{field}.new"),
            &change.new.to_string(),
            limits::TEXT,
        )?;
    }
    Ok(())
}

/// A partner's run error: a bounded message and response.
fn check_reported_error(error: &RunError) -> Result<(), AppError> {
    limits::check_length("error.message", &error.message, limits::TEXT)?;
    if let Some(response) = &error.response {
        check_reported_response("error.response", response)?;
    }
    Ok(())
}

/// A remote API's answer as a partner reports it: an HTTP status and a
/// bounded body.
fn check_reported_response(
    field: &str,
    response: &relais_sync::ApiResponse,
) -> Result<(), AppError> {
    if !(100..=599).contains(&response.status) {
        return Err(AppError::invalid(format!(
            "{field}.status: {} is not an HTTP status (100 to 599)",
            response.status
        )));
    }
    limits::check_length(format!("{field}.body"), &response.body, limits::TEXT)?;
    Ok(())
}

/// A partner's entry as sent over the API.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportedEntry {
    /// Employee.
    pub employee_id: EmployeeId,
    /// Operation.
    pub use_case: relais_sync::UseCase,
    /// Outcome.
    pub status: relais_sync::EntryStatus,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// The remote API's answer.
    #[serde(default)]
    pub response: Option<relais_sync::ApiResponse>,
    /// Changes.
    #[serde(default)]
    pub changes: Vec<relais_sync::Change>,
    /// When (default: now).
    #[serde(default)]
    pub at: Option<chrono::DateTime<Utc>>,
}

impl From<ReportedEntry> for SyncEntry {
    fn from(e: ReportedEntry) -> Self {
        Self {
            at: e.at.unwrap_or_else(Utc::now),
            employee_id: e.employee_id,
            group: None,
            use_case: e.use_case,
            status: e.status,
            message: e.message,
            response: e.response,
            changes: e.changes,
        }
    }
}

/// Runs one SCIM cycle of a connection end to end: prepare, then
/// [`execute_scim_job`].
///
/// `actor` is the user asking (`None`: the operator or the scheduler).
///
/// # Errors
/// What preparing the cycle refuses (see [`App::prepare_scim_cycle`]).
pub async fn run_scim_sync(
    app: Arc<App>,
    actor: Option<crate::Actor>,
    company: Company,
    connection: String,
    trigger: Trigger,
    force_full: bool,
) -> Result<SyncRun, AppError> {
    let prep_app = Arc::clone(&app);
    let job = crate::spawn_blocking(move || {
        let by = actor.as_ref().map_or(Caller::Operator, Caller::User);
        prep_app.prepare_scim_cycle(by, &company, &connection, trigger, force_full)
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
    execute_scim_job(app, job).await
}

/// Talks to the target for a prepared job (heartbeating, see
/// [`App::heartbeat_interval`]) and
/// stores the outcome.
///
/// # Errors
/// [`AppError`] when the outcome cannot be stored.
pub async fn execute_scim_job(app: Arc<App>, job: ScimJob) -> Result<SyncRun, AppError> {
    let (company_id, run_id) = (job.company.id, job.run.id);
    let beat_app = Arc::clone(&app);
    let every = app.heartbeat_interval();
    // Set when the run turns out closed by another process (its lease ran
    // out): the cycle then stops at its next batch instead of going on
    // beside the cycle that process runs.
    let lost = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lost_by_heartbeat = Arc::clone(&lost);
    let heartbeat = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let a = Arc::clone(&beat_app);
            let beat = crate::spawn_blocking(move || a.heartbeat(company_id, run_id)).await;
            if let Ok(Err(e)) = beat
                && e.kind() == ErrorKind::Conflict
            {
                lost_by_heartbeat.store(true, std::sync::atomic::Ordering::Relaxed);
                break;
            }
        }
    });
    // Each batch the connector reports is stored as it comes, so that a
    // process killed mid-cycle leaves a record of every account it touched.
    let (progress, mut batches) = tokio::sync::mpsc::channel::<relais_scim::CycleBatch>(4);
    let record_app = Arc::clone(&app);
    let recorder = tokio::spawn(async move {
        while let Some(batch) = batches.recv().await {
            if lost.load(std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!(run = %run_id, "the run was closed by another process; stopping its cycle");
                break;
            }
            let a = Arc::clone(&record_app);
            let stored =
                crate::spawn_blocking(move || a.record_scim_batch(company_id, run_id, &batch))
                    .await;
            match stored {
                Ok(Err(e)) if e.kind() == ErrorKind::Conflict => {
                    tracing::warn!(run = %run_id, "the run was closed by another process; stopping its cycle");
                    break;
                }
                Ok(Err(e)) => {
                    tracing::error!(run = %run_id, error = %e, "cannot record a sync batch");
                }
                _ => {}
            }
        }
        // Dropping the receiver here stops the cycle at its next batch.
    });
    let output = match &job.client {
        Ok(client) => {
            relais_scim::run_cycle(client, &job.settings, job.input.clone(), Some(&progress)).await
        }
        Err(refused) => relais_scim::CycleOutput {
            error: Some(RunError {
                message: refused.to_string(),
                response: None,
            }),
            ..relais_scim::CycleOutput::default()
        },
    };
    drop(progress);
    let _ = recorder.await;
    heartbeat.abort();
    crate::spawn_blocking(move || app.finish_scim_cycle(&job, &output))
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?
}

impl ScimJob {
    /// The prepared input (for benchmarks that drive the connector
    /// directly); `None` when the target is refused.
    #[must_use]
    pub fn parts(&self) -> Option<(&ScimClient, &ScimSettings, &CycleInput)> {
        Some((self.client.as_ref().ok()?, &self.settings, &self.input))
    }
}

// ----- Provisioning one employee on demand ---------------------------------

/// How long provisioning one employee on demand may take before its run is
/// closed as failed (the next cycle picks up the work).
pub const ON_DEMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// What provisioning one employee on demand did: its run, finished, and the
/// steps taken (matched, created, updated, deprovisioned or skipped, each
/// with its message saying what and why).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provisioned {
    /// The run of its own (trigger `on_demand`).
    pub run: SyncRun,
    /// The steps taken, as recorded in the run's entries.
    pub entries: Vec<SyncEntry>,
}

impl App {
    /// Prepares a cycle for one employee of a Connected SCIM connection and
    /// stores its run (trigger [`Trigger::OnDemand`], a full comparison with
    /// the target) as Running.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown connection or employee;
    /// otherwise what [`App::prepare_scim_cycle`] refuses: a connection
    /// that is not a Connected SCIM one, or a run under way
    /// ([`ErrorKind::Conflict`]).
    pub fn prepare_provisioning(
        &self,
        by: Caller<'_>,
        company: &Company,
        connection_id: &str,
        employee: EmployeeId,
    ) -> Result<ScimJob, AppError> {
        by.may_configure(company)?;
        self.load_connection(company.id, connection_id)?;
        if self
            .store
            .employees_by_id(company.id, &[employee])?
            .is_empty()
        {
            return Err(AppError::not_found(format!("employee {employee}")));
        }
        self.prepare_scim_cycle(by, company, connection_id, Trigger::OnDemand, true)
    }

    /// Records what provisioning one employee did and finishes its run, in
    /// one transaction. Unlike a cycle's end it leaves the connection's
    /// last successful cycle alone (the next cycle stays full or
    /// incremental as before); a refusal of the credentials counts towards
    /// turning the connection Inactive as a cycle's does.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when the run was closed meanwhile.
    pub fn finish_provisioning(
        &self,
        job: &ScimJob,
        output: &relais_scim::CycleOutput,
    ) -> Result<SyncRun, AppError> {
        let notice = (output.staged > 0)
            .then(|| "the deprovision was staged: the deletion safety threshold is 0".to_owned());
        let run = self.advance_run(
            job.company.id,
            job.run.id,
            relais_store::RunProgress {
                entries: &output.entries,
                upserted_links: &output.upserted_links,
                removed_links: &output.removed_links,
                upserted_group_links: &output.upserted_group_links,
                removed_group_links: &output.removed_group_links,
            },
            &mut |r| {
                r.staged = output.staged;
                r.notice.clone_from(&notice);
                r.finish(output.error.clone(), Utc::now());
            },
        )?;
        let state = self
            .store
            .update_sync_state(run.connection_id, &mut |state| {
                if output.auth_failed {
                    state.consecutive_auth_failures += 1;
                } else if output.error.is_none() {
                    state.consecutive_auth_failures = 0;
                }
            })?;
        self.turn_off_if_refused_too_often(&job.company, run.connection_id, &state);
        tracing::info!(run = %run.id, status = ?run.status, "on-demand provisioning finished");
        Ok(run)
    }
}

/// Provisions one employee now ("provisioning on demand"): runs the SCIM
/// cycle for them alone ([`relais_scim::run_cycle_for`]), as a run of its
/// own, and waits for it, at most [`ON_DEMAND_TIMEOUT`] (then the run is
/// closed as failed; what the target did meanwhile is found again by the
/// next cycle, which matches before it creates).
///
/// `actor` is the user asking (`None`: the operator).
///
/// # Errors
/// What [`App::prepare_provisioning`] refuses; [`ErrorKind::Conflict`] when
/// the run was closed meanwhile by another process.
pub async fn provision_employee(
    app: Arc<App>,
    actor: Option<crate::Actor>,
    company: Company,
    connection: String,
    employee: EmployeeId,
) -> Result<Provisioned, AppError> {
    let prep_app = Arc::clone(&app);
    let job = crate::spawn_blocking(move || {
        let by = actor.as_ref().map_or(Caller::Operator, Caller::User);
        prep_app.prepare_provisioning(by, &company, &connection, employee)
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
    let (company_id, run_id) = (job.company.id, job.run.id);
    let beat_app = Arc::clone(&app);
    let every = app.heartbeat_interval();
    let heartbeat = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let a = Arc::clone(&beat_app);
            let _ = crate::spawn_blocking(move || a.heartbeat(company_id, run_id)).await;
        }
    });
    let output = match &job.client {
        Ok(client) => {
            let cycle =
                relais_scim::run_cycle_for(client, &job.settings, job.input.clone(), employee);
            tokio::time::timeout(ON_DEMAND_TIMEOUT, cycle)
                .await
                .unwrap_or_else(|_| relais_scim::CycleOutput {
                    error: Some(RunError {
                        message: format!(
                            "timed out after {} seconds; the next cycle picks up the work",
                            ON_DEMAND_TIMEOUT.as_secs()
                        ),
                        response: None,
                    }),
                    ..relais_scim::CycleOutput::default()
                })
        }
        Err(refused) => relais_scim::CycleOutput {
            error: Some(RunError {
                message: refused.to_string(),
                response: None,
            }),
            ..relais_scim::CycleOutput::default()
        },
    };
    heartbeat.abort();
    crate::spawn_blocking(move || {
        let run = app.finish_provisioning(&job, &output)?;
        Ok(Provisioned {
            run,
            entries: output.entries,
        })
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?
}
