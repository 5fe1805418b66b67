import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, Option } from 'commander';
import { isHeadstartError } from '../../src/core/errors.ts';
import { RUNTIME_CHOICES } from '../../src/io/runtime/open_runtime.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { describeNumberSpec, EVALUATE_RUNTIMES, MAX_BAUD, parseNumber, parseNumberList } from '../../src/cli/options.ts';

const badOption = (flag: string, got: string) => (e: unknown) =>
  isHeadstartError(e, 'BAD_OPTION') && e.details['option'] === flag && e.details['got'] === got && e.message.startsWith(`${flag} must be `) && e.message.includes(JSON.stringify(got));

test('parseNumber reads plain decimal numbers and refuses the rest, naming the flag and what it got', () => {
  assert.equal(parseNumber('--x', '2.5'), 2.5);
  assert.equal(parseNumber('--x', ' 7 '), 7);
  assert.equal(parseNumber('--x', '-3', { min: -5 }), -3);
  assert.equal(parseNumber('--x', '1e3', { integer: true }), 1000);
  assert.equal(parseNumber('--x', '.5'), 0.5);
  for (const text of ['', '  ', 'abc', '0x10', 'Infinity', '-Infinity', 'NaN', '1e400', '1,5', '5 s', '1e']) {
    assert.throws(() => parseNumber('--x', text), badOption('--x', text), JSON.stringify(text));
  }
});

test('parseNumber checks whole numbers and bounds, and says which it wanted', () => {
  assert.throws(() => parseNumber('--votes', '2.5', { integer: true, min: 1 }), (e) => badOption('--votes', '2.5')(e) && /a whole number of at least 1/.test((e as Error).message));
  assert.throws(() => parseNumber('--votes', '1e10', { integer: true, min: 1, max: 1000 }), (e) => /a whole number from 1 to 1000, got "1e10"/.test((e as Error).message));
  assert.throws(() => parseNumber('--speed', '0', { above: 0, max: 1000 }), (e) => /--speed must be a number above 0 and at most 1000, got "0"/.test((e as Error).message));
  assert.throws(() => parseNumber('--n', '9007199254740993', { integer: true }), badOption('--n', '9007199254740993'), 'beyond exact integers');
  assert.equal(parseNumber('--speed', '1000', { above: 0, max: 1000 }), 1000);
  assert.equal(parseNumber('--t', '0', { min: 0, max: 1 }), 0);
  assert.equal(describeNumberSpec({}), 'a number');
  assert.equal(describeNumberSpec({ integer: true, min: 0 }), 'a whole number of at least 0');
  assert.equal(describeNumberSpec({ above: 50, max: 100 }), 'a number above 50 and at most 100');
});

test('parseNumberList: comma-separated, every entry checked, empty entries refused', () => {
  assert.deepEqual(parseNumberList('--cycles', '0, 1,4', { integer: true, min: 0 }), [0, 1, 4]);
  assert.throws(() => parseNumberList('--cycles', '', { integer: true, min: 0 }), badOption('--cycles', ''));
  assert.throws(() => parseNumberList('--cycles', '1,,2', { integer: true, min: 0 }), badOption('--cycles', '1,,2'));
  assert.throws(() => parseNumberList('--cycles', '1,a', { integer: true, min: 0 }), badOption('--cycles', 'a'));
});

function everyCommand(c: Command): Command[] {
  return [c, ...c.commands.flatMap(everyCommand)];
}

function optionsNamed(long: string): { verb: string; option: Option }[] {
  return everyCommand(buildProgram()).flatMap((c) => c.options.filter((o) => o.long === long).map((option) => ({ verb: c.name(), option })));
}

function parse(option: Option, text: string): unknown {
  assert.ok(option.parseArg, `${option.flags} is parsed while the command line is read`);
  return option.parseArg(text, undefined);
}

test('--baud is a whole positive number in every verb that has it', () => {
  const bauds = optionsNamed('--baud');
  assert.deepEqual(bauds.map((b) => b.verb).sort(), ['calibrate', 'record', 'run', 'sim']);
  for (const { verb, option } of bauds) {
    assert.equal(parse(option, '115200'), 115200, verb);
    for (const bad of ['2.5', '0', '-9600', 'fast', String(MAX_BAUD + 1)]) assert.throws(() => parse(option, bad), badOption('--baud', bad), `${verb} --baud ${bad}`);
  }
});

test('--runtime means the same in every verb (evaluate adds float, its float model), and evaluate keeps --extractor as a hidden alias', () => {
  const runtimes = optionsNamed('--runtime');
  assert.deepEqual(runtimes.map((r) => r.verb).sort(), ['calibrate', 'demo', 'evaluate', 'export', 'infer', 'run']);
  for (const { verb, option } of runtimes) {
    assert.deepEqual(option.argChoices, verb === 'evaluate' ? [...EVALUATE_RUNTIMES] : [...RUNTIME_CHOICES], verb);
  }
  const extractor = optionsNamed('--extractor');
  assert.deepEqual(extractor.map((e) => e.verb), ['evaluate']);
  assert.equal(extractor[0]!.option.hidden, true);
  assert.ok(EVALUATE_RUNTIMES.includes('float') && RUNTIME_CHOICES.every((r) => EVALUATE_RUNTIMES.includes(r)));
});

test('--port, --package, --data-dir and --profile refuse an empty value in every verb', () => {
  for (const long of ['--port', '--package', '--data-dir', '--profile']) {
    const found = optionsNamed(long);
    assert.ok(found.length > 0, long);
    for (const { verb, option } of found) {
      assert.throws(() => parse(option, ''), (e) => isHeadstartError(e, 'BAD_OPTION'), `${verb} ${long} ''`);
      if (long === '--port') assert.equal(option.mandatory, true, `${verb} needs --port`);
    }
  }
  for (const { option } of optionsNamed('--profile')) assert.throws(() => parse(option, '../etc'), (e) => isHeadstartError(e, 'BAD_OPTION'), 'a profile name is checked as the store checks it');
});

test('options that size memory are bounded', () => {
  const votes = optionsNamed('--votes')[0]!.option;
  assert.throws(() => parse(votes, '300000000'), badOption('--votes', '300000000'));
  const queue = optionsNamed('--max-queue')[0]!.option;
  assert.throws(() => parse(queue, '1e10'), badOption('--max-queue', '1e10'));
  for (const long of ['--calibration-windows', '--check-windows', '--batch', '--window']) {
    for (const { option } of optionsNamed(long)) assert.throws(() => parse(option, '1e12'), badOption(long, '1e12'), long);
  }
});
