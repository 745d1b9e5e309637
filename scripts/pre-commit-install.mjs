// The root package's postinstall: builds the self-installing pre-commit hook. pre-commit's
// `language: node` runs `npm install` in its clone of this repository, then `npm pack` and
// `npm install -g` of the result, inside a nodeenv environment (NODE_VIRTUAL_ENV set). In that
// clone this builds the plugin (tsc -b kubectl-plugin: it and the server only) and bundles kubectl-routes into hook/kubectl-routes.cjs, the root
// package's only `bin`, with the bundles it loads on first use beside it (scripts/bundle.mjs
// lazyModules); hook/ and this script are the package's only packed files. Everywhere else (a developer's
// `npm ci`, the global install of the packed hook, which already holds the bundle) it does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'hook/kubectl-routes.cjs');

if (process.env.NODE_VIRTUAL_ENV && !existsSync(out) && existsSync(join(root, 'tsconfig.json'))) {
  // stdout stays empty: pre-commit reads `npm pack`'s stdout, and npm's own output goes to stderr.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'kubectl-plugin'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (tsc.status !== 0) {
    console.error('error: building kube-routes for the pre-commit hook failed (tsc -b kubectl-plugin, see above)');
    process.exit(2);
  }
  const { bundle, programs } = await import('./bundle.mjs');
  const cli = programs.find((p) => p.name === 'kubectl-routes');
  await bundle(cli, out, { shebang: true });
}
