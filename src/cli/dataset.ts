import type { Command } from 'commander';
import { loadDataset, summarizeDataset } from '../io/datasets/index.ts';
import { addHelpNotes } from './help.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';

export function registerDataset(program: Command): void {
  const cmd = program
    .command('dataset')
    .summary('read a data set (Myo folder, CSV files or glob, .hsrec recordings) as training and evaluation will, and summarize it')
    .description(
      'read a data set the way training and evaluation will, and summarize it: format, channels, rate, people, sessions, ' +
        'recordings per class. Use it to check a folder, a glob or a label pattern before a long run.',
    )
    .argument(
      '<path>',
      'a Myo folder (PreTrainingDataset, EvaluationDataset, one person, one session), a .hsrec recording or folder of them, ' +
        'EDF/BDF files, OpenBCI GUI .txt or BrainFlow .csv recordings, the eegmat folder (or some of its SubjectNN_*.edf files), ' +
        'a CSV file or folder, or a quoted glob such as "data/**/R_*_C_*.csv"',
    )
    .option('--json', 'print one JSON object (the summary, plus warnings) instead of text');
  addDatasetOptions(cmd);
  addHelpNotes(cmd, {
    notes: ['Errors name the file (and line, for CSV) and say what to fix. A recording (.hsrec) whose last chunk was cut short by a crash loads without it, with a warning.'],
    examples: [
      '$ headstart dataset data/demo/EvaluationDataset --sessions training0',
      "$ headstart dataset \"recordings/*.csv\" --rate 1000 --columns 1-8 --label-pattern 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv'",
      '$ headstart dataset data/demo/EvaluationDataset --json | jq .perClass',
      '$ headstart dataset ../shared/datasets/eegmat --channels Fp1,Fp2,F7,F8,T3,T4,Fz,Pz --people Subject00,Subject01',
      "$ headstart dataset \"recordings/OpenBCI-RAW-*.txt\" --label-pattern '(?<label>rest|task)' --channels 0,1,2,3",
    ],
  });
  cmd
    .action((path: string, opts: DatasetOptions & { json?: boolean }) => {
      const ds = loadDataset(datasetSpec(path, opts));
      const summary = summarizeDataset(ds);
      for (const w of ds.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...summary, classes: ds.classes, warnings: ds.warnings }) + '\n');
        return;
      }
      const out = [
        `${path}: ${summary.kind} data, ${summary.channels} channels at ${summary.rate} samples/s`,
        `${summary.recordings} recordings, ${summary.samples} samples (${summary.seconds.toFixed(1)} s)`,
        `people: ${summary.subjects.join(', ') || 'not named'}`,
        `sessions: ${summary.sessions.join(', ') || 'not named'}`,
        'recordings per class:',
        ...ds.classes.map((c, i) => `  ${String(i).padStart(2)} ${c}: ${summary.perClass[c] ?? 0}`),
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}
