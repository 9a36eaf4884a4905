#!/usr/bin/env bash
# Regenerates openapi.json at the repository root from the document the admin API serves at /openapi/v1.json.
# Builds the admin API and its contract tests, then runs the test that compares the two with BILLING_WRITE_OPENAPI=1,
# which writes the served document to the file. Needs the local servers (PostgreSQL, RabbitMQ) running: the API
# starts on a database and a virtual host of its own. Review the diff and commit the file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ -f "$repo/.local/env" ]; then set -a; source "$repo/.local/env"; set +a; fi

dotnet build tests/Billing.Invoicing.Infrastructure.Tests -nologo -v quiet -clp:ErrorsOnly
BILLING_WRITE_OPENAPI=1 dotnet test tests/Billing.Invoicing.Infrastructure.Tests --no-build -nologo \
  --filter "FullyQualifiedName~The_committed_openapi_document"
git --no-pager diff --stat -- openapi.json
