#!/usr/bin/env bash
# testbed.sh: builds and runs a real Kubernetes control plane for kdeck's demo and tests.
#
# Everything is built from the Go module proxy into a cache outside the repository, keyed by
# version, so a warm run takes seconds. Nodes are emulated by kwok; every other part (etcd,
# kube-apiserver, controller-manager, scheduler, metrics-server) is the real program, and the
# real helm CLI is built beside them for the Helm releases of the demo and the tests.
#
#   hack/testbed.sh build                 build whatever is missing, print the bin directory
#   hack/testbed.sh up NAME               create, start or reuse cluster NAME, wait for its
#                                         emulated nodes, print ONLY its kubeconfig path
#   hack/testbed.sh stop|start NAME       stop or start every component of NAME (fault tests)
#   hack/testbed.sh down NAME             delete cluster NAME (fine if absent)
#   hack/testbed.sh kubeconfig NAME       print NAME's kubeconfig path
#   hack/testbed.sh kubectl NAME ARGS...  run the built kubectl against NAME
#   hack/testbed.sh helm NAME ARGS...     run the built helm against NAME (helm's own cache,
#                                         config and data live in NAME's directory)
#
# Environment: KDECK_TESTBED_NODES (emulated nodes, default 4), KDECK_TESTBED_PF_PORT (every
# pod port-forward reaches 127.0.0.1 on this port, default 18080; fixed at creation),
# KDECK_TESTBED_WORKDIR (kwokctl's work dir, default under the user cache dir).
set -euo pipefail

K8S_VERSION=v1.37.2
ETCD_VERSION=v3.6.10
KWOK_VERSION=v0.8.0
METRICS_SERVER_VERSION=v0.9.0
HELM_VERSION=v4.3.2

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/kdeck/testbed
BIN_DIR=$CACHE_DIR/bin/k8s-$K8S_VERSION.etcd-$ETCD_VERSION.kwok-$KWOK_VERSION.ms-$METRICS_SERVER_VERSION
export KWOK_WORKDIR=${KDECK_TESTBED_WORKDIR:-$CACHE_DIR/work}
NODES=${KDECK_TESTBED_NODES:-4}
PF_PORT=${KDECK_TESTBED_PF_PORT:-18080}

log() { printf 'testbed: %s\n' "$*" >&2; }

k8s_ldflags() {
	local minor=${K8S_VERSION#v1.}
	minor=${minor%%.*}
	local f=""
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		f+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
	done
	echo "$f"
}

build() {
	mkdir -p "$BIN_DIR"
	local missing=()
	for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
		[ -x "$BIN_DIR/$b" ] || missing+=("k8s.io/kubernetes/cmd/$b")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "building ${missing[*]} $K8S_VERSION (cold: several minutes)"
		(cd "$HACK_DIR/testbed/k8s" && go build -trimpath -ldflags "$(k8s_ldflags)" -o "$BIN_DIR/" "${missing[@]}")
	fi
	if [ ! -x "$BIN_DIR/etcd" ]; then
		log "building etcd $ETCD_VERSION"
		(cd "$HACK_DIR/testbed/etcd" && go build -trimpath -o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3)
	fi
	for b in kwok kwokctl; do
		if [ ! -x "$BIN_DIR/$b" ]; then
			log "building $b $KWOK_VERSION"
			GOBIN=$BIN_DIR go install -trimpath "sigs.k8s.io/kwok/cmd/$b@$KWOK_VERSION"
		fi
	done
	if [ ! -x "$BIN_DIR/metrics-server" ]; then
		log "building metrics-server $METRICS_SERVER_VERSION"
		GOBIN=$BIN_DIR go install -trimpath "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
	fi
	build_helm
	echo "$BIN_DIR"
}

# build_helm installs helm as helm-VERSION and points the helm link at it: the bin directory
# is not keyed by helm's version, so a cache from before helm (or from another helm) gets
# this version added without rebuilding the rest.
build_helm() {
	local tmp
	if [ ! -x "$BIN_DIR/helm-$HELM_VERSION" ]; then
		log "building helm $HELM_VERSION (cold: 3-4 minutes on 2 idle cores)"
		tmp=$(mktemp -d "$BIN_DIR/.helm.XXXXXX")
		# the version stamp is what `helm version` prints (without it: v4.3, no patch)
		GOBIN=$tmp go install -trimpath -ldflags "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
			"helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
		mv "$tmp/helm" "$BIN_DIR/helm-$HELM_VERSION"
		rm -rf "$tmp"
	fi
	if [ "$(readlink "$BIN_DIR/helm" 2>/dev/null)" != "helm-$HELM_VERSION" ]; then
		ln -sfn "helm-$HELM_VERSION" "$BIN_DIR/helm"
	fi
}

# built succeeds when every binary is there, so a warm up never runs go.
built() {
	for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl metrics-server "helm-$HELM_VERSION"; do
		[ -x "$BIN_DIR/$b" ] || return 1
	done
	[ "$(readlink "$BIN_DIR/helm")" = "helm-$HELM_VERSION" ]
}

cluster_dir() { echo "$KWOK_WORKDIR/clusters/$1"; }
kubeconfig_path() { echo "$(cluster_dir "$1")/kubeconfig.yaml"; }
exists() { [ -f "$(cluster_dir "$1")/kwok.yaml" ]; }
kctl() { "$BIN_DIR/kubectl" --kubeconfig "$(kubeconfig_path "$1")" "${@:2}"; }
# hctl runs helm with a cache, config and data directory of NAME's own, not the user's.
hctl() {
	local d
	d=$(cluster_dir "$1")/helm
	HELM_CACHE_HOME=$d/cache HELM_CONFIG_HOME=$d/config HELM_DATA_HOME=$d/data \
		"$BIN_DIR/helm" --kubeconfig "$(kubeconfig_path "$1")" "${@:2}"
}
# kwokctl runs `kubectl kustomize`: the built kubectl must come first on PATH.
kwokctl() { PATH="$BIN_DIR:$PATH" "$BIN_DIR/kwokctl" "$@"; }

# healthy succeeds when NAME's apiserver answers /readyz.
healthy() { kctl "$1" get --raw /readyz --request-timeout=2s >/dev/null 2>&1; }

wait_healthy() {
	for _ in $(seq 1 120); do
		healthy "$1" && return 0
		sleep 0.5
	done
	log "cluster $1: apiserver not ready after 60s"
	return 1
}

# moddir prints where the module cache holds MODULE@VERSION, downloading it if missing.
moddir() {
	local d
	d=$(go env GOMODCACHE)/$1@$2
	if [ ! -d "$d" ]; then
		d=$(cd / && go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	fi
	echo "$d"
}

# gen_config writes a cluster's kwokctl config, and the files it points at, into DIR. Paths
# in it are absolute, so it is generated per cluster rather than kept in the repository.
gen_config() {
	local dir=$1 kwok ms f
	kwok=$(moddir sigs.k8s.io/kwok "$KWOK_VERSION")
	ms=$(moddir sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION")
	mkdir -p "$dir/metrics-server" "$dir/logs" "$dir/rootfs/etc/app"

	# metrics-server's RBAC, Service and APIService; kwokctl runs the server as a process.
	for f in rbac service apiservice; do
		install -m 0644 "$ms/manifests/base/$f.yaml" "$dir/metrics-server/$f.yaml"
	done
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- rbac.yaml\n- service.yaml\n- apiservice.yaml\n' \
		>"$dir/metrics-server/kustomization.yaml"

	gen_logs "$dir/logs"
	: >"$dir/logs/attach.log" # an attach shows what is appended to it from then on
	# exec's working directory: a few files so `ls` and `cat` show something.
	printf 'listen: 0.0.0.0:8080\nlog_level: info\n' >"$dir/rootfs/etc/app/config.yaml"
	printf 'emulated by kwok: commands run on the testbed host\n' >"$dir/rootfs/README"

	{
		sed -e "s|@DIR@|$dir|g" -e "s|@PF_PORT@|$PF_PORT|g" "$HACK_DIR/testbed/config/kwokctl.yaml"
		# Stage documents replace kwok's defaults, so the defaults are listed with the crash loop.
		for f in kustomize/metrics/resource/metrics-resource.yaml \
			kustomize/metrics/usage/usage-from-annotation.yaml \
			kustomize/stage/node/fast/node-initialize.yaml \
			kustomize/stage/node/heartbeat/node-heartbeat.yaml \
			kustomize/stage/pod/fast/pod-ready.yaml \
			kustomize/stage/pod/fast/pod-complete.yaml \
			kustomize/stage/pod/fast/pod-delete.yaml; do
			printf -- '---\n'
			if [ "$f" = kustomize/stage/pod/fast/pod-ready.yaml ]; then
				# make bench sets its own pods' status: kwok must not race it (its patch then
				# carries two pod IPs, is refused, and is retried ten times per pod)
				awk '{ print } /^    matchExpressions:$/ && !done {
					print "    - key: '"'"'.metadata.labels[\"bench.kdeck.dev/pod\"]'"'"'"
					print "      operator: '"'"'DoesNotExist'"'"'"; done = 1 }' "$kwok/$f"
			else
				cat "$kwok/$f"
			fi
		done
		printf -- '---\n'
		cat "$HACK_DIR/testbed/config/pod-crashloop.yaml"
		printf -- '---\n'
		cat "$HACK_DIR/testbed/config/pod-ephemeral.yaml"
	} >"$dir/kwokctl.yaml"
}

# gen_logs writes CRI-format container logs (what kubectl logs shows) that end about now:
# app.log for every container, crash.log for the seeder's crash-looping one, hostile.log
# for a container named hostile-logger, json.log for one named json-logger.
gen_logs() {
	local dir=$1 now i t
	now=$(printf '%(%s)T' -1)
	local paths=(/api/v1/products /api/v1/cart /api/v1/orders /healthz /api/v1/search /metrics)
	local codes=(200 200 200 200 201 204 304 404 200 500)
	for i in $(seq 90 -1 1); do
		t=$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%S)T' $((now - i * 7))).$(printf '%09d' $((i * 7919 * 104729 % 1000000000)))Z
		case $((i % 23)) in
		0) echo "$t stderr F level=warn msg=\"slow query\" table=orders rows=18234 duration=1.84s" ;;
		11) echo "$t stderr F level=error msg=\"upstream timeout\" upstream=payments-api.payments:443 attempt=2 err=\"context deadline exceeded\"" ;;
		*) echo "$t stdout F level=info msg=\"request served\" method=GET path=${paths[i % 6]} status=${codes[i % 10]} duration=$((i * 37 % 180 + 2))ms trace_id=$(printf '%08x' $((i * 2654435761 % 4294967296)))" ;;
		esac
	done >"$dir/app.log"
	t=$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%S)T' "$now")
	# hostile.log: what a hostile workload may print (SGR, OSC 52, a title change, a
	# carriage return and raw C1 bytes), for the tests that prove kdeck never emits it
	printf '%s.100000000Z stdout F hostile \033[31mRED\033[0m \033]52;c;aGk=\007 \033]0;pwned\007 over\rwrite c1:\233\2332J end\n' "$t" >"$dir/hostile.log"
	# json.log: JSON object lines (nested values, a hostile key and value) and one plain line
	cat >"$dir/json.log" <<EOF
$t.200000000Z stdout F {"level":"info","msg":"cart updated","user":"u-1842","items":3,"cart":{"id":"c-77","total":42.5}}
$t.300000000Z stderr F {"level":"error","msg":"payment declined","order":"o-9912","code":"insufficient_funds","retry":false}
$t.400000000Z stdout F plain text line between JSON lines
$t.500000000Z stdout F {"level":"warn","msg":"\\u001b]0;pwned\\u0007 title","k\\u001b[31m":"v"}
EOF
	cat >"$dir/crash.log" <<EOF
$t.101000000Z stdout F level=info msg="starting fraud-scorer" version=0.8.0 commit=4f2a9c1
$t.104000000Z stdout F level=info msg="loading model" path=/models/fraud-v7.onnx
$t.912000000Z stdout F level=info msg="connecting to feature store" addr=redis.payments:6379
$t.937000000Z stderr F panic: runtime error: invalid memory address or nil pointer dereference
$t.937000000Z stderr F [signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7b3f42]
$t.937000000Z stderr F 
$t.937000000Z stderr F goroutine 1 [running]:
$t.937000000Z stderr F main.(*scorer).loadFeatures(0x0, {0xc0001a6000, 0x12})
$t.937000000Z stderr F 	/src/cmd/fraud-scorer/scorer.go:88 +0x42
$t.937000000Z stderr F main.main()
$t.937000000Z stderr F 	/src/cmd/fraud-scorer/main.go:41 +0x1d5
EOF
}

# nodes_yaml prints the emulated nodes: kwok manages them (annotation), only pods tolerating
# the taint land there, metrics-server scrapes kwok's resource metrics path for each, and
# each has its own pod CIDR (kwok hands out pod IPs from it) apart from the service range.
nodes_yaml() {
	local i name zones=(a b c)
	for i in $(seq 0 $((NODES - 1))); do
		name=kwok-node-$i
		cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$name/metrics/resource
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    node.kubernetes.io/instance-type: m6i.2xlarge
    topology.kubernetes.io/region: eu-west-1
    topology.kubernetes.io/zone: eu-west-1${zones[i % 3]}
    type: kwok
spec:
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
  taints:
  - key: kwok.x-k8s.io/node
    value: fake
    effect: NoSchedule
status:
  # Every loopback address reaches kwok on Linux; apiserver and metrics-server dial this.
  addresses:
  - type: InternalIP
    address: 127.0.0.$((10 + i))
  allocatable: {cpu: "8", memory: 32Gi, pods: "110", ephemeral-storage: 100Gi}
  capacity: {cpu: "8", memory: 32Gi, pods: "110", ephemeral-storage: 100Gi}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    osImage: Ubuntu 24.04.3 LTS
    kernelVersion: 6.8.0-1031-aws
    containerRuntimeVersion: containerd://2.1.4
    kubeletVersion: $K8S_VERSION
EOF
	done
}

# nodes_ready succeeds when NAME answers and has its emulated nodes, all Ready (one call).
nodes_ready() {
	local st
	st=$(kctl "$1" get nodes -l type=kwok --request-timeout=2s \
		-o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null) || return 1
	[ "$(grep -c '^True$' <<<"$st")" -ge "$NODES" ] && ! grep -qv '^True$' <<<"$st"
}

# ensure_nodes creates the emulated nodes if some are missing and waits until all are Ready.
ensure_nodes() {
	local name=$1
	if [ "$(kctl "$name" get nodes -l type=kwok -o name | wc -l)" -lt "$NODES" ]; then
		nodes_yaml | kctl "$name" apply --server-side --field-manager=kdeck-testbed -f - >&2
	fi
	kctl "$name" wait --for=condition=Ready nodes -l type=kwok --timeout=90s >/dev/null
}

# running PID succeeds while the process runs. A process that has exited but is not yet
# reaped (a zombie: kwokctl's components are orphans, reaped by PID 1 when it gets to it)
# still answers kill -0, so its state is read too.
running() {
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0 # no /proc (macOS): kill -0 is all there is
	[ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}

# revive starts again any component of cluster NAME whose process has exited, saying which
# and why (its log's first error), until each runs and metrics-server serves the metrics
# API. metrics-server exits when kube-apiserver is not yet listening as it starts, which
# happens on a busy machine; kwokctl starts only what is down.
revive() {
	local name=$1 dir pidf comp dead try
	dir=$(cluster_dir "$name")
	for try in 1 2 3; do
		dead=()
		for pidf in "$dir"/pids/*.pid; do
			comp=$(basename "$pidf" .pid)
			running "$(cat "$pidf")" || dead+=("$comp")
		done
		if [ ${#dead[@]} -eq 0 ]; then
			[ -e "$dir/pids/metrics-server.pid" ] || return 0
			# the metrics API answers within seconds of metrics-server's start
			kctl "$name" wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=60s >/dev/null && return 0
			dead=(metrics-server)
			kill "$(cat "$dir/pids/metrics-server.pid")" 2>/dev/null
			sleep 1
		fi
		for comp in "${dead[@]}"; do
			log "cluster $name: $comp exited or is not serving ($(grep -iE 'error|panic|fatal' "$dir/logs/$comp.log" | tail -1 | cut -c1-200)); starting it again (try $try)"
		done
		kwokctl start cluster --name "$name" >&2
		sleep 2
	done
	log "cluster $name: ${dead[*]} keep exiting; logs in $dir/logs"
	return 1
}

up() {
	local name=${1:?usage: testbed.sh up NAME} dir
	built || build >/dev/null
	dir=$(cluster_dir "$name")
	if exists "$name" && nodes_ready "$name"; then
		log "reusing running cluster $name"
		revive "$name"
		kubeconfig_path "$name"
		return
	fi
	if exists "$name"; then
		if ! healthy "$name"; then
			log "starting stopped cluster $name"
			kwokctl start cluster --name "$name" >&2
			wait_healthy "$name"
		fi
	else
		log "creating cluster $name"
		rm -rf "$dir"
		gen_config "$dir/testbed"
		# --kubeconfig "": leave ~/.kube/config alone; the cluster's own file is printed.
		kwokctl create cluster --name "$name" --runtime binary --kubeconfig "" \
			--disable-qps-limits --enable metrics-server --wait 2m -c "$dir/testbed/kwokctl.yaml" \
			--etcd-binary "$BIN_DIR/etcd" \
			--kube-apiserver-binary "$BIN_DIR/kube-apiserver" \
			--kube-controller-manager-binary "$BIN_DIR/kube-controller-manager" \
			--kube-scheduler-binary "$BIN_DIR/kube-scheduler" \
			--kwok-controller-binary "$BIN_DIR/kwok" \
			--metrics-server-binary "$BIN_DIR/metrics-server" >&2
	fi
	ensure_nodes "$name"
	revive "$name"
	kubeconfig_path "$name"
}

down() {
	local name=${1:?usage: testbed.sh down NAME}
	if exists "$name"; then
		kwokctl delete cluster --name "$name" >&2
	fi
	rm -rf "$(cluster_dir "$name")"
}

# need_cluster exits unless cluster NAME exists.
need_cluster() {
	exists "${1:?cluster NAME required}" && return
	log "no cluster $1 (run: hack/testbed.sh up $1)"
	exit 1
}

case "${1:-}" in
build) build ;;
up) up "${2:-}" ;;
down) down "${2:-}" ;;
stop | start)
	need_cluster "${2:-}"
	kwokctl "$1" cluster --name "$2" >&2
	;;
kubeconfig)
	need_cluster "${2:-}"
	kubeconfig_path "$2"
	;;
kubectl)
	need_cluster "${2:-}"
	kctl "$2" "${@:3}"
	;;
helm)
	need_cluster "${2:-}"
	hctl "$2" "${@:3}"
	;;
*)
	awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2
	exit 2
	;;
esac
