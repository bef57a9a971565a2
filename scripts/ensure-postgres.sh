#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries are on this machine (Debian's packages), for the embedded default.
set -euo pipefail
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir 2>/dev/null)/pg_ctl" ]; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi
echo "PostgreSQL binaries not found: installing Debian's postgresql packages..." >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql postgresql-client >/dev/null
# The package starts its own cluster on 5432; the API runs a private one and does not need it.
$SUDO service postgresql stop >/dev/null 2>&1 || true
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null
