#!/usr/bin/env bash
# Copies the screenshots docs/console.md shows from the browser tests'
# output (target/console-screenshots/, made by
# `cargo test -p relais-server --test console_browser`), reduced to 256
# colours with pngquant (apt-get install pngquant) to keep the repository
# small.
set -euo pipefail
cd "$(dirname "$0")/../.."
from=target/console-screenshots
shown=(sign-in-light marketplace-light integration-light connect-step-light
       connection-light tracking-light run-light entry-light
       credential-secret-light report-light marketplace-375-light
       connections-dark integration-de-light)
for name in "${shown[@]}"; do
    [ -f "$from/$name.png" ] || { echo "missing $from/$name.png: run the browser tests first" >&2; exit 1; }
    pngquant --force --strip --quality 70-95 --output "docs/console/$name.png" "$from/$name.png"
done
du -ch docs/console/*.png | tail -1
