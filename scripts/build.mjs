// Bundles the CLI into dist/cli.js, and the browser code into dist/web
// (see web_build.mjs). Dependencies stay external: several carry
// native code or wasm files that must load from node_modules. Code splitting
// puts what the verbs load with import() (TensorFlow.js and the trainers) in
// chunks of their own, so `run`, `ports`, `inspect`, ... start without them.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildWebBundles } from './web_build.mjs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
// The dashboard page and the calibration report's charts (browser code).
await buildWebBundles('dist/web');
