// The only code that knows Kubernetes clients, shared by the kubectl plugin and the language
// server: kubeconfig access through @kubernetes/client-node, a small REST client (list, watch)
// over node:http(s), failures as one-line KubeErrors, and API objects as plain data.
export * from './client';
export * from './errors';
export * from './kubeconfig';
export * from './objects';
