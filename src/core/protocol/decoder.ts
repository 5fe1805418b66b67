/**
 * Bytes from a board -> typed frames, as a Transform stream (bytes in,
 * objectMode out). Frames split across any chunk boundary decode; after
 * corruption the decoder is back in step at the next 0x00, so at most the
 * frame that was hit is lost. Wire bytes never make it throw: what it drops
 * is counted in `.stats`. The one failure it reports is a board speaking
 * another protocol version (HeadstartError PROTOCOL_VERSION_MISMATCH, as a
 * stream error), because nothing after that HELLO can be trusted.
 */
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import type { HeadstartError } from '../errors.ts';
import type { DecoderStats, Frame } from './frames.ts';
import { FrameParser } from './parser.ts';
import { versionMismatchError } from './version.ts';

export { PROTOCOL_VERSION } from './wire.ts';

export class FrameDecoder extends Transform {
  private readonly parser = new FrameParser();
  readonly stats: DecoderStats = this.parser.stats;

  constructor(options: Omit<TransformOptions, 'readableObjectMode' | 'writableObjectMode' | 'objectMode'> = {}) {
    super({ ...options, readableObjectMode: true, writableObjectMode: false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.parser.push(chunk, (frame) => this.push(frame));
    const boardVersion = this.parser.boardVersionMismatch;
    callback(boardVersion === undefined ? null : versionMismatchError(boardVersion));
  }

  override _flush(callback: TransformCallback): void {
    this.parser.end();
    callback();
  }
}

export interface DecodeResult {
  frames: Frame[];
  stats: DecoderStats;
  /** PROTOCOL_VERSION_MISMATCH when the bytes came from a board of another version; frames stop there. */
  error?: HeadstartError;
}

/** Decodes a whole capture held in memory. Never throws on its bytes. */
export function decodeFrames(bytes: Uint8Array): DecodeResult {
  const parser = new FrameParser();
  const frames: Frame[] = [];
  parser.push(bytes, (frame) => frames.push(frame));
  parser.end();
  const result: DecodeResult = { frames, stats: parser.stats };
  if (parser.boardVersionMismatch !== undefined) result.error = versionMismatchError(parser.boardVersionMismatch);
  return result;
}
