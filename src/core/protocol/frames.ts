/**
 * Typed frames of the headstart wire protocol (firmware-bridge/PROTOCOL.md is
 * normative for the bytes). Decoders of other formats (OpenBCI Cyton, ASCII
 * lines) produce the same `hello` / `samples` frames so that everything after
 * the decoder is format-agnostic.
 */

/**
 * What a board's SAMPLES carry: 'int16' whole numbers (the headstart wire),
 * or 'float32' values at the source's full precision in its units (the
 * Cyton decoder's microvolts from a 24-bit ADC, the ASCII decoder's numbers
 * as printed). Nothing after the decoder rounds or clamps them.
 */
export type SampleFormat = 'int16' | 'float32';

export interface HelloFrame {
  type: 'hello';
  seq: number;
  protocolVersion: number;
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  /** What its SAMPLES frames carry (Int16Array or Float32Array samples). */
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
  /**
   * Interleaved: sample 0 ch0..chN-1, sample 1 ch0..chN-1, ... An
   * Int16Array from an 'int16' board, a Float32Array at full precision from
   * a 'float32' one (see SampleFormat).
   */
  samples: Int16Array | Float32Array;
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
