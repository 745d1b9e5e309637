/**
 * Protocol numbers in the FSM and the speaker's Peer are named: NOTIFICATION codes and subcodes,
 * AFI/SAFI and ROUTE-REFRESH subtypes compared or sent, and the session timers, go through the
 * codec's constants (ErrorCode, *Subcode, Afi, Safi, RouteRefreshSubtype) or a named constant.
 * A bare number in those places reads as magic and drifts from the codec's tables.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const SRC = path.resolve(__dirname, '../../../src');
const FILES = ['fsm/fsm.ts', 'speaker/peer.ts'];
/** Names whose numeric value is a protocol number or a timer. */
const PROTOCOL_NAME = /^(code|subcode|afi|safi|subtype|connectRetrySeconds|maxConnectRetrySeconds|seconds)$/;

function lastName(node: ts.Expression): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
}

/** "file:line: literal (context)" for each bare protocol number. */
export function bareNumbers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, why: string) =>
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()} (${why})`);
  const visit = (node: ts.Node): void => {
    if (ts.isNumericLiteral(node)) {
      const parent = node.parent;
      if (
        ts.isCallExpression(parent) &&
        /^(notification|createNotification)$/.test(lastName(parent.expression) ?? '') &&
        parent.arguments.includes(node)
      )
        report(node, 'NOTIFICATION argument');
      else if (ts.isPropertyAssignment(parent) && PROTOCOL_NAME.test(parent.name.getText()))
        report(node, `${parent.name.getText()}:`);
      else if (
        ts.isPropertyAssignment(parent) &&
        ts.isObjectLiteralExpression(parent.parent) &&
        ts.isVariableDeclaration(parent.parent.parent) &&
        /Subcode/i.test(parent.parent.parent.name.getText())
      )
        report(node, 'subcode table');
      else if (
        ts.isBinaryExpression(parent) &&
        [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(
          parent.operatorToken.kind,
        )
      ) {
        const other = parent.left === node ? parent.right : parent.left;
        const name = lastName(other);
        if (name && PROTOCOL_NAME.test(name)) report(node, `compared with ${name}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('named protocol constants', () => {
  it('the detector sees a bare subcode, a bare AFI comparison and a bare timer', () => {
    const found = bareNumbers(
      'x.ts',
      'notification(ErrorCode.OpenMessage, 2);\nif (afi === 1) {}\nconst s = { connectRetrySeconds: 1 };\nconst ok = { code: ErrorCode.Cease };\n',
    );
    assert.equal(found.length, 3, found.join('\n'));
  });

  for (const file of FILES) {
    it(`${file} uses named constants for codes, subcodes, families and timers`, () => {
      assert.deepEqual(bareNumbers(file, readFileSync(path.join(SRC, file), 'utf8')), []);
    });
  }
});
