#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the PostgreSQL storage tests.
#
#   pg_cluster.sh start STATE_DIR   # initdb + start on a free loopback port
#   pg_cluster.sh stop  STATE_DIR   # stop it and remove its files
#
# ctest runs `start` once before the first PostgreSQL test and `stop` after
# the last (CTest fixture "pg_cluster"). To run a test binary by hand:
#
#   tests/core/storages/pg_cluster.sh start build/pg_cluster
#   build/tests/postgres_storage_test
#   tests/core/storages/pg_cluster.sh stop build/pg_cluster
#
# The cluster lives in a fresh directory under /tmp (the postgres user must be
# able to enter it when we run as root) and accepts only password
# (scram-sha-256) connections on 127.0.0.1. STATE_DIR/url receives the URL of
# the test role (LOGIN CREATEDB CREATEROLE, member of pg_signal_backend so
# that DROP DATABASE ... WITH (FORCE) may end autovacuum workers; not
# superuser):
# postgresql://hypertune_test:PASSWORD@127.0.0.1:PORT/postgres.
# Set PG_BINDIR to use another PostgreSQL installation.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
cmd=$1
state=$2

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    echo "$PG_BINDIR"
    return
  fi
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x "$d/initdb" ]]; then
      echo "$d"
      return
    fi
  done
  echo "pg_cluster.sh: no PostgreSQL server binaries (initdb) found; install the" \
       "postgresql package or set PG_BINDIR" >&2
  exit 1
}

# initdb and the server refuse to run as root: run them as `postgres` then.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

random_word() {
  # 24 letters and digits.
  LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_cluster() {
  [[ -f "$state/pgdata" ]] || return 0
  local root
  root=$(cat "$state/pgdata")
  if [[ -d "$root/data" ]]; then
    as_pg "$bindir/pg_ctl" -D "$root/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  case "$root" in
    /tmp/hypertune_pg.*) rm -rf "$root" ;;
  esac
  rm -f "$state/pgdata" "$state/url"
}

bindir=$(find_bindir)

case "$cmd" in
  start)
    mkdir -p "$state"
    stop_cluster  # left over from an interrupted run
    root=$(mktemp -d /tmp/hypertune_pg.XXXXXX)
    echo "$root" >"$state/pgdata"
    chmod 700 "$root"
    admin_pw=$(random_word)
    test_pw=$(random_word)
    printf '%s\n' "$admin_pw" >"$root/admin_pw"
    if [[ $(id -u) -eq 0 ]]; then
      id postgres >/dev/null 2>&1 || {
        echo "pg_cluster.sh: running as root, but there is no 'postgres' user to run" \
             "the server as" >&2
        exit 1
      }
      chown -R postgres: "$root"
    fi
    if ! as_pg "$bindir/initdb" -D "$root/data" -U hypertune_admin --pwfile="$root/admin_pw" \
        --auth=scram-sha-256 -E UTF8 --locale=C >"$root/initdb.log" 2>&1; then
      cat "$root/initdb.log" >&2
      echo "pg_cluster.sh: initdb failed" >&2
      exit 1
    fi
    started=0
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      cat >>"$root/data/postgresql.conf" <<EOF
# pg_cluster.sh, attempt $attempt
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
      if as_pg "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 start \
          >/dev/null 2>&1; then
        started=1
        break
      fi
    done
    if [[ $started -ne 1 ]]; then
      cat "$root/server.log" >&2 || true
      echo "pg_cluster.sh: the server did not start" >&2
      exit 1
    fi
    PGPASSWORD=$admin_pw "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
      -U hypertune_admin -d postgres \
      -c "CREATE ROLE hypertune_test LOGIN CREATEDB CREATEROLE PASSWORD '$test_pw'" \
      -c "GRANT pg_signal_backend TO hypertune_test"
    (umask 077 && echo "postgresql://hypertune_test:$test_pw@127.0.0.1:$port/postgres" \
      >"$state/url")
    echo "pg_cluster.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}')" \
         "on 127.0.0.1:$port (data in $root; URL in $state/url)"
    ;;
  stop)
    stop_cluster
    echo "pg_cluster.sh: stopped"
    ;;
  *)
    usage
    ;;
esac
