// `headstart demo --eeg` through the built bin, on the shipped EEG package:
// a software Cyton plays Subject24 of eegmat through calibration/eeg-mental2.json,
// then the rest of their recordings live, scored window by window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { runCli } from '../helpers/cli.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import type { DemoSummary } from '../../src/sim/demo/run_demo.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const EEG_PACKAGE = 'models/eeg8-250hz/manifest.json';
const EEGMAT = '../shared/datasets/eegmat';
const SPEED = '40';
/** Chance is 50 % balanced accuracy for two states; a calibration out of step with the prompts stays near it. */
const BALANCED_BAR = 0.65;

function skipWhy(): string | undefined {
  if (!existsSync(EEG_PACKAGE)) return `no shipped EEG package (${EEG_PACKAGE}); make it with npm run train:eeg and npm run export:eeg`;
  if (!existsSync(`${EEGMAT}/Subject24_1.edf`)) return `the eegmat data set is not at ${EEGMAT}`;
  return undefined;
}

test('demo --eeg: a software Cyton plays an eegmat person through eeg-mental2, the calibration passes, the later recording is recognized above chance, nothing is left behind', async (t) => {
  const why = skipWhy();
  if (why) return t.skip(why);
  const tmp = scratchDir(t, 'hs-demo-eeg-tmp-');
  const r = runCli(['demo', '--eeg', '--json', '--speed', SPEED], { env: { TMPDIR: tmp }, timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as DemoSummary;
  assert.match(r.stderr, /software OpenBCI Cyton/);
  assert.match(r.stderr, /from \d{4} in steps of \d{2}/, 'the arithmetic prompts give a four-digit number and a two-digit step');
  assert.equal(s.package.name, 'eeg8-250hz');
  assert.equal(s.recording.person, 'Subject24');
  assert.equal(s.calibration.trials, 6, '3 repetitions of rest and of arithmetic');
  const { live } = s;
  assert.deepEqual(live.gestures.length, 2);
  assert.equal(live.score.confusion.length, 2);
  const total = live.score.confusion.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, live.score.scored, 'the confusion matrix holds every scored window');
  assert.equal(live.score.scored + live.score.straddling + live.score.unlabelled, live.inferred, 'every inferred window is scored or said why not');
  assert.equal(live.inferred + live.droppedWindows, live.windows);
  // The classical baseline (band power and covariance with the package's prior) on exactly the same windows.
  assert.ok(live.baseline?.balancedAccuracy !== undefined, 'a classical baseline beside the accuracy');
  assert.deepEqual([live.baseline.score.scored, live.baseline.score.straddling], [live.score.scored, live.score.straddling]);
  assert.equal(live.baseline.features, 'band power + covariance');
  assert.ok(live.score.confusion.every((row) => row.reduce((a, b) => a + b, 0) > 20), 'both states are scored');
  assert.ok(live.balancedAccuracy !== undefined && live.balancedAccuracy > BALANCED_BAR, `balanced accuracy ${live.balancedAccuracy} should exceed ${BALANCED_BAR}`);
  assert.equal(live.framesLost, 0, 'no packet lost on the link');
  assert.ok(live.realTimeMultiple > 1, 'faster than real time');
  assert.equal(s.dataDir, null);
  assert.deepEqual(readdirSync(tmp), [], 'the temporary folder is removed');
});

test('demo --eeg-data without --eeg is refused before any work', () => {
  const r = runCli(['demo', '--eeg-data', EEGMAT]);
  assert.equal(r.status, EXIT_STATUS.usage);
  assert.match(r.stderr, /--eeg-data is for the EEG demo: add --eeg \[BAD_OPTION\]/);
});
