/** Builds the C codec's host-side harness (firmware-bridge/test/hs_harness.c) with the system C compiler. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIRMWARE_DIR = fileURLToPath(new URL('../../firmware-bridge/', import.meta.url));

export function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Compiles; returns the binary path, or throws with the compiler's output. */
export function compile(compiler: string, args: string[], sources: string[], output: string): string {
  const r = spawnSync(compiler, [...args, '-o', output, ...sources.map((s) => join(FIRMWARE_DIR, s))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} failed:\n${r.stderr}`);
  return output;
}

export function buildHarness(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hs-harness-'));
  // Built once for the whole file; removed when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return compile('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2'], ['test/hs_harness.c', 'src/hs_protocol.c'], join(dir, 'hs_harness'));
}

/** Runs the harness on lines of commands; returns its output lines. */
export function runHarness(binary: string, commands: string[]): string[] {
  const r = spawnSync(binary, [], { input: commands.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`harness failed (${r.status}): ${r.stderr}`);
  return r.stdout.trimEnd().split('\n');
}
