#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('headstart: dist/cli.js is missing; run `npm run build` in the headstart folder.\n');
  process.exit(2);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv);
