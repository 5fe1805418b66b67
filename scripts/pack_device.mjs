// `npm run pack:device`: one npm-installable tarball per device platform,
// dist/headstart-device-<version>-<platform>.tgz, with everything calibrate,
// run and the demo need, so that `npm install ./that.tgz --offline` works on
// a machine with Node >= 20 and no network:
//
// - headstart's code and its pure-JavaScript dependencies (TensorFlow.js for
//   the head trainers among them, with the wasm backend's .wasm files)
//   bundled by esbuild and minified; the library API and its declarations;
//   the browser code of the dashboard and of the calibration report;
// - as bundled dependencies (node_modules inside the tarball), only what
//   holds native code: serialport with @serialport/bindings-cpp's prebuilt
//   addon for the platform, and the official TensorFlow Lite runtime
//   (tfjs-tflite-node's addon and the TensorFlow Lite C library); no install
//   script and no binding.gyp is left in them, so nothing is compiled or
//   downloaded at install time;
// - the shipped model packages (models/), calibration protocols
//   (calibration/), the demo's recording with its licence note (data/demo),
//   the example application and the systemd unit (deploy/).
//
// The linux-arm64 addon of tfjs-tflite-node is compiled here with Debian's
// cross compiler (g++-aarch64-linux-gnu) against the arm64 TensorFlow Lite
// C library the package ships; without that compiler the arm64 tarball has
// no native runtime (the TypeScript interpreter runs, and `headstart doctor`
// says why). Usage:
//
//   node scripts/pack_device.mjs [--platform linux-x64,linux-arm64] [--out dist]
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle, writeDeclarations } from './lib/bundle.mjs';
import { buildWebBundles } from './web_build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLATFORMS = {
  'linux-x64': { cpu: 'x64', tfliteLib: 'linux_amd64', serialPrebuilds: 'linux-x64' },
  'linux-arm64': { cpu: 'arm64', tfliteLib: 'linux_arm64', serialPrebuilds: 'linux-arm64' },
};
/** What stays outside the bundle: packages with native code, and one that is optional (absent from device installs). */
const EXTERNAL = ['serialport', '@serialport/*', 'tfjs-tflite-node', '@tensorflow/tfjs-node'];
/** Bundled dependencies: the native parts. */
const VENDORED = ['serialport', 'tfjs-tflite-node'];
const TFLITE_ADDON = join('build', 'Release', 'node_tflite_binding.node');
const CROSS = { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar' };

const { values: args } = parseArgs({ options: { platform: { type: 'string', default: Object.keys(PLATFORMS).join(',') }, out: { type: 'string', default: 'dist' } } });
const platforms = args.platform.split(',').map((p) => p.trim());
for (const p of platforms) if (!PLATFORMS[p]) throw new Error(`unknown platform '${p}': choose among ${Object.keys(PLATFORMS).join(', ')}`);
const outDir = resolve(args.out);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const log = (line) => process.stderr.write(line + '\n');

function run(command, argv, options = {}) {
  const r = spawnSync(command, argv, { encoding: 'utf8', ...options });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

// --- The code, once for every platform ------------------------------------

const work = mkdtempSync(join(tmpdir(), 'headstart-pack-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.chdir(ROOT);
const code = join(work, 'dist');
// Minified and without source maps (which would triple the tarball): a device runs it, nobody reads it there.
const meta = await bundle({ outdir: code, external: EXTERNAL, minify: true, sourcemap: false });
// The wasm backend reads its .wasm files from beside the code that loads them.
const wasmDir = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const wasmFiles = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));
const wasmUsers = Object.entries(meta.outputs)
  .filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('tfjs-backend-wasm')))
  .map(([file]) => dirname(resolve(ROOT, file)));
if (wasmUsers.length === 0) throw new Error('no output of the bundle holds the wasm backend; the device build would train on the slow cpu backend');
for (const dir of new Set(wasmUsers)) for (const f of wasmFiles) copyFileSync(join(wasmDir, f), join(dir, f));
// The dashboard page and the calibration report's charts, served and inlined by the device.
await buildWebBundles(join(code, 'web'));
writeDeclarations(join(code, 'types'));

// --- Native parts ----------------------------------------------------------

/** The package folder Node would find for `name` required from `fromDir`. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dir === ROOT || dir === dirname(dir)) return undefined;
  }
}

/** Package folders (relative to the root) that `names` need at run time, each once, where Node finds them. */
function dependencyClosure(names) {
  const found = new Set();
  const queue = names.map((name) => [name, ROOT]);
  while (queue.length > 0) {
    const [name, from] = queue.shift();
    const dir = resolvePackage(name, from);
    if (!dir) throw new Error(`${name} (needed from ${relative(ROOT, from) || 'the root'}) is not installed; run npm install`);
    const rel = relative(ROOT, dir);
    if (found.has(rel)) continue;
    found.add(rel);
    if (name === 'tfjs-tflite-node') continue; // only its addon is shipped (see below)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push([dep, dir]);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) if (resolvePackage(dep, dir)) queue.push([dep, dir]);
  }
  return [...found].sort();
}

/** A vendored package as it is shipped: no scripts (nothing runs at install), no build files, only this platform's prebuilt addons. */
function vendorPackage(from, to, platform) {
  cpSync(from, to, { recursive: true, filter: (src) => relative(from, src).split('/')[0] !== 'node_modules' });
  const manifest = JSON.parse(readFileSync(join(to, 'package.json'), 'utf8'));
  delete manifest.scripts;
  delete manifest.devDependencies;
  if (existsSync(join(to, 'binding.gyp'))) {
    // npm runs `node-gyp rebuild` at install for any package with a binding.gyp and no install script.
    rmSync(join(to, 'binding.gyp'));
    rmSync(join(to, 'src'), { recursive: true, force: true });
    manifest.gypfile = false;
  }
  const prebuilds = join(to, 'prebuilds');
  if (existsSync(prebuilds)) {
    for (const p of readdirSync(prebuilds)) if (p !== PLATFORMS[platform].serialPrebuilds) rmSync(join(prebuilds, p), { recursive: true });
  }
  writeFileSync(join(to, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * tfjs-tflite-node's addon for `platform` and the TensorFlow Lite C library
 * it links (found through its RUNPATH, $ORIGIN/../../cc_deps/<lib>), or why
 * there is none.
 */
function tfliteAddon(platform) {
  const source = join(ROOT, 'node_modules', 'tfjs-tflite-node');
  if (process.platform === 'linux' && PLATFORMS[platform].cpu === process.arch) {
    const built = join(source, TFLITE_ADDON);
    return existsSync(built) ? { addon: built } : { reason: `${relative(ROOT, built)} was not built by npm install (node-gyp and a C++ compiler are needed)` };
  }
  if (platform !== 'linux-arm64') return { reason: `no way to build tfjs-tflite-node for ${platform} on ${process.platform}-${process.arch}` };
  if (!run(CROSS.CXX, ['--version']).ok) return { reason: `the cross compiler ${CROSS.CXX} is not installed (apt-get install g++-aarch64-linux-gnu)` };
  const nodeGyp = [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((p) => existsSync(p));
  if (!nodeGyp) return { reason: 'node-gyp (shipped with npm) was not found' };
  const headers = resolve(dirname(process.execPath), '..');
  if (!existsSync(join(headers, 'include', 'node', 'node_api.h'))) return { reason: `Node's headers are not in ${join(headers, 'include', 'node')}` };
  // A copy of the package, with its architecture fixed: binding.gyp asks the running node for it.
  const copy = join(work, 'tflite-arm64', 'tfjs-tflite-node');
  cpSync(source, copy, { recursive: true, filter: (src) => !relative(source, src).startsWith('build') });
  const gyp = readFileSync(join(copy, 'binding.gyp'), 'utf8');
  const fixed = gyp.replace(/'ARCH':\s*'<!\(node -e "console\.log\(process\.arch\)"\)'/, "'ARCH': 'arm64'");
  if (fixed === gyp) return { reason: "tfjs-tflite-node's binding.gyp no longer computes ARCH as expected; its arm64 build needs a look" };
  writeFileSync(join(copy, 'binding.gyp'), fixed);
  const built = run(process.execPath, [nodeGyp, 'rebuild', '--arch=arm64', `--nodedir=${headers}`], { cwd: copy, env: { ...process.env, ...CROSS } });
  if (!built.ok) return { reason: `the arm64 build of tfjs-tflite-node failed: ${built.out.trim().split('\n').slice(-3).join(' / ')}` };
  return { addon: join(copy, TFLITE_ADDON), crossBuilt: `node-gyp with ${CROSS.CXX}` };
}

function vendorTflite(stageModules, platform, addon) {
  const source = join(ROOT, 'node_modules', 'tfjs-tflite-node');
  const to = join(stageModules, 'tfjs-tflite-node');
  const lib = PLATFORMS[platform].tfliteLib;
  mkdirSync(join(to, dirname(TFLITE_ADDON)), { recursive: true });
  copyFileSync(addon, join(to, TFLITE_ADDON));
  cpSync(join(source, 'cc_deps', lib), join(to, 'cc_deps', lib), { recursive: true });
  copyFileSync(join(source, 'README.md'), join(to, 'README.md'));
  const original = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  const manifest = {
    name: original.name,
    version: original.version,
    description: `${original.description}: the native addon and the TensorFlow Lite C library for ${platform} only (headstart loads ${TFLITE_ADDON})`,
    license: original.license,
    repository: original.repository,
  };
  writeFileSync(join(to, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

// --- One tarball per platform ------------------------------------------------

function sizeOf(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0) : s.size;
}

mkdirSync(outDir, { recursive: true });
const closure = dependencyClosure(VENDORED);
const made = [];
for (const platform of platforms) {
  const stage = join(work, platform, 'package');
  mkdirSync(stage, { recursive: true });
  cpSync(code, join(stage, 'dist'), { recursive: true });
  for (const entry of ['bin', 'models', 'calibration', join('data', 'demo'), 'examples', 'deploy', 'README.md']) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  const tflite = tfliteAddon(platform);
  for (const rel of closure) {
    if (rel.endsWith('tfjs-tflite-node')) continue;
    vendorPackage(join(ROOT, rel), join(stage, rel), platform);
  }
  if (tflite.addon) vendorTflite(join(stage, 'node_modules'), platform, tflite.addon);
  const vendored = VENDORED.filter((name) => existsSync(join(stage, 'node_modules', name)));
  const versionOf = (name) => JSON.parse(readFileSync(join(stage, 'node_modules', name, 'package.json'), 'utf8')).version;
  const device = {
    platform,
    nativeTflite: tflite.addon ? { included: true, ...(tflite.crossBuilt ? { builtWith: tflite.crossBuilt } : {}) } : { included: false, reason: tflite.reason },
    packedAt: new Date().toISOString(),
  };
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: `${pkg.description} Device build for ${platform}: everything inside, installs offline.`,
    license: pkg.license,
    type: 'module',
    bin: pkg.bin,
    exports: pkg.exports,
    types: pkg.types,
    engines: pkg.engines,
    os: ['linux'],
    cpu: [PLATFORMS[platform].cpu],
    dependencies: Object.fromEntries(vendored.map((name) => [name, versionOf(name)])),
    bundleDependencies: vendored,
    headstartDevice: device,
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const packed = run('npm', ['pack', '--json', '--pack-destination', join(work, platform)], { cwd: stage, env: { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (!packed.ok) throw new Error(`npm pack failed for ${platform}: ${packed.out}`);
  const file = JSON.parse(packed.out.slice(packed.out.indexOf('[')))[0].filename;
  const target = join(outDir, `headstart-device-${pkg.version}-${platform}.tgz`);
  renameSync(join(work, platform, file), target);
  const bytes = statSync(target).size;
  made.push({ platform, file: relative(ROOT, target), bytes, unpackedBytes: sizeOf(stage), nativeTflite: device.nativeTflite });
  log(`${relative(ROOT, target)}: ${(bytes / 1e6).toFixed(1)} MB (${(sizeOf(stage) / 1e6).toFixed(1)} MB unpacked); native TFLite runtime ${tflite.addon ? 'included' : `not included: ${tflite.reason}`}`);
}
process.stdout.write(JSON.stringify({ tarballs: made }) + '\n');
