// One CommonJS file per program (esbuild), plus one per module it loads on first use
// (lazyModules), for the single executables (scripts/release.mjs), the self-installing pre-commit
// hook (scripts/pre-commit-install.mjs) and the VS Code extension (extension/build.mjs). The entry
// is the same start as the program's bin/ script. Run after `tsc -b`: bundles start from the
// compiled output.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/**
 * What a program loads on first use (a require inside a function), bundled apart so that starting
 * it neither reads nor parses that code. For the language server: the Kubernetes client (live
 * clusters) is 3.9 of the 5 MB of a single bundle; with it the server idled at 90 MiB instead of
 * 62 after start (bench/RESULTS.md, issue 13 part 3). For kubectl-routes: the live views and
 * route sources, which a cached `check` (the pre-commit hook) never runs. Each row: the request as
 * the compiled program writes it, the file requiring it (under the program's compiled `src`), the
 * bundle it becomes (rows naming one bundle share it). The VS Code extension ships the language
 * server's bundles beside its server.js, the pre-commit hook and the darwin archives beside the
 * program's bundle; a single executable carries them as SEA assets.
 */
const lazyModules = {
  'kube-routes-language-server': [
    { request: './context-watch', importer: 'lsp/clusters/cluster-registry.js', out: 'server-clusters.js' },
    {
      request: './create-route-source',
      importer: 'lsp/route-sources/route-registry.js',
      out: 'server-route-source.js',
    },
    { request: './live-routes', importer: 'lsp/route-sources/route-registry.js', out: 'server-live-routes.js' },
  ],
  'kubectl-routes': [
    { request: './live-run', importer: 'live/commands.js', out: 'kubectl-routes-live.js' },
    { request: '../live/live-run', importer: 'check/command.js', out: 'kubectl-routes-live.js' },
    { request: '../live/check-live', importer: 'check/command.js', out: 'kubectl-routes-check-live.js' },
    { request: '../live/open-route-source', importer: 'check/run-check.js', out: 'kubectl-routes-route-source.js' },
    { request: './speaker-route-table', importer: 'check/run-check.js', out: 'kubectl-routes-speaker-table.js' },
    // The Kubernetes client (4 of the bundle's 5 MB) from wherever it is required: commands that
    // never reach a cluster (`check`, the hook) need not parse it at start.
    { request: '@kubernetes/client-node', out: 'kubectl-routes-kube-client.js' },
  ],
};

/**
 * The lazy rows of a program, with the file each request names: a relative request is of the
 * compiled program's own file (and only from that importer), a package's of its main file (from
 * any importer).
 */
function lazyRows(program) {
  const src = join(root, dirname(dirname(program.main)));
  return (lazyModules[program.name] ?? []).map((m) =>
    m.importer === undefined
      ? { ...m, module: createRequire(join(root, 'server/package.json')).resolve(m.request) }
      : { ...m, importer: join(src, m.importer), module: join(src, dirname(m.importer), `${m.request}.js`) },
  );
}

/** The bundles a program loads on first use, as written beside its bundle (file names). */
export const lazyFiles = (program) => [...new Set(lazyRows(program).map((m) => m.out))].sort();

/**
 * The module a lazy request becomes: in a single executable the bundle is a SEA asset, compiled
 * on first use; anywhere else (the extension's dist, the hook, the darwin archive) a file beside
 * this one.
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

/** An esbuild plugin: each of the program's lazy requests becomes its loader instead of being bundled in. */
export function lazyModulesPlugin(program) {
  const rows = lazyRows(program);
  const escaped = rows.map((m) => m.request.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    name: 'lazy-modules',
    setup(b) {
      if (rows.length === 0) return;
      b.onResolve({ filter: new RegExp(`^(${escaped.join('|')})$`) }, (args) => {
        const row = rows.find(
          (m) => m.request === args.path && (m.importer === undefined || m.importer === args.importer),
        );
        return row ? { path: row.out, namespace: 'lazy-module' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => ({
        contents: lazyLoader(args.path),
        loader: 'js',
      }));
    },
  };
}

/** The entry points of a program's lazy bundles, written into outDir (each a bundle of its own). */
export function lazyModuleEntries(program, outDir) {
  const byOut = new Map(lazyRows(program).map((m) => [m.out, m.module]));
  return [...byOut].map(([out, module]) => ({ entryPoints: [module], outfile: join(outDir, out) }));
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
    execArgv: [
      '--max-semi-space-size=1',
      '--memory-saver-mode',
      '--no-maglev',
      '--max-inlined-bytecode-size-cumulative=230',
    ],
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
  },
];

/** The Node flags a program starts with (its bin's #! line flags). */
export const nodeFlags = (program) => [...(program.execArgv ?? [])];

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
  // The lazy bundles go through the plugin too: one requiring another's module loads that bundle
  // (one Kubernetes client, not a copy in each).
  const plugins = [lazyModulesPlugin(program)];
  await Promise.all(lazyModuleEntries(program, dirname(outfile)).map((e) => build({ ...shared, ...e, plugins })));
  await build({
    stdin: {
      contents: `require(${JSON.stringify(`./${program.main}`)}).main(process.argv.slice(2)).then((code) => { ${program.exit} }).catch((e) => { process.stderr.write('error: internal error: ' + (e && e.message ? e.message : e) + ' (please report this)\\n'); process.exit(3); });`,
      resolveDir: root,
      loader: 'js',
    },
    ...shared,
    outfile,
    plugins,
    ...(shebang ? { banner: { js: '#!/usr/bin/env node' } } : {}),
  });
  return outfile;
}
