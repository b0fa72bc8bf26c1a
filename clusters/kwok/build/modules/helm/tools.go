//go:build tools

// Package tools pins Helm's module (the same major and minor the Sail operator's go.mod requires).
package tools

import _ "helm.sh/helm/v4/cmd/helm"
