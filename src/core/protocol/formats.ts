/**
 * The wire formats headstart reads, by name, so that every verb that takes
 * `--format` builds its decoder the same way.
 */
import { AsciiParser, type AsciiOptions } from './ascii.ts';
import { ParserTransform, type ByteParser, type DecoderStreamOptions } from './byte_parser.ts';
import { CytonParser, type CytonOptions } from './cyton.ts';
import { FrameParser } from './parser.ts';

export const WIRE_FORMATS = ['headstart', 'cyton', 'ascii'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];

export type FormatOptions = CytonOptions & Pick<AsciiOptions, 'rate' | 'now'>;

export function createParser(format: WireFormat, options: FormatOptions = {}): ByteParser {
  switch (format) {
    case 'headstart':
      return new FrameParser();
    case 'cyton': {
      const cyton: CytonOptions = {};
      if (options.daisy !== undefined) cyton.daisy = options.daisy;
      if (options.gain !== undefined) cyton.gain = options.gain;
      if (options.packetRate !== undefined) cyton.packetRate = options.packetRate;
      return new CytonParser(cyton);
    }
    case 'ascii': {
      const ascii: AsciiOptions = {};
      if (options.rate !== undefined) ascii.rate = options.rate;
      if (options.now !== undefined) ascii.now = options.now;
      return new AsciiParser(ascii);
    }
  }
}

/** A Transform (bytes in, frames out) for any format. */
export function createDecoder(format: WireFormat, options: FormatOptions = {}, stream: DecoderStreamOptions = {}): ParserTransform {
  return new ParserTransform(createParser(format, options), stream);
}
