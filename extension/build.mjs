// Bundles the extension for packaging: esbuild turns the client (src/extension.ts) and the
// language server (the compiled server/dist, as server/bin runs it) into one file each, since
// the .vsix ships without node_modules (vsce --no-dependencies). `--tests` also bundles the
// integration suite (test/vscode/suite) into dist/test/suite.js, which .vscodeignore keeps out
// of the .vsix. Run after `tsc -b` (the server bundle starts from its compiled output).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyModuleEntries, lazyModulesPlugin, programs } from '../scripts/bundle.mjs';

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
// What the server loads on first use is bundled apart (scripts/bundle.mjs lazyModules: the table,
// shared with the single executables); each lazy request becomes a require of its bundle beside
// dist/server.js.
// Minified: @kubernetes/client-node (live clusters) alone is ~15 MB of generated models.
// keepNames, because error messages and logs use class names.
const server = { minify: true, keepNames: true };
const languageServer = programs.find((p) => p.name === 'kube-routes-language-server');
const entries = [
  // vscode is provided by the extension host, never bundled.
  { entryPoints: [join(here, 'src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] },
  {
    entryPoints: [join(here, 'src/server.ts')],
    outfile: join(dist, 'server.js'),
    ...server,
    plugins: [lazyModulesPlugin(languageServer)],
  },
  ...lazyModuleEntries(languageServer, dist).map((e) => ({
    ...e,
    ...server,
    plugins: [lazyModulesPlugin(languageServer)],
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
