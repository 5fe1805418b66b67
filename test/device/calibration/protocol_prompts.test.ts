import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { createRng } from '../../../src/core/rng.ts';
import { buildPlan } from '../../../src/device/calibration/plan.ts';
import { loadProtocol, parseProtocol, trialPrompt } from '../../../src/device/calibration/protocol.ts';

test('eeg-mental2: rest and mental arithmetic, a new four-digit number and two-digit step at each trial', () => {
  const protocol = loadProtocol('calibration/eeg-mental2.json');
  assert.deepEqual(protocol.gestures.map((g) => g.id), ['rest', 'arithmetic']);
  const [rest, arithmetic] = protocol.gestures;
  assert.equal(trialPrompt(rest!), rest!.prompt, 'a prompt with nothing to draw is shown as written');
  const rng = createRng(5);
  const prompts = Array.from({ length: 20 }, () => trialPrompt(arithmetic!, () => rng.next()));
  for (const p of prompts) {
    const m = /from (\d+) in steps of (\d+)/.exec(p);
    assert.ok(m, p);
    assert.ok(m[1]!.length === 4 && Number(m[2]) >= 11 && Number(m[2]) <= 99, p);
    assert.ok(!p.includes('{'), 'every placeholder filled');
  }
  assert.ok(new Set(prompts).size > 15, 'new material at each trial');
  assert.match(trialPrompt(arithmetic!, () => 0), /from 1000 in steps of 11/);
  assert.match(trialPrompt(arithmetic!, () => 0.999999999), /from 9999 in steps of 99/);
  // About a minute and a half of the board's clock.
  const plan = buildPlan(protocol, { rate: 250 });
  assert.equal(plan.trials.length, 6);
  assert.deepEqual(plan.trials.map((t) => t.gesture), [0, 1, 0, 1, 0, 1], 'interleaved');
});

test('generated prompts are checked: every placeholder defined, every range used, whole numbers in order', () => {
  const base = JSON.parse(JSON.stringify(loadProtocol('calibration/eeg-mental2.json')));
  const edit = (f: (g: any) => void) => {
    const p = structuredClone(base);
    f(p.gestures[1]);
    return p;
  };
  const refused = (value: unknown, pattern: RegExp) =>
    assert.throws(() => parseProtocol(value, 'p.json'), (err) => isHeadstartError(err, 'BAD_PROTOCOL') && pattern.test(err.message), String(pattern));
  refused(edit((g) => delete g.generate), /uses \{start\} but the gesture has no "generate"/);
  refused(edit((g) => (g.prompt = 'count from {start} by {step}, {stride} times')), /\{stride\}, which "generate" does not define/);
  refused(edit((g) => (g.generate.extra = { from: 1, to: 2 })), /generate.extra is not used in the prompt/);
  refused(edit((g) => (g.generate.step = { from: 99, to: 11 })), /give "from" no larger than "to"/);
  refused(edit((g) => (g.generate.step = { from: 1.5, to: 11 })), /generate.step.from must be a whole number/);
  refused(edit((g) => (g.generate.step = { from: 1, to: 11, by: 2 })), /"by" is not a range field/);
  refused(edit((g) => (g.generate = {})), /must be an object of ranges/);
  refused(edit((g) => (g.promt = 'typo')), /"promt" is not a gesture field/);
  assert.equal(parseProtocol(base, 'p.json').gestures[1]!.generate!.start!.to, 9999);
});
