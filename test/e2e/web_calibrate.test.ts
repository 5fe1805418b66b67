/**
 * `calibrate --ui web` in a real headless browser, against `headstart sim
 * --follow` (a recorded person keeping to the protocol): the page loads,
 * the traces update, the prompt follows the protocol, a redo is answered
 * from the page (and taken: the journal says so), then the verdict and the
 * confusion matrix appear. Screenshots of each state go to the test's
 * output folder. Also measured here: from a sample's arrival at the
 * server to its trace drawn on the page (the page's timestamps).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDataset } from '../../src/io/datasets/index.ts';
import { readRecordingFile, writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import type { RecordingMarker } from '../../src/core/recording_format.ts';
import { browserSkipReason, launchBrowser, quantile, readProbe, screenshotDir } from '../helpers/browser.ts';
import { PERSON, spawnCli, writeTestPackage } from '../helpers/calibration_fixtures.ts';
import { BIN } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const QUICK5 = 'calibration/quick5.json';
/** The gesture whose recordings get a dead channel, so that its holds fail a check and the page is asked. */
const FLAT_GESTURE = 'wrist flexion';
const FLAT_CHANNEL = 7;

/** PERSON's recordings as one labelled .hsrec, with channel 7 flat in every recording of FLAT_GESTURE. */
function writePersonWithDeadChannel(path: string): void {
  const d = loadDataset(PERSON);
  const flat = d.classes.indexOf(FLAT_GESTURE);
  const channels = d.recordings[0]!.channels;
  const total = d.recordings.reduce((n, r) => n + r.samples.length, 0);
  const samples = new Float32Array(total);
  const markers: RecordingMarker[] = [];
  let at = 0;
  for (const r of d.recordings) {
    const s = Float32Array.from(r.samples);
    if (r.label === flat) for (let i = FLAT_CHANNEL; i < s.length; i += channels) s[i] = 0;
    samples.set(s, at * channels);
    markers.push({ at, kind: 'label', label: r.label!, rep: r.rep ?? 0 });
    at += s.length / channels;
  }
  writeRecordingFile(path, { channels, rate: d.recordings[0]!.rate, sampleFormat: 'int16', classes: d.classes }, samples, markers);
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('calibrate --ui web: traces, prompts, a redo answered from the page, the verdict and the confusion matrix, in a headless browser', { timeout: 240_000 }, async (t) => {
  const skip = ptySkipReason() ?? browserSkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const dir = scratchDir(t, 'hs-web-cal-');
  const shots = screenshotDir('calibrate');
  t.diagnostic(`screenshots: ${shots}`);
  writeTestPackage(join(dir, 'package'));
  const person = join(dir, 'person.hsrec');
  writePersonWithDeadChannel(person);

  const sim = spawnCli(['sim', '--pty', join(dir, 'board'), '--replay', person, '--follow', QUICK5, '--time-scale', '0.4', '--speed', '2', '--loop', '--json']);
  t.after(() => sim.child.kill('SIGTERM'));
  await waitFor('the virtual board', () => existsSync(join(dir, 'board')));
  await sleep(200);
  // No --auto and no terminal: the page asks the questions, the line view reports on stderr.
  const cal = spawnCli(['calibrate', '--port', join(dir, 'board'), '--baud', '2000000', '--profile', 'alice', '--package', join(dir, 'package'), '--data-dir', join(dir, 'data'), '--protocol', QUICK5, '--time-scale', '0.4', '--ui', 'web', '--json']);
  t.after(() => cal.child.kill('SIGKILL'));
  let stderr = '';
  cal.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await waitFor('the dashboard URL', () => /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(stderr)?.[1]);

  const { page } = await launchBrowser(t);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  const probe = async () => {
    const p = await readProbe(page);
    return { ...p, traceLatencyMs: p.traceLatencyMs.length };
  };

  // Traces update: columns keep coming, and every channel has a strip.
  await waitFor('the calibration mode', async () => (await probe()).mode === 'calibration');
  assert.equal(await page.locator('.trace-row').count(), 8);
  const before = (await probe()).traceLatencyMs;
  await waitFor('trace columns', async () => (await probe()).traceLatencyMs > before + 50);
  await page.screenshot({ path: join(shots, '1-traces.png'), fullPage: true });

  // The prompt follows the protocol. On a slow machine the page may first
  // connect while the calibration already waits on the redo question (the
  // rest trials are over), so a second prompt may only come after the answer.
  const prompts = new Set<string>();
  const notePrompt = async () => {
    prompts.add((await page.locator('#prompt').textContent()) ?? '');
    prompts.delete('—');
    return prompts.size >= 2;
  };
  await waitFor('a second prompt or the redo question', async () => (await notePrompt()) || (await page.locator('#redo-yes').count()) > 0);
  await page.screenshot({ path: join(shots, '2-prompt.png'), fullPage: true });

  // The first hold of the gesture with the dead channel: the page asks; redo it from the page.
  await page.locator('#redo-yes').waitFor({ timeout: 90_000 });
  assert.match((await page.locator('#question').textContent()) ?? '', new RegExp(`Redo Wrist flexion, repetition 1\\?.*channel ${FLAT_CHANNEL} is flat`));
  await page.screenshot({ path: join(shots, '3-redo-question.png'), fullPage: true });
  await page.locator('#redo-yes').click();
  await waitFor('the answer taken', () => stderr.includes('redo (answered from the page)'));
  // Any later question: keep the hold.
  let kept = 0;
  const keeper = setInterval(() => {
    void page.locator('#redo-no').click({ timeout: 200 }).then(() => kept++, () => undefined);
  }, 150);
  t.after(() => clearInterval(keeper));
  await waitFor('a second prompt', notePrompt, 120_000);

  await page.locator('#confusion-matrix').waitFor({ timeout: 180_000 });
  clearInterval(keeper);
  const verdict = (await page.locator('#verdict').textContent()) ?? '';
  assert.match(verdict, /^(pass|redo)/);
  assert.equal(await page.locator('#confusion-matrix tr').count(), 6, 'a header row and one per gesture');
  assert.equal(await page.locator('#per-gesture tr').count(), 6);
  await page.screenshot({ path: join(shots, '4-verdict.png'), fullPage: true });

  const r = await cal.done;
  assert.equal(r.status, 0, stderr);
  const result = JSON.parse(r.stdout) as { journalPath: string; reportPath: string; verdict: { summary: string }; cv: { confusion: number[][] } };
  assert.equal(result.verdict.summary, verdict, 'the page shows the verdict the CLI printed');
  assert.equal(result.cv.confusion.length, 5);
  const journal = readRecordingFile(result.journalPath);
  const redos = journal.markers.filter((m) => m.kind === 'trial-redo');
  assert.equal(redos.length, 1, 'the one redo asked for from the page was recorded again');
  assert.equal(redos[0]!.label, 1);
  assert.match(stderr, new RegExp(`kept \\(answered from the page\\)`.repeat(kept > 0 ? 1 : 0)));

  const final = await readProbe(page);
  const latencies = final.traceLatencyMs;
  const p99 = quantile(latencies, 0.99);
  t.diagnostic(`sample arrival to trace drawn: p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${latencies.length} columns (held by the server for the next push: p99 ${quantile(final.serverHoldMs, 0.99).toFixed(1)} ms); updates dropped ${(await probe()).dropped}; later questions kept from the page: ${kept}`);
  assert.ok(latencies.length > 100 && Number.isFinite(p99));
  assert.deepEqual(errors, [], 'no errors on the page');

  // The report draws its signals with the same chart code, offline.
  const html = readFileSync(result.reportPath, 'utf8');
  assert.ok(!/<script[^>]+src=|<link[^>]+href="http/.test(html), 'nothing to fetch');
  await page.goto(pathToFileURL(result.reportPath).href);
  await waitFor('the report charts', async () => (await page.locator('.signal canvas').count()) >= 5 * 8);
  assert.equal(await page.locator('.signal .trace-row').count(), 5 * 8, 'one strip per channel for each gesture');
  await page.screenshot({ path: join(shots, '5-report.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no errors in the report');
  assert.ok(readdirSync(shots).length >= 4);
});
