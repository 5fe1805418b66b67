import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { TerminalView } from '../../../src/device/calibration/terminal_view.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { acceptedHolds, Journal } from '../../../src/device/calibration/journal.ts';
import { buildPlan, remainingTrials } from '../../../src/device/calibration/plan.ts';
import { loadProtocol, parseProtocol } from '../../../src/device/calibration/protocol.ts';
import { checkHold, toneShare } from '../../../src/device/calibration/quality.ts';
import { SampleFeed } from '../../../src/device/calibration/sample_feed.ts';
import { judgeCalibration } from '../../../src/device/calibration/verdict.ts';
import { confusionText } from '../../../src/device/calibration/confusion_text.ts';
import { readRecordingFile } from '../../../src/io/datasets/hsrec.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const quick5 = (): Record<string, unknown> => JSON.parse(readFileSync('calibration/quick5.json', 'utf8'));

test('the shipped protocols are valid', () => {
  const myo7 = loadProtocol('calibration/myo7.json');
  assert.equal(myo7.gestures.length, 7);
  assert.equal(myo7.order, 'interleaved');
  assert.equal(loadProtocol('calibration/quick5.json').gestures.length, 5);
});

test('a malformed protocol is refused with the field at fault', () => {
  const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    ['format', (p) => (p.format = 'other'), /format must be "headstart-calibration-protocol"/],
    ['one gesture', (p) => (p.gestures = [(p.gestures as unknown[])[0]]), /at least two gestures/],
    ['bad id', (p) => ((p.gestures as Record<string, unknown>[])[1]!.id = 'Wrist Flexion'), /gestures\[1\]\.id "Wrist Flexion" must be lower-case/],
    ['duplicate id', (p) => ((p.gestures as Record<string, unknown>[])[1]!.id = 'rest'), /"rest" appears twice/],
    ['missing prompt', (p) => delete (p.gestures as Record<string, unknown>[])[2]!.prompt, /gestures\[2\]\.prompt must be non-empty text/],
    ['repetitions', (p) => (p.repetitions = 2.5), /repetitions must be a whole number/],
    ['hold', (p) => (p.holdSeconds = 'long'), /holdSeconds must be a number of seconds/],
    ['order', (p) => (p.order = 'random'), /order must be "blocked" or "interleaved"/],
    ['trim too long', (p) => (p.trim = { startSeconds: 2, endSeconds: 1.5 }), /nothing would be left/],
    ['unknown field', (p) => (p.holdSecond = 3), /"holdSecond" is not a protocol field/],
    ['escape in a label', (p) => ((p.gestures as Record<string, unknown>[])[1]!.label = 'Wrist \u001b[2J\u001b[31mflexion'), /gestures\[1\]\.label holds a control character \(U\+001B\); use plain text/],
    ['escape in a prompt', (p) => ((p.gestures as Record<string, unknown>[])[0]!.prompt = 'relax\u009b31m'), /gestures\[0\]\.prompt holds a control character \(U\+009B\)/],
    ['newline in the name', (p) => (p.name = 'quick\nrm -rf'), /name holds a control character \(U\+000A\)/],
  ];
  for (const [name, edit, message] of cases) {
    const p = quick5();
    edit(p);
    assert.throws(() => parseProtocol(p, 'p.json'), (err) => isHeadstartError(err, 'BAD_PROTOCOL') && message.test(err.message), name);
  }
});

test('plans: blocked and interleaved orders, durations in samples scaled by the time scale, what is left after a crash', () => {
  const p = parseProtocol({ ...quick5(), repetitions: 2 }, 'p');
  const blocked = buildPlan(p, { rate: 200 });
  assert.deepEqual(blocked.trials.slice(0, 3), [{ gesture: 0, rep: 0 }, { gesture: 0, rep: 1 }, { gesture: 1, rep: 0 }]);
  assert.equal(blocked.hold, 600);
  const interleaved = buildPlan({ ...p, order: 'interleaved' }, { rate: 200, timeScale: 0.5 });
  assert.deepEqual(interleaved.trials.slice(0, 3), [{ gesture: 0, rep: 0 }, { gesture: 1, rep: 0 }, { gesture: 2, rep: 0 }]);
  assert.equal(interleaved.hold, 300);
  assert.equal(interleaved.trimStart, 40);
  assert.deepEqual(buildPlan(p, { rate: 200, only: [3] }).trials, [{ gesture: 3, rep: 0 }, { gesture: 3, rep: 1 }]);
  assert.deepEqual(remainingTrials(blocked, blocked.trials.slice(0, 8)), blocked.trials.slice(8));
});

/** Interleaved samples of `channels` channels from a per-sample, per-channel function. */
function signal(n: number, channels: number, f: (i: number, c: number) => number): Int16Array {
  const out = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = Math.round(f(i, c));
  return out;
}

function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

test('hold checks: a clean hold passes; flat, saturated, hum, weak and dropped each give their advice', () => {
  const rnd = noise(1);
  const rest = signal(400, 4, () => 5 * rnd());
  const active = signal(600, 4, () => 60 * rnd());
  const base = { rest, channels: 4, rate: 500, isRest: false, lostSamples: 0 };
  assert.deepEqual(checkHold({ ...base, hold: active }), []);

  const flat = signal(600, 4, (i, c) => (c === 2 ? 512 : 60 * rnd()));
  assert.deepEqual(checkHold({ ...base, hold: flat }).map((x) => [x.kind, x.channel]), [['flat', 2]]);

  const clipped = signal(600, 4, (i, c) => (c === 1 ? Math.max(-100, Math.min(100, 400 * rnd())) : 60 * rnd()));
  const sat = checkHold({ ...base, hold: clipped });
  assert.deepEqual(sat.map((x) => [x.kind, x.channel]), [['saturated', 1]]);
  assert.match(sat[0]!.advice, /lower the sensor's gain/);

  const hum = signal(600, 4, (i, c) => (c === 0 ? 80 * Math.sin((2 * Math.PI * 50 * i) / 500) + 20 * rnd() : 60 * rnd()));
  assert.deepEqual(checkHold({ ...base, hold: hum }).map((x) => [x.kind, x.channel]), [['hum', 0]]);
  assert.ok(toneShare(hum, 4, 0, 500, 50) > 0.8);
  assert.ok(toneShare(hum, 4, 1, 500, 50) < 0.1);

  const weak = signal(600, 4, () => 6 * rnd());
  assert.deepEqual(checkHold({ ...base, hold: weak }).map((x) => x.kind), ['weak']);
  assert.deepEqual(checkHold({ ...base, hold: weak, isRest: true }), [], 'rest is not asked to be stronger than rest');

  assert.match(checkHold({ ...base, hold: active, lostSamples: 50 })[0]!.advice, /50 samples \(100 ms\) were lost/);
});

test("hold checks on float boards: a Cyton's offsets of tens of millivolts are not saturated, and a mental state need not be stronger than rest", () => {
  const rnd = noise(2);
  const rest = Float32Array.from({ length: 400 * 4 }, (_, k) => 60000 * ((k % 4) - 1.5) + 10 * rnd());
  const hold = Float32Array.from({ length: 600 * 4 }, (_, k) => 60000 * ((k % 4) - 1.5) + 8 * rnd());
  const base = { rest, hold, channels: 4, rate: 250, isRest: false, lostSamples: 0 };
  assert.deepEqual(checkHold({ ...base, rails: undefined, compareWithRest: false }), []);
  assert.deepEqual(checkHold({ ...base, rails: undefined }).map((x) => x.kind), ['weak'], 'the EMG check, when asked for');
  assert.deepEqual(checkHold({ ...base, compareWithRest: false }).map((x) => [x.kind, x.channel]), [['saturated', 0], ['saturated', 3]], 'read as int16, the offsets of ±90 mV would be at the rails');
});

test('the sample feed hands out exact spans across frame boundaries, with journal positions', async () => {
  const feed = new SampleFeed(2, 100);
  const got: { start: number; values: number[] }[] = [];
  const first = feed.take(3, (s) => got.push({ start: s.start, values: [...s.samples] }));
  feed.push(Int16Array.from([1, 1, 2, 2]));
  feed.push(Int16Array.from([3, 3, 4, 4, 5, 5]));
  await first;
  assert.deepEqual(got, [{ start: 100, values: [1, 1, 2, 2] }, { start: 102, values: [3, 3] }]);
  assert.equal(feed.backlog, 2);
  assert.equal(feed.skipBacklog(), 2);
  assert.equal(feed.position, 105);
});

test('the journal: accepted holds only (a redone hold and a hold cut by a crash are left out), torn tail dropped on resume', (t) => {
  const dir = scratchDir(t);
  const path = join(dir, 'journal.hsrec');
  const protocol = loadProtocol('calibration/quick5.json');
  const journal = Journal.create(path, { channels: 2, rate: 100, sampleFormat: 'int16' }, { protocol, timeScale: 1 });
  const chunk = (v: number) => new Int16Array(20).fill(v);
  journal.append(chunk(1)); // 10 samples of countdown
  journal.mark({ kind: 'label', label: 1, rep: 0, at: 10 });
  journal.append(chunk(2));
  journal.mark({ kind: 'label', label: null, at: 20 });
  journal.mark({ kind: 'trial-redo', label: 1, rep: 0, at: 20 });
  journal.mark({ kind: 'label', label: 1, rep: 0, at: 20 });
  journal.append(chunk(3));
  journal.mark({ kind: 'label', label: null, at: 30 });
  journal.mark({ kind: 'trial-done', label: 1, rep: 0, at: 30 });
  journal.mark({ kind: 'label', label: 2, rep: 0, at: 30 });
  journal.append(chunk(4));
  journal.close();
  // A crash in the middle of an append: half a chunk at the end.
  const size = statSync(path).size;
  appendFileSync(path, Buffer.from([0x53, 40, 0, 0, 0, 9, 9]));
  const decoded = readRecordingFile(path);
  assert.ok(decoded.tornBytes > 0);
  assert.deepEqual(acceptedHolds(decoded.markers, 40), [{ gesture: 1, rep: 0, start: 20, end: 30 }]);
  const { journal: resumed, state } = Journal.resume(path);
  assert.equal(statSync(path).size, size, 'the torn tail was cut off');
  assert.deepEqual(state.done, [{ gesture: 1, rep: 0 }]);
  assert.equal(state.samples, 40);
  assert.equal(state.info.protocol.name, 'quick5');
  assert.equal(resumed.sampleCount, 40);
  resumed.append(chunk(5));
  resumed.close();
  assert.equal(readRecordingFile(path).samples.length, 100);
  truncateSync(path, 3);
  assert.throws(() => Journal.resume(path), (err) => isHeadstartError(err));
});

test('the verdict names the gestures to redo, what they were mistaken for, and the signal advice', () => {
  const protocol = loadProtocol('calibration/quick5.json');
  const confusion = [
    [10, 0, 0, 0, 0],
    [0, 5, 0, 5, 0],
    [0, 0, 10, 0, 0],
    [0, 0, 0, 10, 0],
    [0, 0, 0, 0, 10],
  ];
  const trained = {
    head: { kind: 'ncm' as const, classes: 5, dim: 1, centroids: [0, 0, 0, 0, 0] },
    cv: { method: 'repetitions' as const, folds: 3, accuracy: { ncm: 0.9 }, chosen: 'ncm' as const, perClass: [1, 0.5, 1, 1, 1], confusion },
  };
  const issues = protocol.gestures.map(() => [] as { kind: 'flat'; advice: string }[]);
  issues[4] = [{ kind: 'flat', advice: 'channel 3 is flat' }];
  const v = judgeCalibration(protocol, trained, [10, 10, 10, 10, 10], issues);
  assert.equal(v.pass, false);
  assert.deepEqual(v.gestures.filter((g) => g.redo).map((g) => g.id), ['wrist-flexion', 'hand-open']);
  assert.match(v.gestures[1]!.reasons[0]!, /recognized 50 % of the time .* mistaken for Hand close 50 %/);
  assert.deepEqual(v.gestures[4]!.reasons, ['channel 3 is flat']);
  assert.match(v.summary, /redo wrist-flexion, hand-open/);
  const text = confusionText(protocol.gestures.map((g) => g.label), confusion);
  assert.match(text, /#1 Wrist flexion\s+\.\s+50\s+\.\s+50\s+\.\s+50%/);
});

test('the terminal view redraws in place, notices a stalled link, and takes a one-key answer', async () => {
  const protocol = loadProtocol('calibration/quick5.json');
  let screen = '';
  const out = new PassThrough() as unknown as NodeJS.WriteStream;
  out.write = ((chunk: string) => ((screen += chunk), true)) as NodeJS.WriteStream['write'];
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  const view = new TerminalView({ out, input });
  const trial = { gesture: 3, rep: 1, gestureInfo: protocol.gestures[3]!, prompt: protocol.gestures[3]!.prompt, index: 4, total: 15, repetitions: 3 };
  view.event({ type: 'started', profile: 'erin', protocol: 'quick5', gestures: protocol.gestures, trials: 15, alreadyDone: 0, resumed: false, board: 'sim', channels: 2, rate: 200 });
  view.event({ type: 'trial', trial });
  view.event({ type: 'phase', trial, phase: 'hold', seconds: 3 });
  // Ticks closer than 50 ms are not redrawn (the sample clock can outrun a terminal).
  await new Promise((r) => setTimeout(r, 60));
  view.event({ type: 'tick', trial, phase: 'hold', remaining: 2.5, progress: 0.3, levels: [1, 0.25] });
  assert.match(screen, /HAND CLOSE\s+\(repetition 2 of 3\)/);
  assert.match(screen, /HOLD\s+2\.5 s/);
  assert.match(screen, /ch0\s+█{24}\n/);
  assert.match(screen, /ch1\s+█{6}░{18}\n/);
  assert.ok(screen.includes('\x1b[') && /\x1b\[\d+F/.test(screen), 'later frames move the cursor back up');
  await new Promise((r) => setTimeout(r, 1700));
  assert.ok(screen.includes('no samples from the board'), 'a stall is shown');
  const answer = view.askRedo!(trial, []);
  (input as unknown as PassThrough).write('y');
  assert.equal(await answer, true);
  assert.ok(screen.includes('Redo Hand close, repetition 2? yes'));
  view.close();
});

test('a journal whose protocol holds terminal escapes is refused on resume, as the protocol file would be', (t) => {
  const path = join(scratchDir(t), 'journal.hsrec');
  const protocol = parseProtocol(quick5(), 'p');
  const crafted = { ...protocol, gestures: protocol.gestures.map((g, i) => (i === 1 ? { ...g, prompt: 'flex \u001b]0;owned\u0007' } : g)) };
  const journal = Journal.create(path, { channels: 2, rate: 100, sampleFormat: 'int16' }, { protocol: crafted, timeScale: 1 });
  journal.close();
  assert.throws(() => Journal.resume(path), (err) => isHeadstartError(err, 'BAD_PROTOCOL') && /\(protocol\): gestures\[1\]\.prompt holds a control character \(U\+001B\)/.test(err.message));
});

test('a shipped protocol named relative to the headstart folder is found from any working folder', (t) => {
  const elsewhere = scratchDir(t);
  const cwd = process.cwd();
  process.chdir(elsewhere);
  t.after(() => process.chdir(cwd));
  assert.equal(loadProtocol('calibration/quick5.json').name, 'quick5');
  assert.throws(() => loadProtocol('calibration/nope.json'), (err) => isHeadstartError(err, 'FILE_NOT_FOUND') && /calibration\/nope\.json: no such protocol file/.test(err.message));
});
