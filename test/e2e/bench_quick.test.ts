/**
 * Every benchmark still runs: `npm run bench -- --quick` (short arguments,
 * the longest ones left out by name) must end with each benchmark ok or
 * skipped for a stated reason, and each ok one must print its result line.
 * The figures are not checked (tests never judge speed); a benchmark that
 * throws, as one did when the wearer's head started reading the windows,
 * fails here instead of on the next person who measures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('every benchmark runs in its quick form and prints its result line', { timeout: 900_000 }, (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 880_000 });
  const table = r.stderr.slice(r.stderr.lastIndexOf('| benchmark | status | seconds |'));
  t.diagnostic(table);
  assert.equal(r.status, 0, `a benchmark failed or printed no result line:\n${table}\n${r.stderr.slice(-4000)}`);
  const rows = table.split('\n').filter((l) => /^\| \w+ \| /.test(l) && !l.startsWith('| benchmark'));
  assert.ok(rows.length >= 10, `the summary table lists the benchmarks:\n${table}`);
  for (const row of rows) assert.match(row, /^\| \w+ \| (ok|skipped \(.+\)) \|/, row);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{"bench":'));
  assert.equal(lines.length, rows.filter((row) => / \| ok \| /.test(row)).length, 'one result line per benchmark that ran');
});
