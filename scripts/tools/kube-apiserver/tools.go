//go:build tools

// Package tools pins kube-apiserver so `go mod tidy` keeps its requirement. Nothing here is run: the
// installer (scripts/tools/install.sh) builds the command with `go build k8s.io/kubernetes/cmd/kube-apiserver`.
//
// k8s.io/kubernetes requires its staging modules at the fake version v0.0.0, so this module replaces each of
// them with its published tag. To move to Kubernetes v1.X.Y (and set KUBERNETES_VERSION in versions.env):
//
//	go mod edit -require=k8s.io/kubernetes@v1.X.Y
//	for m in $(go mod download -json k8s.io/kubernetes@v1.X.Y | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' |
//	    xargs sed -n 's/^\t\(k8s\.io\/[a-z0-9-]*\) v0\.0\.0$/\1/p'); do
//	  go mod edit -replace=$m=$m@v0.X.Y
//	done
//	go mod tidy
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
