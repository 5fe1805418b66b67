/**
 * CRC-32 (ISO-HDLC, as in zip, PNG and zlib): reflected polynomial
 * 0xEDB88320, initial value and final xor 0xFFFFFFFF; check value 0xCBF43926
 * for the ASCII bytes "123456789". Guards the chunks of recording files,
 * which are too large for the wire protocol's CRC-16.
 */
function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    table[i] = crc >>> 0;
  }
  return table;
}

// Immutable after construction: a lookup table, not state.
const TABLE: Readonly<Uint32Array> = buildTable();

/** CRC-32 of bytes[start, end); pass a previous result as `seed` to continue over several pieces. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
