import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole story with no hardware: virtual board, automatic calibration, live recognition')
    .action(() => {
      throw new HeadstartError(
        'NOT_YET_AVAILABLE',
        'the demo is not built yet: it needs the shipped model package, the virtual board and the calibration session. ' +
          'Meanwhile `headstart doctor` checks this machine.',
      );
    });
}
