// The re-wearing simulation of `evaluate` (the cycles protocol), through the built bin on the demo's
// person with the shipped package: the test recordings turned by half an electrode, scored with the
// calibration's head, with the turn-tolerant head (`--tolerate-turn`) and after a simulated 2 s gesture
// sync (`--sync`), each with the classical columns of the same windows beside it; with `--adapt`, the
// classical columns adapted by the same code.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const PACKAGE = 'models/myo8-200hz';
const DATA = 'data/demo/EvaluationDataset';

interface Report {
  shiftTest: number;
  tolerateTurn: boolean;
  sync: string | boolean;
  results: { k: number; accuracy: number; baselines: Record<string, number>; sync?: { shift: number; headShift: number }; adapted?: { accuracy: number; updates: number; baselines: Record<string, number> } }[];
  summary: { k: number; adaptedMean?: number; adaptedBaselines?: Record<string, number>; adaptedOverBestBaseline?: number }[];
}

function evaluate(...extra: string[]): Report {
  const run = runCli(['evaluate', '--package', PACKAGE, '--data', DATA, '--cycles', '1', '--runtime', 'native', '--no-scratch', '--shift-test', '0.5', '--json', ...extra], { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

test('evaluate --shift-test 0.5: the turn-tolerant head and a simulated sync each recover what the turn costs', (t) => {
  if (!existsSync(`${PACKAGE}/priors.json`)) return t.skip(`${PACKAGE} has no priors.json (made by headstart export)`);
  const plain = evaluate();
  const tolerant = evaluate('--tolerate-turn');
  const synced = evaluate('--sync');
  assert.deepEqual([plain.shiftTest, plain.tolerateTurn, plain.sync], [0.5, false, false]);
  assert.deepEqual([tolerant.tolerateTurn, synced.sync], [true, true]);
  const [a, b, c] = [plain, tolerant, synced].map((r) => r.results[0]!);
  t.diagnostic(`Male0, k = 1, half an electrode: ${(100 * a!.accuracy).toFixed(2)} % as calibrated, ${(100 * b!.accuracy).toFixed(2)} % turn-tolerant, ${(100 * c!.accuracy).toFixed(2)} % after sync (turn ${c!.sync?.shift})`);
  assert.ok(b!.accuracy > a!.accuracy + 0.02, `the turn-tolerant head holds up: ${b!.accuracy} vs ${a!.accuracy}`);
  assert.ok(c!.sync && Math.abs(c.sync.shift - 0.5) <= 0.25, `the sync finds the turn: ${c!.sync?.shift}`);
  assert.equal(c!.sync!.headShift, 0.5, 'and picks the head prepared for it');
  assert.ok(c!.accuracy > a!.accuracy + 0.02, `the sync recovers: ${c!.accuracy} vs ${a!.accuracy}`);
  // The classical columns get the same turned copies: with them, the rich set is not scored as calibrated.
  assert.notEqual(b!.baselines['classicalRich'], a!.baselines['classicalRich']);
});

test('evaluate --adapt adapts the classical columns with the same code, on the same windows, and heads the comparison with them', (t) => {
  if (!existsSync(`${PACKAGE}/priors.json`)) return t.skip(`${PACKAGE} has no priors.json (made by headstart export)`);
  const report = evaluate('--adapt');
  const r = report.results[0]!;
  assert.ok(r.adapted, 'an adapted figure per person and k');
  assert.deepEqual(Object.keys(r.adapted.baselines).sort(), Object.keys(r.baselines).sort(), 'every classical column adapted');
  for (const v of Object.values(r.adapted.baselines)) assert.ok(v >= 0 && v <= 1);
  const s = report.summary[0]!;
  const best = Math.max(...Object.values(s.adaptedBaselines!));
  assert.ok(Math.abs(s.adaptedOverBestBaseline! - (s.adaptedMean! - best)) < 1e-12, 'the headline is adapted transfer minus the best adapted column');
  t.diagnostic(`Male0, k = 1, half an electrode: adapted ${(100 * r.adapted.accuracy).toFixed(2)} %, best adapted classical ${(100 * best).toFixed(2)} %`);
  // Half an electrode moves every gesture's features the same way: adapting follows it in the classical heads too.
  assert.notDeepEqual(r.adapted.baselines, r.baselines, 'the classical heads adapted');
});
