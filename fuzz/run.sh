#!/usr/bin/env bash
# Fuzzes each target for a bounded time (default 60 s each; first argument
# to change it). Needs cargo-fuzz (installed here if missing) and, on a
# stable toolchain, RUSTC_BOOTSTRAP=1 for the sanitizer flags. Not run by CI:
# findings land in fuzz/artifacts/<target>/ with the input that caused them.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in catalog_query wizard_answers report_definition; do
    mkdir -p "corpus/$target"
    echo "== $target ($seconds s)"
    cargo fuzz run "$target" "corpus/$target" seeds/"$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
