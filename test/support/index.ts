export { matchSnapshot } from './snapshot';
export { repoRoot, runCli, type CliRun } from './run-cli';
export { tempDir, writeTree } from './temp';
export * from './daemons';
