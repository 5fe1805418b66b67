// Runs every test/**/*.test.ts with node's built-in runner (Node 20 has no
// glob support in --test, so the files are listed here).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

// `--unit`: the fast loop, everything but test/e2e (tests that spawn the CLI
// or need socat, a C compiler, avr-gcc or simavr). Other arguments filter by
// path.
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const filter = args.filter((a) => a !== '--unit');
const files = find('test')
  .filter((f) => !unit || !f.startsWith(join('test', 'e2e')))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
// Two files at a time: much of the suite waits on pseudo-terminals, child
// processes and replays, so a 2-core machine has room for a second file.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
