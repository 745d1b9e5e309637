import type { SourceRange } from '../source';

/** A value read from a manifest, with the exact range of its scalar. */
export interface Located<T> {
  readonly value: T;
  readonly range: SourceRange;
  /**
   * The scalar's source text (quotes included), kept where a value holds several addresses
   * (annotations, Flux substitutions) so each part can be located inside it.
   */
  readonly raw?: string;
}

/** The metadata every object kube-routes reads shares. */
export interface ObjectManifest {
  readonly file: string;
  /** apiVersion/kind as the document (or its list) says. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The metadata.name value, or the document start when it is missing. */
  readonly nameRange: SourceRange;
  /** Where to report something missing from metadata: the labels key, else metadata, else the kind. */
  readonly labelsAnchor: SourceRange;
  readonly labels: ReadonlyMap<string, Located<string>>;
  /** The load balancer annotations (metallb.io/..., lbipam.cilium.io/..., ...); others are not kept. */
  readonly annotations: ReadonlyMap<string, Located<string>>;
}

export interface ServicePort {
  readonly port: number;
  /** TCP when not written. */
  readonly protocol: string;
}

/** The fields of one Kubernetes Service that kube-routes checks. */
export interface ServiceManifest extends ObjectManifest {
  /** namespace/name: the identity that may appear in several regions (anycast). */
  readonly id: string;
  readonly type: Located<string> | undefined;
  readonly clusterIP: Located<string> | undefined;
  readonly clusterIPs: readonly Located<string>[];
  readonly externalIPs: readonly Located<string>[];
  readonly loadBalancerIP: Located<string> | undefined;
  /** status.loadBalancer.ingress[].ip (a saved `kubectl get -o yaml`). */
  readonly ingressIPs: readonly Located<string>[];
  readonly ipFamilies: readonly Located<string>[];
  /** Read only for Services with a sharing key, the only use of ports. */
  readonly ports: readonly ServicePort[];
}

/** Which load balancer pool implementation declared a pool. */
export type PoolSource =
  | 'MetalLB IPAddressPool'
  | 'CiliumLoadBalancerIPPool'
  | 'Calico IPPool'
  | 'PureLB ServiceGroup'
  | 'kube-vip ConfigMap';

/** An address pool declared by a load balancer's object: its ranges as written (CIDR or a-b). */
export interface PoolManifest extends ObjectManifest {
  readonly source: PoolSource;
  readonly ranges: readonly Located<string>[];
}

/** A ServiceCIDR (networking.k8s.io/v1): a cluster's clusterIP ranges. */
export interface ServiceCidrManifest extends ObjectManifest {
  readonly cidrs: readonly Located<string>[];
}

/** Which rules a comment switches off for one line; an empty set means every rule. */
export interface Suppression {
  readonly line: number;
  readonly rules: ReadonlySet<string>;
}

export interface SyntaxProblem {
  readonly range: SourceRange;
  readonly message: string;
}

/** What one file contributes: its objects, its syntax problems, its suppression comments. */
export interface ManifestFile {
  readonly file: string;
  readonly services: readonly ServiceManifest[];
  readonly pools: readonly PoolManifest[];
  readonly serviceCIDRs: readonly ServiceCidrManifest[];
  readonly syntaxErrors: readonly SyntaxProblem[];
  readonly suppressions: readonly Suppression[];
  /**
   * Set for a Helm chart template (text holding "{{", or a file the face found under a chart's
   * templates/): not a manifest, so not parsed. The value names the chart (its folder), if known.
   */
  readonly helmTemplate?: { readonly chart: string };
}
