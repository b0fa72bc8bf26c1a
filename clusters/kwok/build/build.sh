#!/usr/bin/env bash
# Builds the real control plane (kube-apiserver, kube-controller-manager, kube-scheduler, etcd), kwok/kwokctl,
# helm and the Sail operator from Go modules into a cache folder outside git, skipping every binary that is
# already there at its pinned version. Idempotent; safe to re-run. Needs Go (the machine's; GOTOOLCHAIN may fetch
# a newer one from the module proxy when a module asks for it).
#
#   AUS_CACHE_DIR     cache root (default ~/.cache/ambient-upgrade-suite); binaries land in $AUS_CACHE_DIR/bin
#   SAIL_OPERATOR_SRC a git checkout (or plain copy) of github.com/istio-ecosystem/sail-operator holding tag
#                     1.30.3, used when the module proxy refuses the module (it does here: 403)
#   AUS_BUILD_ONLY    space-separated subset of: assets kubernetes etcd kwok helm sail-operator
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${AUS_CACHE_DIR:-$HOME/.cache/ambient-upgrade-suite}"
bin="$cache/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--mod=readonly}"
only="${AUS_BUILD_ONLY:-assets kubernetes etcd kwok helm sail-operator}"
wants() { [[ " $only " == *" $1 "* ]]; }
log() { printf '[build %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
have() { [ -x "$bin/$1" ]; }

# go build into a temp name, then rename: an interrupted build never leaves a half-written binary at the final name.
go_build() { # <module dir> <output name> <ldflags> <package>
  local dir="$1" out="$bin/$2" ldflags="$3" pkg="$4"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg")
  mv -f "$out.tmp.$$" "$out"
}

build_kubernetes() {
  local v="$KUBERNETES_VERSION" minor="${KUBERNETES_VERSION#v1.}" ld="-s -w" p
  minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    if have "$c-$v"; then log "$c $v already built"; continue; fi
    log "building $c $v"
    go_build "$here/modules/kubernetes" "$c-$v" "$ld" "k8s.io/kubernetes/cmd/$c"
  done
}

build_etcd() {
  local v="$ETCD_VERSION"
  if have "etcd-$v"; then log "etcd $v already built"; return; fi
  log "building etcd $v"
  go_build "$here/modules/etcd" "etcd-$v" "-s -w" go.etcd.io/etcd/server/v3
}

build_kwok() {
  local v="$KWOK_VERSION" ld
  ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${v#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBERNETES_VERSION#v}"
  for c in kwok kwokctl; do
    if have "$c-$v"; then log "$c $v already built"; continue; fi
    log "building $c $v"
    go_build "$here/modules/kwok" "$c-$v" "$ld" "sigs.k8s.io/kwok/cmd/$c"
  done
}

build_helm() {
  local v="$HELM_VERSION"
  if have "helm-$v"; then log "helm $v already built"; return; fi
  log "building helm $v"
  go_build "$here/modules/helm" "helm-$v" "-s -w -X helm.sh/helm/v4/internal/version.version=$v" helm.sh/helm/v4/cmd/helm
}

# The Sail operator: source from the module proxy when it serves the pinned pseudo-version, else from
# SAIL_OPERATOR_SRC (checked against the pinned commit when it is a git checkout). Its chart (with CRDs) is copied
# beside the binary, because the provider Helm-installs exactly the chart of the operator it runs.
build_sail_operator() {
  local v="$SAIL_OPERATOR_VERSION" name="sail-operator-$SAIL_OPERATOR_VERSION" src="" work mod
  if have "$name" && [ -f "$bin/$name.chart/Chart.yaml" ]; then log "sail-operator $v already built"; return; fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  if mod="$(go mod download -json "github.com/istio-ecosystem/sail-operator@$SAIL_OPERATOR_PSEUDO_VERSION" 2>/dev/null)" &&
    src="$(printf '%s' "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" && [ -n "$src" ]; then
    log "sail-operator $v from the module proxy ($SAIL_OPERATOR_PSEUDO_VERSION)"
    cp -r "$src/." "$work/" && chmod -R u+w "$work"
  elif [ -n "${SAIL_OPERATOR_SRC:-}" ]; then
    if git -C "$SAIL_OPERATOR_SRC" rev-parse --git-dir >/dev/null 2>&1; then
      local got
      got="$(git -C "$SAIL_OPERATOR_SRC" rev-list -1 "$v" 2>/dev/null || true)"
      if [ "$got" != "$SAIL_OPERATOR_COMMIT" ]; then
        echo "build: SAIL_OPERATOR_SRC tag $v is '${got:-missing}', expected $SAIL_OPERATOR_COMMIT" >&2
        return 1
      fi
      git -C "$SAIL_OPERATOR_SRC" archive "$SAIL_OPERATOR_COMMIT" | tar -x -C "$work"
    else
      cp -r "$SAIL_OPERATOR_SRC/." "$work/"
    fi
    log "sail-operator $v from SAIL_OPERATOR_SRC=$SAIL_OPERATOR_SRC"
  else
    echo "build: the module proxy does not serve github.com/istio-ecosystem/sail-operator@$SAIL_OPERATOR_PSEUDO_VERSION;" \
      "set SAIL_OPERATOR_SRC to a checkout holding tag $v" >&2
    return 1
  fi
  local line file expr
  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    file="${line%%|*}" expr="${line#*|}"
    cp "$work/$file" "$work/$file.orig"
    sed -i "$expr" "$work/$file"
    if cmp -s "$work/$file" "$work/$file.orig"; then
      echo "build: source edit changed nothing in $file: $expr" >&2
      return 1
    fi
    rm -f "$work/$file.orig"
  done <"$here/sail-operator.source-edits"
  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    (cd "$work" && go mod edit -replace "$line")
  done <"$here/sail-operator.replaces"
  # The replaces change the module graph: tidy writes the go.sum entries they need.
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy)
  local gm="github.com/istio-ecosystem/sail-operator/pkg/version"
  GOFLAGS=-mod=mod go_build "$work" "$name" \
    "-s -w -X $gm.buildVersion=$v -X $gm.buildGitRevision=$SAIL_OPERATOR_COMMIT -X $gm.buildTag=$v -X $gm.buildStatus=Clean" ./cmd
  rm -rf "$bin/$name.chart" && cp -r "$work/chart" "$bin/$name.chart.tmp.$$" && mv "$bin/$name.chart.tmp.$$" "$bin/$name.chart"
}

# Cluster-wide objects the suite installs, from Go modules too, so a kwok run needs no download at run time:
# the Gateway API standard-channel CRDs (+ safe-upgrades policy) and istio's bookinfo/curl samples.
module_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }
build_assets() {
  local assets="$cache/assets" dir out
  mkdir -p "$assets"
  out="$assets/gateway-api-$GATEWAY_API_VERSION-standard-install.yaml"
  if [ -f "$out" ]; then log "Gateway API $GATEWAY_API_VERSION CRDs already there"; else
    dir="$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")"
    for f in "$dir"/config/crd/standard/*.yaml; do printf -- '---\n'; cat "$f"; done >"$out.tmp.$$"
    mv -f "$out.tmp.$$" "$out"
    log "Gateway API $GATEWAY_API_VERSION CRDs -> $out"
  fi
  out="$assets/istio-samples-$ISTIO_SAMPLES_VERSION"
  if [ -f "$out/curl/curl.yaml" ]; then log "istio samples already there"; else
    dir="$(module_dir "istio.io/istio@$ISTIO_SAMPLES_VERSION")"
    rm -rf "$out.tmp.$$" && mkdir -p "$out.tmp.$$/bookinfo/platform/kube" "$out.tmp.$$/curl"
    cp "$dir/samples/bookinfo/platform/kube/bookinfo.yaml" "$dir/samples/bookinfo/platform/kube/bookinfo-versions.yaml" \
      "$out.tmp.$$/bookinfo/platform/kube/"
    cp "$dir/samples/curl/curl.yaml" "$out.tmp.$$/curl/"
    chmod -R u+w "$out.tmp.$$" && rm -rf "$out" && mv "$out.tmp.$$" "$out"
    log "istio samples -> $out"
  fi
  # kwok's own "general" pod stages (Ready after 1-6 s, deletion after up to the grace period) plus the node
  # stages kwokctl would load by default: the delayed-stage run of the scenarios.
  out="$assets/kwok-stages-delayed-$KWOK_VERSION.yaml"
  if [ -f "$out" ]; then log "kwok delayed stages already there"; else
    dir="$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")/kustomize/stage"
    for f in "$dir"/node/fast/node-initialize.yaml "$dir"/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      "$dir"/pod/general/pod-{create,init-container-running,init-container-completed,ready,complete,delete}.yaml; do
      printf -- '---\n'
      cat "$f"
    done >"$out.tmp.$$"
    mv -f "$out.tmp.$$" "$out"
    log "kwok delayed stages -> $out"
  fi
}

start=$(date +%s)
wants assets && build_assets
wants kubernetes && build_kubernetes
wants etcd && build_etcd
wants kwok && build_kwok
wants helm && build_helm
wants sail-operator && build_sail_operator
log "done in $(($(date +%s) - start)) s; binaries in $bin"
