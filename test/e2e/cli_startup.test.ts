// The verbs that do not train (run, ports, inspect, decode, sim, profile,
// infer, dataset) must start without TensorFlow.js: on a Raspberry Pi it
// costs about a second and some 60 MB before the first frame is read. The
// bundle keeps it behind import(); this follows every static import of
// dist/cli.js and checks that none reaches @tensorflow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

/** Module specifiers of the static `import ... from "x"` / `import "x"` statements of an ES module's text. */
function staticImports(code: string): string[] {
  return [...code.matchAll(/^(?:import|export)\s(?:[^'"]*?\sfrom\s)?["']([^"']+)["'];?$/gms)].map((m) => m[1]);
}

/** The packages a bundle entry reaches through static imports, following its chunks. */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return packages;
}

test('the CLI bundle loads TensorFlow.js only through import(), from the verbs that train', () => {
  const packages = staticPackages('dist/cli.js');
  assert.ok(packages.has('commander') && packages.has('serialport'), `the scan sees the static imports: ${[...packages].join(', ')}`);
  assert.deepEqual([...packages].filter((p) => p.startsWith('@tensorflow')), [], 'no TensorFlow.js package among the static imports');
  // And it is there for the verbs that need it, behind a dynamic import.
  assert.match(readFileSync('dist/cli.js', 'utf8'), /import\("\.\/chunks\/backend-[\w-]+\.js"\)/);
});

test("the library API ('headstart') loads TensorFlow.js only when calibrate runs", () => {
  const packages = staticPackages('dist/index.js');
  assert.ok(packages.has('serialport'), `the scan sees the static imports: ${[...packages].join(', ')}`);
  assert.deepEqual([...packages].filter((p) => p.startsWith('@tensorflow')), [], 'no TensorFlow.js package among the static imports');
});

test('a verb that trains still finds TensorFlow.js: doctor reports the backend', () => {
  const r = runCli(['doctor', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).backend.name, /^(tensorflow|wasm|cpu)$/);
});
