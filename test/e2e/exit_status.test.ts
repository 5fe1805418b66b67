// Exit statuses by class through the built bin. The check (1), internal (70)
// and interrupted (130) classes are exercised in test/cli/report_error.test.ts
// (no verb fails a check or has a bug on demand), and 130 by demo.test.ts
// (Ctrl-C during the demo's calibration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { runCli } from '../helpers/cli.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const PERSON_SESSION = new URL('../fixtures/myo/EvaluationDataset/Female1/Test0', import.meta.url).pathname;
const EVALUATION = new URL('../fixtures/myo/EvaluationDataset', import.meta.url).pathname;

/** stderr under --json: exactly one JSON object, whose `error` is returned. */
function jsonError(stderr: string): Record<string, unknown> {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr: ${stderr}`);
  return JSON.parse(lines[0]!).error;
}

test('usage: the one-line error and where the help is, not the whole help (exit 2)', (t) => {
  const r = runCli(['run', '--port', join(scratchDir(t), 'missing')]);
  assert.equal(r.status, EXIT_STATUS.usage);
  assert.equal(r.stderr, "headstart: required option '--profile <user>' not specified [MISSING_OPTION]\nsee headstart run --help\n");
  const votes = runCli(['run', '--port', '/dev/null', '--profile', 'alice', '--votes', '1e10', '--json']);
  assert.equal(votes.status, EXIT_STATUS.usage);
  assert.equal(votes.stdout, '');
  assert.deepEqual(jsonError(votes.stderr), {
    option: '--votes',
    got: '1e10',
    code: 'BAD_OPTION',
    class: 'usage',
    message: '--votes must be a whole number from 1 to 1000, got "1e10"',
    help: 'headstart run --help',
  });
  const unknown = runCli(['dataset', EVALUATION, '--frobnicate', '--json']);
  assert.equal(unknown.status, EXIT_STATUS.usage);
  assert.equal(jsonError(unknown.stderr)['code'], 'UNKNOWN_OPTION');
  const noVerb = runCli([]);
  assert.equal(noVerb.status, EXIT_STATUS.usage);
  assert.match(noVerb.stderr, /^Usage: headstart/, 'without a verb, the help is the message');
  assert.equal(runCli(['--version']).status, 0);
  assert.equal(runCli(['run', '--help']).status, 0);
});

test('input: a missing data set (exit 3), as text and as one JSON object', (t) => {
  const missing = join(scratchDir(t), 'nope');
  const r = runCli(['dataset', missing]);
  assert.equal(r.status, EXIT_STATUS.input);
  assert.equal(r.stderr, `headstart: ${missing}: no such folder [FILE_NOT_FOUND]\n`);
  const j = runCli(['dataset', missing, '--json']);
  assert.equal(j.status, EXIT_STATUS.input);
  assert.deepEqual(jsonError(j.stderr), { file: missing, code: 'FILE_NOT_FOUND', class: 'input', message: `${missing}: no such folder` });
});

test('device: a virtual board whose pseudo-terminal cannot be made (exit 4)', (t) => {
  // With socat the pty link cannot be created in a missing folder; without it, socat is the missing dependency: the board side either way.
  const r = runCli(['sim', '--pty', join(scratchDir(t), 'no-such-folder', 'board'), '--replay', PERSON_SESSION, '--json']);
  assert.equal(r.status, EXIT_STATUS.device, r.stderr);
  assert.match(String(jsonError(r.stderr)['code']), /^(PORT_OPEN_FAILED|MISSING_DEPENDENCY)$/);
});

test('device: calibrate with a port that is not there fails before anything loads (exit 4)', (t) => {
  const port = join(scratchDir(t), 'ttyACM9');
  const r = runCli(['calibrate', '--port', port, '--profile', 'alice', '--protocol', 'calibration/quick5.json', '--auto', '--json']);
  assert.equal(r.status, EXIT_STATUS.device, r.stderr);
  assert.deepEqual(jsonError(r.stderr), { port, code: 'PORT_NOT_FOUND', class: 'device', message: `${port}: no such serial port; \`headstart ports\` lists the ports present` });
});

test('evaluate: --extractor still works, says it is deprecated, and must not contradict --runtime', (t) => {
  const missing = join(scratchDir(t), 'no-package');
  const old = runCli(['evaluate', '--package', missing, '--data', EVALUATION, '--extractor', 'native']);
  assert.equal(old.status, EXIT_STATUS.input, 'the alias is taken: the run goes on to the package');
  assert.match(old.stderr, /^note: --extractor is deprecated; use --runtime native\n/);
  const both = runCli(['evaluate', '--package', missing, '--data', EVALUATION, '--extractor', 'native', '--runtime', 'ts']);
  assert.equal(both.status, EXIT_STATUS.usage);
  assert.match(both.stderr, /--extractor native and --runtime ts disagree; give --runtime only \[BAD_OPTION\]/);
  const bad = runCli(['evaluate', '--package', missing, '--data', EVALUATION, '--runtime', 'gpu']);
  assert.equal(bad.status, EXIT_STATUS.usage);
  assert.match(bad.stderr, /Allowed choices are float, auto, native, ts\. \[BAD_OPTION\]/);
});
