// Node adapters shared by the kubectl plugin and the language server: file system access
// around the pure engine.
export * from './config-files';
export * from './manifest-files';
export { readBoundedFile, type BoundedRead } from './bounded-read';
export { writeFileAtomically } from './atomic-write';
export { collectGarbage } from './collect-garbage';
