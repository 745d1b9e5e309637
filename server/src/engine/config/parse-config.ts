import { isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { parseCidr, rangesOverlap, type IpRange } from '../addresses';
import type { SeveritySetting } from '../findings';
import { compareRanges, emptyRange, LineIndex, type SourceRange } from '../source';
import { closestMatch } from '../text';
import { defaultRegionLabels, type ConfigError, type KubeRoutesConfig, type RegionConfig } from './model';
import { parseSpeaker, type RawSpeaker } from './speaker';
import { validateConfigShape, type ErrorObject } from './schema';

export interface ConfigParse {
  /** Present only when there are no errors. */
  readonly config: KubeRoutesConfig | undefined;
  readonly errors: readonly ConfigError[];
}

interface RawRegion {
  asns?: number[];
  clusterIPRanges?: string[];
  externalIPPools?: string[];
  contexts?: string[];
  paths?: string[];
  speaker?: string;
}

interface RawConfig {
  speaker?: RawSpeaker;
  regionLabels?: string[];
  externalIPPools?: string[];
  exclude?: string[];
  regions?: Record<string, RawRegion>;
  rules?: Record<string, SeveritySetting>;
}

/** Parses and fully validates kube-routes.yaml. Never throws: every problem is a located error. */
export function parseConfig(text: string, file: string): ConfigParse {
  const lines = new LineIndex();
  const doc = parseDocument(text, { lineCounter: lines.counter, prettyErrors: false, uniqueKeys: true });
  const errors: ConfigError[] = [];
  const at = (range: SourceRange, message: string) => errors.push({ file, range, message });

  for (const e of doc.errors) at(lines.range(e.pos[0], e.pos[1]), e.message);
  if (errors.length > 0) return { config: undefined, errors };

  const raw: unknown = doc.toJS() ?? {};
  const locate = (path: readonly (string | number)[], key = false) => locateNode(doc, lines, path, key);
  for (const e of validateConfigShape(raw)) {
    const path = pointerToPath(e.instancePath);
    at(shapeErrorTarget(e, path, locate), describeShapeError(e, path));
  }
  if (errors.length > 0) return { config: undefined, errors: sortErrors(errors) };

  const config = raw as RawConfig;
  const cidrs = (list: string[] | undefined, path: (string | number)[]): IpRange[] => {
    const ranges: IpRange[] = [];
    (list ?? []).forEach((text, i) => {
      const parsed = parseCidr(text);
      if ('error' in parsed) at(locate([...path, i]).range, parsed.error);
      else ranges.push(parsed.range);
    });
    return ranges;
  };

  const externalIPPools = cidrs(config.externalIPPools, ['externalIPPools']);
  const regions = new Map<string, RegionConfig>();
  for (const [name, region] of Object.entries(config.regions ?? {})) {
    regions.set(name, {
      name,
      asns: region.asns ?? [],
      clusterIPRanges: cidrs(region.clusterIPRanges, ['regions', name, 'clusterIPRanges']),
      externalIPPools: cidrs(region.externalIPPools, ['regions', name, 'externalIPPools']),
      contexts: region.contexts ?? [],
      paths: region.paths ?? [],
      ...(region.speaker === undefined ? {} : { speaker: region.speaker }),
    });
    const speakerProblem = region.speaker === undefined ? undefined : regionSpeakerProblem(region.speaker, region);
    if (speakerProblem) at(locate(['regions', name, 'speaker']).range, `regions.${name}.speaker ${speakerProblem}`);
  }
  checkOverlaps(regions, externalIPPools, locate, at);
  checkSharedAsns(regions, locate, at);
  const speaker = config.speaker
    ? parseSpeaker(config.speaker, (path, message) => at(locate(path).range, message))
    : undefined;
  if (errors.length > 0) return { config: undefined, errors: sortErrors(errors) };

  return {
    config: {
      file,
      regionLabels: config.regionLabels ?? defaultRegionLabels,
      externalIPPools,
      exclude: config.exclude ?? [],
      regions,
      ruleSeverities: new Map(Object.entries(config.rules ?? {})),
      speaker,
    },
    errors: [],
  };
}

/** What is wrong with a region's speaker target, if anything: a URL, or a Service reached through the region's context. */
function regionSpeakerProblem(target: string, region: RawRegion): string | undefined {
  if (target.startsWith('k8s://')) {
    if (!/^k8s:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?:[0-9]{1,5}$/.test(target))
      return `"${target}" must look like k8s://NAMESPACE/SERVICE:PORT, e.g. k8s://kube-routes/speaker:8179`;
    if ((region.contexts ?? []).length === 0)
      return `"${target}" is reached through the region's kube context: list it under contexts`;
    return undefined;
  }
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/.test(target))
    return `"${target}" must be an http:// or https:// URL (e.g. http://speaker.nyc3.example:8179) or k8s://NAMESPACE/SERVICE:PORT`;
  return undefined;
}

function sortErrors(errors: ConfigError[]): ConfigError[] {
  return errors.sort((a, b) => compareRanges(a.range, b.range));
}

type Locate = (path: readonly (string | number)[], key?: boolean) => { range: SourceRange };

function checkOverlaps(
  regions: ReadonlyMap<string, RegionConfig>,
  globalPools: readonly IpRange[],
  locate: Locate,
  at: (range: SourceRange, message: string) => void,
): void {
  const list = [...regions.values()];
  const rangePath = (region: RegionConfig, field: 'clusterIPRanges' | 'externalIPPools', range: IpRange) =>
    locate(['regions', region.name, field, region[field].indexOf(range)]).range;
  list.forEach((a, i) => {
    for (const b of list.slice(i + 1)) {
      for (const field of ['clusterIPRanges', 'externalIPPools'] as const) {
        for (const ra of a[field]) {
          for (const rb of b[field]) {
            if (!rangesOverlap(ra, rb)) continue;
            const what = field === 'clusterIPRanges' ? 'clusterIP ranges' : 'region-only externalIP pools';
            at(
              rangePath(b, field, rb),
              `${rb.cidr} of region ${b.name} overlaps ${ra.cidr} of region ${a.name}: ${what} must not overlap between regions, or one IP would belong to two regions`,
            );
          }
        }
      }
    }
    for (const range of a.clusterIPRanges) {
      for (const pool of [...globalPools, ...list.flatMap((r) => r.externalIPPools)]) {
        if (!rangesOverlap(range, pool)) continue;
        at(
          rangePath(a, 'clusterIPRanges', range),
          `clusterIP range ${range.cidr} of region ${a.name} overlaps externalIP pool ${pool.cidr}: an address cannot be both a cluster IP and an external IP`,
        );
      }
    }
  });
}

function checkSharedAsns(
  regions: ReadonlyMap<string, RegionConfig>,
  locate: Locate,
  at: (range: SourceRange, message: string) => void,
): void {
  const owner = new Map<number, string>();
  for (const region of regions.values()) {
    region.asns.forEach((asn, i) => {
      const other = owner.get(asn);
      if (other === undefined) owner.set(asn, region.name);
      else
        at(
          locate(['regions', region.name, 'asns', i]).range,
          `ASN ${asn} is listed for regions ${other} and ${region.name}: a route's origin AS must name one region`,
        );
    });
  }
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Unknown keys and missing children are reported at the key, everything else at the value. */
function shapeErrorTarget(e: ErrorObject, path: (string | number)[], locate: Locate): SourceRange {
  if (e.keyword === 'additionalProperties') {
    return locate([...path, (e.params as { additionalProperty: string }).additionalProperty], true).range;
  }
  if (e.keyword === 'propertyNames') {
    return locate([...path, (e.params as { propertyName: string }).propertyName], true).range;
  }
  return locate(path, e.keyword === 'required' || e.keyword === 'minItems').range;
}

function displayPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the config';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describeShapeError(e: ErrorObject, path: (string | number)[]): string {
  const where = displayPath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const scope = path.length === 0 ? 'at the top level' : `in ${where}`;
      const guess = closestMatch(extra, allowed, 3);
      return `unknown key "${extra}" ${scope}${guess ? ` (did you mean "${guess}"?)` : ''}; expected one of: ${allowed.join(', ')}`;
    }
    case 'propertyNames':
      return `"${(e.params as { propertyName: string }).propertyName}" is not a valid region name (letters, digits, "-", "_", ".")`;
    case 'enum':
      return `${where} must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
    case 'type':
      return `${where} must be ${article((e.params as { type: string }).type)}`;
    case 'required':
      return `${where} needs "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'minItems':
      return `${where} must not be empty`;
    case 'minimum':
    case 'maximum':
      return path.includes('asns')
        ? `${where}: ASN must be between 1 and 4294967295`
        : `${where} ${e.message ?? 'is out of range'}`;
    case 'uniqueItems':
      return `${where} lists the same value twice`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return type === 'array'
    ? 'a list'
    : type === 'object'
      ? 'a mapping'
      : /^[aeiou]/.test(type)
        ? `an ${type}`
        : `a ${type}`;
}

/** The source range of the node at path (or of its key), falling back to the nearest existing parent. */
function locateNode(
  doc: Document,
  lines: LineIndex,
  path: readonly (string | number)[],
  key: boolean,
): { range: SourceRange } {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      // A missing value (key with nothing after it) has an empty range: point at the key.
      const empty = isScalar(pair.value) && pair.value.value === null;
      if (last && (key || empty) && isNode(pair.key)) return { range: nodeRange(pair.key, lines) };
      node = pair.value;
    } else if (
      node &&
      typeof node === 'object' &&
      'items' in node &&
      Array.isArray((node as { items: unknown[] }).items)
    ) {
      node = (node as { items: unknown[] }).items[Number(segment)];
    } else break;
    if (!isNode(node)) break;
    best = node;
    if (last) return { range: nodeRange(node, lines) };
  }
  return { range: best ? nodeRange(best, lines) : emptyRange };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray((value as Node).range);
}

function nodeRange(node: Node, lines: LineIndex): SourceRange {
  const [start, end] = node.range ?? [0, 0];
  return lines.range(start, end);
}
