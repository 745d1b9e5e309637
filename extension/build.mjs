// Bundles the extension for packaging: esbuild turns the client (src/extension.ts) and the
// language server (the compiled server/dist, as server/bin runs it) into one file each, since
// the .vsix ships without node_modules (vsce --no-dependencies). `--tests` also bundles the
// integration suite (test/vscode/suite) into dist/test/suite.js, which .vscodeignore keeps out
// of the .vsix. Run after `tsc -b` (the server bundle starts from its compiled output).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const dist = join(here, 'dist');
const serverMain = join(repo, 'server/dist/src/lsp/main.js');
if (!existsSync(serverMain)) {
  console.error(`error: ${serverMain} is missing; run \`npx tsc -b\` at the repository root first`);
  process.exit(2);
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: true,
  logLevel: 'warning',
};
// What the server loads on first use (server/src/lsp: a require inside a function), bundled apart
// so that starting the server neither reads nor parses it: the Kubernetes client (live
// clusters) is 3.9 of the 5 MB of a single bundle; with it the server idled at 90 MiB instead of
// 62 after start (bench/RESULTS.md, issue 13 part 3). Each row:
// the request as the compiled server writes it, the file requiring it, the bundle it becomes.
const lazyModules = [
  { request: './context-watch', importer: 'lsp/clusters/cluster-registry.js', out: 'server-clusters.js' },
  { request: './create-route-source', importer: 'lsp/route-sources/route-registry.js', out: 'server-route-source.js' },
  { request: './live-routes', importer: 'lsp/route-sources/route-registry.js', out: 'server-live-routes.js' },
];
const serverSrc = join(repo, 'server/dist/src');
/** The lazy requests stay requires, of their own bundle beside dist/server.js. */
const lazyExternal = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) => {
      const row = lazyModules.find((m) => m.request === args.path && args.importer === join(serverSrc, m.importer));
      return row ? { path: `./${row.out}`, external: true } : undefined;
    });
  },
};
// Minified: @kubernetes/client-node (live clusters) alone is ~15 MB of generated models.
// keepNames, because error messages and logs use class names.
const server = { minify: true, keepNames: true };
const entries = [
  // vscode is provided by the extension host, never bundled.
  { entryPoints: [join(here, 'src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] },
  { entryPoints: [join(here, 'src/server.ts')], outfile: join(dist, 'server.js'), ...server, plugins: [lazyExternal] },
  ...lazyModules.map((m) => ({
    entryPoints: [join(serverSrc, dirname(m.importer), `${m.request}.js`)],
    outfile: join(dist, m.out),
    ...server,
  })),
];
if (process.argv.includes('--tests')) {
  entries.push({
    entryPoints: [join(repo, 'test/vscode/suite/index.ts')],
    outfile: join(dist, 'test/suite.js'),
    external: ['vscode'],
  });
}
await Promise.all(entries.map((e) => build({ ...common, ...e })));

mkdirSync(dist, { recursive: true });
// yamlValidation in package.json points here: Red Hat's YAML extension validates and completes kube-routes.yaml with it.
copyFileSync(join(repo, 'server/src/engine/config/kube-routes.schema.json'), join(dist, 'kube-routes.schema.json'));
