// The two builds of headstart's code share one esbuild set-up: the CLI and
// the library API as entry points, code splitting, ESM for Node 20.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const ENTRY_POINTS = { cli: 'src/cli/main.ts', index: 'src/api/index.ts' };

/**
 * CommonJS code bundled into ES modules still asks for `require`,
 * `__filename` and `__dirname` (TensorFlow.js's wasm loader finds its .wasm
 * files beside `__dirname`); each output file defines them for itself.
 */
const COMMONJS_SHIMS = [
  "import { createRequire as __hsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __hsFileURLToPath } from 'node:url';",
  "import { dirname as __hsDirname } from 'node:path';",
  'const require = __hsCreateRequire(import.meta.url);',
  'const __filename = __hsFileURLToPath(import.meta.url);',
  'const __dirname = __hsDirname(__filename);',
].join('\n');

/**
 * `packages: 'external'` leaves every dependency to node_modules (the
 * development build); `external: [...]` bundles all but those (the device
 * build). Returns esbuild's metafile.
 */
export async function bundle({ outdir, packages, external, minify = false, sourcemap = true }) {
  const result = await build({
    entryPoints: ENTRY_POINTS,
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    ...(packages ? { packages } : {}),
    ...(external ? { external, banner: { js: COMMONJS_SHIMS } } : {}),
    minify,
    sourcemap,
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Type declarations of the API (and of what it reaches) with tsc. The
 * sources import each other as `./x.ts`; the declarations name `./x.js`,
 * which any TypeScript set-up resolves to `./x.d.ts`.
 */
export function writeDeclarations(outDir) {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json', '--outDir', outDir], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc could not write the type declarations (exit ${tsc.status})`);
  for (const file of filesUnder(outDir)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(/((?:from\s+|import\()['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}
