// One CommonJS file per program (esbuild), for the single executables (scripts/release.mjs) and
// the self-installing pre-commit hook (scripts/pre-commit-install.mjs). The entry is the same
// start as the program's bin/ script. Run after `tsc -b`: bundles start from the compiled output.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

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
  },
];

/** The Node flags a program starts with (its bin's #! line flags). */
export const nodeFlags = (program) => [...(program.execArgv ?? [])];

/** Bundles a program into outfile; shebang adds `#!/usr/bin/env node` for a script run from PATH. */
export async function bundle(program, outfile, { shebang = false } = {}) {
  // esbuild is the extension's build tool; resolved from there, as a workspace dependency.
  const { build } = createRequire(join(root, 'extension/package.json'))('esbuild');
  await build({
    stdin: {
      contents: `require(${JSON.stringify(`./${program.main}`)}).main(process.argv.slice(2)).then((code) => { ${program.exit} }).catch((e) => { process.stderr.write('error: internal error: ' + (e && e.message ? e.message : e) + ' (please report this)\\n'); process.exit(3); });`,
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    keepNames: true, // error messages and logs use class names
    outfile,
    logLevel: 'warning',
    ...(shebang ? { banner: { js: '#!/usr/bin/env node' } } : {}),
  });
  return outfile;
}
