/**
 * The codec keeps no state between calls: what decoding depends on (the SessionContext, what an
 * UPDATE has seen so far) is passed or local, never module-level and mutable. A top-level `let`,
 * or a top-level buffer/collection that is not read-only by type, would make two decodes share
 * state; the only exception is a listed scratch buffer that is overwritten before every read.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const CODEC_DIR = path.resolve(__dirname, '../../../src/bgp');
/**
 * Scratch buffers overwritten before every read (nothing survives a call), kept module-level
 * because allocating one per call costs several times the decode (a DataView per IPv6 field,
 * a typed array per UPDATE for its seen attribute codes, a writer per encoded message).
 */
const SCRATCH: ReadonlySet<string> = new Set([
  'nlri.ts: scratch',
  'nlri.ts: scratchView',
  'update.ts: seenCodes',
  'message.ts: scratch',
]);
const MUTABLE_CONSTRUCTORS = new Set([
  'ByteWriter',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'Int32Array',
  'Float64Array',
  'BigUint64Array',
  'DataView',
  'ArrayBuffer',
  'Map',
  'Set',
  'Array',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** "file:line: text" for each module-level declaration that holds mutable state. */
export function moduleState(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const where = `${path.basename(file)}:${source.getLineAndCharacterOfPosition(d.getStart()).line + 1}: ${d.name.getText()}`;
      if (!isConst) {
        found.push(`${where} is a module-level let/var`);
        continue;
      }
      const init = d.initializer;
      if (!init || !ts.isNewExpression(init) || !ts.isIdentifier(init.expression)) continue;
      if (!MUTABLE_CONSTRUCTORS.has(init.expression.text)) continue;
      if (SCRATCH.has(`${path.basename(file)}: ${d.name.getText()}`)) continue;
      const declared = d.type?.getText() ?? '';
      if (/^Readonly(Map|Set|Array)\b|^readonly /.test(declared)) continue;
      // A zero-length array cannot be written to.
      if (init.arguments?.length === 1 && init.arguments[0].getText() === '0') continue;
      found.push(`${where} is a module-level mutable ${init.expression.text}`);
    }
  }
  return found;
}

describe('codec module state', () => {
  it('the detector sees a top-level let and a shared buffer', () => {
    assert.equal(
      moduleState(
        'x.ts',
        'let n = 0;\nconst b = new Uint8Array(4);\nconst m: ReadonlyMap<number, number> = new Map();\nconst e = new Uint8Array(0);\n',
      ).length,
      2,
    );
  });

  it('no codec module keeps mutable state between calls', () => {
    const files = sourceFiles(CODEC_DIR);
    assert.ok(files.length > 10, `no codec sources under ${CODEC_DIR}`);
    const found = files.flatMap((f) => moduleState(f, readFileSync(f, 'utf8')));
    assert.deepEqual(found, []);
  });
});
