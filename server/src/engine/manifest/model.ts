import type { SourceRange } from '../source';

/** A value read from a manifest, with the exact range of its scalar. */
export interface Located<T> {
  readonly value: T;
  readonly range: SourceRange;
}

/** The fields of one Kubernetes Service that kube-routes checks. */
export interface ServiceManifest {
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  /** namespace/name: the identity that may appear in several regions (anycast). */
  readonly id: string;
  /** The metadata.name value, or the document start when it is missing. */
  readonly nameRange: SourceRange;
  /** Where to report something missing from metadata: the labels key, else metadata, else the kind. */
  readonly labelsAnchor: SourceRange;
  readonly labels: ReadonlyMap<string, Located<string>>;
  readonly type: Located<string> | undefined;
  readonly clusterIP: Located<string> | undefined;
  readonly clusterIPs: readonly Located<string>[];
  readonly externalIPs: readonly Located<string>[];
  readonly loadBalancerIP: Located<string> | undefined;
  readonly ipFamilies: readonly Located<string>[];
}

/** Which rules a comment switches off for one line; an empty set means every rule. */
export interface Suppression {
  readonly line: number;
  readonly rules: ReadonlySet<string>;
}

/** What one file contributes: its Services, its syntax problems, its suppression comments. */
export interface ManifestFile {
  readonly file: string;
  readonly services: readonly ServiceManifest[];
  readonly syntaxErrors: readonly { readonly range: SourceRange; readonly message: string }[];
  readonly suppressions: readonly Suppression[];
}
