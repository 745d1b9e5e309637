import { readdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { requestFile, responseFile, type CheckpointRequest, type CheckpointResponse } from './checkpoints';

// The driver's side of checkpoints.ts: watches the folder for the suite's requests, waits in the
// browser for what they ask (playwright's own waiting), and writes the answers.

/** The browser's document, for functions that run in the page (the test project has no DOM types). */
interface PageNode {
  readonly id: string;
  readonly textContent: string | null;
}
interface PageDocument {
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): ArrayLike<PageNode>;
}

/** VS Code's id for an extension's item: EXTENSION-ID.ITEM-ID (the extension's status-bar.ts). */
const statusItemSelector = '[id="kube-routes.kube-routes.kubeRoutes.status"]';
const hoverSelector = '.monaco-hover';
const lensSelector = '.codelens-decoration';

/** Answers the suite's checkpoints until the returned watcher is closed. */
export function serveCheckpoints(
  dir: string,
  page: Page,
  resultsDir: string,
  screenshots: string[],
  timeoutMs: number,
  log: (line: string) => void,
): FSWatcher {
  const handled = new Set<string>();
  const handle = async (request: CheckpointRequest): Promise<CheckpointResponse> => {
    const wait = Math.min(timeoutMs, 60_000);
    try {
      if (request.statusMatches !== undefined) {
        await page.waitForFunction(
          ({ selector, source }) =>
            new RegExp(source).test(
              (globalThis as unknown as { document: PageDocument }).document.querySelector(selector)?.textContent ?? '',
            ),
          { selector: statusItemSelector, source: request.statusMatches },
          { timeout: wait },
        );
      }
      // A closed hover can stay in the page, hidden: only a visible one counts.
      const hovers = page.locator(hoverSelector).filter({ visible: true });
      if (request.hoverMatches !== undefined) {
        await hovers
          .filter({ hasText: new RegExp(request.hoverMatches) })
          .first()
          .waitFor({ state: 'visible', timeout: wait });
      }
      if (request.lensMatches !== undefined) {
        await page
          .locator(lensSelector)
          .filter({ visible: true, hasText: new RegExp(request.lensMatches) })
          .first()
          .waitFor({ state: 'visible', timeout: wait });
      }
      if (request.clickStatus) await page.locator(statusItemSelector).first().click({ timeout: wait });
      let screenshot: string | undefined;
      if (request.screenshot) {
        screenshot = join(resultsDir, request.screenshot);
        await page.screenshot({ path: screenshot });
        screenshots.push(screenshot);
      }
      const statusText = (await page.locator(statusItemSelector).first().textContent({ timeout: wait }))?.trim();
      const hoverText = (await hovers.count()) > 0 ? (await hovers.first().textContent())?.trim() : undefined;
      return { statusText, hoverText, screenshot, error: undefined };
    } catch (e) {
      const items = await page
        .evaluate(() =>
          Array.from(
            (globalThis as unknown as { document: PageDocument }).document.querySelectorAll('.statusbar-item'),
          ).map((i) => `${i.id}: ${i.textContent ?? ''}`),
        )
        .catch(() => []);
      return {
        statusText: undefined,
        hoverText: undefined,
        screenshot: undefined,
        error: `${e instanceof Error ? e.message : String(e)}\nstatus bar items:\n${items.join('\n')}`,
      };
    }
  };
  const scan = () => {
    for (const name of requestNames(dir)) {
      if (handled.has(name)) continue;
      handled.add(name);
      const request = JSON.parse(readFileSync(join(dir, requestFile(name)), 'utf8')) as CheckpointRequest;
      log(`checkpoint ${name}: ${JSON.stringify(request)}`);
      void handle(request).then((response) => {
        log(`checkpoint ${name} answered: ${JSON.stringify(response)}`);
        // Written under another name and renamed, so the suite never reads half a file.
        writeFileSync(join(dir, `${responseFile(name)}.tmp`), JSON.stringify(response));
        renameSync(join(dir, `${responseFile(name)}.tmp`), join(dir, responseFile(name)));
      });
    }
  };
  const watcher = watch(dir, () => scan());
  scan();
  return watcher;
}

function requestNames(dir: string): string[] {
  const suffix = requestFile('');
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => f.slice(0, -suffix.length));
}
