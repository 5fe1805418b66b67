/**
 * Numbers of the headstart wire protocol. firmware-bridge/PROTOCOL.md is the
 * normative description; firmware-bridge/src/hs_protocol.h carries the same
 * numbers for the C side, and the golden vectors in test/fixtures/protocol
 * keep the two in step.
 */
import type { CommandName, EventFrame } from './frames.ts';

/** Version this host speaks. A board announcing another one in HELLO is refused. */
export const PROTOCOL_VERSION = 1;

/** Header before the payload: type (u8) + sequence number (u16 LE). */
export const HEADER_BYTES = 3;
/** CRC-16/CCITT-FALSE, little-endian, after the payload. */
export const CRC_BYTES = 2;
/** Largest payload a frame may carry; bounds every buffer on both sides. */
export const MAX_PAYLOAD = 1024;
/** Largest unencoded frame: header + payload + CRC. */
export const MAX_RAW_FRAME = HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES;
/** Largest COBS-encoded frame, without its 0x00 delimiter. */
export const MAX_ENCODED_FRAME = MAX_RAW_FRAME + 1 + Math.floor(MAX_RAW_FRAME / 254);
/** Sequence numbers count modulo 2^16. */
export const SEQ_MODULUS = 0x10000;

export const FRAME_TYPE = { hello: 0x01, samples: 0x02, event: 0x03, command: 0x04 } as const;

/** HELLO: version u8, channels u8, rate u32, sample format u8, board id length u8, board id (ASCII). */
export const HELLO_FIXED_BYTES = 8;
export const MAX_BOARD_ID = 32;
export const MAX_CHANNELS = 64;
/** SAMPLES: timestamp u32, channels u8, then int16 LE interleaved. */
export const SAMPLES_FIXED_BYTES = 5;
/** EVENT: timestamp u32, kind u8, value i32. */
export const EVENT_BYTES = 9;
/** COMMAND: sender's protocol version u8, command u8, argument u32. */
export const COMMAND_BYTES = 6;

export const SAMPLE_FORMAT_CODE = { int16: 0x01 } as const;

export const COMMAND_CODE: Record<CommandName, number> = { start: 0x01, stop: 0x02, set_rate: 0x03, ping: 0x04 };
export const EVENT_KIND_CODE: Record<EventFrame['kind'], number> = { button: 0x01, sync: 0x02, label: 0x03, other: 0xff };

/** Inverse of a code table: code -> name, undefined for codes this version does not know. */
export function nameOfCode<K extends string>(table: Record<K, number>, code: number): K | undefined {
  for (const name of Object.keys(table) as K[]) if (table[name] === code) return name;
  return undefined;
}
