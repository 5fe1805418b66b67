/**
 * Typed frames of the headstart wire protocol (firmware-bridge/PROTOCOL.md is
 * normative for the bytes). Decoders of other formats (OpenBCI Cyton, ASCII
 * lines) produce the same `hello` / `samples` frames so that everything after
 * the decoder is format-agnostic.
 */

export type SampleFormat = 'int16';

export interface HelloFrame {
  type: 'hello';
  seq: number;
  protocolVersion: number;
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  sampleFormat: SampleFormat;
  /** Free text naming the board (e.g. 'uno-r3', 'cyton', 'sim'). */
  boardId: string;
}

export interface SamplesFrame {
  type: 'samples';
  seq: number;
  /** Board clock in microseconds at the first sample of the frame (wraps at 2^32). */
  timestampUs: number;
  channels: number;
  /** Interleaved: sample 0 ch0..chN-1, sample 1 ch0..chN-1, ... */
  samples: Int16Array;
  /**
   * The same samples at full precision, in the source's units, when int16
   * would lose some: the Cyton decoder gives microvolts from its 24-bit ADC
   * (and `samples` holds them rounded and clamped to int16), the ASCII
   * decoder gives the numbers as printed. Absent for headstart wire frames.
   */
  values?: Float32Array;
  /** Accelerometer in g, x,y,z per sample (Cyton); NaN where a packet carried no new reading. */
  accelG?: Float32Array;
}

export interface EventFrame {
  type: 'event';
  seq: number;
  timestampUs: number;
  /** What happened: a button press, a sync pulse, a true label from a replayed recording... */
  kind: 'button' | 'sync' | 'label' | 'other';
  /** Kind-specific value (the label index for 'label'). */
  value: number;
}

export type CommandName = 'start' | 'stop' | 'set_rate' | 'ping';

export interface CommandFrame {
  type: 'command';
  seq: number;
  command: CommandName;
  /** The new rate for set_rate, a token echoed back for ping, else 0. */
  arg: number;
  /**
   * Protocol version of the sender, carried in every COMMAND so that a board
   * can refuse a host of another version. Filled by the decoder; the encoder
   * writes PROTOCOL_VERSION when it is absent.
   */
  protocolVersion?: number;
}

export type Frame = HelloFrame | SamplesFrame | EventFrame | CommandFrame;

/** Counters every decoder keeps; none of them ever throws on wire bytes. */
export interface DecoderStats {
  frames: number;
  crcFailures: number;
  /** Frames missing according to sequence numbers (or a sample counter). */
  sequenceGaps: number;
  /** Bytes discarded while resynchronizing. */
  droppedBytes: number;
  /** Frames that were well delimited and passed the CRC but were not understood. */
  malformed: number;
}
