// src/ is layered by dependency (README, Layout): every import of every
// source file is checked against the rule in helpers/layering.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { checkLayering, importSpecifiers, LAYERS } from './helpers/layering.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(e.name) ? [path] : [];
  });
}

describe('layering', () => {
  test('every import in src/ follows the layer rule', () => {
    const files = new Map(sources('src').map((p) => [relative('src', p).split(sep).join('/'), readFileSync(p, 'utf8')]));
    assert.ok(files.size > 100, `the walk sees the sources (${files.size})`);
    assert.deepEqual(new Set([...files.keys()].map((f) => f.split('/')[0])), new Set(Object.keys(LAYERS)), 'each layer has sources and every folder is a layer');
    const violations = checkLayering(files).map((v) => `src/${v.file}: '${v.spec}': ${v.why}`);
    assert.deepEqual(violations, []);
  });

  test('the checker catches wrong imports of every kind', () => {
    const files = new Map([
      ['core/a.ts', "import { x } from '../device/x.ts';\nimport { readFileSync } from 'node:fs';"],
      ['core/b.ts', "import type { T } from '../io/t.ts';"],
      ['io/c.ts', "export { y } from '../tfjs/y.ts';\nimport * as tf from '@tensorflow/tfjs';"],
      ['device/d.ts', "const m = await import('../host/pretrain.ts');"],
      ['host/e.ts', "import '../sim/board.ts';"],
      ['tools/f.ts', ''],
      ['web/g.ts', "import { readFileSync } from 'node:fs';\nimport type { S } from '../device/web/server.ts';"],
      ['device/h.ts', "import '../web/dashboard/main.ts';"],
    ]);
    const found = checkLayering(files).map((v) => `${v.file} ${v.spec}`);
    assert.deepEqual(found.sort(), [
      'core/a.ts ../device/x.ts',
      'core/a.ts node:fs',
      'core/b.ts ../io/t.ts',
      'device/d.ts ../host/pretrain.ts',
      'device/h.ts ../web/dashboard/main.ts',
      'host/e.ts ../sim/board.ts',
      'io/c.ts ../tfjs/y.ts',
      'io/c.ts @tensorflow/tfjs',
      'tools/f.ts ',
      'web/g.ts ../device/web/server.ts',
      'web/g.ts node:fs',
    ]);
  });

  test('the checker lets allowed imports through', () => {
    const files = new Map([
      ['core/protocol/p.ts', "import { Transform } from 'node:stream';\nimport { crc } from '../crc32.ts';"],
      ['io/q.ts', "import { readFileSync } from 'node:fs';\nimport { HeadstartError } from '../core/errors.ts';"],
      ['device/r.ts', "const { selectBackend } = await import('../tfjs/backend.ts');\nimport type { M } from '../io/q.ts';"],
      ['cli/s.ts', "import '../sim/demo/run_demo.ts';\nimport { Command } from 'commander';"],
      ['web/t.ts', "import uPlot from 'uplot';\nimport 'uplot/dist/uPlot.min.css';\nimport type { UpdateMessage } from '../core/dashboard_messages.ts';\nimport './style.css';"],
    ]);
    assert.deepEqual(checkLayering(files), []);
  });

  test('imports are found in every syntax TypeScript has', () => {
    const text = [
      "import a from './a.ts';",
      "import type { B } from './b.ts';",
      "export * from './c.ts';",
      "const d = await import('./d.ts');",
      "import './e.ts';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(text), ['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts']);
  });
});
