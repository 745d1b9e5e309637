// The engine: region config, Service manifest model and rules. It does no IO and knows
// nothing about LSP, VS Code or kubectl; adapters feed it text and render its findings.
export * from './source';
export * from './findings';
export * from './route-state';
export * from './live-services';
export * from './regions';
export { globMatches, isExcluded, pathFromConfig } from './paths';
export { sharingAnnotations, sharingKey, sharingVerdict, type SharingKey, type SharingVerdict } from './sharing';
export { documentKinds, documentKind, type DocumentKind } from './manifest/kinds';
export * from './service-addresses';
export * from './route-index';
export * from './route-verdict';
export * from './vantage';
export * from './addresses';
export * from './config/model';
export { parseConfig, type ConfigParse } from './config/parse-config';
export { configSchema } from './config/schema';
export * from './config/speaker';
export * from './manifest/model';
export { readManifestFile, readManifestFileComposed } from './manifest/read-manifests';
export { readScannedFile } from './manifest/read-scanned';
export { checkManifests, type CheckOptions, type CheckResult, type InputProblem, unreadableFile } from './check';
export { linkKeys, poolsLinkKey, type LinkKind } from './link-keys';
export {
  completeRecheck,
  planRecheck,
  type FileRecord,
  type RecheckInput,
  type RecheckPlan,
  type RecheckResult,
} from './incremental';
export { rules, rulesById, type Rule } from './rules';
export { closestMatch } from './text';
export { buildModel, fieldName } from './rules/model';
export type { CheckModel, ServiceAnalysis, AddressUse } from './rules/model';
