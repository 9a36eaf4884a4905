#!/usr/bin/env bash
# Loads the demo data set through the CLI (plans, a few hundred accounts, usage, one-off charges) and runs the
# monthly invoice run for the previous month with a live progress bar, then prints where things stand.
# Safe to run again: existing plans and accounts are kept, usage and charges carry idempotency keys, and a period
# that was already invoiced is shown instead of invoiced twice. Called by up.sh (BILLING_API_URL/KEY set there).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
# BILLING_CLI: how to run the CLI (the demo image sets it); default: the Release build of this checkout.
cli="${BILLING_CLI:-dotnet services/cli/bin/Release/net10.0/billing.dll}"
billing() { $cli "$@"; }
period="${BILLING_DEMO_PERIOD:-$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)}"
data=.local/demo; mkdir -p "$data"

echo "== demo data"
/usr/bin/python3 deploy/demo/generate.py plans "$data"
for plan in "$data"/demo-*.json; do
  code="$(basename "$plan" .json)"
  billing plans show "$code" >/dev/null 2>&1 || billing plans create --file "$plan"
done
if [ ! -s "$data/accounts-created.json" ] || ! billing accounts show "$(/usr/bin/python3 -c "import json;print(json.load(open('$data/accounts-created.json'))['accounts'][0]['id'])")" >/dev/null 2>&1; then
  # Billed from the first day of the period run below (an account created today would be billed from today on).
  /usr/bin/python3 deploy/demo/generate.py accounts "$data" "$period"
  billing accounts import --file "$data/accounts.json" --json > "$data/accounts-created.json"
fi
/usr/bin/python3 deploy/demo/generate.py usage "$data/accounts-created.json" "$period" "$data/usage.csv"
billing usage import --file "$data/usage.csv" || echo "(usage of $period already invoiced)"
first="$(/usr/bin/python3 -c "import json;print(json.load(open('$data/accounts-created.json'))['accounts'][0]['id'])")"
billing charges add --account "$first" --description "Managed migration job" --quantity 1 --unit-price 450.00 \
  --period "$period" --idempotency-key "demo-charge-$period" >/dev/null || true

echo "== monthly run for $period"
if ! billing run start --period "$period" --watch; then
  echo "(see the line above: $period was invoiced already, or the run needs attention — billing run status --period $period --failed)"
fi
billing run status --period "$period"
echo "== reconcile"
billing reconcile || true
# Journal entries are dated when the invoice is issued, i.e. in the month after the billed period.
echo "== ledger, month-end summary of $(date -u +%Y-%m)"
billing ledger export --period "$(date -u +%Y-%m)" --format summary || true
