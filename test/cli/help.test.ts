import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { VERB_GROUPS } from '../../src/cli/help.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { ERROR_CLASSES } from '../../src/core/error_codes.ts';

function everyCommand(c: Command): Command[] {
  return [c, ...c.commands.filter((s) => s.name() !== 'help').flatMap(everyCommand)];
}

/** A command's whole help (notes and examples included) as printed at `width` columns. */
function helpAt(command: Command, width: number): string {
  let out = '';
  for (const c of everyCommand(command.parent ?? command)) c.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => width });
  command.outputHelp();
  return out;
}

/** Prose lines that follow another line directly: a sentence broken by hand (headings end with ":", tables and examples are indented). */
function hardBreaks(help: string): string[] {
  const lines = help.split('\n');
  return lines.filter((line, i) => line !== '' && !line.startsWith(' ') && !line.endsWith(':') && !line.startsWith('Usage:') && lines[i - 1] !== '' && i > 0);
}

const verbs = (program: Command) => everyCommand(program).filter((c) => c !== program && c.commands.length === 0);
const pathOf = (c: Command): string => (c.parent ? `${pathOf(c.parent)} ${c.name()}` : c.name());

test('headstart --help lists every verb once, grouped by workflow, with the exit statuses', () => {
  const program = buildProgram();
  const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const grouped = VERB_GROUPS.flatMap((g) => g.verbs);
  assert.deepEqual([...grouped].sort(), [...names].sort(), 'every verb is in exactly one group, and every group verb exists');
  assert.equal(new Set(grouped).size, grouped.length);
  const help = helpAt(program, 100);
  let at = 0;
  for (const g of VERB_GROUPS) {
    const heading = help.indexOf(`\n${g.title}:\n`, at);
    assert.ok(heading > at, `group "${g.title}" in order`);
    for (const v of g.verbs) assert.match(help.slice(heading), new RegExp(`^  ${v} `, 'm'));
    at = heading;
  }
  const statuses = help.slice(help.indexOf('Exit status:'));
  for (const [cls, status] of Object.entries(EXIT_STATUS)) assert.match(statuses, new RegExp(`^  ${status} +${cls}: `, 'm'), `${status} ${cls}`);
  assert.match(statuses, /^ {2}0 +done/m);
});

test('no help text breaks a line inside a sentence: descriptions are one line each, notes are wrapped at the width', () => {
  const program = buildProgram();
  for (const c of everyCommand(program)) {
    assert.ok(!c.description().includes('\n'), `${pathOf(c)}: description has a line break`);
    for (const o of c.options) assert.ok(!o.description.includes('\n'), `${pathOf(c)} ${o.flags}: line break`);
    for (const a of c.registeredArguments) assert.ok(!a.description.includes('\n'), `${pathOf(c)} <${a.name()}>: line break`);
  }
  // The check finds a sentence broken by hand.
  const broken = new Command('x').description('one line').addHelpText('after', '\nA sentence broken\nby hand.\n\nExample:\n  $ headstart x\n');
  assert.deepEqual(hardBreaks(helpAt(broken, 10_000)), ['by hand.']);
  for (const c of everyCommand(program)) {
    // At a width nothing reaches, every line the help prints is one the text asked for.
    assert.deepEqual(hardBreaks(helpAt(c, 10_000)), [], `${pathOf(c)}: lines that continue the line before them`);
    // And at 60 columns the prose is wrapped to fit (the option table is commander's, examples are copied whole).
    for (const line of helpAt(c, 60).split('\n')) {
      if (line.startsWith(' ') || line.startsWith('Usage:')) continue;
      assert.ok(line.length <= 60, `${pathOf(c)}: ${line.length} columns: "${line}"`);
    }
  }
});

test('every verb has an example', () => {
  for (const v of verbs(buildProgram())) {
    const help = helpAt(v, 100);
    assert.match(help, /\nExamples?( \([^)]*\))?:\n( {2}# .*\n)* {2}\$ headstart /, `${pathOf(v)} shows an example`);
  }
});

test('README lists the exit statuses as the CLI gives them', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Exit status'));
  assert.ok(readme.includes('## Exit status'), 'README has an Exit status section');
  for (const [cls, status] of Object.entries(EXIT_STATUS)) {
    assert.match(section, new RegExp(`\\| ${status} \\| ${cls} \\|`), `README: ${status} ${cls}`);
    assert.ok(cls in ERROR_CLASSES);
  }
});
