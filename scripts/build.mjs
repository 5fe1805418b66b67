// Bundles the CLI into dist/cli.js and the library API (what `import ...
// from 'headstart'` loads) into dist/index.js, with type declarations under
// dist/types, and the browser code into dist/web (see web_build.mjs).
// Dependencies stay external: several carry native code or wasm files that
// must load from node_modules (the device tarball bundles them instead:
// scripts/pack_device.mjs). Code splitting puts what the verbs load with
// import() (TensorFlow.js and the trainers) in chunks of their own, so
// `run`, `ports`, `inspect`, ... start without them.
import { rmSync } from 'node:fs';
import { bundle, writeDeclarations } from './lib/bundle.mjs';
import { buildWebBundles } from './web_build.mjs';

rmSync('dist', { recursive: true, force: true });
await bundle({ outdir: 'dist', packages: 'external' });
// The dashboard page and the calibration report's charts (browser code).
await buildWebBundles('dist/web');
writeDeclarations('dist/types');
