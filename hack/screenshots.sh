#!/usr/bin/env bash
# screenshots.sh: renders screenshots/*.svg from kdeck running on the seeded demo cluster.
#
#   hack/screenshots.sh     needs tmux; starts (or reuses) and seeds the demo cluster first
#
# Each shot is NAME:KEYS, the keys typed (tmux send-keys words) after kdeck starts on pods.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shots=(
	"pods:"
	"pods-filter:/ f r a u d Enter"
	"help:?"
)

kubeconfig=$(hack/demo.sh)
go build -o bin/kdeck ./cmd/kdeck
mkdir -p screenshots
socket=kdeck-shots-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
for shot in "${shots[@]}"; do
	name=${shot%%:*}
	keys=${shot#*:}
	tmux -L "$socket" new-session -d -s "$name" -x 160 -y 40 "TERM=xterm-256color bin/kdeck --kubeconfig '$kubeconfig' -A; sleep 60"
	sleep 3
	if [ -n "$keys" ]; then
		# shellcheck disable=SC2086 # keys are separate tmux words on purpose
		tmux -L "$socket" send-keys -t "$name" $keys
		sleep 1
	fi
	tmux -L "$socket" capture-pane -e -p -t "$name" | go run ./hack/screenshot >"screenshots/$name.svg"
	tmux -L "$socket" kill-session -t "$name"
	echo "screenshots/$name.svg" >&2
done
