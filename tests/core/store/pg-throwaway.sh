#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A throwaway PostgreSQL cluster for the journal's `postgres`-labelled tests.
#   eval "$(tests/core/store/pg-throwaway.sh start)"   # exports VIGIL_TEST_PG_URL and VIGIL_TEST_PG_DIR
#   ctest -L postgres ...
#   tests/core/store/pg-throwaway.sh stop "$VIGIL_TEST_PG_DIR"
# As root the server runs as the `postgres` user (runuser); otherwise as the calling user.
# Loopback only, a free port, password (scram) auth for the test role, everything under one temp dir.
set -euo pipefail

bindir="$(pg_config --bindir 2>/dev/null || true)"
if [ ! -x "$bindir/initdb" ]; then
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
fi
[ -x "$bindir/initdb" ] || { echo "pg-throwaway: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir="$(mktemp -d /tmp/vigil-pg.XXXXXX)"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --no-instructions >"$dir/initdb.log" 2>&1
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
    as_pg "$bindir/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE vigil LOGIN PASSWORD 'vigil-test'" -c "CREATE DATABASE vigil_test OWNER vigil" >/dev/null
    echo "export VIGIL_TEST_PG_URL='postgresql://vigil:vigil-test@127.0.0.1:$port/vigil_test'"
    echo "export VIGIL_TEST_PG_DIR='$dir'"
    ;;
stop)
    dir="${2:?usage: pg-throwaway.sh stop DIR}"
    case "$dir" in /tmp/vigil-pg.*) ;; *) echo "pg-throwaway: refusing to remove $dir" >&2; exit 1 ;; esac
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
