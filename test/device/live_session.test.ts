import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadstartError, isHeadstartError } from '../../src/core/errors.ts';
import type { NcmHeadData } from '../../src/core/head/head.ts';
import { createRng } from '../../src/core/rng.ts';
import type { Recording } from '../../src/core/signal.ts';
import { LiveSession, type LinkEvent, type LiveResult, type LiveSink, type LossEvent, openRecognizer } from '../../src/device/live_session.ts';
import type { GestureEvent } from '../../src/device/pipeline/live_pipeline.ts';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { StdoutSink } from '../../src/device/sinks/stdout_sink.ts';
import { createLoopbackPair } from '../../src/device/transports/loopback.ts';
import { scriptFromRecordings, type ReplayScript } from '../../src/sim/replay_script.ts';
import { VirtualBoard } from '../../src/sim/virtual_board.ts';
import { writeTestPackage } from '../helpers/device_package.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

/** Three labelled 8-channel segments at 200 Hz, each its own per-channel pattern. */
function labelledScript(channels = 8): ReplayScript {
  const rng = createRng(5);
  const segment = (label: number, samples: number): Recording => {
    const values = new Float32Array(samples * channels);
    for (let i = 0; i < samples; i++) for (let c = 0; c < channels; c++) values[i * channels + c] = Math.round(((label + 1) * (c + 1) * 7) % 90 * Math.sin(i * (0.3 + c * 0.1)) + rng.normal() * 5) || 0;
    return { source: `segment ${label}`, channels, rate: 200, samples: values, label };
  };
  return scriptFromRecordings([segment(0, 300), segment(3, 250), segment(5, 400)]);
}

function setUp(t: { after(fn: () => void): void }) {
  const dir = scratchDir(t, 'hs-live-');
  const pkg = writeTestPackage(dir + '/pkg');
  const rng = createRng(11);
  const dim = pkg.manifest.embeddingSize;
  const head: NcmHeadData = { kind: 'ncm', classes: 7, dim, centroids: Array.from({ length: 7 * dim }, () => rng.normal()) };
  const profile = new ProfileStore(dir + '/data').save({
    user: 'tester',
    extractorSha256: pkg.sha256,
    package: { name: pkg.manifest.name, dir: pkg.dir },
    gestures: pkg.manifest.classes,
    head,
    cv: { method: 'repetitions', folds: 2, accuracy: { ncm: 0.5 }, chosen: 'ncm' },
  });
  const recognizer = openRecognizer({ profile, packageDir: pkg.dir, runtime: 'ts' });
  return { pkg, recognizer };
}

/** A sink that records what reached it and whether it was closed. */
class RecordingSink implements LiveSink {
  gestures: GestureEvent[] = [];
  closed = 0;
  attach(session: LiveSession): void {
    session.on('gesture', (e) => this.gestures.push({ ...e }));
  }
  close(): void {
    this.closed++;
  }
}

async function boardOn(script: ReplayScript, speed = Number.POSITIVE_INFINITY) {
  const pair = createLoopbackPair();
  const board = new VirtualBoard(script, pair.board, { speed });
  const commands: string[] = [];
  board.on('command', (f) => commands.push(f.command));
  await board.powerOn();
  return { pair, board, commands };
}

test('a replay through the live session: link states in order, raw samples, every window classified and scored, gestures to the sinks, STOP at the end', async (t) => {
  const { recognizer } = setUp(t);
  const script = labelledScript();
  const total = script.samples.length / 8;
  const { pair, board, commands } = await boardOn(script);
  t.after(() => board.powerOff());
  const sink = new RecordingSink();
  const lines: string[] = [];
  const live = new LiveSession({
    transport: pair.host,
    recognizer,
    pipeline: { maxQueue: 10_000 },
    score: true,
    endAfterSamples: total,
    sinks: [sink, new StdoutSink({ json: true, write: (text) => lines.push(text) })],
  });
  const links: LinkEvent['state'][] = [];
  let samples = 0;
  let windows = 0;
  let labelIsBestScore = true;
  const markers: number[] = [];
  let ended: LiveResult | undefined;
  live.on('link', (e) => links.push(e.state));
  live.on('samples', (f) => (samples += f.samples.length / f.channels));
  live.on('marker', (f) => markers.push(f.value));
  live.on('window', (r) => {
    windows++;
    const best = r.scores.indexOf(Math.max(...r.scores));
    if (r.scores.length !== 7 || r.label !== best) labelIsBestScore = false;
  });
  live.on('end', (r) => (ended = r));

  const started = await live.start();
  assert.deepEqual([started.hello.channels, started.hello.rate, started.resampled], [8, 200, false]);
  const result = await live.done();

  assert.equal(result.end, 'complete');
  assert.deepEqual(links, ['connecting', 'connected', 'disconnected']);
  assert.equal(samples, total, 'every sample was handed on as a raw block');
  assert.deepEqual(markers, [0, 3, 5], 'the label markers of the replay');
  const expectedWindows = Math.floor((total - 52) / 5) + 1;
  assert.equal(result.pipeline.inferred, expectedWindows, 'queued windows are inferred before the end');
  assert.equal(windows, expectedWindows);
  assert.ok(labelIsBestScore, "each window carries one score per class, the label being the best one's");
  const score = result.score!;
  assert.equal(score.scored + score.straddling + score.unlabelled, expectedWindows);
  assert.equal(sink.closed, 1, 'the sink is closed once');
  assert.ok(sink.gestures.length > 0, 'gesture changes reached the sink');
  assert.deepEqual(lines.map((l) => JSON.parse(l).window), sink.gestures.map((g) => g.window), 'every sink sees the same events');
  assert.equal(ended, result, "the 'end' event carries the result");
  assert.ok(commands.includes('stop'), `STOP was sent to the board (commands: ${commands.join(', ')})`);
});

test('aborting ends the session as interrupted and stops the board; stop() with an error fails it', async (t) => {
  const { recognizer } = setUp(t);
  // Real time: the replay lasts 4.75 s, far longer than the test waits.
  const { pair, board, commands } = await boardOn(labelledScript(), 1);
  t.after(() => board.powerOff());
  const interrupt = new AbortController();
  const sink = new RecordingSink();
  const live = new LiveSession({ transport: pair.host, recognizer, signal: interrupt.signal, sinks: [sink] });
  live.once('samples', () => interrupt.abort());
  await live.start();
  const result = await live.done();
  assert.deepEqual([result.end, result.reason], ['interrupted', 'interrupted']);
  assert.ok(result.board.samples < 950, 'ended early');
  assert.ok(commands.includes('stop'));
  assert.equal(sink.closed, 1);

  const second = await boardOn(labelledScript(), 1);
  t.after(() => second.board.powerOff());
  const failing = new LiveSession({ transport: second.pair.host, recognizer });
  let endError: unknown;
  failing.on('end', (r) => (endError = r.error));
  failing.once('samples', () => failing.stop(new HeadstartError('BOARD_SILENT', 'the test stopped it')));
  await failing.start();
  await assert.rejects(failing.done(), (err) => isHeadstartError(err, 'BOARD_SILENT'));
  assert.ok(isHeadstartError(endError, 'BOARD_SILENT'), "the 'end' event carries the error");
  assert.ok(second.commands.includes('stop'));
});

test('a board that does not fit the package is refused at start, and the session still closes its sinks and the board', async (t) => {
  const { recognizer } = setUp(t);
  const { pair, board, commands } = await boardOn(labelledScript(4));
  t.after(() => board.powerOff());
  const sink = new RecordingSink();
  const live = new LiveSession({ transport: pair.host, recognizer, sinks: [sink] });
  assert.deepEqual([live.stats().pipeline.windows, live.stats().board.samples], [0, 0], 'figures before the start are zero, not an error');
  await assert.rejects(live.start(), (err) => isHeadstartError(err, 'BOARD_MISMATCH'));
  await assert.rejects(live.done(), (err) => isHeadstartError(err, 'BOARD_MISMATCH'));
  assert.equal(sink.closed, 1);
  assert.ok(commands.includes('stop'), 'the board, already streaming, was told to stop');
});

test('a cable pulled mid-stream: the link reconnects, the frames lost are reported, windows never join both sides', async (t) => {
  const { recognizer } = setUp(t);
  const script = labelledScript();
  const { pair, board } = await boardOn(script, 20);
  t.after(() => board.powerOff());
  const live = new LiveSession({ transport: pair.host, recognizer, pipeline: { maxQueue: 10_000 }, idleStopMs: 300 });
  const links: LinkEvent['state'][] = [];
  const losses: LossEvent[] = [];
  live.on('link', (e) => links.push(e.state));
  live.on('loss', (e) => losses.push(e));
  let pulled = false;
  live.on('samples', () => {
    if (pulled || live.stats().board.samples < 200) return;
    pulled = true;
    // Pulled between reads, as a cable is (not in the middle of handing on one chunk's frames).
    setImmediate(() => {
      pair.unplug();
      // Plugged back once the board has lost frames to the pulled cable (however slowly this machine runs it).
      const lostBefore = board.stats.framesLost;
      const replug = setInterval(() => {
        if (board.stats.framesLost > lostBefore) {
          clearInterval(replug);
          pair.plug();
        }
      }, 10);
    });
  });
  await live.start();
  const result = await live.done();
  assert.equal(result.end, 'idle');
  assert.match(result.reason, /no samples for 0.3 s/);
  assert.deepEqual(links, ['connecting', 'connected', 'reconnecting', 'connected', 'disconnected']);
  const gap = losses.find((l) => l.gap);
  assert.ok(gap, 'a loss event for the gap');
  assert.equal(gap.gap!.cause, 'reconnect');
  // Frames the board failed to send are missing, and so are those already in the cable when it was pulled:
  // the host's count is at least the board's, and every sample is accounted for, received or missing.
  assert.ok(board.stats.framesLost > 0 && gap.missingFrames >= board.stats.framesLost, `${gap.missingFrames} frames missing, the board lost ${board.stats.framesLost}`);
  assert.equal(result.board.samples + result.board.missingSamples, board.stats.samplesSent + board.stats.samplesLost, 'received + missing = every sample the board played');
  assert.equal(result.pipeline.resets, 1, 'the windower started over after the gap');
});

test('--tolerate-turn with a profile that has no turn-tolerant head is refused at start, saying to calibrate again', async (t) => {
  const { recognizer } = setUp(t);
  const { pair, board } = await boardOn(labelledScript());
  t.after(() => board.powerOff());
  const live = new LiveSession({ transport: pair.host, recognizer, tolerateTurn: true });
  await assert.rejects(live.start(), (err) => isHeadstartError(err, 'BAD_PROFILE') && /no turn-tolerant head.*calibrate again/.test(err.message));
  await assert.rejects(live.done(), (err) => isHeadstartError(err, 'BAD_PROFILE'));
});
