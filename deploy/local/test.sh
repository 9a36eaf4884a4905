#!/usr/bin/env bash
# Runs every test against the real local servers: starts them (installing what is missing), builds the solution,
# runs all test projects, and ends with one summary line "N passed, N failed[, N skipped]".
# Servers this script started are stopped again at the end; servers that were already running are left running.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started_here=0
deploy/local/servers.sh status >/dev/null 2>&1 || started_here=1
deploy/local/servers.sh start >/dev/null || { echo "servers did not start"; echo "0 passed, 1 failed"; exit 1; }
# Starting what already runs must be a no-op.
deploy/local/servers.sh start >/dev/null || { echo "second start failed"; echo "0 passed, 1 failed"; exit 1; }
set -a; source "$repo/.local/env"; set +a

results="$repo/.local/test-results"
rm -rf "$results"; mkdir -p "$results"

echo "== build"
if ! dotnet build Billing.sln -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# Every restored package must be under an allowed licence; a failure names the package and counts as a failed test.
# The trace UI (restored outside the solution; the end-to-end trace test starts it) is restored first so it is checked too.
echo "== licences"
licence_rc=0
deploy/local/dashboard.sh restore >/dev/null || licence_rc=1
/usr/bin/python3 deploy/ci/licences.py || licence_rc=1

echo "== test"
# Tests in the category Exclusive do something to the shared servers that others must not see (a real RabbitMQ
# restart): they run alone, after the others. Arguments given to this script apply to one run of everything instead.
if [ $# -eq 0 ]; then
  dotnet test Billing.sln --no-build -nologo --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m --filter "Category!=Exclusive"
  test_rc=$?
  echo "== tests that run alone (Category=Exclusive)"
  dotnet test tests/Billing.EndToEnd.Tests --no-build -nologo --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m --filter "Category=Exclusive" || test_rc=1
else
  dotnet test Billing.sln --no-build -nologo --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m "$@"
  test_rc=$?
fi

if [ "$started_here" = 1 ]; then
  deploy/local/servers.sh stop >/dev/null 2>&1
  deploy/local/servers.sh stop >/dev/null 2>&1 || { echo "second stop failed"; test_rc=1; }
fi

/usr/bin/python3 - "$results" "$test_rc" "$licence_rc" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
# A test host that crashed leaves no result file: count the run as failed rather than hide it.
if int(sys.argv[2]) != 0 and failed == 0:
    failed = 1
# The licence check runs before the tests: its failure is one more failed test.
failed += int(sys.argv[3])
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
