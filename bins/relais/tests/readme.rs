//! The README's examples, run in order on a fresh demo server, as a new
//! user types them: every ```sh block of README.md, except a block right
//! after a `<!-- readme-test: skip … -->` line.
//!
//! Each command runs in bash, in a scratch copy of the clone's layout (its
//! `fixtures/`), with what the README exported so far, and must succeed;
//! `curl` is told to fail on an HTTP error. What the test does instead of
//! the README, and why:
//! - `cargo build`, `export PATH=…`: the test runs the binaries cargo built
//!   for it (`relais` is on the PATH);
//! - `relais-server --demo`: the server is started in this process from the
//!   same library, with what the README exported (the key, the egress
//!   setting), on a free port that replaces `localhost:8080` everywhere,
//!   and with the scheduler looking every second instead of every 20, so
//!   that `sleep 30` can be `sleep 3`;
//! - `export X=rlp_…` (a placeholder with `…`): the value is taken from the
//!   latest output holding one of that shape, as a person copies it (bare
//!   `…` is an id);
//! - `python3 -m venv …` and `scim-venv/bin/scim2-server`: the scim2-server
//!   of `RELAIS_PYTHON`'s environment (as `.ci/run` installs it), on a free
//!   port that replaces 8081. Without it the SCIM steps still run, but the
//!   run they trigger cannot reach a target; the test says so, and fails
//!   under `RELAIS_REQUIRE_CLIENTS=1`.
//!
//! A few outputs are checked too: the run in the Tracking tab completed,
//! the public API answered, the report was written.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const README: &str = include_str!("../../../README.md");

/// One command of a block: a line, with its continuation lines and heredoc.
fn commands(block: &[&str]) -> Vec<String> {
    let mut commands = Vec::new();
    let mut lines = block.iter();
    while let Some(line) = lines.next() {
        let mut command = (*line).to_owned();
        while command.trim_end().ends_with('\\') {
            let Some(next) = lines.next() else { break };
            command.push('\n');
            command.push_str(next);
        }
        if let Some(at) = command.find("<<'") {
            let end = command[at + 3..].split('\'').next().unwrap().to_owned();
            for next in lines.by_ref() {
                command.push('\n');
                command.push_str(next);
                if next.trim() == end {
                    break;
                }
            }
        }
        if !command.trim().is_empty() {
            commands.push(command);
        }
    }
    commands
}

/// The README's runnable blocks, in order.
fn blocks() -> Vec<Vec<String>> {
    enum State<'a> {
        Outside,
        Running(Vec<&'a str>),
        Skipping,
    }
    let (mut blocks, mut state, mut skip_next) = (Vec::new(), State::Outside, false);
    for line in README.lines() {
        let fence = line.trim_start().starts_with("```");
        state = match state {
            State::Outside if line.starts_with("<!-- readme-test: skip") => {
                skip_next = true;
                State::Outside
            }
            State::Outside if fence => {
                let run = line.trim() == "```sh" && !skip_next;
                skip_next = false;
                if run {
                    State::Running(Vec::new())
                } else {
                    State::Skipping
                }
            }
            State::Running(lines) if fence => {
                blocks.push(commands(&lines));
                State::Outside
            }
            State::Running(mut lines) => {
                lines.push(line);
                State::Running(lines)
            }
            State::Skipping if fence => State::Outside,
            other => other,
        };
    }
    blocks
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// scim2-server, from `RELAIS_PYTHON`'s environment or the PATH.
fn scim_server_program() -> Option<PathBuf> {
    let beside_python = std::env::var("RELAIS_PYTHON")
        .ok()
        .and_then(|p| Path::new(&p).parent().map(|d| d.join("scim2-server")));
    beside_python
        .into_iter()
        .chain(std::iter::once(PathBuf::from("scim2-server")))
        .find(|candidate| {
            Command::new(candidate)
                .arg("--help")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

struct Runner {
    dir: tempfile::TempDir,
    _bin: tempfile::TempDir,
    env: BTreeMap<String, String>,
    outputs: Vec<String>,
    server_port: u16,
    scim_port: u16,
    scim: Option<PathBuf>,
    runtime: Option<tokio::runtime::Runtime>,
    background: Vec<Child>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        for child in &mut self.background {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Runner {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        std::fs::create_dir(dir.path().join("fixtures")).unwrap();
        for entry in std::fs::read_dir(fixtures).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(
                entry.path(),
                dir.path().join("fixtures").join(entry.file_name()),
            )
            .unwrap();
        }
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("relais"),
            bin.path().join("relais"),
        )
        .unwrap();
        let path = format!(
            "{}:{}",
            bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut env = BTreeMap::new();
        env.insert("PATH".to_owned(), path);
        env.insert(
            "HOME".to_owned(),
            std::env::var("HOME").unwrap_or_else(|_| "/tmp".into()),
        );
        if relais_store::testing::is_postgres_run() {
            // The README's commands name no database: they use RELAIS_DB.
            env.insert(
                "RELAIS_DB".to_owned(),
                relais_store::testing::database_in(dir.path())
                    .display()
                    .to_string(),
            );
        }
        Self {
            dir,
            _bin: bin,
            env,
            outputs: Vec::new(),
            server_port: free_port(),
            scim_port: free_port(),
            scim: scim_server_program(),
            runtime: None,
            background: Vec::new(),
        }
    }

    /// The command as run here: this test's ports, curl failing on HTTP errors.
    fn adapt(&self, command: &str) -> String {
        command
            .replace("localhost:8080", &format!("127.0.0.1:{}", self.server_port))
            .replace("8081", &self.scim_port.to_string())
            .replace("curl ", "curl --silent --show-error --fail-with-body ")
    }

    /// The latest output's match of `prefix` followed by id characters
    /// (`prefix` empty: an id such as a connection's).
    fn captured(&self, prefix: &str) -> String {
        let pattern = if prefix.is_empty() {
            regex_lite::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        } else {
            regex_lite::Regex::new(&format!("{}[0-9A-Za-z_]+", regex_lite::escape(prefix)))
        }
        .unwrap();
        self.outputs
            .iter()
            .rev()
            .find_map(|o| pattern.find_iter(o).last().map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| panic!("no output holds a value for {prefix}…"))
    }

    fn export_placeholders(&mut self, command: &str) {
        let assignments = command
            .trim_start_matches("export ")
            .split('#')
            .next()
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        for assignment in assignments {
            let (name, value) = assignment.split_once('=').unwrap();
            let prefix = value.trim_end_matches('…');
            let captured = self.captured(prefix);
            self.env.insert(name.to_owned(), captured);
        }
    }

    fn start_server(&mut self) {
        let key = self
            .env
            .get("RELAIS_SECRET_KEY")
            .map(|k| relais_access::SecretKey::from_hex(k).unwrap());
        let egress = relais_egress::EgressPolicy::parse(
            self.env
                .get("RELAIS_EGRESS_ALLOW")
                .map_or("", String::as_str),
        )
        .unwrap();
        let app = relais_app::App::open(relais_store::testing::database_in(self.dir.path()))
            .unwrap()
            .with_secret_key(key)
            .with_egress_policy(egress);
        app.key_state().unwrap();
        let demo = app.ensure_demo_company().unwrap().unwrap();
        let app = Arc::new(app);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let port = self.server_port;
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            relais_server::spawn_scheduler(Arc::clone(&app), Duration::from_secs(1), 30);
            tokio::spawn(relais_server::serve(
                listener,
                relais_server::router(app, relais_server::ServerConfig::default()),
                std::future::pending(),
            ));
        });
        self.runtime = Some(runtime);
        self.outputs.push(format!(
            "demo company '{}' created with 150 employees; admin {} token (shown once): {}\nrelais-server listening on http://127.0.0.1:{port}",
            demo.company.name, demo.admin.email, demo.token
        ));
    }

    fn start_background(&mut self, command: &str) {
        let Some(program) = &self.scim else {
            eprintln!(
                "README: no scim2-server (set RELAIS_PYTHON to a Python with scim2-server==0.8.3); `{command}` skipped"
            );
            return;
        };
        let command = self
            .adapt(command)
            .trim_end()
            .trim_end_matches('&')
            .replace("scim-venv/bin/scim2-server", &program.display().to_string());
        let child = Command::new("bash")
            .args(["-c", &format!("exec {command}")])
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.background.push(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.scim_port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "scim2-server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs one command in bash; its exports carry over to the next ones.
    fn run(&mut self, command: &str) -> String {
        let env_file = self.dir.path().join(".env-after");
        let script = format!(
            "set -eo pipefail\n{}\nenv -0 > '{}'\n",
            self.adapt(command),
            env_file.display()
        );
        let output = Command::new("bash")
            .args(["-c", &script])
            .current_dir(self.dir.path())
            .env_clear()
            .envs(&self.env)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "README command failed ({}):\n{command}\n---\n{text}",
            output.status
        );
        let dumped = std::fs::read(&env_file).unwrap();
        self.env = dumped
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                let (k, v) = entry.split_once('=')?;
                (!k.is_empty() && !["PWD", "OLDPWD", "SHLVL", "_"].contains(&k))
                    .then(|| (k.to_owned(), v.to_owned()))
            })
            .collect();
        self.outputs.push(text.clone());
        text
    }
}

#[test]
fn the_readme_runs_in_order_on_a_fresh_demo_server() {
    let blocks = blocks();
    assert!(blocks.len() >= 6, "{} runnable blocks", blocks.len());
    let mut runner = Runner::new();
    let mut ran = 0;
    for command in blocks.iter().flatten() {
        let line = command.trim_start();
        if line.starts_with("cargo build")
            || line.starts_with("export PATH=")
            || line.starts_with("python3 -m venv")
        {
            continue;
        }
        if line.starts_with("relais-server") {
            runner.start_server();
        } else if line.starts_with("export ") && line.contains('…') {
            runner.export_placeholders(line);
        } else if line.split('#').next().unwrap().trim_end().ends_with('&') {
            runner.start_background(line);
        } else if let Some(rest) = line.strip_prefix("sleep ") {
            assert!(
                rest.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .is_ok()
            );
            std::thread::sleep(Duration::from_secs(3));
        } else {
            let mut output = runner.run(command);
            // As the README says: while the run says running, ask again.
            let asked = Instant::now();
            while line.starts_with("relais sync runs")
                && output.contains("running")
                && asked.elapsed() < Duration::from_secs(180)
            {
                std::thread::sleep(Duration::from_secs(1));
                output = runner.run(command);
            }
            if line.starts_with("relais sync runs") {
                eprintln!(
                    "README: the first run settled {:?} after `sleep`",
                    asked.elapsed()
                );
            }
            check(&runner, line, &output);
        }
        ran += 1;
    }
    assert!(ran > 40, "only {ran} README commands ran");
    assert!(
        runner.runtime.is_some(),
        "the README never started the server"
    );
}

/// What a few steps must show, beyond succeeding.
fn check(runner: &Runner, line: &str, output: &str) {
    if line.contains("/v1/company/employees") {
        assert!(output.contains("\"success\":true"), "{output}");
    }
    if line.starts_with("relais connections connect scim-provisioning") {
        assert!(output.contains(": connected"), "{output}");
    }
    if line.starts_with("relais sync runs") && !output.contains("completed") {
        assert!(
            runner.scim.is_none() && std::env::var("RELAIS_REQUIRE_CLIENTS").is_err(),
            "the first SCIM run did not complete:\n{output}"
        );
        eprintln!("README: without scim2-server the SCIM run cannot complete:\n{output}");
    }
    if line.starts_with("relais reports export") {
        let csv = std::fs::read_to_string(runner.dir.path().join("overtime.csv")).unwrap();
        assert!(csv.lines().count() > 100, "{csv}");
    }
    if line.starts_with("relais info") {
        assert!(output.contains("Secret key: set"), "{output}");
    }
}

#[test]
fn the_example_attendance_of_the_api_reference_is_accepted_on_demo_data() {
    let api = include_str!("../../../docs/api.md");
    let section = api.split("### Creating attendances").nth(1).unwrap();
    let body = section
        .split('`')
        .find(|part| part.starts_with("{\"attendances\""))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = relais_app::App::open(relais_store::testing::database_in(dir.path())).unwrap();
    let demo = app.ensure_demo_company().unwrap().unwrap();
    let credential = app
        .create_credential(
            relais_app::Caller::Operator,
            &demo.company,
            relais_app::CredentialInput {
                name: "doc".into(),
                scopes: ["attendances:write".parse().unwrap()].into_iter().collect(),
                ..relais_app::CredentialInput::default()
            },
        )
        .unwrap();
    let token = app
        .issue_api_token(&credential.credential.client_id, &credential.client_secret)
        .unwrap()
        .token;
    let caller = app.authenticate_api(&token).unwrap();
    let value: relais_app::public_api::NewAttendances = serde_json::from_str(body).unwrap();
    let ids = app.v1_create_attendances(&caller, &value).unwrap();
    assert!(!ids.is_empty(), "the documented body stored no attendance");
}
