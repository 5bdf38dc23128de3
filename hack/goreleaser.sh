#!/usr/bin/env bash
# goreleaser.sh: runs a pinned GoReleaser, installed from the Go module proxy into a cache
# outside the repository on first use (later runs take seconds).
#
#   hack/goreleaser.sh                  validate .goreleaser.yaml (same as `check`)
#   hack/goreleaser.sh ARGS...          run `goreleaser ARGS...`, e.g.
#   hack/goreleaser.sh build --snapshot --clean --single-target
set -euo pipefail

# Pinned: newer releases do not build with this toolchain.
GORELEASER_VERSION=v2.15.1

TOOLS_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/kdeck/tools/goreleaser-${GORELEASER_VERSION}
GORELEASER=$TOOLS_DIR/goreleaser

if [[ ! -x $GORELEASER ]]; then
	echo "goreleaser.sh: installing goreleaser ${GORELEASER_VERSION} into $TOOLS_DIR (cold: a few minutes)" >&2
	mkdir -p "$TOOLS_DIR"
	GOBIN=$TOOLS_DIR go install "github.com/goreleaser/goreleaser/v2@${GORELEASER_VERSION}"
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -eq 0 ]]; then
	set -- check
fi
exec "$GORELEASER" "$@"
