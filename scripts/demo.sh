#!/bin/sh
# The demo command (`npm run demo`): works on a fresh clone. Installs the npm dependencies and the tools the
# embedded stack needs (the Temporal CLI; iptables, ipset, stress-ng, iproute2 when root), builds, and runs the
# game day of scripts/demo/game-day-demo.ts. Extra arguments go to it (`npm run demo -- --keep`).
# `npm run demo -- --kubernetes [--keep]` (root) also installs the one-node Kubernetes (etcd, kube-apiserver,
# kubectl, the kubelet, containerd and the local images) and runs scripts/demo/kubernetes-demo.ts instead.
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-node-deps.sh
demo=game-day-demo
for arg in "$@"; do [ "$arg" = --kubernetes ] && demo=kubernetes-demo; done
if [ "$demo" = kubernetes-demo ]; then
  sh scripts/tools/install.sh temporal host etcd kube-apiserver kubectl kube-node
else
  sh scripts/tools/install.sh temporal host
fi
npm run --silent build
exec node_modules/.bin/tsx "scripts/demo/$demo.ts" "$@"
