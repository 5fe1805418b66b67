import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Builder } from 'flatbuffers';
import { readTflite } from '../../../src/core/tflite/reader.ts';
import { writeTflite } from '../../../src/core/tflite/writer.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { FIELD } from '../../../src/core/tflite/schema_fields.ts';
import { loadTfliteFixtures } from '../../helpers/tflite_fixtures.ts';
import { fullyConnectedModel } from '../../helpers/tflite_models.ts';
import { mutatedFileArb, readOutcome } from '../../helpers/tflite_mutations.ts';

const RUNS = 10_000;

test(`${RUNS} mutated model files: readTflite returns a Model or throws a HeadstartError, nothing else`, (t) => {
  const fixtures = loadTfliteFixtures();
  if (!fixtures) t.diagnostic('../shared/fixtures/tflite not found: fuzzing the hand-built model only');
  const files = [writeTflite(fullyConnectedModel()), ...(fixtures ?? []).map((f) => f.bytes)];
  const codes = new Map<string, number>();
  let ok = 0;
  fc.assert(
    fc.property(mutatedFileArb(files), (bytes) => {
      const r = readOutcome(bytes);
      if (r.ok) ok++;
      else codes.set(r.reason, (codes.get(r.reason) ?? 0) + 1);
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`read ${ok}, rejected ${RUNS - ok}: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  // The mutations must reach past the header checks, or this test would prove little.
  for (const code of ['TFLITE_CORRUPT/truncated', 'TFLITE_CORRUPT/out-of-bounds', 'TFLITE_CORRUPT/index']) assert.ok(codes.has(code), `no mutation produced ${code}`);
  assert.ok(ok > 0, 'some mutations (inside constant data) still read');
});

test('tables that alias each other cannot make decoding blow up: the work budget stops them', () => {
  // One 4 KB buffer referenced 20,000 times: 84 KB of file that would decode into 80 MB of copies.
  const b = new Builder(1 << 17);
  b.prep(16, 4096);
  const data = b.createByteVector(new Uint8Array(4096).fill(7));
  b.startObject(FIELD.Buffer.count);
  b.addFieldOffset(FIELD.Buffer.data, data, 0);
  const buffer = b.endObject();
  b.startVector(4, 20_000, 4);
  for (let i = 0; i < 20_000; i++) b.addOffset(buffer);
  const buffers = b.endVector();
  b.startObject(FIELD.Model.count);
  b.addFieldInt32(FIELD.Model.version, 3, 0);
  b.addFieldOffset(FIELD.Model.buffers, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  const bytes = b.asUint8Array();
  assert.ok(bytes.length < 100_000);
  assert.throws(() => readTflite(bytes), (e) => isHeadstartError(e, 'TFLITE_CORRUPT') && e.details['check'] === 'too-complex');
});
