/**
 * The layering of ARCHITECTURE.md as data, and a checker that reads every import of the sources
 * (server/src, kubectl-plugin/src, extension/src) against it. One row per layer: the layers it
 * may import, the npm packages it may import, and whether it is pure (no Node built-ins).
 */
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

export interface LayerRule {
  /** No Node built-ins (the compiler enforces it with "types": [] too; this names the import). */
  readonly pure: boolean;
  /** Other layers it may import (its own is always allowed). */
  readonly layers: readonly string[];
  /** npm packages it may import (by package name). */
  readonly packages: readonly string[];
  /** Single files of other layers it may import, repository-relative without extension. */
  readonly files?: readonly string[];
  /** Why the row is what it is, for the failure message. */
  readonly role: string;
}

const LSP_PACKAGES = ['vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-languageserver-textdocument'];
/** What a face may read routes and peers through. */
const ROUTE_LAYERS = [
  'server/bgp',
  'server/rib',
  'server/rib-view',
  'server/mrt',
  'server/mrt-node',
  'server/speaker-api',
  'server/speaker-client',
];

/**
 * Layer ids: "server/<folder of server/src>", "kubectl-plugin", "extension". A row for a folder that
 * does not exist yet is fine; a folder without a row fails, so the table stays complete.
 */
export const LAYERS: Readonly<Record<string, LayerRule>> = {
  'server/engine': {
    pure: true,
    layers: [],
    packages: ['yaml', 'ip-num', 'ajv', 'picomatch'],
    role: 'the pure core: manifests, config, rules',
  },
  'server/bgp': { pure: true, layers: [], packages: ['ip-num'], role: 'the BGP-4 wire codec: imports nothing of ours' },
  'server/fsm': { pure: true, layers: ['server/bgp'], packages: [], role: 'the RFC 4271 FSM: the codec only' },
  'server/rib': {
    pure: true,
    layers: ['server/bgp'],
    packages: [],
    role: 'the RIB and canonical attribute sets: the codec only',
  },
  'server/rib-view': {
    pure: true,
    layers: ['server/engine', 'server/bgp', 'server/rib'],
    packages: [],
    role: 'the RIB as engine routes, UPDATEs into the RIB',
  },
  'server/mrt': {
    pure: true,
    layers: ['server/bgp', 'server/rib'],
    packages: [],
    role: 'the MRT codec: codec and RIB only',
  },
  'server/bmp': { pure: true, layers: ['server/bgp'], packages: [], role: 'the BMP codec: the BGP codec only' },
  'server/speaker-api': {
    pure: true,
    layers: ['server/engine'],
    packages: [],
    role: 'the speaker HTTP API declared once: paths, queries, response types',
  },
  'server/node': { pure: false, layers: ['server/engine'], packages: [], role: 'Node adapters shared by the faces' },
  'server/manifest-cache': {
    pure: false,
    layers: ['server/engine', 'server/node'],
    packages: [],
    role: 'what the engine extracted per file, persisted between runs (check --cache, the editor index)',
  },
  'server/kube': {
    pure: false,
    layers: ['server/engine'],
    packages: ['@kubernetes/client-node'],
    role: 'the only importer of Kubernetes clients',
  },
  'server/mrt-node': {
    pure: false,
    layers: ['server/bgp', 'server/rib', 'server/mrt'],
    packages: ['seek-bzip'],
    role: 'MRT files from disk (gzip through node:zlib; bzip2 through seek-bzip a block at a time)',
  },
  'server/speaker-client': {
    pure: false,
    layers: [
      'server/engine',
      'server/node',
      'server/kube',
      'server/bgp',
      'server/rib',
      'server/rib-view',
      'server/mrt',
      'server/mrt-node',
      'server/speaker-api',
    ],
    packages: [],
    role: 'the speaker API client and its transports (HTTP, service proxy, MRT in process)',
  },
  'server/speaker': {
    pure: false,
    layers: [
      'server/engine',
      'server/node',
      'server/bgp',
      'server/fsm',
      'server/rib',
      'server/rib-view',
      'server/mrt',
      'server/mrt-node',
      'server/bmp',
      'server/speaker-api',
    ],
    packages: ['prom-client', 'commander'],
    role: 'the speaker daemon: the only BGP code doing IO',
  },
  'server/lsp': {
    pure: false,
    layers: ['server/engine', 'server/node', 'server/manifest-cache', 'server/kube', ...ROUTE_LAYERS],
    packages: LSP_PACKAGES,
    role: 'face: the language server, the only importer of LSP packages',
  },
  'kubectl-plugin': {
    pure: false,
    layers: ['server/engine', 'server/node', 'server/manifest-cache', 'server/kube', ...ROUTE_LAYERS],
    packages: ['commander'],
    role: 'face: kubectl routes',
  },
  extension: {
    pure: false,
    layers: [],
    packages: ['vscode', 'vscode-languageclient'],
    // The protocol is declared once for server and extension; main is the bundled server's entry;
    // node-flags are the Node flags every start of the server passes.
    files: ['server/src/lsp/protocol', 'server/src/lsp/main', 'server/src/lsp/node-flags'],
    role: 'face: the VS Code extension, a thin client of the language server',
  },
};

/** Where sources live, and how a source file's layer is named. */
export const SOURCE_ROOTS = ['server/src', 'kubectl-plugin/src', 'extension/src'] as const;

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly message: string;
}

/** The layer of a repository-relative path (src or dist), or undefined outside the sources. */
export function layerOf(relative: string): string | undefined {
  const parts = relative.split('/');
  if (parts[0] === 'server' && (parts[1] === 'src' || (parts[1] === 'dist' && parts[2] === 'src'))) {
    const folder = parts[1] === 'src' ? parts[2] : parts[3];
    // server/src/engine is the folder (an index import); server/src/x.ts a file at the root.
    return folder && !/\.[cm]?[jt]s$/.test(folder) ? `server/${folder}` : 'server/(root)';
  }
  if ((parts[0] === 'kubectl-plugin' || parts[0] === 'extension') && (parts[1] === 'src' || parts[1] === 'dist'))
    return parts[0];
  return undefined;
}

/** A dist path of our own as its source path, without extension: server/dist/src/lsp/main.js -> server/src/lsp/main. */
function sourcePath(relative: string): string {
  return relative
    .replace(/^(server|kubectl-plugin|extension)\/dist\/(src\/)?/, '$1/src/')
    .replace(/\.(d\.ts|ts|js|mjs|cjs|json)$/, '')
    .replace(/\/index$/, '');
}

export interface Workspace {
  /** Package name -> { folder, exports: subpath -> target file }. */
  readonly packages: ReadonlyMap<
    string,
    { readonly folder: string; readonly exports: Readonly<Record<string, string>> }
  >;
}

type Target =
  | { readonly kind: 'ours'; readonly relative: string }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'package'; readonly name: string }
  | { readonly kind: 'manifest' }
  | { readonly kind: 'unresolved'; readonly why: string };

function resolve(fromFile: string, specifier: string, workspace: Workspace): Target {
  if (specifier.endsWith('package.json')) return { kind: 'manifest' };
  if (specifier.startsWith('.'))
    return { kind: 'ours', relative: path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier)) };
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!))
    return { kind: 'builtin', name: specifier };
  const segments = specifier.split('/');
  const name = specifier.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0]!;
  const ours = workspace.packages.get(name);
  if (!ours) return { kind: 'package', name };
  const subpath = ['.', ...segments.slice(specifier.startsWith('@') ? 2 : 1)].join('/');
  const target = ours.exports[subpath];
  if (target === undefined) return { kind: 'unresolved', why: `${name} exports no "${subpath}"` };
  return { kind: 'ours', relative: path.posix.normalize(path.posix.join(ours.folder, target)) };
}

/** Every import (static, dynamic, require, re-export, import type) of one file checked against the table. */
export function checkFile(
  file: string,
  text: string,
  workspace: Workspace,
  table: Readonly<Record<string, LayerRule>> = LAYERS,
): Violation[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const rule = table[layer];
  if (!rule)
    return [
      {
        file,
        specifier: '',
        message: `${layer} has no row in the layer table (test/architecture/layers.ts): add one for the new folder`,
      },
    ];
  const violations: Violation[] = [];
  const fail = (specifier: string, message: string) =>
    violations.push({
      file,
      specifier,
      message: `${file}: import '${specifier}': ${message} (${layer}: ${rule.role})`,
    });
  for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
    const target = resolve(file, specifier, workspace);
    switch (target.kind) {
      case 'manifest':
        break;
      case 'unresolved':
        fail(specifier, target.why);
        break;
      case 'builtin':
        if (rule.pure) fail(specifier, `${layer} is pure: no Node built-ins`);
        break;
      case 'package':
        if (!rule.packages.includes(target.name))
          fail(
            specifier,
            `${layer} may not import the npm package ${target.name} (allowed: ${rule.packages.join(', ') || 'none'})`,
          );
        break;
      case 'ours': {
        const to = layerOf(target.relative);
        if (to === undefined) {
          fail(specifier, `${target.relative} is outside the sources`);
          break;
        }
        if (to === layer || rule.layers.includes(to) || rule.files?.includes(sourcePath(target.relative))) break;
        fail(
          specifier,
          `${layer} may not import ${to} (allowed: ${rule.layers.join(', ') || 'none'}${rule.files ? `; files ${rule.files.join(', ')}` : ''})`,
        );
        break;
      }
    }
  }
  return violations;
}
