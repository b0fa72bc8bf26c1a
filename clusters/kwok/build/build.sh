#!/usr/bin/env bash
# Builds the real control plane (kube-apiserver, kube-controller-manager, kube-scheduler, etcd), kwok/kwokctl,
# helm and the Sail operator from Go modules into a cache folder outside git, skipping every binary that is
# already there at its pinned version. Idempotent; safe to re-run. Needs Go (the machine's; GOTOOLCHAIN may fetch
# a newer one from the module proxy when a module asks for it).
#
#   AUS_CACHE_DIR     cache root (default ~/.cache/ambient-upgrade-suite); binaries land in $AUS_CACHE_DIR/bin
#   AUS_BUILD_ONLY    space-separated subset of: assets kubernetes etcd kwok helm
#
# Not built here: the Sail operator. The module proxy refuses github.com/istio-ecosystem/sail-operator (403 "This
# module version is not available", any version), so it cannot come from Go modules. The kwok provider runs a
# prebuilt Sail operator $SAIL_OPERATOR_VERSION binary and its chart folder, put by the user at
# $AUS_CACHE_DIR/bin/sail-operator-$SAIL_OPERATOR_VERSION and …/sail-operator-$SAIL_OPERATOR_VERSION.chart.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${AUS_CACHE_DIR:-$HOME/.cache/ambient-upgrade-suite}"
bin="$cache/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--mod=readonly}"
only="${AUS_BUILD_ONLY:-assets kubernetes etcd kwok helm}"
wants() { [[ " $only " == *" $1 "* ]]; }
log() { printf '[build %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
have() { [ -x "$bin/$1" ]; }

# go build into a temp name, then rename: an interrupted build never leaves a half-written binary at the final name.
go_build() { # <module dir> <output name> <ldflags> <package>
  local dir="$1" out="$bin/$2" ldflags="$3" pkg="$4"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg")
  mv -f "$out.tmp.$$" "$out"
}

# Builds one binary as $cache/bin/<name>-<version> from a wrapper module, unless it is there already.
build_binary() {
  local module="$1" name="$2" version="$3" ldflags="$4" pkg="$5"
  if have "$name-$version"; then log "$name $version already built"; return; fi
  log "building $name $version"
  go_build "$here/modules/$module" "$name-$version" "$ldflags" "$pkg"
}

build_kubernetes() {
  local v="$KUBERNETES_VERSION" minor="${KUBERNETES_VERSION#v1.}" ld="-s -w" p c
  minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    build_binary kubernetes "$c" "$v" "$ld" "k8s.io/kubernetes/cmd/$c"
  done
}

build_etcd() {
  build_binary etcd etcd "$ETCD_VERSION" "-s -w" go.etcd.io/etcd/server/v3
}

build_kwok() {
  local v="$KWOK_VERSION" ld c
  ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${v#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBERNETES_VERSION#v}"
  for c in kwok kwokctl; do
    build_binary kwok "$c" "$v" "$ld" "sigs.k8s.io/kwok/cmd/$c"
  done
}

build_helm() {
  build_binary helm helm "$HELM_VERSION" "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    helm.sh/helm/v4/cmd/helm
}

# Cluster-wide objects the suite installs, from Go modules too, so a kwok run needs no download at run time:
# the Gateway API standard-channel CRDs (+ safe-upgrades policy), istio's bookinfo/curl samples and its CRDs.
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
  # Istio's own CRDs (AuthorizationPolicy & co.) from the same module: without the Sail operator (which installs
  # them on its first reconcile) the control-plane tests still validate every plan object against real CRDs.
  out="$assets/istio-crds-$ISTIO_SAMPLES_VERSION.yaml"
  if [ -f "$out" ]; then log "istio CRDs already there"; else
    dir="$(module_dir "istio.io/istio@$ISTIO_SAMPLES_VERSION")"
    cp "$dir/manifests/charts/base/files/crd-all.gen.yaml" "$out.tmp.$$" && chmod u+w "$out.tmp.$$"
    mv -f "$out.tmp.$$" "$out"
    log "istio CRDs -> $out"
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
log "done in $(($(date +%s) - start)) s; binaries in $bin"
