#!/usr/bin/env bash
# Installs (if missing), starts, checks and stops the real servers Billing needs — RabbitMQ (management and
# shovel plugins), PostgreSQL 15 and an SMTP server — on 127.0.0.1, without Docker. Idempotent: starting what
# runs or stopping what is stopped is fine. All state lives under one git-ignored directory (.local/ by default).
#
#   deploy/local/servers.sh start    install what is missing, start everything, wait until ready, print settings
#   deploy/local/servers.sh stop     stop everything (by pid file)
#   deploy/local/servers.sh status   one line per server
#   deploy/local/servers.sh env      the settings the services read, as `export` lines
#   deploy/local/servers.sh packages install the missing Debian packages only (`start` does it too); starts nothing
#
# Opt-in component, not started by a plain `start`: the trace UI (deploy/local/dashboard.sh, the Aspire Dashboard).
#   deploy/local/servers.sh start dashboard    restore and start only the dashboard; prints the settings pointing
#                                              services at it (OTEL_EXPORTER_OTLP_*, BILLING_TRACE_UI_URL)
#   deploy/local/servers.sh stop dashboard     stop only the dashboard (a plain `stop` stops it too)
#   deploy/local/servers.sh status dashboard   one line for it
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${BILLING_LOCAL_DIR:-$repo/.local}"

pg_port="${BILLING_PG_PORT:-55432}"
amqp_port="${BILLING_AMQP_PORT:-5673}"
mgmt_port="${BILLING_RABBIT_MGMT_PORT:-15673}"
smtp_port="${BILLING_SMTP_PORT:-2525}"
pg_bin=/usr/lib/postgresql/15/bin
rabbit_bin=/usr/lib/rabbitmq/bin

log() { printf '%s\n' "$*" >&2; }
die() { log "servers.sh: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_packages() {
  local need=()
  [ -x "$pg_bin/postgres" ] || need+=(postgresql)
  [ -x "$rabbit_bin/rabbitmq-server" ] || need+=(rabbitmq-server)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
  [ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
  # CJK glyphs for names like 株式会社; without the font they print as "?".
  [ -d /usr/share/fonts/truetype/droid ] || need+=(fonts-droid-fallback)
  # The browser of the browser tests (Microsoft.Playwright drives the system's Chromium; it never downloads its own).
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${need[*]}); run as root or install them"
  log "installing ${need[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # policy-rc.d keeps the packages' own init scripts from starting system-wide servers we do not use.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

# ---------- PostgreSQL ----------
pg_dir() {
  # The postgres user must be able to reach the data directory; a clone under /root is not reachable.
  if runuser -u postgres -- test -x "$state" 2>/dev/null; then echo "$state/postgres"
  else echo "/var/lib/billing-local/$(printf '%s' "$state" | sha1sum | cut -c1-12)/postgres"; fi
}

start_postgres() {
  # Something already answers on the port (this checkout's server, or another checkout's): use it.
  port_open "$pg_port" && return 0
  local dir; dir="$(pg_dir)"
  mkdir -p "$dir"; chown postgres:postgres "$dir"; chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initialising PostgreSQL in $dir/data"
    printf 'billing\n' > "$dir/pwfile"; chown postgres "$dir/pwfile"
    runuser -u postgres -- "$pg_bin/initdb" -D "$dir/data" -U billing --pwfile="$dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$dir/pwfile"
    cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
EOF
  fi
  if runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then return 0; fi
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
    || die "PostgreSQL did not start; see $dir/postgres.log"
}

stop_postgres() {
  local dir; dir="$(pg_dir)"
  [ -f "$dir/data/PG_VERSION" ] || return 0
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 0
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

ensure_database() {
  local q=(env PGPASSWORD=billing psql -h 127.0.0.1 -p "$pg_port" -U billing -d postgres -tA)
  if ! "${q[@]}" -c "select 1 from pg_database where datname = 'billing'" | grep -q 1; then
    "${q[@]}" -qc "create database billing" >/dev/null
  fi
}

# ---------- RabbitMQ ----------
rabbit_env() {
  export HOME="$state/rabbitmq/home"
  # Another name (BILLING_RABBIT_NODE) lets a second set of servers run beside the first one.
  export RABBITMQ_NODENAME="${BILLING_RABBIT_NODE:-rabbit@localhost}"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$amqp_port"
  export RABBITMQ_DIST_PORT=$((amqp_port + 20000))
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$state/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$state/rabbitmq/log"
  export RABBITMQ_PID_FILE="$state/rabbitmq/rabbit.pid"
  export RABBITMQ_CONFIG_FILE="$state/rabbitmq/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$state/rabbitmq/enabled_plugins"
  # Schedulers that sleep instead of busy-waiting when idle: on a small machine shared with PostgreSQL and the
  # services, spinning only takes CPU from the processes that have work.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none'
}

start_rabbitmq() {
  rabbit_env
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  cat > "$RABBITMQ_CONFIG_FILE" <<EOF
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt_port
log.console = false
EOF
  port_open "$amqp_port" && return 0
  [ -f "$RABBITMQ_ENABLED_PLUGINS_FILE" ] || \
    "$rabbit_bin/rabbitmq-plugins" enable --offline rabbitmq_management rabbitmq_shovel rabbitmq_shovel_management >/dev/null
  log "starting RabbitMQ (10-15 s)"
  nohup "$rabbit_bin/rabbitmq-server" > "$RABBITMQ_LOG_BASE/stdout.log" 2>&1 &
  "$rabbit_bin/rabbitmqctl" wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 \
    || die "RabbitMQ did not start; see $RABBITMQ_LOG_BASE"
  for _ in $(seq 1 60); do port_open "$mgmt_port" && return 0; sleep 0.5; done
  die "RabbitMQ management did not open port $mgmt_port"
}

# A real broker restart (the RabbitMQ application inside the running node: every connection drops, queues recover
# from disk), for tests that show what the services do through one. Waits until AMQP and management answer again.
restart_rabbitmq() {
  rabbit_env
  pid_alive "$RABBITMQ_PID_FILE" || die "RabbitMQ is not running (deploy/local/servers.sh start)"
  "$rabbit_bin/rabbitmqctl" stop_app >/dev/null || die "rabbitmqctl stop_app failed"
  "$rabbit_bin/rabbitmqctl" start_app >/dev/null || die "rabbitmqctl start_app failed"
  for _ in $(seq 1 120); do port_open "$amqp_port" && port_open "$mgmt_port" && { log "RabbitMQ restarted"; return 0; }; sleep 0.5; done
  die "RabbitMQ did not come back after its restart"
}

stop_rabbitmq() {
  rabbit_env
  if pid_alive "$RABBITMQ_PID_FILE"; then
    "$rabbit_bin/rabbitmqctl" stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || kill "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null || true
  elif port_open "$amqp_port"; then
    # Running without its pid file (removed under it): stopped by its node name, else found by the home it runs in.
    "$rabbit_bin/rabbitmqctl" stop >/dev/null 2>&1 || pkill -f -- "-home $HOME " 2>/dev/null || true
  fi
  for _ in $(seq 1 60); do
    port_open "$amqp_port" || pgrep -f -- "-home $HOME " >/dev/null || break
    sleep 0.5
  done
  port_open "$amqp_port" && log "RabbitMQ still answers on 127.0.0.1:$amqp_port after stop"
  rm -f "$RABBITMQ_PID_FILE"
  epmd -kill >/dev/null 2>&1 || true
}

# ---------- SMTP ----------
smtp_pid="$state/smtp/smtp.pid"

start_smtp() {
  # The server creates tmp/new/cur itself; made here too so readers find them before the first message.
  mkdir -p "$state/smtp" "$state/mail/tmp" "$state/mail/new" "$state/mail/cur"
  port_open "$smtp_port" && return 0
  # aiosmtpd with the project's handler: each accepted message's bytes go to a Maildir, which tests and people
  # read back. aiosmtpd's own Mailbox handler parses and re-serialises every message and costs ~2x the CPU.
  nohup /usr/bin/python3 "$here/smtp_maildir.py" --listen "127.0.0.1:$smtp_port" "$state/mail" \
    > "$state/smtp/smtp.log" 2>&1 &
  echo $! > "$smtp_pid"
  for _ in $(seq 1 50); do port_open "$smtp_port" && return 0; sleep 0.2; done
  die "SMTP server did not open port $smtp_port; see $state/smtp/smtp.log"
}

stop_smtp() {
  if pid_alive "$smtp_pid"; then kill "$(cat "$smtp_pid")"; fi
  rm -f "$smtp_pid"
}

print_env() {
  cat <<EOF
export Postgres__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=billing;Password=billing;Database=billing"
export RabbitMq__Url="amqp://guest:guest@127.0.0.1:$amqp_port/"
export RabbitMq__ManagementUrl="http://127.0.0.1:$mgmt_port/"
export Smtp__Host=127.0.0.1
export Smtp__Port=$smtp_port
export BILLING_MAILDIR="$state/mail"
EOF
}

status() {
  local ok=0
  if port_open "$pg_port"; then echo "postgresql  up    127.0.0.1:$pg_port"; else echo "postgresql  down"; ok=1; fi
  if port_open "$amqp_port"; then echo "rabbitmq    up    127.0.0.1:$amqp_port (management http://127.0.0.1:$mgmt_port)"; else echo "rabbitmq    down"; ok=1; fi
  if port_open "$smtp_port"; then echo "smtp        up    127.0.0.1:$smtp_port (maildir $state/mail)"; else echo "smtp        down"; ok=1; fi
  return $ok
}

# A named component is handled alone: nothing else is started or stopped.
if [ $# -ge 2 ]; then
  case "$2:$1" in
    dashboard:start|dashboard:stop|dashboard:status|dashboard:env) exec "$here/dashboard.sh" "$1" ;;
    *) echo "usage: $0 start|stop|status|env [dashboard]" >&2; exit 2 ;;
  esac
fi

case "${1:-}" in
  start)
    mkdir -p "$state"; chmod 755 "$state"
    ensure_packages
    start_postgres; ensure_database
    start_smtp
    start_rabbitmq
    print_env > "$state/env"
    status >&2
    print_env
    ;;
  stop) "$here/dashboard.sh" stop; stop_rabbitmq; stop_smtp; stop_postgres; log "servers stopped" ;;
  status) rc=0; status || rc=$?; "$here/dashboard.sh" status 2>/dev/null || true; exit $rc ;;
  env) print_env ;;
  packages) ensure_packages ;;
  restart-rabbitmq) restart_rabbitmq ;;
  *) echo "usage: $0 start|stop|status|env [dashboard] | packages | restart-rabbitmq" >&2; exit 2 ;;
esac
