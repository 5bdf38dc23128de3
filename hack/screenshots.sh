#!/usr/bin/env bash
# screenshots.sh: renders screenshots/*.svg from kdeck running on the seeded demo cluster.
#
#   hack/screenshots.sh     needs tmux; starts (or reuses) and seeds the demo cluster first
#
# Each shot is NAME:KEYS, the keys typed (tmux send-keys words) after kdeck starts on pods;
# "|" separates groups of keys sent a second apart (so data can arrive in between).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shots=(
	"pods:"
	"pods-filter:/ f r a u d Enter"
	"deployments:: d e p l o y Enter"
	"hpa-explainer:: h p a Enter | / c a r t Enter | Enter"
	"containers:/ w e b - c a n a r y Enter | Enter"
	"describe:/ w e b - c a n a r y Enter | d"
	"help:?"
	"nodes:: n o d e s Enter"
	"helm:: h e l m Enter"
	"logs:/ f r a u d Enter | l"
	"tree:: d e p l o y Enter | / c a t a l o g Enter | T"
)

kubeconfig=$(hack/demo.sh)
for _ in $(seq 45); do # metrics-server needs two scrapes before CPU/MEM columns fill in
	hack/testbed.sh kubectl kdeck-demo top pods -n shop >/dev/null 2>&1 && break
	sleep 2
done
go build -o bin/kdeck ./cmd/kdeck
mkdir -p screenshots
socket=kdeck-shots-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
for shot in "${shots[@]}"; do
	name=${shot%%:*}
	keys=${shot#*:}
	tmux -L "$socket" new-session -d -s "$name" -x 160 -y 40 "TERM=xterm-256color bin/kdeck --kubeconfig '$kubeconfig' -A; sleep 60"
	sleep 3
	IFS='|' read -ra groups <<<"$keys"
	for group in "${groups[@]}"; do
		[ -n "${group// /}" ] || continue
		# shellcheck disable=SC2086 # keys are separate tmux words on purpose
		tmux -L "$socket" send-keys -t "$name" $group
		sleep 1.5
	done
	tmux -L "$socket" capture-pane -e -p -t "$name" | go run ./hack/screenshot >"screenshots/$name.svg"
	tmux -L "$socket" kill-session -t "$name"
	echo "screenshots/$name.svg" >&2
done
