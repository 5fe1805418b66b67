/**
 * EEG filter cost: how much of a core the preprocessing chain takes at 16
 * channels x 250 Hz (a Cyton + Daisy at its full rate, rounded up), fed one
 * sample at a time as a live board delivers it, and in chunks of 25
 * samples. Goal: at most 1 % of a core.
 *
 *   node --import tsx bench/filters.ts [seconds of signal, default 600]
 *
 * CPU share = CPU seconds spent filtering / seconds of signal filtered.
 */
import { buildFilterChain, describeFilters, type FilterSpec } from '../src/core/dsp/filters.ts';
import { printResultLine } from './lib/result_line.ts';

const seconds = Number(process.argv[2] ?? 600);
const CHANNELS = 16;
const RATE = 250;

const CHAINS: FilterSpec[][] = [
  [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }],
  [{ kind: 'bandpass', low: 0.5, high: 45, order: 8 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'notch', freq: 60, q: 30 }, { kind: 'car' }],
];

function signal(): Float32Array {
  const n = seconds * RATE;
  return Float32Array.from({ length: n * CHANNELS }, (_, k) => {
    const [i, c] = [Math.floor(k / CHANNELS), k % CHANNELS];
    return 60000 - 3000 * c + 30 * Math.sin((2 * Math.PI * 10 * i) / RATE + c) + 10 * Math.sin((2 * Math.PI * 50 * i) / RATE);
  });
}

function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const input = signal();
const work = new Float32Array(input.length);
console.log(`${seconds} s of ${CHANNELS} channels x ${RATE} Hz; best of 5 runs, CPU time`);
const measured: { chain: string; sections: number; chunk: number; cpuSharePercent: number }[] = [];
for (const specs of CHAINS) {
  for (const chunk of [1, 25]) {
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      work.set(input);
      const chain = buildFilterChain(specs, CHANNELS, RATE);
      const step = chunk * CHANNELS;
      runs.push(
        cpuSeconds(() => {
          for (let i = 0; i < work.length; i += step) chain.process(work.subarray(i, i + step));
        }),
      );
    }
    const cpu = Math.min(...runs);
    const sections = buildFilterChain(specs, CHANNELS, RATE).sectionCount;
    console.log(`${describeFilters(specs).padEnd(92)} ${sections} sections, chunks of ${String(chunk).padStart(2)} samples: CPU share ${((100 * cpu) / seconds).toFixed(3)} %`);
    measured.push({ chain: describeFilters(specs), sections, chunk, cpuSharePercent: (100 * cpu) / seconds });
  }
}
printResultLine('filters', { signalSeconds: seconds, channels: CHANNELS, rate: RATE, chains: measured });
