import type { Finding, IpAddress, KubeRoutesConfig, ManifestFile } from '@kube-routes/server/engine';
import type { LiveClusters } from '../clusters/cluster-registry';
import type { LiveRoutes } from '../route-sources/live-routes';
import type { ServiceLiteral } from './service-literals';

/** Another file's use of an address, for hovers ("also used by"). */
export interface AddressOwner {
  readonly file: string;
  readonly use: ServiceLiteral;
}

/** An open document as the features see it: its text and the model parsed from exactly that text. */
export interface OpenDocument {
  readonly path: string;
  readonly uri: string;
  readonly text: string;
  readonly manifest: ManifestFile;
}

/** What hovers, lenses and code actions may ask the server, for one document's config group. */
export interface FeatureContext {
  /**
   * Set while the workspace is still being read: owners, inUse and the findings cover only the
   * files read so far (and the document's own rules), so nothing may be claimed free or clear.
   */
  readonly indexing?: { readonly done: number; readonly total: number } | undefined;
  readonly config: KubeRoutesConfig;
  /** Undefined when no route source is configured for the group. */
  readonly routes: LiveRoutes | undefined;
  /** The group's live clusters; undefined when it reads no kube context. */
  readonly clusters?: LiveClusters | undefined;
  /** The current findings of the document. */
  readonly findings: readonly Finding[];
  /** Every use of the address in the group's files, this document's included. */
  owners(address: IpAddress): readonly AddressOwner[];
  /** Whether any file of the group uses the address. */
  inUse(address: IpAddress): boolean;
  /** A path as shown to the user (relative to its workspace folder). */
  display(path: string): string;
  uri(path: string): string;
  now(): Date;
}
