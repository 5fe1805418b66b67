import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

test('doctor --json names a working backend', () => {
  const r = runCli(['doctor', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.backend.name));
});

test('an unknown verb fails with help, not a stack trace', () => {
  const r = runCli(['frobnicate']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});
