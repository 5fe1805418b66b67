/**
 * The web dashboard's cost, with a real page watching (Debian's chromium,
 * headless, through playwright-core):
 *   1. the server's CPU share of one core at 8 channels x 200 Hz and 16 x
 *      2 kHz: a stand-in board delivers a block of samples every 10 ms (as
 *      the reference sketch frames them) into the dashboard's feed for
 *      `--seconds`; this process's CPU time is compared with the same
 *      feeder running without a dashboard. The page measures, by
 *      timestamps, each trace column from its first sample's arrival at the
 *      server to its drawing (p50/p99), and the updates it was sent and
 *      dropped.
 *   2. the demo with and without the page: `headstart demo --json`, then
 *      `headstart demo --json --ui web` with the page open, compared on live
 *      accuracy, latency p99 and dropped windows.
 * Needs /usr/bin/chromium and `npm run build` (the demo runs the built bin).
 * Run: node --import tsx bench/web_dashboard.ts [--seconds 20] [--no-demo]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { openWebDashboard } from '../src/device/web/dashboard.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const CHROMIUM = '/usr/bin/chromium';
const BIN = fileURLToPath(new URL('../bin/headstart.js', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(arg('--seconds') ?? 20);
const withDemo = !args.includes('--no-demo');
if (!existsSync(CHROMIUM)) cannotRun(`${CHROMIUM} is missing (apt-get install -y chromium)`);
if (withDemo && !existsSync(join(BIN, '..', '..', 'dist', 'cli.js'))) cannotRun('the bin is not built: npm run build');

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function withBrowser<T>(work: (page: Page) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'hs-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 }, args: BROWSER_ARGS });
  try {
    return await work(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

interface PageProbe {
  updates: number;
  dropped: number;
  traceLatencyMs: number[];
  serverHoldMs: number[];
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const readProbe = (page: Page): Promise<PageProbe> => page.evaluate(() => (globalThis as unknown as { headstartDashboard: PageProbe }).headstartDashboard);

/** Blocks of synthetic EMG-like samples every 10 ms for `seconds`, to `sink` (or nowhere). */
async function feed(channels: number, rate: number, sink: ((samples: Int16Array, at: number) => void) | undefined): Promise<{ cpuMs: number; wallMs: number; samples: number }> {
  const perBlock = Math.round(rate / 100);
  let sent = 0;
  let phase = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Catch up on the wall clock, as a board streaming in real time would.
      const due = Math.floor(((performance.now() - t0) / 1000) * rate);
      while (sent + perBlock <= due) {
        const block = new Int16Array(perBlock * channels);
        for (let i = 0; i < perBlock; i++) {
          phase++;
          for (let c = 0; c < channels; c++) block[i * channels + c] = Math.round(300 * Math.sin(phase / (3 + c)) + 80 * (Math.random() - 0.5));
        }
        sink?.(block, performance.now());
        sent += perBlock;
      }
      if (performance.now() - t0 >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0, samples: sent };
}

async function serverShare(channels: number, rate: number) {
  const baseline = await feed(channels, rate, undefined);
  const dashboard = await openWebDashboard();
  try {
    dashboard.feed.begin({ mode: 'live', title: `bench ${channels} ch x ${rate} Hz`, channels, rate, gestures: ['rest', 'fist'] });
    return await withBrowser(async (page) => {
      await page.goto(dashboard.urls[0]!);
      await page.waitForFunction(() => ((globalThis as unknown as { headstartDashboard?: { updates: number } }).headstartDashboard?.updates ?? 0) > 0);
      const watched = await feed(channels, rate, (s, at) => dashboard.feed.samples(s, at));
      await new Promise((r) => setTimeout(r, 300));
      const probe = await readProbe(page);
      const stats = dashboard.stats();
      const share = (watched.cpuMs - baseline.cpuMs) / watched.wallMs;
      return {
        channels,
        rate,
        seconds,
        serverCorePercent: Number((100 * share).toFixed(2)),
        feederCorePercent: Number(((100 * baseline.cpuMs) / baseline.wallMs).toFixed(2)),
        updatesPerSecond: Number((probe.updates / (watched.wallMs / 1000)).toFixed(1)),
        updatesSent: stats.sent,
        updatesDropped: stats.dropped,
        traceColumns: probe.traceLatencyMs.length,
        traceLatencyP50Ms: Number(quantile(probe.traceLatencyMs, 0.5).toFixed(1)),
        traceLatencyP99Ms: Number(quantile(probe.traceLatencyMs, 0.99).toFixed(1)),
        serverHoldP99Ms: Number(quantile(probe.serverHoldMs, 0.99).toFixed(1)),
      };
    });
  } finally {
    await dashboard.close();
  }
}

interface DemoFigures {
  accuracy: number;
  scored: number;
  p50Ms: number;
  p99Ms: number;
  droppedWindows: number;
  framesLost: number;
  wallSeconds: number;
}

/** `headstart demo --json` (with the page open when `web`). */
async function demo(web: boolean): Promise<DemoFigures & { pageUpdates?: number; pageDropped?: number; traceLatencyP99Ms?: number }> {
  const child = spawn(process.execPath, [BIN, 'demo', '--json', ...(web ? ['--ui', 'web'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let page: PageProbe | undefined;
  if (web) {
    page = await withBrowser(async (p) => {
      const deadline = Date.now() + 30_000;
      while (!/dashboard: (\S+)\n/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /dashboard: (\S+)\n/.exec(err)?.[1];
      if (!url) throw new Error(`the demo printed no dashboard address within 30 s: ${err}`);
      await p.goto(url);
      await exited;
      return readProbe(p);
    });
  }
  const code = await exited;
  if (code !== 0) throw new Error(`demo failed (${code}): ${err}`);
  const s = JSON.parse(out) as { live: { score: { accuracy: number; scored: number }; latency: { p50Ms: number; p99Ms: number }; droppedWindows: number; framesLost: number; wallSeconds: number } };
  return {
    accuracy: s.live.score.accuracy,
    scored: s.live.score.scored,
    p50Ms: s.live.latency.p50Ms,
    p99Ms: s.live.latency.p99Ms,
    droppedWindows: s.live.droppedWindows,
    framesLost: s.live.framesLost,
    wallSeconds: s.live.wallSeconds,
    ...(page ? { pageUpdates: page.updates, pageDropped: page.dropped, traceLatencyP99Ms: Number(quantile(page.traceLatencyMs, 0.99).toFixed(1)) } : {}),
  };
}

const rates = [await serverShare(8, 200), await serverShare(16, 2000)];
console.log('channels x rate   server % of a core   updates/s   dropped   trace latency p50 / p99 (ms)   server hold p99 (ms)');
for (const r of rates) {
  console.log(`${String(r.channels).padStart(3)} x ${String(r.rate).padEnd(5)} ${r.serverCorePercent.toFixed(2).padStart(14)} %   ${r.updatesPerSecond.toFixed(1).padStart(9)}   ${String(r.updatesDropped).padStart(7)}   ${r.traceLatencyP50Ms.toFixed(1).padStart(10)} / ${r.traceLatencyP99Ms.toFixed(1)}   ${r.serverHoldP99Ms.toFixed(1).padStart(10)}`);
}
let demos: { without: Awaited<ReturnType<typeof demo>>; with: Awaited<ReturnType<typeof demo>> } | undefined;
if (withDemo) {
  demos = { without: await demo(false), with: await demo(true) };
  console.log('\ndemo live part     accuracy        latency p50 / p99 (ms)   dropped windows   frames lost');
  for (const [name, d] of Object.entries(demos)) {
    console.log(`${(name + ' the page').padEnd(18)} ${(100 * d.accuracy).toFixed(2)} % of ${d.scored}   ${d.p50Ms.toFixed(2)} / ${d.p99Ms.toFixed(2)}   ${String(d.droppedWindows).padStart(15)}   ${String(d.framesLost).padStart(11)}`);
  }
}
printResultLine('web_dashboard', { rates, ...(demos ? { demo: demos } : {}) });
