/**
 * `run --ui web` in a real headless browser: a replayed labelled recording
 * through a profile, the page showing the recognized gesture change, each
 * class's score and the pipeline's figures. Served off loopback (every
 * interface; the test only talks to 127.0.0.1), so the page needs the token
 * of the printed URL: a request without it is refused, and so is a
 * WebSocket opened by a page of another origin. Screenshots of each state
 * go to the test's output folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Recording } from '../../src/core/signal.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { browserSkipReason, launchBrowser, readProbe, screenshotDir } from '../helpers/browser.ts';
import { MYO_GESTURE_NAMES, writeTestPackage } from '../helpers/device_package.ts';
import { BIN, calibrate, start, waitFor } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

/** Seven "gestures", each a distinct mix of per-channel tones (as test/e2e/device_run.test.ts). */
function tones(label: number, rep: number, segment: number): Recording {
  const samples = new Float32Array(segment * 8);
  for (let i = 0; i < segment; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round((60 * Math.sin((i * (c + 1) * (label + 2)) / 23 + rep) * (((label + c) % 4) + 1)) / 4);
  return { source: `g${label}r${rep}`, channels: 8, rate: 200, samples, label, rep };
}

test('run --ui web: the recognized gesture changes with a replayed recording; no token, no page; no socket for another origin', { timeout: 180_000 }, async (t) => {
  const skip = ptySkipReason() ?? browserSkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-web-run-');
  const shots = screenshotDir('run');
  t.diagnostic(`screenshots: ${shots}`);
  const pkg = writeTestPackage(join(work, 'pkg'));
  const segment = 600;
  calibrate(join(work, 'data'), pkg.dir, 'synth', [0, 1].flatMap((rep) => MYO_GESTURE_NAMES.map((_, g) => tones(g, rep, segment))), ['lda', 'ncm']);
  // Every gesture for 3 s, twice over.
  const replay = [0, 1].flatMap(() => MYO_GESTURE_NAMES.map((_, g) => tones(g, 2, segment)));
  const all = new Float32Array(replay.length * segment * 8);
  replay.forEach((r, i) => all.set(r.samples, i * segment * 8));
  const file = join(work, 'replay.hsrec');
  writeRecordingFile(file, { channels: 8, rate: 200, sampleFormat: 'int16', classes: MYO_GESTURE_NAMES }, all, replay.map((r, i) => ({ at: i * segment, kind: 'label', label: r.label! })));

  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', file, '--speed', '1', '--json']);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"'), 'the virtual board');
  const run = start(['run', '--port', port, '--baud', '2000000', '--profile', 'synth', '--data-dir', join(work, 'data'), '--package', pkg.dir, '--score', '--idle-stop', '2', '--ui', 'web', '--listen', '0.0.0.0:0']);
  t.after(() => stopChild(run.proc));
  await waitFor(() => /dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/.test(run.stderr()), 'the dashboard URL');
  const url = /dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))\n/.exec(run.stderr())!;
  const [pageUrl, dashPort, token] = [url[1]!, url[2]!, url[3]!];
  assert.match(run.stderr(), /reachable from the network/);

  const { page, context } = await launchBrowser(t);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // Without the token: refused.
  const refused = await page.goto(`http://127.0.0.1:${dashPort}/`);
  assert.equal(refused?.status(), 403);
  assert.match((await page.textContent('body')) ?? '', /needs its token/);
  await page.screenshot({ path: join(shots, '1-no-token-refused.png') });

  // A page of another origin (any web site the browser visits) may not open the dashboard's socket, token or not.
  const other = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p id="r">trying</p>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  t.after(() => other.close());
  const otherPage = await context.newPage();
  await otherPage.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`);
  const outcome = await otherPage.evaluate(
    (wsUrl) =>
      new Promise<string>((resolve) => {
        // Runs in the page (this file is typed for Node, without the DOM's types).
        type PageSocket = { onopen: () => void; onmessage: () => void; onclose: (e: { code: number }) => void };
        const ws = new (globalThis as unknown as { WebSocket: new (url: string) => PageSocket }).WebSocket(wsUrl);
        ws.onopen = () => resolve('opened');
        ws.onmessage = () => resolve('got a message');
        ws.onclose = (e) => resolve(`closed ${e.code}`);
      }),
    `ws://127.0.0.1:${dashPort}/ws?token=${token}`,
  );
  assert.equal(outcome, 'closed 1006', 'the upgrade is refused before the socket opens');
  await otherPage.close();

  // With the token: the live page.
  await page.goto(pageUrl);
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  let shot = false;
  while (seen.size < 3 && Date.now() < deadline) {
    const g = (await page.locator('#gesture').textContent()) ?? '';
    if (g !== '—' && g !== '') seen.add(g);
    if (seen.size === 2 && !shot) {
      shot = true;
      await page.screenshot({ path: join(shots, '2-live-gesture.png'), fullPage: true });
    }
    await sleep(100);
  }
  assert.ok(seen.size >= 3, `gestures shown: ${[...seen].join(', ')}`);
  assert.ok([...seen].every((g) => MYO_GESTURE_NAMES.includes(g)));
  const probe = await readProbe(page);
  assert.equal(probe.mode, 'live');
  assert.ok(probe.traceLatencyMs.length > 50, 'traces update');
  assert.equal(await page.locator('.score').count(), MYO_GESTURE_NAMES.length, 'a score bar per class');
  assert.match((await page.locator('#live-stats').textContent()) ?? '', /windows\/s.*latency p50.*latency p99.*dropped windows/);

  assert.equal(await run.exited, 0, run.stderr());
  await sleep(300);
  assert.match((await page.locator('#confidence').textContent()) ?? '', /ended: no samples for 2 s/);
  await page.screenshot({ path: join(shots, '3-live-ended.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
