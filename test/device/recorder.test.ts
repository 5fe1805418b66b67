/**
 * The recorder (`headstart record`) over a loopback link to a virtual
 * board: every sample the board sends is in the file, typed lines become
 * label changes and notes at the sample they came, the board's EVENTs are
 * kept, STOP is sent at the end; with a protocol, its prompts are walked on
 * the sample clock and its labels recorded; refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isHeadstartError } from '../../src/core/errors.ts';
import { labelledSegments } from '../../src/core/recording_format.ts';
import type { Recording } from '../../src/core/signal.ts';
import { buildPlan } from '../../src/device/calibration/plan.ts';
import { parseProtocol } from '../../src/device/calibration/protocol.ts';
import { BoardRecorder } from '../../src/device/recorder.ts';
import { BoardSession } from '../../src/device/transports/board_session.ts';
import { createLoopbackPair } from '../../src/device/transports/loopback.ts';
import { readRecordingFile, writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { scriptFromRecordings } from '../../src/sim/replay_script.ts';
import { VirtualBoard } from '../../src/sim/virtual_board.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

function tone(label: number, samples: number): Recording {
  const values = new Float32Array(samples * 4);
  for (let i = 0; i < samples; i++) for (let c = 0; c < 4; c++) values[i * 4 + c] = Math.round(200 * Math.sin((i + 31 * label) / (3 + c))) + label;
  return { source: `tone ${label}`, channels: 4, rate: 200, samples: values, label };
}

async function boardPlaying(recordings: Recording[], options: { loop?: boolean; speed?: number } = {}) {
  const script = scriptFromRecordings(recordings);
  const pair = createLoopbackPair();
  const board = new VirtualBoard(script, pair.board, { speed: options.speed ?? Number.POSITIVE_INFINITY, ...(options.loop ? { loop: true } : {}) });
  const commands: string[] = [];
  board.on('command', (f) => commands.push(f.command));
  await board.powerOn();
  return { script, pair, board, commands, session: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }) };
}

test('a recording with typed labels and notes: every sample kept, markers at the samples they were typed, board EVENTs kept, STOP sent', async (t) => {
  const dir = scratchDir(t, 'hs-record-');
  // Two labelled stretches: the virtual board sends a label EVENT at each.
  const { script, board, commands, session } = await boardPlaying([tone(0, 300), tone(1, 500)]);
  t.after(() => board.powerOff());
  const out = join(dir, 'r.hsrec');
  const said: string[] = [];
  const recorder = new BoardRecorder({ board: session, out, labels: ['rest', 'fist'], seconds: 4, subject: 'alice', say: (l) => said.push(l) });
  const hello = await recorder.start();
  assert.deepEqual([hello.channels, hello.rate], [4, 200]);
  // Lines "typed" when the board has sent 100, 250, 400 and 600 samples.
  const typing: [number, string][] = [
    [100, 'fist'],
    [250, 'electrode loose, re-seated'],
    [400, ''],
    [600, '1'],
  ];
  let received = 0;
  session.on('frame', (f) => {
    if (f.type !== 'samples') return;
    received += f.samples.length / 4;
    while (typing.length > 0 && received >= typing[0]![0]) recorder.type(typing.shift()![1]);
  });
  const result = await recorder.done();
  assert.equal(result.end, 'duration');
  assert.equal(result.samples, 800, 'exactly --seconds of samples');
  assert.ok(commands.includes('stop'), `STOP was sent (commands: ${commands.join(', ')})`);

  const file = readRecordingFile(out);
  assert.equal(file.tornBytes, 0);
  assert.deepEqual([file.header.classes, file.header.subject, file.header.channels, file.header.rate], [['rest', 'fist'], 'alice', 4, 200]);
  assert.deepEqual([...file.samples], [...script.samples.subarray(0, 800 * 4)], 'the samples are the board\'s, in order');
  const at = (n: number) => Math.ceil(n / 2) * 2; // the virtual board sends 2 samples per frame at 200 Hz
  assert.deepEqual(
    file.markers.map((m) => [m.kind, m.at, m.label !== undefined ? m.label : m.text]),
    [
      ['session', 0, JSON.stringify({ recorder: 'record', labels: ['rest', 'fist'] })],
      ['board-label', 0, '0'],
      ['label', at(100), 1],
      ['note', at(250), 'electrode loose, re-seated'],
      ['board-label', 300, '1'],
      ['label', at(400), null],
      ['label', at(600), 0],
      ['stopped', 800, '4 s recorded'],
    ],
  );
  assert.deepEqual(labelledSegments(file.markers, 800), [
    { start: at(100), end: at(400), label: 1 },
    { start: at(600), end: 800, label: 0 },
  ]);
  assert.deepEqual([result.labelledStretches, result.notes], [2, 1]);
  assert.ok(said.some((l) => /fist$/.test(l)) && said.some((l) => /note kept: electrode loose/.test(l)) && said.some((l) => /fist ended/.test(l)));
});

test('stop() ends a recording at once with STOP sent and a valid file, keeping what had arrived', async (t) => {
  const dir = scratchDir(t, 'hs-record-');
  const { board, commands, session } = await boardPlaying([tone(0, 400)], { loop: true, speed: 1 });
  t.after(() => board.powerOff());
  const out = join(dir, 'r.hsrec');
  const recorder = new BoardRecorder({ board: session, out });
  await recorder.start();
  session.once('frame', () => recorder.stop('interrupted'));
  const result = await recorder.done();
  assert.deepEqual([result.end, result.reason], ['stopped', 'interrupted']);
  assert.ok(commands.includes('stop'));
  const file = readRecordingFile(out);
  assert.equal(file.samples.length / 4, result.samples);
  assert.equal(file.markers.at(-1)?.kind, 'stopped');
});

test('with a protocol: prompts walked on the sample clock, each hold labelled, the recording ends with the protocol', async (t) => {
  const dir = scratchDir(t, 'hs-record-');
  const protocol = parseProtocol(
    {
      format: 'headstart-calibration-protocol',
      formatVersion: 1,
      name: 'two',
      gestures: [
        { id: 'rest', label: 'Rest', prompt: 'Relax.' },
        { id: 'fist', label: 'Fist', prompt: 'Make a fist.' },
      ],
      repetitions: 2,
      holdSeconds: 1,
      restSeconds: 0.5,
      countdownSeconds: 0.5,
      order: 'interleaved',
      trim: { startSeconds: 0.1, endSeconds: 0.1 },
    },
    'test protocol',
  );
  const plan = buildPlan(protocol, { rate: 200 });
  const { board, session } = await boardPlaying([tone(0, 500)], { loop: true, speed: 50 });
  t.after(() => board.powerOff());
  const out = join(dir, 'p.hsrec');
  const prompts: string[] = [];
  const recorder = new BoardRecorder({ board: session, out, protocol, view: { event: (e) => void (e.type === 'trial' && prompts.push(e.trial.gestureInfo.prompt)) } });
  await recorder.start();
  const result = await recorder.done();
  assert.equal(result.end, 'protocol finished');
  assert.deepEqual(prompts, ['Relax.', 'Make a fist.', 'Relax.', 'Make a fist.']);
  const file = readRecordingFile(out);
  assert.deepEqual(file.header.classes, ['rest', 'fist']);
  const segments = labelledSegments(file.markers, file.samples.length / 4);
  assert.deepEqual(
    segments.map((s) => [s.label, s.rep, s.end - s.start]),
    [
      [0, 0, plan.hold],
      [1, 0, plan.hold],
      [0, 1, plan.hold],
      [1, 1, plan.hold],
    ],
  );
  assert.equal(file.markers.filter((m) => m.kind === 'trial-done').length, 4);
  assert.ok(file.markers.some((m) => m.kind === 'finished'));
});

test('the recorder refuses an existing file before writing anything, and labels from both a list and a protocol', async (t) => {
  const dir = scratchDir(t, 'hs-record-');
  const out = join(dir, 'exists.hsrec');
  writeRecordingFile(out, { channels: 1, rate: 10, sampleFormat: 'int16' }, [1, 2, 3]);
  const { board, commands, session } = await boardPlaying([tone(0, 100)]);
  t.after(() => board.powerOff());
  await assert.rejects(new BoardRecorder({ board: session, out }).start(), (err) => isHeadstartError(err, 'FILE_EXISTS'));
  assert.ok(commands.includes('stop'), 'the board is stopped again');
  assert.deepEqual([...readRecordingFile(out).samples], [1, 2, 3], 'the file is left as it was');
  const protocol = parseProtocol(JSON.parse('{"format":"headstart-calibration-protocol","formatVersion":1,"name":"p","gestures":[{"id":"a","label":"A","prompt":"a"},{"id":"b","label":"B","prompt":"b"}],"repetitions":1,"holdSeconds":1,"restSeconds":0,"countdownSeconds":0,"order":"blocked","trim":{"startSeconds":0,"endSeconds":0}}'), 'p');
  assert.throws(() => new BoardRecorder({ board: session, out: join(dir, 'x.hsrec'), labels: ['a'], protocol }), /not both/);
});
