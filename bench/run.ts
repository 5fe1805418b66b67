/**
 * Runs every benchmark under bench/, one process each, one after another
 * (they measure time: two at once would share the cores), and collects the
 * JSON result line each one prints (bench/lib/result_line.ts).
 *
 *   npm run bench                          every benchmark, with the arguments RESULTS.md's figures were made with
 *   npm run bench -- --quick               shorter runs (smaller data, fewer rounds) to check they work; the longest are left out
 *   npm run bench -- --only decoder,interpreter
 *   npm run bench -- --quick --out /tmp/bench.jsonl    the result lines, one per benchmark, into a file
 *   npm run bench -- --list                what would run, with which arguments
 *
 * A benchmark that cannot run here (a data set, socat or the exported
 * package missing) exits with status 2 and is reported as skipped. The
 * figures of a quick run are not the ones to put in RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CANNOT_RUN, RESULT_KEY } from './lib/result_line.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Plan {
  /** Arguments of a full run: those RESULTS.md's figures were made with. */
  full: string[];
  /** Arguments of a quick run, or why the benchmark is left out of one. */
  quick: string[] | { skip: string };
}

/** Benchmarks not listed run with no arguments in both modes. */
export const PLANS: Record<string, Plan> = {
  calibration_journal: { full: ['20'], quick: ['3'] },
  calibration_session: { full: [], quick: [] },
  datasets: { full: [], quick: ['test/fixtures/myo'] },
  decoder: { full: [], quick: ['5'] },
  filters: { full: [], quick: ['30'] },
  device_install: { full: ['5'], quick: ['1'] },
  device: { full: [], quick: { skip: 'trains heads and replays 280 s of signal, then 35 s in real time' } },
  interpreter: { full: [], quick: ['0.2'] },
  myo_baseline: { full: [], quick: ['test/fixtures/myo/EvaluationDataset'] },
  quantization: { full: ['models/myo8-200hz'], quick: { skip: 'evaluates 18 people with the float and the int8 extractor, several minutes' } },
  serial_e2e: { full: [], quick: [] },
  sync_estimate: { full: [], quick: { skip: 'estimates 1,296 turns of 40 people\'s recordings, about a minute' } },
  tflite_fuzz: { full: ['1000000'], quick: ['20000'] },
  training_throughput: { full: [], quick: ['--batch', '16', '--seconds', '1', '--rounds', '1'] },
  web_dashboard: { full: ['--seconds', '20'], quick: ['--seconds', '2', '--no-demo'] },
};

interface Outcome {
  bench: string;
  status: 'ok' | 'skipped' | 'failed' | 'no result line';
  seconds: number;
  why?: string;
  line?: string;
}

export function listBenchmarks(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => basename(f, '.ts'))
    .sort();
}

function argsFor(name: string, quick: boolean): string[] | { skip: string } {
  const plan = PLANS[name];
  if (!plan) return [];
  return quick ? plan.quick : plan.full;
}

function runOne(name: string, args: string[]): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let line: string | undefined;
  createInterface({ input: child.stdout }).on('line', (text) => {
    process.stdout.write(text + '\n');
    if (text.startsWith(`{"${RESULT_KEY}":`)) line = text;
  });
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === CANNOT_RUN) resolve({ bench: name, status: 'skipped', seconds, why: 'cannot run here (see its message above)' });
      else if (code !== 0) resolve({ bench: name, status: 'failed', seconds, why: signal ? `killed by ${signal}` : `exit status ${code}` });
      else if (!line) resolve({ bench: name, status: 'no result line', seconds });
      else resolve({ bench: name, status: 'ok', seconds, line });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, list: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const all = listBenchmarks();
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = (only ?? []).filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}\n`);
    process.exit(1);
  }
  const chosen = only ? all.filter((n) => only.includes(n)) : all;
  const mode = values.quick ? 'quick' : 'full';
  if (values.list) {
    for (const name of chosen) {
      const args = argsFor(name, values.quick);
      process.stdout.write(Array.isArray(args) ? `${name}: node --import tsx bench/${name}.ts ${args.join(' ')}`.trimEnd() + '\n' : `${name}: left out of a ${mode} run (${args.skip})\n`);
    }
    return;
  }
  const outcomes: Outcome[] = [];
  for (const [i, name] of chosen.entries()) {
    const args = argsFor(name, values.quick);
    if (!Array.isArray(args)) {
      outcomes.push({ bench: name, status: 'skipped', seconds: 0, why: `left out of a quick run: ${args.skip}` });
      continue;
    }
    process.stderr.write(`\n== ${i + 1}/${chosen.length} ${name} (${mode}): node --import tsx bench/${name}.ts ${args.join(' ')}\n`);
    outcomes.push(await runOne(name, args));
  }
  process.stderr.write('\n| benchmark | status | seconds |\n|---|---|---|\n');
  for (const o of outcomes) process.stderr.write(`| ${o.bench} | ${o.status}${o.why ? ` (${o.why})` : ''} | ${o.seconds.toFixed(1)} |\n`);
  if (values.out) writeFileSync(values.out, outcomes.flatMap((o) => (o.line ? [o.line + '\n'] : [])).join(''));
  if (outcomes.some((o) => o.status === 'failed' || o.status === 'no result line')) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
