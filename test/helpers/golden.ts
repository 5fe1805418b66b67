/** Golden vectors of the wire protocol (test/fixtures/protocol/golden.json) and their JSON form. */
import { readFileSync } from 'node:fs';
import type { DecoderStats, Frame } from '../../src/core/protocol/frames.ts';

export type FrameJson = Omit<Frame, 'samples'> & { samples?: number[] };

export interface GoldenVector {
  name: string;
  frame: FrameJson;
  /** header + payload + CRC, hex */
  raw: string;
  /** COBS + 0x00, hex */
  wire: string;
}

export interface GoldenStream {
  name: string;
  why: string;
  wire: string;
  frames: FrameJson[];
  stats: DecoderStats;
  /** Set when the stream holds a HELLO of another version: decoding stops there. */
  boardVersionMismatch?: number;
}

export interface Golden {
  note: string;
  vectors: GoldenVector[];
  streams: GoldenStream[];
}

export const GOLDEN_PATH = new URL('../fixtures/protocol/golden.json', import.meta.url);

export function loadGolden(): Golden {
  return JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as Golden;
}

export function frameToJson(f: Frame): FrameJson {
  return f.type === 'samples' ? ({ ...f, samples: Array.from(f.samples) } as FrameJson) : (f as FrameJson);
}

export function frameFromJson(j: FrameJson): Frame {
  return j.type === 'samples' ? ({ ...j, samples: Int16Array.from(j.samples ?? []) } as Frame) : (j as Frame);
}
