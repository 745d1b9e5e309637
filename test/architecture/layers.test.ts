/**
 * The layering invariants of ARCHITECTURE.md, checked on every import of the sources: pure cores
 * import no Node built-ins, each npm package has its owners (LSP packages: the language server;
 * Kubernetes clients: server/src/kube), the codec imports nothing of ours, the MRT codec nothing
 * above the RIB, and faces never import each other. The table is in layers.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LAYERS, SOURCE_ROOTS, checkFile, layerOf, type Workspace } from './layers';

/** test/dist/architecture -> the repository. */
const ROOT = path.resolve(__dirname, '../../..');

function sources(relativeDir: string): string[] {
  const dir = path.join(ROOT, relativeDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const relative = `${relativeDir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(relative);
    return /\.[cm]?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [relative] : [];
  });
}

function workspace(): Workspace {
  const packages = new Map<string, { folder: string; exports: Record<string, string> }>();
  for (const folder of ['server', 'kubectl-plugin', 'test', 'extension']) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, folder, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, string> | string;
      main?: string;
    };
    const exports =
      typeof manifest.exports === 'string'
        ? { '.': manifest.exports }
        : (manifest.exports ?? (manifest.main ? { '.': manifest.main } : {}));
    packages.set(manifest.name, { folder, exports });
  }
  return { packages };
}

describe('layering', () => {
  const ws = workspace();

  it('every import of server/src, kubectl-plugin/src and extension/src follows the layer table', () => {
    const files = SOURCE_ROOTS.flatMap(sources);
    assert.ok(files.length > 100, `only ${files.length} source files found under ${ROOT}`);
    const violations = files.flatMap((f) => checkFile(f, readFileSync(path.join(ROOT, f), 'utf8'), ws));
    assert.deepEqual(
      violations.map((v) => v.message),
      [],
    );
  });

  it('every folder of server/src has a row (rows for folders still to come are fine)', () => {
    const folders = readdirSync(path.join(ROOT, 'server/src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `server/${e.name}`);
    assert.deepEqual(
      folders.filter((f) => !(f in LAYERS)),
      [],
    );
  });

  it('names file, import and rule for an import across layers, a foreign package, a Node built-in in a pure layer, an unknown folder', () => {
    const check = (file: string, text: string) => checkFile(file, text, ws).map((v) => v.message);
    assert.deepEqual(check('server/src/mrt/x.ts', "import { Route } from '../engine';"), [
      "server/src/mrt/x.ts: import '../engine': server/mrt may not import server/engine (allowed: server/bgp, server/rib) (server/mrt: the MRT codec: codec and RIB only)",
    ]);
    assert.match(
      check('server/src/speaker/x.ts', "import { createConnection } from 'vscode-languageserver/node';")[0] ?? '',
      /server\/speaker may not import the npm package vscode-languageserver/,
    );
    assert.match(
      check('server/src/kube/x.ts', "import type { Session } from '@kube-routes/server/lsp-protocol';")[0] ?? '',
      /server\/kube may not import server\/lsp/,
    );
    assert.match(
      check('server/src/rib/x.ts', "import { readFileSync } from 'node:fs';")[0] ?? '',
      /server\/rib is pure: no Node built-ins/,
    );
    assert.match(
      check('kubectl-plugin/src/live/x.ts', "import { Session } from '@kube-routes/server/routes';")[0] ?? '',
      /exports no "\.\/routes"/,
    );
    assert.match(
      check('kubectl-plugin/src/live/x.ts', "const m = import('../../../server/src/lsp/server');")[0] ?? '',
      /kubectl-plugin may not import server\/lsp/,
    );
    assert.match(
      check('server/src/widgets/x.ts', 'export const x = 1;')[0] ?? '',
      /server\/widgets has no row in the layer table/,
    );
    assert.deepEqual(
      check(
        'extension/src/x.ts',
        "import { StatusRequest } from '../../server/src/lsp/protocol';\nimport { main } from '../../server/dist/src/lsp/main.js';",
      ),
      [],
    );
    assert.equal(layerOf('server/src/engine'), 'server/engine');
  });
});
