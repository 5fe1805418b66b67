import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tfliteToCArray } from '../../src/core/tflite/c_array.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { loadTfliteFixtures, MISSING_FIXTURES } from '../helpers/tflite_fixtures.ts';

const hasGxx = spawnSync('g++', ['--version']).status === 0;

const MAIN = `#include <cstdint>
#include <cstdio>
#include "model_data.h"
int main() {
  if (reinterpret_cast<std::uintptr_t>(g_model) % 16 != 0) return 2;
  std::fwrite(g_model, 1, g_model_len, stdout);
  return 0;
}
`;

test('the C array compiles with g++ and holds exactly the bytes of the .tflite, 16-byte aligned', (t) => {
  if (!hasGxx) return t.skip('g++ not installed');
  const fixtures = loadTfliteFixtures();
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const dir = mkdtempSync(join(tmpdir(), 'headstart-carray-'));
  try {
    for (const f of fixtures.filter((x) => ['micro_speech_quantized.tflite', 'simple_add_model.tflite'].includes(x.name))) {
      const { header, source } = tfliteToCArray(f.bytes, 'g_model', 'model_data.h');
      writeFileSync(join(dir, 'model_data.h'), header);
      writeFileSync(join(dir, 'model_data.cc'), source);
      writeFileSync(join(dir, 'main.cc'), MAIN);
      const exe = join(dir, 'dump');
      const cc = spawnSync('g++', ['-std=c++11', '-Wall', '-Werror', '-o', exe, join(dir, 'main.cc'), join(dir, 'model_data.cc')], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const run = spawnSync(exe, [], { maxBuffer: 1 << 24 });
      assert.equal(run.status, 0, `${f.name}: array not 16-byte aligned (exit 2) or run failed`);
      assert.equal(run.stdout.length, f.bytes.length, f.name);
      assert.ok(Buffer.from(f.bytes).equals(run.stdout), `${f.name}: bytes differ`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the symbol name must be a C identifier', () => {
  assert.throws(() => tfliteToCArray(new Uint8Array(4), '1model'), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => tfliteToCArray(new Uint8Array(4), 'my-model'), (e) => isHeadstartError(e, 'INTERNAL'));
  const { header, source } = tfliteToCArray(new Uint8Array([1, 2, 255]), 'm');
  assert.match(header, /extern const unsigned char m\[\];/);
  assert.match(source, /alignas\(16\) const unsigned char m\[\] = \{\n  0x01, 0x02, 0xff,\n\};\nconst unsigned int m_len = 3;/);
});
