import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { type ConvertResult, formatOfPath, readForConvert, type RecordingFileFormat, WRITABLE_FORMATS, writeConverted } from '../io/recording_convert.ts';
import { addHelpNotes } from './help.ts';
import { choiceOption } from './options.ts';

interface ConvertOptions {
  format?: RecordingFileFormat;
  force?: boolean;
  json?: boolean;
}

const FORMAT_WORDS: Record<RecordingFileFormat, string> = { hsrec: 'headstart recording', edf: 'EDF+ (16-bit)', bdf: 'BDF+ (24-bit)', csv: 'CSV table' };

function describe(out: string, r: ConvertResult, channels: number, rate: number): string {
  const lines = [
    `${out}: ${FORMAT_WORDS[r.format]}${r.sampleFormat ? `, ${r.sampleFormat} samples` : ''}, ${channels} channels at ${rate} Hz, ${r.samples} samples per channel (${(r.samples / rate).toFixed(1)} s), ${r.labelledStretches} labelled stretches, ${r.markers} other markers`,
  ];
  if (r.ranges) {
    const worst = r.ranges.reduce((m, x) => Math.max(m, x.resolution), 0);
    lines.push(`physical range chosen per channel from the data; the coarsest channel resolves ${worst.toPrecision(3)} per digital step`);
  }
  if (r.paddedSamples) lines.push(`the last data record is filled with ${r.paddedSamples} copies of the last sample, marked by an annotation (EDF stores whole records)`);
  return lines.join('\n') + '\n';
}

export function registerConvert(program: Command): void {
  const cmd = program
    .command('convert')
    .summary('recordings between .hsrec, EDF+ / BDF+ and CSV, for EDFbrowser, MNE and spreadsheets')
    .description('convert a recording between .hsrec, EDF+ / BDF+ (with annotations for labels and markers) and CSV, so it opens in EDFbrowser, MNE, EEGLAB and spreadsheets')
    .argument('<in>', 'a .hsrec recording (from `headstart record` or a calibration), or an .edf / .bdf file')
    .argument('<out>', 'the file to write: .hsrec, .edf (EDF+, 16-bit), .bdf (BDF+, 24-bit) or .csv (a header row, a time column, the channels, label and marker)')
    .addOption(choiceOption('--format <kind>', 'write this format whatever the extension of <out>', WRITABLE_FORMATS))
    .option('--force', 'overwrite <out> if it exists')
    .option('--json', 'print what was written as one JSON object');
  addHelpNotes(cmd, {
    notes: [
      "Labels (a .hsrec's labelled stretches) become EDF+ annotations that last as long as the stretch, named by the class, and the CSV's label column; other markers (notes typed during `record`, prompts, gaps) become annotations without duration and the marker column. Going back, EDF+ annotations with a duration become labelled stretches again.",
      "EDF keeps 16 bits and BDF 24 bits per sample: each channel's physical range is chosen from its own data, so the whole digital range is used. EDF stores whole data records (of one second at a whole-number rate): a recording that ends within one is filled up with its last sample, and an annotation marks where; converting such a file back cuts it off again.",
      'A .hsrec whose last chunk was torn by a crash converts without it, with a warning. The output is written to a temporary name and renamed into place.',
    ],
    examples: [
      '$ headstart convert session.hsrec session.edf',
      '$ headstart convert session.hsrec session.bdf          # 24-bit, for EEG in microvolts',
      '$ headstart convert session.hsrec session.csv',
      '$ headstart convert S001R04.edf S001R04.hsrec          # a PhysioNet EDF+ for replay and training',
    ],
  });
  cmd.action((input: string, output: string, opts: ConvertOptions) => {
    const format = opts.format ?? formatOfPath(output);
    if (!format) throw new HeadstartError('UNKNOWN_FORMAT', `${output}: name the output .hsrec, .edf, .bdf or .csv (or give --format)`, { file: output });
    if (existsSync(output) && !opts.force) throw new HeadstartError('FILE_EXISTS', `${output}: already exists; choose another name, or pass --force to overwrite it`, { file: output });
    const read = readForConvert(input);
    for (const w of read.warnings) process.stderr.write(`warning: ${w}\n`);
    const { header } = read.document;
    const result = writeConverted(output, read.document, format);
    if (opts.json) process.stdout.write(JSON.stringify({ input, output, from: read.format, channels: header.channels, rate: header.rate, ...result, warnings: read.warnings }) + '\n');
    else process.stdout.write(describe(output, result, header.channels, header.rate));
  });
}
