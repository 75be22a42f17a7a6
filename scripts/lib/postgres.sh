# A throwaway PostgreSQL cluster for the tests (sourced by scripts/test): Debian's postgresql, installed when
# missing; initdb into a new directory under /tmp, listening on 127.0.0.1 only, on a free port, with its socket in
# that directory; stopped by its postmaster's PID and removed at the end, tests failed or not.
#
#   ensure_postgres                 install Debian's postgresql when there is no initdb
#   start_test_postgres             start a cluster; exports JINA_HISTORY_TEST_POSTGRES (a url of the superuser,
#                                   no password), JINA_HISTORY_TEST_POSTGRES_PASSWORD (the password of the
#                                   role jh_password, which logs in with SCRAM, for the login tests) and
#                                   JINA_HISTORY_TEST_POSTGRES_CA (the CA of the server's certificate: it offers TLS,
#                                   its certificate for 127.0.0.1 and localhost, for the TLS tests)
#   stop_test_postgres              stop it by PID and remove its directory
#   pause_test_postgres             stop the server, keeping its data (a test's database outage)
#   resume_test_postgres            start it again on the same port with the same data
#
# initdb and postgres refuse to run as root: as root (CI) they run as the `postgres` user the package creates. The
# cluster is disposable, so fsync is off: these are correctness tests, never the durable figures of a benchmark
# (scripts/bench central sets JINA_HISTORY_DURABLE_POSTGRES=1, which keeps PostgreSQL's durable defaults).

postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

as_postgres_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ]; then
    echo "== installing postgresql (Debian's; a throwaway cluster is started for the tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
}

start_test_postgres() {
  local bin port root
  bin=$(postgres_bin)
  root=$(mktemp -d /tmp/jh-pg.XXXXXX)   # short: a unix socket path must stay under about 107 bytes
  [ "$(id -u)" -eq 0 ] && chown postgres: "$root"
  # UTF8 and C.UTF-8 spelled out: with LANG unset initdb silently picks SQL_ASCII.
  as_postgres_owner "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    > "$root/initdb.log"
  # A CA of its own and a certificate it signed for 127.0.0.1 and localhost (EC keys: made in milliseconds).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=jina-history test CA" \
    -keyout "$root/ca.key" -out "$root/ca.pem" 2> /dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$root/server.key" -out "$root/server.csr" 2> /dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$root/server.ext"
  openssl x509 -req -in "$root/server.csr" -CA "$root/ca.pem" -CAkey "$root/ca.key" -CAcreateserial -days 2 \
    -extfile "$root/server.ext" -out "$root/server.pem" 2> /dev/null
  chmod 600 "$root/server.key"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$root/server.key" "$root/server.pem"
  local tls="-c ssl=on -c ssl_cert_file=$root/server.pem -c ssl_key_file=$root/server.key"
  cat > "$root/data/pg_hba.conf" <<'HBA'
local all all trust
host all jh_password 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
HBA
  for _ in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    # Durable for benchmarks (JINA_HISTORY_DURABLE_POSTGRES=1): their figures are a real server's.
    if [ "${JINA_HISTORY_DURABLE_POSTGRES:-}" = 1 ]; then
      echo "-c listen_addresses=127.0.0.1 -p $port -k $root $tls" > "$root/options"
    else
      echo "-c listen_addresses=127.0.0.1 -p $port -k $root $tls -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        > "$root/options"
    fi
    if as_postgres_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 -o "$(cat "$root/options")" \
        start > /dev/null; then
      JINA_HISTORY_TEST_POSTGRES_ROOT=$root
      JINA_HISTORY_TEST_POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
      as_postgres_owner "$bin/psql" -q -h "$root" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE jh_password LOGIN CREATEDB PASSWORD '$JINA_HISTORY_TEST_POSTGRES_PASSWORD'" > /dev/null
      export JINA_HISTORY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
      export JINA_HISTORY_TEST_POSTGRES_PASSWORD JINA_HISTORY_TEST_POSTGRES_ROOT
      export JINA_HISTORY_TEST_POSTGRES_CA=$root/ca.pem
      echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(head -1 "$root/data/postmaster.pid"), $root)"
      return 0
    fi
    tail -n 3 "$root/server.log" >&2 || true   # a port taken meanwhile: try another
  done
  echo "could not start PostgreSQL; see $root/server.log" >&2
  return 1
}

# Their output goes to pg_ctl.log (printed when they fail): the server started here must not hold the caller's
# output open, which a caller waiting for its end (a test) would wait on for ever.
pause_test_postgres() {
  local root=$JINA_HISTORY_TEST_POSTGRES_ROOT
  as_postgres_owner "$(postgres_bin)/pg_ctl" -D "$root/data" -m fast -w -t 30 stop >> "$root/pg_ctl.log" 2>&1 \
    || { cat "$root/pg_ctl.log" >&2; return 1; }
}

resume_test_postgres() {
  local root=$JINA_HISTORY_TEST_POSTGRES_ROOT fd
  (
    # Every descriptor past stderr is closed too: the server would inherit them (a test's output pipes among them).
    for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    as_postgres_owner "$(postgres_bin)/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
      -o "$(cat "$root/options")" start < /dev/null >> "$root/pg_ctl.log" 2>&1
  ) || { cat "$root/pg_ctl.log" >&2; return 1; }
}

stop_test_postgres() {
  local root=${JINA_HISTORY_TEST_POSTGRES_ROOT:-} pid
  [ -n "$root" ] || return 0
  if [ -f "$root/data/postmaster.pid" ]; then
    pid=$(head -1 "$root/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || true   # fast shutdown: end sessions, write a checkpoint, exit
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$root"
  unset JINA_HISTORY_TEST_POSTGRES_ROOT
}
