// The manifest cache: what the engine extracted per file, persisted between runs (kubectl routes
// check --cache, the language server's index). A Node adapter around the pure engine's data.
export { openManifestCache, type CacheHit, type ManifestCache } from './manifest-cache';
export { manifestCacheKey, codeFingerprint } from './cache-key';
export { contentHash, sameStamp, stampOf, statStamp, type FileStamp } from './file-stamp';
export { cacheFormat } from './cache-file';
