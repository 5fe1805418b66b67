import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resultLine, RESULT_KEY } from '../../bench/lib/result_line.ts';
import { listBenchmarks, PLANS } from '../../bench/run.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

test('a result line carries the figures, the commit with its dirty flag, and the machine', (t) => {
  const line = resultLine('example', { windowsPerSecond: 123.5 });
  const text = JSON.stringify(line);
  assert.ok(text.startsWith(`{"${RESULT_KEY}":"example"`), 'the runner finds it by its first key');
  assert.deepEqual(line.figures, { windowsPerSecond: 123.5 });
  assert.equal(line.machine.cores, cpus().length);
  assert.equal(line.machine.node, process.version);
  assert.equal(line.machine.platform, `${process.platform}-${process.arch}`);
  assert.ok(line.machine.cpu.length > 0);
  const head = gitHead();
  if (head === undefined) return t.skip('not a git checkout (git missing or no .git): the commit is null');
  assert.equal(line.commit, head);
  assert.equal(typeof line.dirty, 'boolean');
});

test('the runner knows every benchmark under bench/, and each of them prints its result line', () => {
  const names = listBenchmarks();
  assert.ok(names.length >= 11, names.join(', '));
  assert.ok(!names.includes('run'));
  for (const name of Object.keys(PLANS)) assert.ok(names.includes(name), `a plan for ${name}, which is not a benchmark any more`);
  for (const name of names) {
    const source = readFileSync(new URL(`../../bench/${name}.ts`, import.meta.url), 'utf8');
    assert.match(source, new RegExp(`printResultLine\\('${name}',`), `bench/${name}.ts prints its result line under its own name`);
  }
});
