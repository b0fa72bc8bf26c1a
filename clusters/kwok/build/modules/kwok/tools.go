//go:build tools

// Package tools pins kwok's module: the kwok controller (fake nodes and pods) and kwokctl (cluster lifecycle).
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
