import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import type { ByteParser } from '../core/protocol/byte_parser.ts';
import { createParser, parseWireFormat, WIRE_FORMATS, type FormatOptions } from '../core/protocol/formats.ts';
import type { DecoderStats, Frame } from '../core/protocol/frames.ts';

interface DecodeOptions {
  format: string;
  json?: boolean;
  daisy?: boolean;
  gain?: string;
  rate?: string;
  maxFrames?: string;
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new HeadstartError('BAD_OPTION', `${name} must be a positive number, got "${value}"`);
  return n;
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
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new HeadstartError('CAPTURE_NOT_FOUND', `cannot read capture file ${path}: check the path`);
  }
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
  program
    .command('decode')
    .description(
      'look inside a capture from a board: print every frame it holds and what the decoder had to drop\n' +
        '(CRC failures, frames missing by sequence number, bytes discarded while resynchronizing, frames not understood)',
    )
    .argument('<capture>', 'a file of raw bytes as they came over the serial line (e.g. `cat /dev/ttyACM0 > capture.bin`)')
    .option('--format <format>', `wire format of the capture: ${WIRE_FORMATS.join(', ')} (headstart = this project's binary frames)`, 'headstart')
    .option('--daisy', 'cyton: a Daisy module is fitted (16 channels at half the rate)')
    .option('--gain <n>', 'cyton: programmable gain of the channels, to scale counts to microvolts (board default 24)')
    .option('--rate <hz>', 'ascii: the sample rate, when the lines carry no clock column to detect it from')
    .option('--max-frames <n>', 'print at most n frames (statistics still cover the whole capture)')
    .option('--json', 'print one JSON object {format, frames, stats} instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  headstart decode capture.bin\n' +
        '  headstart decode cyton.bin --format cyton --daisy --json\n' +
        '  headstart decode arduino.txt --format ascii --rate 500 --max-frames 20\n',
    )
    .action(async (capture: string, opts: DecodeOptions) => {
      const format = parseWireFormat(opts.format);
      const options: FormatOptions = {};
      if (opts.daisy) options.daisy = true;
      const gain = positiveNumber('--gain', opts.gain);
      if (gain !== undefined) options.gain = gain;
      const rate = positiveNumber('--rate', opts.rate);
      if (rate !== undefined) options.rate = rate;
      const maxFrames = positiveNumber('--max-frames', opts.maxFrames) ?? Infinity;
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
