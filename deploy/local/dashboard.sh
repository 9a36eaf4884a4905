#!/usr/bin/env bash
# The local trace UI, without Docker: the .NET Aspire Dashboard (NuGet package Aspire.Dashboard.Sdk.linux-x64, MIT),
# restored through deploy/local/dashboard/Billing.Dashboard.csproj and run from the NuGet package folder. It receives
# every service's traces, metrics and logs over OTLP (gRPC and HTTP) and shows them in the browser, all on 127.0.0.1.
#
# Access: the browser logs in with a token, OTLP senders and the telemetry HTTP API present keys; all three are made
# once per state directory (files of mode 600). Anonymous access is not used even though everything is bound to
# loopback: loopback is shared by every user and process of the machine (and reachable from a browser page through
# DNS rebinding), and the telemetry holds invoice, account and run ids, email addresses in logs, and SQL text.
#
#   dashboard.sh start    restore it (the first time), start it, wait until it answers, print the settings below
#   dashboard.sh stop     stop it (by pid file); stopping what is stopped is fine
#   dashboard.sh status   one line; exit code 0 when it runs
#   dashboard.sh env      the settings pointing services and the CLI at it, as `export` lines
#   dashboard.sh restore  restore the package only; prints the path of the dashboard's executable
#
# Ports and state (for a second instance, e.g. in tests): BILLING_DASHBOARD_PORT (UI and API, 18888),
# BILLING_OTLP_GRPC_PORT (4317), BILLING_OTLP_HTTP_PORT (4318), BILLING_DASHBOARD_DIR (default .local/dashboard).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${BILLING_LOCAL_DIR:-$repo/.local}"
dir="${BILLING_DASHBOARD_DIR:-$state/dashboard}"
ui_port="${BILLING_DASHBOARD_PORT:-18888}"
grpc_port="${BILLING_OTLP_GRPC_PORT:-4317}"
http_port="${BILLING_OTLP_HTTP_PORT:-4318}"
project="$here/dashboard/Billing.Dashboard.csproj"
pidfile="$dir/dashboard.pid"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '%s\n' "$*" >&2; }
die() { log "dashboard.sh: $*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# The dashboard's executable (one self-contained file) in the NuGet package folder that the restore of the project used.
dashboard_exe() {
  /usr/bin/python3 - "$here/dashboard/obj/project.assets.json" <<'PY'
import json, os, sys
try:
    assets = json.load(open(sys.argv[1], encoding="utf-8-sig"))
except OSError:
    sys.exit(1)
for key, library in assets.get("libraries", {}).items():
    if key.lower().startswith("aspire.dashboard.sdk.linux-x64/"):
        for folder in assets.get("packageFolders", {}):
            exe = os.path.join(folder, library["path"], "tools", "Aspire.Dashboard")
            if os.path.isfile(exe) and os.access(exe, os.X_OK):
                print(exe)
                sys.exit(0)
sys.exit(1)
PY
}

restore() {
  local exe
  if exe="$(dashboard_exe)"; then echo "$exe"; return 0; fi
  log "restoring the Aspire Dashboard (NuGet package Aspire.Dashboard.Sdk.linux-x64; the first time only)"
  dotnet restore "$project" --disable-build-servers -nologo -v quiet >&2 || die "restore of $project failed"
  dashboard_exe || die "restored, but no executable tools/Aspire.Dashboard in the package"
}

secret() {
  local file="$dir/$1"
  if [ ! -s "$file" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
  fi
  cat "$file"
}

print_env() {
  cat <<EOF
export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port"
export OTEL_EXPORTER_OTLP_PROTOCOL=grpc
export OTEL_EXPORTER_OTLP_HEADERS="x-otlp-api-key=$(secret otlp-key)"
export BILLING_TRACE_UI_URL="http://127.0.0.1:$ui_port/traces/detail/{trace_id}"
export BILLING_DASHBOARD_URL="http://127.0.0.1:$ui_port"
export BILLING_DASHBOARD_LOGIN_URL="http://127.0.0.1:$ui_port/login?t=$(secret browser-token)"
export BILLING_DASHBOARD_API_KEY="$(secret api-key)"
export BILLING_DASHBOARD_OTLP_HTTP_URL="http://127.0.0.1:$http_port"
EOF
}

start() {
  mkdir -p "$dir"; chmod 700 "$dir"
  local exe; exe="$(restore)"
  if ! pid_alive; then
    for port in "$ui_port" "$grpc_port" "$http_port"; do
      if port_open "$port"; then
        die "port $port on 127.0.0.1 is taken by another program (BILLING_DASHBOARD_PORT, BILLING_OTLP_GRPC_PORT, BILLING_OTLP_HTTP_PORT choose others)"
      fi
    done
    local token otlp_key api_key
    token="$(secret browser-token)"; otlp_key="$(secret otlp-key)"; api_key="$(secret api-key)"
    # Configuration through the environment of this process only: the keys never appear on a command line.
    (
      cd "$dir"
      export ASPNETCORE_URLS="http://127.0.0.1:$ui_port" ASPNETCORE_ENVIRONMENT=Production
      export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$grpc_port"
      export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://127.0.0.1:$http_port"
      export Dashboard__Frontend__AuthMode=BrowserToken Dashboard__Frontend__BrowserToken="$token"
      export Dashboard__Otlp__AuthMode=ApiKey Dashboard__Otlp__PrimaryApiKey="$otlp_key"
      export Dashboard__Api__Enabled=true Dashboard__Api__AuthMode=ApiKey Dashboard__Api__PrimaryApiKey="$api_key"
      unset OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_HEADERS OTEL_EXPORTER_OTLP_PROTOCOL
      exec nohup "$exe" < /dev/null > "$dir/dashboard.log" 2>&1
    ) &
    echo $! > "$pidfile"
  fi
  for _ in $(seq 1 120); do
    if port_open "$grpc_port" && port_open "$http_port" \
       && curl -s -o /dev/null "http://127.0.0.1:$ui_port/" 2>/dev/null; then
      print_env > "$dir/env"
      print_env
      return 0
    fi
    pid_alive || { tail -5 "$dir/dashboard.log" >&2 || true; die "the dashboard stopped at start; see $dir/dashboard.log"; }
    sleep 0.5
  done
  die "the dashboard did not answer on 127.0.0.1:$ui_port within 60 s; see $dir/dashboard.log"
}

stop() {
  if pid_alive; then
    local pid; pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "dashboard stopped"
  fi
  rm -f "$pidfile"
}

status() {
  if pid_alive && port_open "$ui_port"; then echo "dashboard   up    http://127.0.0.1:$ui_port (OTLP gRPC 127.0.0.1:$grpc_port, HTTP 127.0.0.1:$http_port)"
  else echo "dashboard   down"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) mkdir -p "$dir"; chmod 700 "$dir"; print_env ;;
  restore) restore ;;
  *) echo "usage: $0 start|stop|status|env|restore" >&2; exit 2 ;;
esac
