#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that goes away (`headstart ... | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('headstart: dist/cli.js is missing; run `npm run build` in the headstart folder.\n');
  process.exit(2);
}
const { main } = await import(bundle.href);
const status = await main(process.argv);
process.exitCode = status;
// A verb that stopped on a signal does not wait for work it abandoned (a head still training).
if (status === 130) process.exit(status);
// Once the verb is done nothing should keep the process alive; if something does (a handle left open), it does not hang it.
setTimeout(() => process.exit(status), 2000).unref();
