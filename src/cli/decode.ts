import { createReadStream, type Stats, statSync } from 'node:fs';
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import type { ByteParser } from '../core/protocol/byte_parser.ts';
import { createParser, WIRE_FORMATS, type FormatOptions, type WireFormat } from '../core/protocol/formats.ts';
import type { DecoderStats, Frame } from '../core/protocol/frames.ts';
import { addHelpNotes } from './help.ts';
import { choiceOption, MAX_RATE, numberOption } from './options.ts';
import { refuseSpecialFile } from '../io/datasets/file_read.ts';

interface DecodeOptions {
  format: WireFormat;
  json?: boolean;
  daisy?: boolean;
  gain?: number;
  rate?: number;
  maxFrames?: number;
}

/** One line of text per frame: what a person scanning a capture wants to see. */
export function describeFrame(f: Frame): string {
  switch (f.type) {
    case 'hello':
      return `hello    seq=${f.seq} protocol v${f.protocolVersion}, ${f.channels} ch at ${f.rate || 'unknown'} Hz, ${f.sampleFormat}, board "${f.boardId}"`;
    case 'samples': {
      const n = f.samples.length / f.channels;
      const shown = Array.from(f.samples).slice(0, f.channels).map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)));
      return `samples  seq=${f.seq} t=${f.timestampUs} us, ${n} x ${f.channels} ch, first [${shown.join(' ')}]`;
    }
    case 'event':
      return `event    seq=${f.seq} t=${f.timestampUs} us, ${f.kind} ${f.value}`;
    case 'command':
      return `command  seq=${f.seq} ${f.command} ${f.arg}`;
  }
}

export function describeStats(s: DecoderStats): string {
  return `frames ${s.frames}, CRC failures ${s.crcFailures}, sequence gaps ${s.sequenceGaps}, dropped bytes ${s.droppedBytes}, malformed ${s.malformed}`;
}

function frameJson(f: Frame): unknown {
  return JSON.parse(JSON.stringify(f, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int16Array, (x) => (Number.isNaN(x) ? null : x)) : v)));
}

async function decodeFile(path: string, parser: ByteParser, onFrame: (f: Frame) => void): Promise<void> {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such capture file`, { file: path });
  }
  if (stat.isDirectory()) throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected a capture file`, { file: path });
  refuseSpecialFile(path, 'a capture file');
  const size = stat.size;
  const showProgress = size > 16 * 1024 * 1024 && process.stderr.isTTY;
  let read = 0;
  let lastShown = 0;
  for await (const chunk of createReadStream(path)) {
    parser.push(chunk as Buffer, onFrame);
    read += (chunk as Buffer).length;
    if (showProgress && read - lastShown > size / 20) {
      lastShown = read;
      process.stderr.write(`decoding ${path}: ${Math.round((100 * read) / size)} %\r`);
    }
    if (parser.failure()) return;
  }
  parser.end(onFrame);
  if (showProgress) process.stderr.write('\n');
}

export function registerDecode(program: Command): void {
  const cmd = program
    .command('decode')
    .summary('print the frames in a capture from a board and what the decoder dropped')
    .description(
      'look inside a capture from a board: print every frame it holds and what the decoder had to drop (CRC failures, frames missing by sequence number, bytes discarded while resynchronizing, frames not understood)',
    )
    .argument('<capture>', 'a file of raw bytes as they came over the serial line')
    .addOption(choiceOption('--format <format>', "wire format of the capture (headstart = this project's binary frames)", WIRE_FORMATS, 'headstart'))
    .option('--daisy', 'cyton: a Daisy module is fitted (16 channels at half the rate)')
    .addOption(numberOption('--gain <n>', 'cyton: programmable gain of the channels, to scale counts to microvolts (board default 24)', { above: 0, max: 1000 }))
    .addOption(numberOption('--rate <hz>', 'ascii: the sample rate, when the lines carry no clock column to detect it from', { above: 0, max: MAX_RATE }))
    .addOption(numberOption('--max-frames <n>', 'print at most n frames (statistics still cover the whole capture)', { integer: true, min: 1 }))
    .option('--json', 'print one JSON object {format, frames, stats} instead of text');
  addHelpNotes(cmd, {
    notes: [
      'A headstart board stays silent until the host sends START, so copying its port to a file captures nothing. To capture, play a board with `headstart sim` and record what the host receives, or save the bytes your own host program reads.',
    ],
    examples: ['$ headstart decode capture.bin', '$ headstart decode cyton.bin --format cyton --daisy --json', '$ headstart decode arduino.txt --format ascii --rate 500 --max-frames 20'],
  });
  cmd
    .action(async (capture: string, opts: DecodeOptions) => {
      const format = opts.format;
      const options: FormatOptions = {};
      if (opts.daisy) options.daisy = true;
      if (opts.gain !== undefined) options.gain = opts.gain;
      if (opts.rate !== undefined) options.rate = opts.rate;
      const maxFrames = opts.maxFrames ?? Infinity;
      const parser = createParser(format, options);
      const frames: unknown[] = [];
      let seen = 0;
      await decodeFile(capture, parser, (f) => {
        if (seen++ >= maxFrames) return;
        if (opts.json) frames.push(frameJson(f));
        else process.stdout.write(describeFrame(f) + '\n');
      });
      const failure = parser.failure();
      if (opts.json) {
        const report: Record<string, unknown> = { format, frames, stats: parser.stats };
        if (failure) report['error'] = { code: failure.code, message: failure.message };
        process.stdout.write(JSON.stringify(report) + '\n');
      } else {
        if (seen > maxFrames) process.stdout.write(`... ${seen - maxFrames} more frames not shown\n`);
        process.stdout.write(describeStats(parser.stats) + '\n');
      }
      if (failure) throw failure;
    });
}
