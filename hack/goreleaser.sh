#!/usr/bin/env bash
# goreleaser.sh: runs a pinned GoReleaser, installed from the Go module proxy into a cache
# outside the repository on first use (later runs take seconds).
#
#   hack/goreleaser.sh                  validate .goreleaser.yaml (same as `check`)
#   hack/goreleaser.sh release-check    `check`, then a snapshot release of this machine's own
#                                       target into dist/ (archive, checksums, deb, rpm, krew
#                                       manifest, Homebrew cask), checked by hack/releasecheck
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
if [[ $1 != release-check ]]; then
	exec "$GORELEASER" "$@"
fi

# release-check: `goreleaser release` has no --single-target, so it gets the config with its
# builds narrowed to this machine's GOOS/GOARCH (written outside the repository); the
# snapshot skips publishing, so no tokens, tap or krew-index are needed.
"$GORELEASER" check
if ! git ls-remote --get-url >/dev/null 2>&1; then
	# without a remote, goreleaser drops all git info and stamps commit "none"; give it the
	# project's URL for this run only (a command-scope setting, nothing written to .git)
	export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/kdeck/kdeck.git
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/releasecheck" ./hack/releasecheck
"$tmp/releasecheck" host-config .goreleaser.yaml >"$tmp/goreleaser.yaml"
"$GORELEASER" release --snapshot --clean --config "$tmp/goreleaser.yaml"
"$tmp/releasecheck" verify dist
echo "goreleaser.sh: release-check passed; the snapshot is in dist/"
