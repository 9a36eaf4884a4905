#!/usr/bin/env bash
# Quick start: installs and starts the real servers and the trace UI (the Aspire Dashboard), builds and starts every
# service on 127.0.0.1 exporting its traces, metrics and logs to that UI, waits until all are healthy, and (when the
# demo exists) loads demo data and runs a monthly invoice run.
# Idempotent: running it again reuses what runs. Stop everything with deploy/local/down.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== servers"
deploy/local/servers.sh start >/dev/null
set -a; source .local/env; set +a

echo "== trace UI"
# Every service exports over OTLP to it; BILLING_TRACE_UI_URL makes trace ids (CLI, chat alerts, error records and
# dead letters) links to its trace page.
deploy/local/servers.sh start dashboard >/dev/null
set -a; source .local/dashboard/env; set +a

echo "== build"
dotnet build Billing.sln -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p .local/run .local/logs .local/pdfs
# An operator key for this machine, created once; only its hash is given to the admin API.
if [ ! -f .local/api-key ]; then
  key="bk_local_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf '%s\n' "$key" > .local/api-key; chmod 600 .local/api-key
fi
key="$(cat .local/api-key)"
hash="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"

export Auth__ApiKeys="local:operator:$hash"
export PdfStorage__Directory="$repo/.local/pdfs"
export Mail__From="${Mail__From:-billing@example.test}"
export ASPNETCORE_ENVIRONMENT=Production

declare -A ports=( [admin-api]=5080 [invoice-generator]=5081 [pdf-renderer]=5082 [mailer]=5083 [accounting-sync]=5084 [redrive]=5085 )
declare -A dlls=( [admin-api]=Billing.AdminApi [invoice-generator]=Billing.InvoiceGenerator [pdf-renderer]=Billing.PdfRenderer
                  [mailer]=Billing.Mailer [accounting-sync]=Billing.AccountingSync [redrive]=Billing.Redrive.Service )
order=(admin-api invoice-generator pdf-renderer mailer accounting-sync redrive)

echo "== services"
for s in "${order[@]}"; do
  pidfile=".local/run/$s.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
  nohup dotnet "services/$s/bin/Release/net10.0/${dlls[$s]}.dll" --urls "http://127.0.0.1:${ports[$s]}" \
    > ".local/logs/$s.log" 2>&1 &
  echo $! > "$pidfile"
done
for s in "${order[@]}"; do
  ok=0
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:${ports[$s]}/health" >/dev/null 2>&1; then ok=1; break; fi
    if ! kill -0 "$(cat ".local/run/$s.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ "$ok" = 1 ]; then printf '  %-18s healthy   http://127.0.0.1:%s\n' "$s" "${ports[$s]}"
  else printf '  %-18s FAILED    see .local/logs/%s.log\n' "$s" "$s"; tail -5 ".local/logs/$s.log"; exit 1; fi
done

export BILLING_API_URL=http://127.0.0.1:5080 BILLING_API_KEY="$key"
if [ -x deploy/local/demo.sh ]; then deploy/local/demo.sh; fi

cat <<EOT

All services are healthy.
  admin API     http://127.0.0.1:5080   (key in .local/api-key; CLI: export BILLING_API_KEY=\$(cat .local/api-key))
  console       http://127.0.0.1:5080/console  (sign in with the key in .local/api-key)
  CLI           dotnet services/cli/bin/Release/net10.0/billing.dll --help
  traces, metrics, logs
                $BILLING_DASHBOARD_URL  (Aspire Dashboard; log in once with this link:)
                $BILLING_DASHBOARD_LOGIN_URL
  trace links   export BILLING_TRACE_UI_URL='$BILLING_TRACE_UI_URL'
  RabbitMQ      http://127.0.0.1:15673  (guest/guest)
  mailbox       .local/mail             (Maildir written by the local SMTP server)
  PDFs          .local/pdfs
  logs          .local/logs
Stop everything: deploy/local/down.sh
EOT
