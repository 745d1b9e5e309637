import type { IpRange } from '../addresses';
import type { SeveritySetting } from '../findings';
import type { SourceRange } from '../source';
import type { SpeakerConfig } from './speaker';

export const defaultRegionLabels: readonly string[] = ['region', 'topology.kubernetes.io/region'];

export interface RegionConfig {
  readonly name: string;
  readonly asns: readonly number[];
  readonly clusterIPRanges: readonly IpRange[];
  readonly externalIPPools: readonly IpRange[];
  readonly contexts: readonly string[];
  /** Globs (relative to the config's folder) whose unlabelled manifests belong to this region. */
  readonly paths: readonly string[];
  /**
   * This region's speaker API (its vantage point): "http(s)://HOST:PORT" or
   * "k8s://NAMESPACE/SERVICE:PORT" (through the region's first context).
   */
  readonly speaker?: string;
}

/** A validated kube-routes.yaml. */
export interface KubeRoutesConfig {
  /** Where it came from; undefined for the built-in default (no file found). */
  readonly file: string | undefined;
  /**
   * The folder globs (regions.*.paths, exclude) are relative to, written like the manifest paths
   * the face gives the engine; default: the folder of file. The language server sets it, as its
   * manifest paths are absolute and file is shown relative to the workspace.
   */
  readonly root?: string;
  readonly regionLabels: readonly string[];
  readonly externalIPPools: readonly IpRange[];
  /** Globs (relative to the config's folder) that directory walks skip. */
  readonly exclude: readonly string[];
  readonly regions: ReadonlyMap<string, RegionConfig>;
  readonly ruleSeverities: ReadonlyMap<string, SeveritySetting>;
  /** The bundled BGP speaker's section, when present. */
  readonly speaker: SpeakerConfig | undefined;
}

/** A problem in the config file, located so it prints as file:line:col. */
export interface ConfigError {
  readonly file: string;
  readonly range: SourceRange;
  readonly message: string;
}

export const emptyConfig: KubeRoutesConfig = {
  file: undefined,
  regionLabels: defaultRegionLabels,
  externalIPPools: [],
  exclude: [],
  regions: new Map(),
  ruleSeverities: new Map(),
  speaker: undefined,
};
