//go:build tools

// Package tools pins the three control-plane commands of k8s.io/kubernetes (apiserver, controllers, scheduler).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
