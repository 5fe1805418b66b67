import type { Command } from 'commander';
import { selectBackend } from '../core/backend.ts';
import { PRODUCER_VERSION } from '../core/version.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('report the version, the TensorFlow.js backend in use and why others were passed over')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }) => {
      const backend = await selectBackend();
      const report = { version: PRODUCER_VERSION, node: process.version, platform: `${process.platform}-${process.arch}`, backend };
      if (opts.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      process.stdout.write(`headstart ${report.version} on node ${report.node} (${report.platform})\n`);
      process.stdout.write(`tfjs backend: ${backend.name}\n`);
      for (const s of backend.skipped) process.stdout.write(`  passed over ${s.name}: ${s.reason}\n`);
    });
}
