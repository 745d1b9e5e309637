// One CommonJS file per program (esbuild), for the single executables (scripts/release.mjs) and
// the self-installing pre-commit hook (scripts/pre-commit-install.mjs). The entry is the same
// start as the program's bin/ script. Run after `tsc -b`: bundles start from the compiled output.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const serverSrc = join(root, 'server/dist/src');

/**
 * What the language server loads on first use (server/src/lsp: a require inside a function),
 * bundled apart so that starting the server neither reads nor parses it: the Kubernetes client
 * (live clusters) is 3.9 of the 5 MB of a single bundle; with it the server idled at 90 MiB
 * instead of 62 after start (bench/RESULTS.md, issue 13 part 3). Each row: the request as the
 * compiled server writes it, the file requiring it, the bundle it becomes. The VS Code extension
 * ships these bundles beside its server.js; a single executable carries them as SEA assets.
 */
export const lazyModules = [
  { request: './context-watch', importer: 'lsp/clusters/cluster-registry.js', out: 'server-clusters.js' },
  { request: './create-route-source', importer: 'lsp/route-sources/route-registry.js', out: 'server-route-source.js' },
  { request: './live-routes', importer: 'lsp/route-sources/route-registry.js', out: 'server-live-routes.js' },
];

/**
 * The module a lazy request becomes: in a single executable the bundle is a SEA asset, compiled
 * on first use; anywhere else (the extension's dist, the darwin archive) a file beside this one.
 */
function lazyLoader(out) {
  return `const name = ${JSON.stringify(out)};
let sea;
try { sea = require('node:sea'); } catch {}
if (sea && sea.isSea && sea.isSea()) {
  const m = { exports: {} };
  require('node:vm').compileFunction(sea.getAsset(name, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: name })(m.exports, require, m, name, __dirname);
  module.exports = m.exports;
} else module.exports = require(require('node:path').join(__dirname, name));
`;
}

/** An esbuild plugin: each lazyModules request becomes its loader instead of being bundled in. */
export const lazyModulesPlugin = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) => {
      const row = lazyModules.find((m) => m.request === args.path && args.importer === join(serverSrc, m.importer));
      return row ? { path: row.out, namespace: 'lazy-module' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => ({ contents: lazyLoader(args.path), loader: 'js' }));
  },
};

/** The entry points of the lazy bundles, written into outDir (each a bundle of its own). */
export function lazyModuleEntries(outDir) {
  return lazyModules.map((m) => ({
    entryPoints: [join(serverSrc, dirname(m.importer), `${m.request}.js`)],
    outfile: join(outDir, m.out),
  }));
}

/** The programs kube-routes ships as executables. */
export const programs = [
  { name: 'kubectl-routes', main: 'kubectl-plugin/dist/src/cli/main.js', exit: 'process.exitCode = code;' },
  {
    name: 'kube-routes-speaker',
    main: 'server/dist/src/speaker/main.js',
    exit: 'process.exitCode = code; process.exit();',
    // The flags of server/bin/kube-routes-speaker's #! line (its memory figures depend on them);
    // the single executable gets them through the SEA config's execArgv.
    execArgv: ['--max-semi-space-size=1'],
  },
  {
    name: 'kube-routes-language-server',
    main: 'server/dist/src/lsp/main.js',
    exit: 'if (code !== undefined) { process.exitCode = code; process.exit(); }',
    // Node flags of every start of the server (server/src/lsp/node-flags.ts).
    // A getter: the list is read from the compiled output, which exists only after `tsc -b`.
    get execArgv() {
      return createRequire(import.meta.url)(join(root, 'server/dist/src/lsp/node-flags.js')).languageServerNodeFlags;
    },
    lazy: true,
  },
];

/** The Node flags a program starts with (its bin's #! line flags). */
export const nodeFlags = (program) => [...(program.execArgv ?? [])];

/** The bundles a program loads on first use, as written beside its bundle (file names). */
export const lazyFiles = (program) => (program.lazy ? lazyModules.map((m) => m.out) : []);

/**
 * Bundles a program into outfile, and its lazy modules into files beside it (lazyFiles); shebang
 * adds `#!/usr/bin/env node` for a script run from PATH.
 */
export async function bundle(program, outfile, { shebang = false } = {}) {
  // esbuild is the extension's build tool; resolved from there, as a workspace dependency.
  const { build } = createRequire(join(root, 'extension/package.json'))('esbuild');
  const shared = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    keepNames: true, // error messages and logs use class names
    logLevel: 'warning',
  };
  if (program.lazy) await Promise.all(lazyModuleEntries(dirname(outfile)).map((e) => build({ ...shared, ...e })));
  await build({
    stdin: {
      contents: `require(${JSON.stringify(`./${program.main}`)}).main(process.argv.slice(2)).then((code) => { ${program.exit} }).catch((e) => { process.stderr.write('error: internal error: ' + (e && e.message ? e.message : e) + ' (please report this)\\n'); process.exit(3); });`,
      resolveDir: root,
      loader: 'js',
    },
    ...shared,
    outfile,
    ...(program.lazy ? { plugins: [lazyModulesPlugin] } : {}),
    ...(shebang ? { banner: { js: '#!/usr/bin/env node' } } : {}),
  });
  return outfile;
}
