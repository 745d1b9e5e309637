export { matchSnapshot } from './snapshot';
export { repoRoot, runCli, type CliRun } from './run-cli';
export { tempDir, writeTree } from './temp';
export * from './daemons';
export * from './speaker';
export * from './raw-peer';
export * from './route-views';
