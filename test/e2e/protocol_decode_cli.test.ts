import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { loadGolden } from '../helpers/golden.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-decode-'));
// Built once for the whole file; removed when the test process ends.
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const golden = loadGolden();

function capture(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('decode --json reports the frames and statistics of a damaged headstart capture', () => {
  const stream = golden.streams.find((s) => s.name === 'damage of every kind')!;
  const r = runCli(['decode', capture('damaged.bin', Buffer.from(stream.wire, 'hex')), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.format, 'headstart');
  assert.deepEqual(report.frames, stream.frames);
  assert.deepEqual(report.stats, stream.stats);
});

test('decode prints one line per frame and the statistics; --max-frames limits the listing only', () => {
  const stream = golden.streams.find((s) => s.name === 'clean run')!;
  const r = runCli(['decode', capture('clean.bin', Buffer.from(stream.wire, 'hex')), '--max-frames', '2']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^hello +seq=0 protocol v1, 8 ch at 1000 Hz/);
  assert.match(lines[1]!, /^samples +seq=1/);
  assert.match(lines[2]!, /2 more frames not shown/);
  assert.equal(lines[3], 'frames 4, CRC failures 0, sequence gaps 0, dropped bytes 0, malformed 0');
});

test('decode fails on a board of another protocol version, naming both versions', () => {
  const stream = golden.streams.find((s) => s.boardVersionMismatch !== undefined)!;
  const r = runCli(['decode', capture('v2.bin', Buffer.from(stream.wire, 'hex'))]);
  assert.equal(r.status, EXIT_STATUS.device);
  assert.match(r.stderr, /protocol version 2 but this host speaks version 1.*\[PROTOCOL_VERSION_MISMATCH\]/);
});

test('decode --format cyton and --format ascii', () => {
  const packets = Buffer.concat(
    [0, 1, 2].map((n) => {
      const p = Buffer.alloc(33);
      p[0] = 0xa0;
      p[1] = n;
      p.writeIntBE(1000 * (n + 1), 2, 3);
      p[32] = 0xc0;
      return p;
    }),
  );
  const cyton = runCli(['decode', capture('cyton.bin', packets), '--format', 'cyton', '--json']);
  assert.equal(cyton.status, 0, cyton.stderr);
  const report = JSON.parse(cyton.stdout);
  assert.equal(report.frames[0].channels, 8);
  assert.equal(report.frames.length, 4);
  assert.ok(Math.abs(report.frames[3].samples[0] - 3000 * 0.0223517) < 1e-3);

  const text = Array.from({ length: 30 }, (_, i) => `${(i * 7) % 13}\t${i}`).join('\n') + '\n';
  const ascii = runCli(['decode', capture('lines.txt', text), '--format', 'ascii', '--rate', '250']);
  assert.equal(ascii.status, 0, ascii.stderr);
  assert.match(ascii.stdout, /hello +seq=0 protocol v1, 2 ch at 250 Hz, float32, board "ascii"/);
  assert.match(ascii.stdout, /frames 31, CRC failures 0/);
});

test('decode explains a missing file and an unknown format without a stack trace', () => {
  const missing = runCli(['decode', join(dir, 'nope.bin')]);
  assert.equal(missing.status, EXIT_STATUS.input);
  assert.match(missing.stderr, /nope\.bin: no such capture file \[FILE_NOT_FOUND\]/);
  const folder = runCli(['decode', dir]);
  assert.equal(folder.status, EXIT_STATUS.input);
  assert.match(folder.stderr, /is a folder, expected a capture file \[WRONG_PATH_TYPE\]/);
  const format = runCli(['decode', capture('x.bin', 'x'), '--format', 'edf']);
  assert.equal(format.status, EXIT_STATUS.usage);
  assert.match(format.stderr, /Allowed choices are headstart, cyton, ascii\. \[BAD_OPTION\]/);
  assert.doesNotMatch(missing.stderr + folder.stderr + format.stderr, /at .*\.js:\d+/);
});
