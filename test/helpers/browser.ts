/**
 * A real headless browser for the dashboard tests: Debian's chromium
 * (`apt-get install chromium`; .ci/run installs it) driven by
 * playwright-core, which downloads no browser of its own. Each launch gets
 * a fresh profile folder and no background network traffic.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: apt-get install -y chromium`;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
}

export async function launchBrowser(t: { after(fn: () => Promise<void> | void): void }, viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'hs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(async () => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Where a test's screenshots go: $HEADSTART_SCREENSHOTS/<name>, else a temporary folder that is kept (its path is given as a diagnostic). */
export function screenshotDir(name: string): string {
  const base = process.env.HEADSTART_SCREENSHOTS;
  if (base) {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(join(tmpdir(), `hs-screens-${name}-`));
}

/** p-th quantile (0..1) of a list of numbers. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** What the dashboard page tells about itself (see src/web/dashboard/main.ts). */
export interface DashboardProbe {
  updates: number;
  dropped: number;
  resets: number;
  traceLatencyMs: number[];
  serverHoldMs: number[];
  connected: boolean;
  lastSeq: number;
  mode: string;
}

export function readProbe(page: Page): Promise<DashboardProbe> {
  return page.evaluate(() => (globalThis as unknown as { headstartDashboard: DashboardProbe }).headstartDashboard);
}
