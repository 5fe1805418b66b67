/**
 * Fuzzes readTflite far beyond the test suite: N mutated model files (default
 * 1,000,000) from the fixtures in ../shared/fixtures/tflite and a hand-built
 * model. Prints the count, any failure (an exception other than
 * HeadstartError, with the fast-check seed and counterexample to replay),
 * how the files were classified, and throughput.
 *
 *   node --import tsx bench/tflite_fuzz.ts [runs]
 */
import fc from 'fast-check';
import { writeTflite } from '../src/core/tflite/writer.ts';
import { loadTfliteFixtures } from '../test/helpers/tflite_fixtures.ts';
import { fullyConnectedModel } from '../test/helpers/tflite_models.ts';
import { mutatedFileArb, readOutcome } from '../test/helpers/tflite_mutations.ts';
import { printResultLine } from './lib/result_line.ts';

const runs = Number(process.argv[2] ?? 1_000_000);
const fixtures = loadTfliteFixtures() ?? [];
const files = [writeTflite(fullyConnectedModel()), ...fixtures.map((f) => f.bytes)];
// Reading intact files: median of 200 reads each (the fuzz loop below mixes in mutation cost).
const intact = fixtures.map((f) => {
  const times = Array.from({ length: 200 }, () => {
    const t0 = performance.now();
    readOutcome(f.bytes);
    return performance.now() - t0;
  }).sort((a, b) => a - b);
  return `${f.name} (${f.bytes.length} B) ${(times[100]! * 1000).toFixed(0)} µs`;
});

const codes = new Map<string, number>();
let ok = 0;
let bytesRead = 0;
let slowest = 0;
let slowestInput: Uint8Array = new Uint8Array(0);
let done = 0;

const started = performance.now();
const details = fc.check(
  fc.property(mutatedFileArb(files), (bytes) => {
    const t0 = performance.now();
    const r = readOutcome(bytes);
    const took = performance.now() - t0;
    if (took > slowest) {
      slowest = took;
      slowestInput = bytes;
    }
    bytesRead += bytes.length;
    if (r.ok) ok++;
    else codes.set(r.reason, (codes.get(r.reason) ?? 0) + 1);
    if (++done % 100_000 === 0) process.stderr.write(`${done} / ${runs}\n`);
  }),
  { numRuns: runs },
);
const seconds = (performance.now() - started) / 1000;

// A slow single read is either a pathological input or a pause (GC, a shared CPU): time that input again to tell.
const retimes = Array.from({ length: 20 }, () => {
  const t0 = performance.now();
  readOutcome(slowestInput);
  return performance.now() - t0;
}).sort((a, b) => a - b);

console.log(`files: hand-built FC model + ${fixtures.length} fixtures (${files.map((f) => f.length).join(', ')} bytes)`);
console.log(`intact fixtures, median read: ${intact.join(', ')}`);
console.log(`mutated files read: ${details.numRuns}, failures: ${details.failed ? 1 : 0}`);
if (details.failed) {
  console.log(`FAILURE seed=${details.seed} path=${details.counterexamplePath}: ${String(details.errorInstance)}`);
}
console.log(`returned a Model: ${ok}`);
console.log(`rejected: ${[...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`);
console.log(`time: ${seconds.toFixed(1)} s, ${(details.numRuns / seconds).toFixed(0)} files/s, ${(bytesRead / seconds / 1e6).toFixed(1)} MB/s (including mutation), slowest single read ${slowest.toFixed(2)} ms`);
console.log(`that slowest input (${slowestInput.length} bytes) read again 20 times: median ${retimes[10]!.toFixed(3)} ms, max ${retimes[19]!.toFixed(3)} ms`);
printResultLine('tflite_fuzz', {
  files: files.length,
  runs: details.numRuns,
  failures: details.failed ? 1 : 0,
  ...(details.failed ? { seed: details.seed, path: details.counterexamplePath } : {}),
  returnedModel: ok,
  rejected: Object.fromEntries(codes),
  seconds,
  filesPerSecond: details.numRuns / seconds,
  mbPerSecond: bytesRead / seconds / 1e6,
  slowestReadMs: slowest,
  slowestInputRereadMedianMs: retimes[10],
});
process.exitCode = details.failed ? 1 : 0;
