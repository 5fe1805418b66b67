// The device tarball as a device gets it: `npm run pack:device` for
// linux-x64 (one pack per run: it is slow), installed with `npm install
// <tgz> --offline` into a fresh folder with a fresh, empty npm cache and the
// registry pointing at a closed loopback port, so that anything npm would
// fetch fails the install. From that install: `headstart doctor`, `headstart
// demo`, and an application of its own (the fist-toggle example, copied out
// of the repository) that imports 'headstart' and is type-checked against
// the shipped declarations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { scratchDir } from '../helpers/scratch_dir.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A port nothing listens on: a registry request fails at once. */
const CLOSED_REGISTRY = 'http://127.0.0.1:9';
/** Far above chance (1 in 7) and below what the shipped package scores on this person (see demo.test.ts). */
const ACCURACY_BAR = 0.9;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Run {
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

const canRun = process.platform === 'linux' && process.arch === 'x64';

test('the linux-x64 device tarball installs offline and runs the demo and an application', { skip: canRun ? false : `the tarball under test is linux-x64; this is ${process.platform}-${process.arch}` }, async (t) => {
  const work = scratchDir(t, 'hs-device-');
  const packed = run(process.execPath, ['scripts/pack_device.mjs', '--platform', 'linux-x64', '--out', join(work, 'out')], ROOT);
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(work, 'out', `headstart-device-${VERSION}-linux-x64.tgz`);
  assert.ok(existsSync(tarball), `${tarball} written`);
  const report = JSON.parse(packed.stdout.trim().split('\n').pop()!) as { tarballs: { platform: string; bytes: number; nativeTflite: { included: boolean } }[] };
  assert.equal(report.tarballs[0]!.platform, 'linux-x64');

  const app = join(work, 'app');
  const cache = join(work, 'npm-cache');
  mkdirSync(app);
  mkdirSync(cache);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gesture-app', private: true, type: 'module' }));
  const offline = { npm_config_registry: CLOSED_REGISTRY, npm_config_cache: cache, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // The set-up can fail: a package that is not inside the tarball cannot be had.
  const elsewhere = run('npm', ['install', 'is-number@7.0.0', '--offline'], app, offline);
  assert.notEqual(elsewhere.status, 0, 'npm could fetch a package: the registry is not out of reach');
  const installed = run('npm', ['install', tarball, '--offline'], app, offline);
  assert.equal(installed.status, 0, `npm install --offline failed:\n${installed.stdout}\n${installed.stderr}`);
  // Everything came out of the tarball: one package at the top, its native parts inside it.
  assert.deepEqual(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')), ['headstart']);
  const inside = join(app, 'node_modules', 'headstart');
  for (const path of ['node_modules/serialport', 'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64', 'models', 'calibration/myo7.json', 'data/demo/LICENSE', 'dist/types/api/index.d.ts', 'dist/web/dashboard.js', 'dist/web/report.js']) {
    assert.ok(existsSync(join(inside, path)), `${path} is in the install`);
  }
  assert.ok(!existsSync(join(inside, 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds', 'linux-arm64')), 'only this platform\'s prebuilt addons');

  await t.test('doctor says whether the native TensorFlow Lite runtime came with it', () => {
    const r = run('npx', ['--offline', 'headstart', 'doctor', '--json'], app, offline);
    assert.equal(r.status, 0, r.stderr);
    const doctor = JSON.parse(r.stdout) as { tfliteRuntime: { ok: boolean; detail: string }; device?: { platform: string; nativeTflite: { included: boolean } } };
    assert.equal(doctor.device?.platform, 'linux-x64', 'doctor knows it runs from a device install');
    assert.equal(doctor.tfliteRuntime.ok, report.tarballs[0]!.nativeTflite.included, doctor.tfliteRuntime.detail);
  });

  await t.test('headstart demo runs from the install', () => {
    const r = run('npx', ['--offline', 'headstart', 'demo', '--json', '--speed', '20'], app, offline);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { runtime: { kind: string }; live: { score: { accuracy: number; scored: number } } };
    assert.ok(summary.live.score.scored > 0, 'windows were scored');
    assert.ok(summary.live.score.accuracy > ACCURACY_BAR, `live accuracy ${summary.live.score.accuracy}`);
    assert.equal(summary.runtime.kind, report.tarballs[0]!.nativeTflite.included ? 'native' : 'ts');
  });

  await t.test('an application imports the library API and runs against virtual boards', () => {
    for (const f of ['app.mjs', 'protocol.json']) copyFileSync(join(ROOT, 'examples', 'fist-toggle', f), join(app, f));
    const r = run(process.execPath, ['app.mjs', '--speed', '20'], app, offline);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    const calibrated = lines.find((l) => l.event === 'calibrated');
    assert.ok(calibrated, 'the calibration finished');
    assert.ok(['lda', 'softmax', 'ncm'].includes(calibrated.head as string));
    assert.ok(lines.some((l) => l.event === 'light'), 'a fist toggled the light');
    assert.ok(lines.some((l) => l.event === 'hello'), 'an open hand said hello');
    const done = lines.at(-1)!;
    assert.equal(done.event, 'done');
    assert.ok((done.windows as number) > 0);
  });

  await t.test('an install without the native runtime (an arm64 tarball packed without the cross compiler) says so and runs the interpreter', () => {
    // The same install as such a tarball leaves it: no addon, and the reason recorded at pack time.
    rmSync(join(inside, 'node_modules', 'tfjs-tflite-node'), { recursive: true });
    const manifestPath = join(inside, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { headstartDevice: { nativeTflite: unknown } };
    manifest.headstartDevice.nativeTflite = { included: false, reason: 'the cross compiler aarch64-linux-gnu-g++ is not installed' };
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const doctor = run('npx', ['--offline', 'headstart', 'doctor'], app, offline);
    assert.equal(doctor.status, 0, doctor.stderr);
    assert.match(doctor.stdout, /TFLite runtime: unavailable \(this device install for linux-x64 was packed without it \(the cross compiler .* is not installed\); devices will use the TypeScript interpreter\)/);
    const model = join(inside, 'models', 'myo8-200hz', 'extractor.tflite');
    const infer = run('npx', ['--offline', 'headstart', 'infer', model, '--random', '--json'], app, offline);
    assert.equal(infer.status, 0, infer.stderr);
    assert.equal((JSON.parse(infer.stdout) as { runtime: string }).runtime, 'ts', 'auto falls back to the TypeScript interpreter');
  });

  await t.test("the API's type declarations resolve through the package's exports", () => {
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { calibrate, createRecognizer, loadModelPackage, openBoard, type GestureEvent, type ModelPackage } from 'headstart';",
        'const model: ModelPackage = loadModelPackage();',
        "const board = openBoard({ sim: { replay: 'x', speed: 2 } });",
        "export async function go(): Promise<string[]> { const r = await calibrate({ model, board, protocol: 'p.json', user: 'u' }); const live = createRecognizer({ model, profile: r.profile }).listen(board); live.on('gesture', (e: GestureEvent) => void e.gesture); return r.profile.gestures; }",
        // A wrong call must fail the check, or the check proves nothing.
        "// @ts-expect-error: openBoard needs a port or a sim",
        'openBoard({});',
        '',
      ].join('\n'),
    );
    const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'check.ts'], app);
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });
});
