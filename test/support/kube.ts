// The Kubernetes API test server and its helpers (see kube-api-server.ts).
export * from './kube-api-server';
export * from './kube-api-store';
export { humanDuration } from './kube-api-tables';
export * from './kube-objects';
export * from './kube-tls';
export * from './kubeconfig';
export * from './kube-fleet';
