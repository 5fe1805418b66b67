/**
 * Bytes from a board -> typed frames, as a Transform stream (bytes in,
 * objectMode out). Frames split across any chunk boundary decode; after
 * corruption the decoder is back in step at the next 0x00, so at most the
 * frame that was hit is lost. Wire bytes never make it throw: what it drops
 * is counted in `.stats`. The one failure it reports is a board speaking
 * another protocol version (HeadstartError PROTOCOL_VERSION_MISMATCH, as a
 * stream error), because nothing after that HELLO can be trusted.
 */
import type { HeadstartError } from '../errors.ts';
import { parseAll, ParserTransform, type DecoderStreamOptions } from './byte_parser.ts';
import type { DecoderStats, Frame } from './frames.ts';
import { FrameParser } from './parser.ts';

export { PROTOCOL_VERSION } from './wire.ts';

export class FrameDecoder extends ParserTransform {
  constructor(options: DecoderStreamOptions = {}) {
    super(new FrameParser(), options);
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
  return parseAll(new FrameParser(), bytes);
}
