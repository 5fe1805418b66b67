import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PersonResult, summarize } from '../../src/host/evaluate/protocol.ts';

function person(name: string, accuracy: number, classical: number, classicalPrior: number, classicalRich: number): PersonResult {
  return { person: name, k: 1, accuracy, head: 'transfer', baselines: { classical, classicalPrior, classicalRich }, calibrationWindows: 10, testWindows: 10 } as PersonResult;
}

test('the headline is transfer minus the best classical column, and the people below it are named by that column', () => {
  const [s] = summarize([person('A', 0.9, 0.8, 0.85, 0.95), person('B', 0.96, 0.9, 0.91, 0.93)]);
  assert.equal(s!.bestBaseline, 'classicalRich');
  assert.ok(Math.abs(s!.overBestBaseline! - (0.93 - 0.94)) < 1e-12);
  assert.deepEqual(s!.belowBestBaseline, ['A']);
  const [t] = summarize([person('A', 0.9, 0.8, 0.88, 0.7), person('B', 0.96, 0.9, 0.97, 0.93)]);
  assert.equal(t!.bestBaseline, 'classicalPrior');
  assert.deepEqual(t!.belowBestBaseline, ['B']);
});

test('the rich-with-prior column joins the race for best when every person has it', () => {
  const withRichPrior = (p: PersonResult, v: number): PersonResult => ({ ...p, baselines: { ...p.baselines!, classicalRichPrior: v } });
  const [s] = summarize([withRichPrior(person('A', 0.9, 0.8, 0.85, 0.86), 0.92), withRichPrior(person('B', 0.96, 0.9, 0.91, 0.93), 0.95)]);
  assert.equal(s!.bestBaseline, 'classicalRichPrior');
  assert.ok(Math.abs(s!.baselines!.classicalRichPrior!.mean - 0.935) < 1e-12);
  assert.deepEqual(s!.belowBestBaseline, ['A']);
  const [t] = summarize([withRichPrior(person('A', 0.9, 0.8, 0.85, 0.86), 0.99), person('B', 0.96, 0.9, 0.91, 0.93)]);
  assert.equal(t!.baselines!.classicalRichPrior, undefined, 'a column some people lack is left out');
});
