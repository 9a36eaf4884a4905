#!/usr/bin/env bash
# Builds the image of every service from deploy/docker/Dockerfile: billing-<service>:<tag>.
#   deploy/docker/build-images.sh [--registry ghcr.io/example] [--tag 1.4.0] [--push]
# Default tag: the short commit id. Needs Docker (or a docker-compatible CLI such as podman).
set -euo pipefail
cd "$(dirname "$0")/../.."
registry=""; tag="$(git rev-parse --short HEAD 2>/dev/null || echo dev)"; push=0
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="${2%/}/"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --push) push=1; shift ;;
    -h|--help) sed -n 2,4p "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v docker >/dev/null || { echo "docker is not installed" >&2; exit 1; }
while read -r service assembly; do
  image="${registry}billing-${service}:${tag}"
  echo "== $image"
  docker build -f deploy/docker/Dockerfile --build-arg SERVICE="$service" --build-arg ASSEMBLY="$assembly" -t "$image" .
  [ "$push" = 1 ] && docker push "$image"
done <<'LIST'
admin-api Billing.AdminApi
invoice-generator Billing.InvoiceGenerator
pdf-renderer Billing.PdfRenderer
mailer Billing.Mailer
accounting-sync Billing.AccountingSync
redrive Billing.Redrive.Service
LIST
