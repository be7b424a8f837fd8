#!/usr/bin/env bash
# Installs what probe needs (Debian packages), builds it, and runs it with the given
# arguments — by default the main job, `probe user@domain`.
#   scripts/run.sh postmaster@example.com
#   scripts/run.sh mx example.com
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh --runtime-only >&2
scripts/build.sh >&2
(($#)) || set -- --help
exec build/probe/probe "$@"
