//go:build tools

// Package tools pins etcd's server module so `go build go.etcd.io/etcd/server/v3` builds the etcd binary
// (its main package sits at the module root; `go install …@v` is refused because of its replace directives).
package tools

import _ "go.etcd.io/etcd/server/v3"
