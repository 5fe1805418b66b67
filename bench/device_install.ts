/**
 * The device tarballs (npm run pack:device): their size per platform, how
 * long an offline install of the linux-x64 one takes, and how long `headstart
 * run` takes to start from that install, against the same from this
 * checkout.
 *
 *   node --import tsx bench/device_install.ts [rounds]     (default 5)
 *
 * Start-up of `run`, per round, from spawning node to:
 * - `--help` printed: loading the CLI alone (no board, no model);
 * - ready: the "running ..." line, once the package is loaded and hash-checked,
 *   the extractor runtime opened, the profile loaded and the board (a virtual
 *   one on a socat pseudo-terminal) has answered the handshake;
 * - first result: the first JSON line on stdout (the first gesture event),
 *   once a window has filled (52 samples at 200 Hz: 0.26 s of signal) and
 *   been recognized.
 * The profile comes from `headstart demo --data-dir` run from the same install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotRun, printResultLine } from './lib/result_line.ts';
import { socatAvailable } from '../src/sim/pty_pair.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) cannotRun(`rounds must be a whole number >= 1, got ${process.argv[2]}`);
if (!socatAvailable()) cannotRun('socat is not installed (apt-get install socat): run needs a board on a serial port');
if (process.platform !== 'linux' || process.arch !== 'x64') cannotRun(`the install measured is linux-x64's; this is ${process.platform}-${process.arch}`);

const work = mkdtempSync(join(tmpdir(), 'hs-bench-device-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const log = (line: string): void => void process.stderr.write(line + '\n');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function must(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

log('packing both platforms...');
const packed = JSON.parse(must(process.execPath, ['scripts/pack_device.mjs', '--out', join(work, 'out')], ROOT).trim().split('\n').pop()!) as {
  tarballs: { platform: string; file: string; bytes: number; unpackedBytes: number; nativeTflite: { included: boolean; reason?: string } }[];
};
const x64 = packed.tarballs.find((t) => t.platform === 'linux-x64')!;

const app = join(work, 'app');
mkdirSync(join(work, 'cache'), { recursive: true });
mkdirSync(app);
writeFileSync(join(app, 'package.json'), '{"name":"bench-app","private":true}');
const offline = { npm_config_registry: 'http://127.0.0.1:9', npm_config_cache: join(work, 'cache'), npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
const installStart = performance.now();
must('npm', ['install', join(ROOT, x64.file), '--offline'], app, offline);
const installSeconds = (performance.now() - installStart) / 1000;
const installedBin = join(app, 'node_modules', 'headstart', 'bin', 'headstart.js');
const checkoutBin = join(ROOT, 'bin', 'headstart.js');

log('calibrating a profile with the demo...');
const dataDir = join(work, 'data');
const demo = JSON.parse(must(process.execPath, [installedBin, 'demo', '--json', '--speed', '20', '--data-dir', dataDir], app)) as { calibration: { head: string } };
const profile = 'demo-male0';
const live = join(app, 'node_modules', 'headstart', 'data', 'demo', 'EvaluationDataset', 'Male0', 'Test0');

function helpMs(bin: string): number {
  const start = performance.now();
  must(process.execPath, [bin, 'run', '--help'], app);
  return performance.now() - start;
}

/** One start of `run` against a fresh virtual board: ms to ready and to the first result. */
async function startRun(bin: string, round: number): Promise<{ readyMs: number; firstResultMs: number }> {
  const pty = join(work, `board-${round}`);
  const sim = spawn(process.execPath, [installedBin, 'sim', '--pty', pty, '--replay', live, '--speed', '1', '--json'], { cwd: app, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    sim.stdout.on('data', (b: Buffer) => b.toString().includes('"ready"') && resolve());
    sim.once('exit', (code) => reject(new Error(`sim exited (${code}) before it was ready`)));
  });
  const start = performance.now();
  const runProc = spawn(process.execPath, [bin, 'run', '--port', pty, '--baud', '2000000', '--profile', profile, '--data-dir', dataDir, '--json'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let readyMs = 0;
  const firstResultMs = await new Promise<number>((resolve, reject) => {
    runProc.stderr.on('data', (b: Buffer) => {
      if (!readyMs && b.toString().includes('running ')) readyMs = performance.now() - start;
    });
    runProc.stdout.once('data', () => resolve(performance.now() - start));
    runProc.once('exit', (code) => reject(new Error(`run exited (${code}) before its first result`)));
  });
  const exited = new Promise((resolve) => runProc.once('exit', resolve));
  runProc.kill('SIGINT');
  await exited;
  sim.kill('SIGINT');
  await new Promise((resolve) => sim.once('exit', resolve));
  return { readyMs, firstResultMs };
}

const results: Record<string, { helpMs: number[]; readyMs: number[]; firstResultMs: number[] }> = {};
for (const [name, bin] of [
  ['device install', installedBin],
  ['checkout', checkoutBin],
] as const) {
  const r = { helpMs: [] as number[], readyMs: [] as number[], firstResultMs: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    r.helpMs.push(helpMs(bin));
    const s = await startRun(bin, i + (name === 'checkout' ? rounds : 0));
    r.readyMs.push(s.readyMs);
    r.firstResultMs.push(s.firstResultMs);
  }
  results[name] = r;
}

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
console.log(`\ndevice tarballs (headstart ${version}):`);
console.log('| platform | tarball | unpacked | native TFLite runtime |');
console.log('|---|---|---|---|');
for (const t of packed.tarballs) console.log(`| ${t.platform} | ${(t.bytes / 1e6).toFixed(2)} MB | ${(t.unpackedBytes / 1e6).toFixed(1)} MB | ${t.nativeTflite.included ? 'included' : `not included (${t.nativeTflite.reason})`} |`);
console.log(`\nnpm install <linux-x64 tarball> --offline (empty cache, registry unreachable): ${installSeconds.toFixed(1)} s; demo profile head: ${demo.calibration.head}`);
console.log(`\n\`headstart run\` start-up, median of ${rounds} (ms from spawning node):`);
console.log('| from | run --help | ready (board answered, extractor open) | first gesture event |');
console.log('|---|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${median(r.helpMs).toFixed(0)} | ${median(r.readyMs).toFixed(0)} | ${median(r.firstResultMs).toFixed(0)} |`);

printResultLine('device_install', {
  tarballs: packed.tarballs.map((t) => ({ platform: t.platform, bytes: t.bytes, unpackedBytes: t.unpackedBytes, nativeTflite: t.nativeTflite.included })),
  installSeconds,
  rounds,
  startup: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { helpMs: median(r.helpMs), readyMs: median(r.readyMs), firstResultMs: median(r.firstResultMs) }])),
});
