import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeFrames } from '../../src/core/protocol/decoder.ts';
import { encodeFrame } from '../../src/core/protocol/encoder.ts';
import type { Frame } from '../../src/core/protocol/frames.ts';
import { COMMAND_CODE, EVENT_KIND_CODE } from '../../src/core/protocol/wire.ts';
import { buildHarness, compile, FIRMWARE_DIR, hasTool, runHarness } from '../helpers/firmware.ts';
import { frameFromJson, loadGolden, type FrameJson } from '../helpers/golden.ts';
import { chunked, frameKey, frameSequenceArb } from '../helpers/protocol_arbitraries.ts';

const golden = loadGolden();
const hasGcc = hasTool('gcc');
const skip = hasGcc ? false : 'gcc not installed: the C codec cannot be built';

/** The harness's encode command for a frame. */
function encodeCommand(f: Frame): string {
  switch (f.type) {
    case 'hello':
      return `E H ${f.seq} ${f.channels} ${f.rate} ${f.boardId ? Buffer.from(f.boardId).toString('hex') : '-'}`;
    case 'samples':
      return `E S ${f.seq} ${f.timestampUs} ${f.channels} ${f.samples.length / f.channels} ${Array.from(f.samples).join(' ')}`;
    case 'event':
      return `E V ${f.seq} ${f.timestampUs} ${EVENT_KIND_CODE[f.kind]} ${f.value}`;
    case 'command':
      return `E C ${f.seq} ${COMMAND_CODE[f.command]} ${f.arg}`;
  }
}

/** What the harness prints for a decoded frame. */
function decodedLine(j: FrameJson): string {
  const f = frameFromJson(j);
  switch (f.type) {
    case 'hello':
      return `hello ${f.seq} ${f.protocolVersion} ${f.channels} ${f.rate} 1 ${f.boardId ? Buffer.from(f.boardId).toString('hex') : '-'}`;
    case 'samples':
      return [`samples ${f.seq} ${f.timestampUs} ${f.channels} ${f.samples.length / f.channels}`, ...Array.from(f.samples)].join(' ');
    case 'event':
      return `event ${f.seq} ${f.timestampUs} ${EVENT_KIND_CODE[f.kind]} ${f.value}`;
    case 'command':
      return `command ${f.seq} ${f.protocolVersion} ${COMMAND_CODE[f.command]} ${f.arg}`;
  }
}

const statsLine = (s: { frames: number; crcFailures: number; sequenceGaps: number; droppedBytes: number; malformed: number }) =>
  `stats ${s.frames} ${s.crcFailures} ${s.sequenceGaps} ${s.droppedBytes} ${s.malformed}`;

test('C codec builds warning-free as C99 and as C++ (the Arduino toolchain compiles sketches as C++)', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-cc-'));
  // Built once for the whole file; removed when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  compile('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wconversion', '-c'], ['src/hs_protocol.c'], join(dir, 'c.o'));
  if (!hasTool('g++')) return t.skip('g++ not installed');
  compile('g++', ['-x', 'c++', '-std=c++11', '-Wall', '-Wextra', '-Werror', '-c'], ['src/hs_protocol.c'], join(dir, 'cpp.o'));
  // No heap and nothing from libc beyond string.h: the object must not reference malloc, printf & co.
  const nm = spawnSync('nm', ['-u', join(dir, 'c.o')], { encoding: 'utf8' });
  if (nm.status === 0) {
    const undefinedSymbols = nm.stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()).filter(Boolean);
    assert.deepEqual(undefinedSymbols.filter((s) => !/^(memset|memcpy|strlen)$/.test(s!)), []);
  }
  assert.ok(FIRMWARE_DIR);
});

test('C codec against the golden vectors, both ways', { skip }, () => {
  const harness = buildHarness();
  const encoded = runHarness(harness, golden.vectors.map((v) => encodeCommand(frameFromJson(v.frame))));
  golden.vectors.forEach((v, i) => assert.equal(encoded[i], v.wire, `C encodes ${v.name}`));
  for (const v of golden.vectors) {
    const out = runHarness(harness, [`D ${v.wire}`]);
    assert.deepEqual(out, [decodedLine(v.frame), 'stats 1 0 0 0 0'], `C decodes ${v.name}`);
  }
  for (const s of golden.streams) {
    const out = runHarness(harness, [`D ${s.wire}`]);
    const expected = s.frames.map(decodedLine);
    if (s.boardVersionMismatch !== undefined) {
      assert.deepEqual(out.slice(0, expected.length + 1), [...expected, `mismatch ${s.boardVersionMismatch}`], s.name);
    } else {
      assert.deepEqual(out, [...expected, statsLine(s.stats)], s.name);
    }
  }
});

test('property: C and TypeScript agree on random frames and on randomly damaged streams', { skip }, () => {
  const harness = buildHarness();
  const cases = fc.sample(
    fc.tuple(frameSequenceArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 5 })),
    { numRuns: 150, seed: 11 },
  );
  const commands: string[] = [];
  const expected: string[] = [];
  for (const [frames, hits, cuts] of cases) {
    for (const f of frames) {
      commands.push(encodeCommand(f));
      expected.push(Buffer.from(encodeFrame(f)).toString('hex'));
    }
    const bytes = Uint8Array.from(Buffer.concat(frames.map((f) => encodeFrame(f))));
    for (const [at, value] of hits) bytes[at % bytes.length] = value;
    // Chunking means nothing to the byte-wise C decoder; for TypeScript it must not matter either.
    const ts = decodeFrames(Buffer.concat(chunked(bytes, cuts)));
    commands.push(`D ${Buffer.from(bytes).toString('hex')}`);
    if (ts.error) expected.push('<skip>');
    else expected.push(...ts.frames.map((f) => decodedLine(JSON.parse(frameKey(f)) as FrameJson)), statsLine(ts.stats));
  }
  const out = runHarness(harness, commands);
  // A forged HELLO of another version (odds 2^-16 per damaged frame) ends a case differently on each side; the fixed seed has none.
  assert.ok(!expected.includes('<skip>'));
  assert.deepEqual(out, expected);
});
