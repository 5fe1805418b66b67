/*
 * headstart wire protocol, version 1: portable C99 codec.
 * firmware-bridge/PROTOCOL.md is normative. No heap, no libc beyond
 * <stdint.h>, <stddef.h> and <string.h>: every buffer belongs to the caller.
 */
#ifndef HS_PROTOCOL_H
#define HS_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HS_PROTOCOL_VERSION 1u

#define HS_HEADER_BYTES 3u
#define HS_CRC_BYTES 2u
#define HS_MAX_PAYLOAD 1024u
#define HS_MAX_RAW_FRAME (HS_HEADER_BYTES + HS_MAX_PAYLOAD + HS_CRC_BYTES)
#define HS_MAX_BOARD_ID 32u
#define HS_MAX_CHANNELS 64u

/* Bytes on the wire for a frame whose raw form is `raw` bytes: COBS + delimiter. */
#define HS_WIRE_BYTES(raw) ((raw) + 1u + (raw) / 254u + 1u)
/* Raw size of a SAMPLES frame of n samples x c channels. */
#define HS_SAMPLES_RAW_BYTES(n, c) (HS_HEADER_BYTES + 5u + 2u * (n) * (c) + HS_CRC_BYTES)
/* Raw size of a COMMAND frame (the largest thing a board receives). */
#define HS_COMMAND_RAW_BYTES (HS_HEADER_BYTES + 6u + HS_CRC_BYTES)

enum hs_frame_type { HS_HELLO = 0x01, HS_SAMPLES = 0x02, HS_EVENT = 0x03, HS_COMMAND = 0x04 };
enum hs_sample_format { HS_FORMAT_INT16 = 0x01 };
enum hs_event_kind { HS_EVENT_BUTTON = 0x01, HS_EVENT_SYNC = 0x02, HS_EVENT_LABEL = 0x03, HS_EVENT_OTHER = 0xff };
enum hs_command { HS_CMD_START = 0x01, HS_CMD_STOP = 0x02, HS_CMD_SET_RATE = 0x03, HS_CMD_PING = 0x04 };

/* CRC-16/CCITT-FALSE; start with crc = 0xFFFF. */
uint16_t hs_crc16(uint16_t crc, const uint8_t *data, size_t len);

/* ---- encoding: each returns the bytes written to out (frame + 0x00), or 0 if cap is too small or the frame invalid. */

size_t hs_encode_hello(uint8_t *out, size_t cap, uint16_t seq, uint8_t channels, uint32_t rate, const char *board_id);
/* samples: n_samples x channels values, interleaved. */
size_t hs_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t timestamp_us, uint8_t channels,
                         const int16_t *samples, uint16_t n_samples);
size_t hs_encode_event(uint8_t *out, size_t cap, uint16_t seq, uint32_t timestamp_us, uint8_t kind, int32_t value);
size_t hs_encode_command(uint8_t *out, size_t cap, uint16_t seq, uint8_t command, uint32_t arg);

/* ---- decoding */

typedef struct {
  uint32_t frames;
  uint32_t crc_failures;
  uint32_t sequence_gaps;
  uint32_t dropped_bytes;
  uint32_t malformed;
} hs_stats;

typedef struct {
  uint8_t type;
  uint16_t seq;
  union {
    struct {
      uint8_t version;
      uint8_t channels;
      uint32_t rate;
      uint8_t sample_format;
      uint8_t board_id_len;
      char board_id[HS_MAX_BOARD_ID + 1];
    } hello;
    struct {
      uint32_t timestamp_us;
      uint8_t channels;
      uint16_t n_samples;
      /* n_samples x channels int16 little-endian, inside the decoder's buffer: read with hs_sample(). */
      const uint8_t *data;
    } samples;
    struct {
      uint32_t timestamp_us;
      uint8_t kind;
      int32_t value;
    } event;
    struct {
      uint8_t version;
      uint8_t command;
      uint32_t arg;
    } command;
  } u;
} hs_frame;

typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  uint8_t discarding;
  int32_t last_seq;
  /* Version of a HELLO that was not ours (0 if none): the caller must stop and say so. */
  uint8_t peer_version_mismatch;
  hs_stats stats;
} hs_decoder;

/* buf holds one encoded frame: HS_WIRE_BYTES of the largest raw frame expected
 * (a board that only receives COMMAND frames needs HS_WIRE_BYTES(HS_COMMAND_RAW_BYTES)). */
void hs_decoder_init(hs_decoder *d, uint8_t *buf, size_t cap);

/* Feeds one byte; returns 1 and fills *frame when a valid frame ends with it.
 * frame->u.samples.data stays valid until the next call. Never fails on input. */
int hs_decoder_push(hs_decoder *d, uint8_t byte, hs_frame *frame);

/* End of input (a capture file ends): an unfinished frame counts as dropped. */
void hs_decoder_end(hs_decoder *d);

/* Sample i (0-based, interleaved index) of a decoded SAMPLES frame. */
int16_t hs_sample(const hs_frame *frame, size_t i);

#ifdef __cplusplus
}
#endif

#endif
