import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16Ccitt } from '../../../src/core/protocol/crc16.ts';
import { decodeFrames } from '../../../src/core/protocol/decoder.ts';
import { encodeFrame, encodeRawFrame } from '../../../src/core/protocol/encoder.ts';
import { frameFromJson, frameToJson, loadGolden } from '../../helpers/golden.ts';

const golden = loadGolden();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('golden vector 0 is what PROTOCOL.md says, byte by byte', () => {
  // HELLO, seq 0, version 1, 8 channels, 1000 Hz, int16, "uno-r3"
  const raw = [0x01, 0x00, 0x00, 0x01, 0x08, 0xe8, 0x03, 0x00, 0x00, 0x01, 0x06, ...Buffer.from('uno-r3')];
  const crc = crc16Ccitt(Uint8Array.from(raw));
  raw.push(crc & 0xff, crc >> 8);
  // COBS: zeros at offsets 1, 2, 7, 8 -> runs [01] [] [] [01 08 e8 03] [] [rest]
  const rest = raw.slice(9);
  const wire = [0x02, 0x01, 0x01, 0x05, 0x01, 0x08, 0xe8, 0x03, 0x01, rest.length + 1, ...rest, 0x00];
  assert.equal(golden.vectors[0]!.raw, hex(Uint8Array.from(raw)));
  assert.equal(golden.vectors[0]!.wire, hex(Uint8Array.from(wire)));
});

for (const v of golden.vectors) {
  test(`TypeScript codec, both ways: ${v.name}`, () => {
    const frame = frameFromJson(v.frame);
    assert.equal(hex(encodeRawFrame(frame)), v.raw);
    assert.equal(hex(encodeFrame(frame)), v.wire);
    const { frames, stats } = decodeFrames(Buffer.from(v.wire, 'hex'));
    assert.deepEqual(frames.map(frameToJson), [v.frame]);
    assert.equal(stats.frames, 1);
  });
}

for (const s of golden.streams) {
  test(`TypeScript decoder on a golden stream: ${s.name}`, () => {
    const result = decodeFrames(Buffer.from(s.wire, 'hex'));
    assert.deepEqual(result.frames.map(frameToJson), s.frames);
    assert.deepEqual(result.stats, s.stats);
    assert.equal(result.error?.details['boardVersion'], s.boardVersionMismatch);
  });
}
