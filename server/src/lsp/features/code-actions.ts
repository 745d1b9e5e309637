import {
  inferRegion,
  manifestRegion,
  objectRegion,
  parseIpAddress,
  type IpAddress,
  type RegionConfig,
  type Route,
} from '@kube-routes/server/engine';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import { diagnosticSource, subjectOf } from '../diagnostics';
import type { FeatureContext, OpenDocument } from './context';
import { addLabel, disableForLine, replaceValue } from './edits';
import { candidatePools, candidateRanges, freeAddressIn, occupiedByRoutes } from './free-address';
import {
  literalAt,
  literalOfSubject,
  serviceLiterals,
  serviceOfSubject,
  type ServiceLiteral,
} from './service-literals';
import { lineBreakOf, splitLines } from './text-lines';

// Quick fixes for kube-routes diagnostics, and one refactoring on any cluster IP:
// - "Assign a free cluster IP in <region>" (duplicate-cluster-ip, cluster-ip-outside-region, cluster-ip-allocated, or the
//   cursor on a cluster IP): free in the workspace, the live clusters and the route table
// - "Add label region: <r>" (missing-region-label), "Set label region: <r>" (unknown-region, cluster-ip-outside-region),
//   the region inferred from the Service's own addresses
// - "Disable <rule> for this line" on every diagnostic
// While the workspace is still being read, no address is offered as free.

const freeIpRules = new Set(['duplicate-cluster-ip', 'cluster-ip-outside-region', 'cluster-ip-allocated']);
const setLabelRules = new Set(['unknown-region', 'cluster-ip-outside-region']);
const freeExternalRules = new Set([
  'external-ip-conflict',
  'external-ip-outside-pools',
  'external-ip-in-cluster-range',
]);

/** Asks the route source which routes lie inside a range; kept short so the menu does not hang on an outage. */
export type RoutesWithin = (prefix: string) => Promise<readonly Route[]>;

export async function codeActions(
  ctx: FeatureContext,
  doc: OpenDocument,
  range: Range,
  diagnostics: readonly Diagnostic[],
): Promise<CodeAction[]> {
  const actions: CodeAction[] = [];
  const lines = splitLines(doc.text);
  const eol = lineBreakOf(doc.text);
  const edit = (
    title: string,
    edits: TextEdit[],
    kind: string,
    diagnostic?: Diagnostic,
    preferred = false,
  ): CodeAction => ({
    title,
    kind,
    ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
    ...(preferred ? { isPreferred: true } : {}),
    edit: { changes: { [doc.uri]: edits } },
  });
  const offeredFree = new Set<ServiceLiteral['literal']>();

  for (const d of diagnostics) {
    if (d.source !== diagnosticSource || typeof d.code !== 'string') continue;
    const rule = d.code;
    // The finding's subject names the Service and value; positions are never parsed back.
    const subject = subjectOf(d);
    const use = subject && literalOfSubject(ctx.config, doc.manifest, subject);
    if (freeIpRules.has(rule) && use && use.kind === 'cluster') {
      const action = await assignFreeIp(ctx, lines, use);
      if (action) {
        actions.push(edit(action.title, [action.edit], CodeActionKind.QuickFix, d, true));
        offeredFree.add(use.literal);
      }
    }
    if (freeExternalRules.has(rule) && use && use.kind === 'external') {
      const action = await assignFreeExternal(ctx, lines, use);
      if (action) {
        actions.push(edit(action.title, [action.edit], CodeActionKind.QuickFix, d, true));
        offeredFree.add(use.literal);
      }
    }
    const service = subject && serviceOfSubject(ctx.config, doc.manifest, subject);
    if (service) {
      const inferred = inferRegion(ctx.config, addressesOf(serviceLiterals(service)));
      const labelKey = ctx.config.regionLabels[0];
      const current = manifestRegion(ctx.config, service);
      if (rule === 'missing-region-label' && inferred && labelKey && !current) {
        actions.push(
          edit(
            `Add label ${labelKey}: ${inferred.name}`,
            [addLabel(doc.text, service, labelKey, inferred.name, eol)],
            CodeActionKind.QuickFix,
            d,
            true,
          ),
        );
      }
      if (setLabelRules.has(rule) && inferred && current && current.value.value !== inferred.name) {
        actions.push(
          edit(
            `Set label ${current.key}: ${inferred.name}`,
            [replaceValue(lines, current.value, inferred.name)],
            CodeActionKind.QuickFix,
            d,
          ),
        );
      }
    }
    actions.push(
      edit(
        `Disable ${rule} for this line`,
        [disableForLine(doc.text, d.range.start.line, rule, eol)],
        CodeActionKind.QuickFix,
        d,
      ),
    );
  }

  // Without a diagnostic, a cluster IP under the cursor can still be moved to a free address.
  const under = literalAt(doc.manifest, range.start);
  if (under && !offeredFree.has(under.literal)) {
    const action =
      under.kind === 'cluster' ? await assignFreeIp(ctx, lines, under) : await assignFreeExternal(ctx, lines, under);
    if (action) actions.push(edit(action.title, [action.edit], CodeActionKind.RefactorRewrite));
  }
  return actions;
}

function addressesOf(uses: readonly ServiceLiteral[]): IpAddress[] {
  return uses.map((u) => parseIpAddress(u.literal.value)).filter((a): a is IpAddress => a !== undefined);
}

/** The region to pick from: the Service's (when its label names one), else the one its addresses are in. */
function targetRegion(ctx: FeatureContext, use: ServiceLiteral): RegionConfig | undefined {
  return objectRegion(ctx.config, use.service).region ?? inferRegion(ctx.config, addressesOf([use]));
}

/**
 * "Assign a free address from pool P": for an external address (externalIPs, loadBalancerIP, a
 * load balancer annotation's address, replaced inside its string), the lowest address of the
 * region's own pools, then the global pools, that no Service of the workspace or cluster uses.
 */
async function assignFreeExternal(
  ctx: FeatureContext,
  lines: readonly string[],
  use: ServiceLiteral,
): Promise<{ title: string; edit: TextEdit } | undefined> {
  if (ctx.indexing) return undefined; // free in the whole workspace: known once it has been read
  const region = objectRegion(ctx.config, use.service).region;
  const inUse = (text: string) => {
    const address = parseIpAddress(text);
    return address !== undefined && (ctx.inUse(address) || (ctx.clusters?.owners(ctx.config, address).length ?? 0) > 0);
  };
  for (const pool of candidatePools(region, ctx.config.externalIPPools, use.literal.value)) {
    const free = freeAddressIn(pool, inUse, []);
    if (free)
      return {
        title: `Assign a free address from pool ${pool.cidr}: ${free}`,
        edit: replaceValue(lines, use.literal, free),
      };
  }
  return undefined;
}

async function assignFreeIp(
  ctx: FeatureContext,
  lines: readonly string[],
  use: ServiceLiteral,
): Promise<{ title: string; edit: TextEdit } | undefined> {
  if (ctx.indexing) return undefined; // free in the whole workspace: known once it has been read
  const region = targetRegion(ctx, use);
  if (!region) return undefined;
  const inUse = (text: string) => {
    const address = parseIpAddress(text);
    return address !== undefined && (ctx.inUse(address) || (ctx.clusters?.owners(ctx.config, address).length ?? 0) > 0);
  };
  for (const range of candidateRanges(region, use.literal.value)) {
    let routes: readonly Route[] = ctx.routes?.answeredRoutes() ?? [];
    if (ctx.routes) {
      try {
        routes = [...routes, ...(await ctx.routes.routesWithin(range.cidr))];
      } catch {
        // Unreachable source: the routes answered before still count; the hover says it is stale.
      }
    }
    const free = freeAddressIn(range, inUse, occupiedByRoutes(range, routes));
    if (free)
      return {
        title: `Assign a free cluster IP in ${region.name}: ${free}`,
        edit: replaceValue(lines, use.literal, free),
      };
  }
  return undefined;
}
