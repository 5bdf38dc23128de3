#!/usr/bin/env bash
# demo.sh: a testbed cluster that looks like a small company's, for trying kdeck on.
#
#   hack/demo.sh [NAME]   up cluster NAME (default kdeck-demo), seed it (objects and Helm
#                         releases), print its kubeconfig
#
# Re-running it reuses the cluster and re-seeds it (idempotent). Remove it with
# hack/testbed.sh down NAME.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

name=${1:-kdeck-demo}
kubeconfig=$(hack/testbed.sh up "$name")
go run ./hack/seed --kubeconfig "$kubeconfig" --helm "$(hack/testbed.sh build)/helm" >&2
printf 'demo: try  KUBECONFIG=%s go run ./cmd/kdeck\n' "$kubeconfig" >&2
echo "$kubeconfig"
