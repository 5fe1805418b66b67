import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { ERROR_CODES, type ErrorClass } from '../../src/core/error_codes.ts';
import { HeadstartError, type ErrorCode } from '../../src/core/errors.ts';
import { hintFlags } from '../../src/cli/hints.ts';
import { buildProgram, runProgram } from '../../src/cli/main.ts';
import { asHeadstartError, EXIT_STATUS, reportError } from '../../src/cli/report_error.ts';

function report(err: unknown, options: { json?: boolean; command?: Command; debug?: boolean } = {}): { status: number; out: string } {
  let out = '';
  const status = reportError(err, { json: options.json ?? false, write: (s) => (out += s), ...(options.command ? { command: options.command } : {}), ...(options.debug ? { debug: true } : {}) });
  return { status, out };
}

const codeOfClass = (c: ErrorClass) => Object.entries(ERROR_CODES).find(([, e]) => e.class === c)![0] as ErrorCode;

test('each class of error exits with its own status', () => {
  const statuses = new Set<number>();
  for (const c of Object.keys(EXIT_STATUS) as ErrorClass[]) {
    const { status, out } = report(new HeadstartError(codeOfClass(c), 'what went wrong'));
    assert.equal(status, EXIT_STATUS[c], c);
    assert.match(out, new RegExp(`^headstart: what went wrong \\[${codeOfClass(c)}\\]\\n`));
    statuses.add(status);
  }
  assert.equal(statuses.size, Object.keys(EXIT_STATUS).length, 'no two classes share a status');
  assert.ok(!statuses.has(0));
});

test('a usage error is one line and a pointer to the verb\'s help; other errors have no pointer', () => {
  const program = buildProgram();
  const run = program.commands.find((c) => c.name() === 'run')!;
  const usage = report(new HeadstartError('BAD_OPTION', '--votes must be a whole number'), { command: run });
  assert.equal(usage.out, 'headstart: --votes must be a whole number [BAD_OPTION]\nsee headstart run --help\n');
  const show = program.commands.find((c) => c.name() === 'profile')!.commands.find((c) => c.name() === 'show')!;
  assert.match(report(new HeadstartError('MISSING_OPTION', 'x'), { command: show }).out, /\nsee headstart profile show --help\n$/);
  assert.doesNotMatch(report(new HeadstartError('FILE_NOT_FOUND', 'x'), { command: run }).out, /see headstart/);
});

test('under --json an error is one JSON object: code, class, message and the details', () => {
  const { status, out } = report(new HeadstartError('CSV_BAD_VALUE', 'a.csv:2: column 1 is "x"', { file: 'a.csv', line: 2, samples: Int16Array.of(1, 2) }), { json: true });
  assert.equal(status, EXIT_STATUS.input);
  assert.equal(out.split('\n').length, 2, 'one line');
  const { error } = JSON.parse(out);
  assert.deepEqual(error, { file: 'a.csv', line: 2, samples: [1, 2], code: 'CSV_BAD_VALUE', class: 'input', message: 'a.csv:2: column 1 is "x"' });
  // Details cannot overwrite what the error is.
  const spoof = JSON.parse(report(new HeadstartError('PORT_BUSY', 'busy', { code: 'X', class: 'y', message: 'z' }), { json: true }).out).error;
  assert.deepEqual([spoof.code, spoof.class, spoof.message], ['PORT_BUSY', 'device', 'busy']);
  const usage = JSON.parse(report(new HeadstartError('BAD_OPTION', 'bad'), { json: true, command: buildProgram().commands.find((c) => c.name() === 'decode')! }).out).error;
  assert.equal(usage.help, 'headstart decode --help');
});

test('hints name a flag only in verbs that have it', () => {
  const program = buildProgram();
  const verb = (name: string) => program.commands.find((c) => c.name() === name)!;
  const err = new HeadstartError('UNSUPPORTED_OPERATOR', 'operator #1 is TANH');
  assert.match(report(err, { command: verb('infer') }).out, /\nhint: --runtime native runs the model on the official TensorFlow Lite runtime\n/);
  assert.doesNotMatch(report(err, { command: verb('inspect') }).out, /hint/);
  const noRate = new HeadstartError('MISSING_OPTION', 'CSV files do not record their sample rate; give it', { setting: 'rate' });
  assert.match(report(noRate, { command: verb('dataset') }).out, /\nhint: --rate <hz> gives the sample rate of CSV recordings\n/);
  assert.equal(JSON.parse(report(noRate, { json: true, command: verb('dataset') }).out).error.hint, '--rate <hz> gives the sample rate of CSV recordings');
  // Every flag a hint can name is an option of some verb.
  const all = new Set(program.commands.flatMap((c) => [c, ...c.commands]).flatMap((c) => c.options.map((o) => o.long)));
  for (const flag of hintFlags()) assert.ok(all.has(flag), `${flag} is an option of some verb`);
});

test('commander, system and unexpected errors become codes of the right class', () => {
  assert.equal(asHeadstartError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'")).code, 'UNKNOWN_OPTION');
  assert.equal(asHeadstartError(new CommanderError(1, 'commander.missingMandatoryOptionValue', 'error: required')).code, 'MISSING_OPTION');
  assert.equal(asHeadstartError(new CommanderError(1, 'commander.invalidArgument', 'error: bad')).code, 'BAD_OPTION');
  assert.equal(asHeadstartError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'")).message, "unknown option '--x'");
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'out/x.json'"), { code: 'ENOENT', path: 'out/x.json' });
  assert.deepEqual([asHeadstartError(enoent).code, asHeadstartError(enoent).message], ['FILE_NOT_FOUND', "out/x.json: no such file or directory, open 'out/x.json'"]);
  const bug = report(new TypeError('x is not a function'));
  assert.equal(bug.status, EXIT_STATUS.internal);
  assert.match(bug.out, /^headstart: internal error: x is not a function \[INTERNAL\]\nthis is a bug in headstart; HEADSTART_DEBUG=1 shows where it happened\n$/);
  assert.doesNotMatch(bug.out, /at .*:\d+/, 'no stack trace');
  assert.match(report(new TypeError('x is not a function'), { debug: true }).out, /TypeError: x is not a function\n\s+at /, 'HEADSTART_DEBUG shows the stack');
});

/** A program with one verb whose action throws `err`, run the way the bin runs. */
async function exitOf(err: unknown, args: string[] = []): Promise<{ status: number; stderr: string }> {
  const program = new Command('headstart').exitOverride().configureOutput({ outputError: () => undefined });
  program.command('fail').option('--json').action(() => {
    throw err;
  });
  let stderr = '';
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    return { status: await runProgram(program, ['node', 'headstart', 'fail', ...args], {}), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('runProgram: a failed check exits 1, an interruption 130, a bug 70, each reported once', async () => {
  const check = await exitOf(new HeadstartError('QUANTIZATION_CHECK_FAILED', 'the int8 extractor agrees too little'));
  assert.deepEqual([check.status, check.stderr], [1, 'headstart: the int8 extractor agrees too little [QUANTIZATION_CHECK_FAILED]\n']);
  assert.equal((await exitOf(new HeadstartError('INTERRUPTED', 'the demo was interrupted'))).status, 130);
  const bug = await exitOf(new RangeError('Invalid array length'), ['--json']);
  assert.equal(bug.status, 70);
  assert.deepEqual(Object.keys(JSON.parse(bug.stderr).error).sort(), ['class', 'code', 'message'], 'JSON without the stack');
  const unknown = await exitOf(undefined, ['--nope']);
  assert.equal(unknown.status, EXIT_STATUS.usage);
  assert.equal(unknown.stderr, "headstart: unknown option '--nope' [UNKNOWN_OPTION]\nsee headstart fail --help\n");
});
