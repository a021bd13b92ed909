// Package deploy holds Parley's Kubernetes manifests (a kustomize base and an example
// overlay) and the test that decodes them strictly into the Kubernetes API types. It is a
// module of its own so that the server's go.mod does not carry the Kubernetes API.
package deploy
