//go:build tools

// Package tools pins the kubelet so `go mod tidy` keeps its requirement. Nothing here is run: the installer
// (scripts/tools/install.sh) builds the command with `go build k8s.io/kubernetes/cmd/kubelet`.
//
// Same module and version as the API server (scripts/tools/kube-apiserver): k8s.io/kubernetes requires its staging
// modules at the fake version v0.0.0, so this module replaces each of them with its published tag. To move to
// Kubernetes v1.X.Y, follow the recipe in scripts/tools/kube-apiserver/tools.go here too.
package tools

import _ "k8s.io/kubernetes/cmd/kubelet"
