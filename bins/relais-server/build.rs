//! Finds the third-party programs some integration tests drive (personio-py,
//! openroles, scim2-server, schemathesis and standardwebhooks, from `RELAIS_PYTHON`'s environment), so that a test
//! whose program is missing is reported as *ignored*, naming it, instead of
//! passing silently. With `RELAIS_REQUIRE_CLIENTS` set (as `.ci/run` sets
//! it) they always run, and fail if their program is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    println!("cargo::rerun-if-env-changed=RELAIS_PYTHON");
    println!("cargo::rerun-if-env-changed=RELAIS_REQUIRE_CLIENTS");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(relais_personio_py)");
    println!("cargo::rustc-check-cfg=cfg(relais_scim2_server)");
    println!("cargo::rustc-check-cfg=cfg(relais_schemathesis)");
    println!("cargo::rustc-check-cfg=cfg(relais_openroles)");
    println!("cargo::rustc-check-cfg=cfg(relais_standardwebhooks)");
    let required = std::env::var_os("RELAIS_REQUIRE_CLIENTS").is_some();
    let python = std::env::var("RELAIS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    // Installing a client into that environment later makes cargo look again.
    if let Some(bin) = Path::new(&python).parent().filter(|d| d.is_dir()) {
        println!("cargo::rerun-if-changed={}", bin.display());
    }
    if required || succeeds(Command::new(&python).args(["-c", "import personio_py"])) {
        println!("cargo::rustc-cfg=relais_personio_py");
    }
    if required || succeeds(Command::new(&python).args(["-c", "import standardwebhooks"])) {
        println!("cargo::rustc-cfg=relais_standardwebhooks");
    }
    if required || succeeds(Command::new(&python).args(["-c", "import openroles"])) {
        println!("cargo::rustc-cfg=relais_openroles");
    }
    let scim = Path::new(&python)
        .parent()
        .map(|d| d.join("scim2-server"))
        .into_iter()
        .chain(std::iter::once(PathBuf::from("scim2-server")))
        .any(|program| succeeds(Command::new(program).arg("--help")));
    if required || scim {
        println!("cargo::rustc-cfg=relais_scim2_server");
    }
    let schemathesis = Path::new(&python)
        .parent()
        .map(|d| d.join("schemathesis"))
        .is_some_and(|program| succeeds(Command::new(program).arg("--version")));
    if required || schemathesis {
        println!("cargo::rustc-cfg=relais_schemathesis");
    }
}
