/**
 * What every wire-format parser (headstart frames, Cyton packets, ASCII
 * lines) offers, and the one Transform stream that wraps any of them.
 */
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import type { HeadstartError } from '../errors.ts';
import type { DecoderStats, Frame } from './frames.ts';

export interface ByteParser {
  readonly stats: DecoderStats;
  /** Feeds bytes in any chunking; `emit` receives frames in order. Never throws. */
  push(chunk: Uint8Array, emit: (frame: Frame) => void): void;
  /** End of input: flush what can still be decoded, count the rest as dropped. */
  end(emit: (frame: Frame) => void): void;
  /** A reason to stop that is not corruption (a board of another protocol version). */
  failure(): HeadstartError | undefined;
}

export type DecoderStreamOptions = Omit<TransformOptions, 'readableObjectMode' | 'writableObjectMode' | 'objectMode' | 'transform' | 'flush'>;

/** Bytes in, Frame objects out (objectMode readable). `.stats` is live. */
export class ParserTransform extends Transform {
  readonly stats: DecoderStats;

  constructor(
    private readonly parser: ByteParser,
    options: DecoderStreamOptions = {},
  ) {
    super({ ...options, readableObjectMode: true, writableObjectMode: false });
    this.stats = parser.stats;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.parser.push(chunk, (frame) => this.push(frame));
    callback(this.parser.failure() ?? null);
  }

  override _flush(callback: TransformCallback): void {
    this.parser.end((frame) => this.push(frame));
    callback(this.parser.failure() ?? null);
  }
}

/** Runs a parser over a whole capture held in memory. */
export function parseAll(parser: ByteParser, bytes: Uint8Array): { frames: Frame[]; stats: DecoderStats; error?: HeadstartError } {
  const frames: Frame[] = [];
  const emit = (frame: Frame) => frames.push(frame);
  parser.push(bytes, emit);
  parser.end(emit);
  const error = parser.failure();
  return error === undefined ? { frames, stats: parser.stats } : { frames, stats: parser.stats, error };
}
