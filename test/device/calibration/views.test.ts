import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CalibrationView, SessionEvent, TrialInfo } from '../../../src/device/calibration/events.ts';
import { loadProtocol } from '../../../src/device/calibration/protocol.ts';
import { LineView } from '../../../src/device/calibration/line_view.ts';
import { combineViews } from '../../../src/device/calibration/views.ts';
import { WebCalibrationView } from '../../../src/device/calibration/web_view.ts';
import { DashboardFeed } from '../../../src/device/web/dashboard_feed.ts';

const protocol = loadProtocol('calibration/quick5.json');
const trial: TrialInfo = { gesture: 1, rep: 0, gestureInfo: protocol.gestures[1]!, prompt: protocol.gestures[1]!.prompt, index: 3, total: 15, repetitions: 3 };

/** A view that answers when told to, and records what it saw. */
function manualView(name: string) {
  const seen: SessionEvent[] = [];
  let answer: (redo: boolean) => void = () => undefined;
  let aborted = false;
  const view: CalibrationView = {
    name,
    event: (e) => void seen.push(e),
    askRedo: (_t, _i, signal) =>
      new Promise<boolean>((resolve) => {
        answer = resolve;
        signal?.addEventListener('abort', () => (aborted = true));
      }),
  };
  return { view, seen, answer: (redo: boolean) => answer(redo), aborted: () => aborted };
}

test('several views: every event to each; the first answer wins, the others stop asking, and all hear where it came from', async () => {
  const terminal = manualView('terminal');
  const feed = new DashboardFeed();
  const page = new WebCalibrationView({ feed, title: 'test' });
  const quiet: CalibrationView = { event: () => undefined };
  const view = combineViews([terminal.view, page, quiet]);
  view.event({ type: 'started', profile: 'p', protocol: 'quick5', gestures: protocol.gestures, trials: 15, alreadyDone: 0, resumed: false, board: 'sim', channels: 8, rate: 200 });
  assert.equal(terminal.seen.length, 1);
  assert.equal(feed.sections.meta.mode, 'calibration');

  // The page answers first.
  const asked = view.askRedo!(trial, [{ kind: 'flat', channel: 7, advice: 'channel 7 is flat' }]);
  const open = feed.sections.question.open!;
  assert.equal(open.text, 'Redo Wrist flexion, repetition 1?');
  assert.deepEqual(open.issues.map((i) => i.advice), ['channel 7 is flat']);
  assert.ok(feed.answerFromPage(open.id, true));
  assert.equal(await asked, true);
  assert.ok(terminal.aborted(), 'the terminal stops asking');
  assert.deepEqual(terminal.seen.at(-1), { type: 'redo-answer', trial, redo: true, from: 'page' });
  assert.deepEqual(feed.sections.question.last, { id: open.id, redo: true, from: 'page' });
  assert.equal(feed.answerFromPage(open.id, false), false, 'an answer comes once');

  // The terminal answers first: the page's question is withdrawn, and it shows the answer.
  const second = view.askRedo!(trial, []);
  const id = feed.sections.question.open!.id;
  terminal.answer(false);
  assert.equal(await second, false);
  assert.equal(feed.sections.question.open, null);
  assert.deepEqual(feed.sections.question.last, { id, redo: false, from: 'terminal' });
  assert.equal(feed.answerFromPage(id, true), false, 'too late from the page');
});

test('views that cannot ask make a combination that never asks', () => {
  const feed = new DashboardFeed();
  const view = combineViews([{ event: () => undefined }, new WebCalibrationView({ feed, title: 't', offerRedo: false })]);
  assert.equal(view.askRedo, undefined);
});

test('the training line names what the classes are: gestures for EMG, states for EEG', () => {
  const lines: string[] = [];
  const view = new LineView((line) => lines.push(line));
  view.event({ type: 'training', windows: 120, classes: 7, classNoun: 'gestures' });
  view.event({ type: 'training', windows: 40, classes: 2, classNoun: 'states' });
  assert.deepEqual(lines, ['training the head on 120 windows of 7 gestures', 'training the head on 40 windows of 2 states']);
});
