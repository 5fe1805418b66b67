/* headstart wire protocol v1, C99 codec. See hs_protocol.h and PROTOCOL.md. */
#include "hs_protocol.h"

#include <string.h>

uint16_t hs_crc16(uint16_t crc, const uint8_t *data, size_t len) {
  size_t i;
  uint8_t bit;
  for (i = 0; i < len; i++) {
    crc ^= (uint16_t)((uint16_t)data[i] << 8);
    /* Bit by bit: a 512-byte table would not fit beside the sample buffers of a small MCU. */
    for (bit = 0; bit < 8; bit++) crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

/* ---- encoding: a writer COBS-encodes raw bytes straight into the caller's buffer and
 * computes the CRC on the way, so no second copy of the frame is needed. */

typedef struct {
  uint8_t *out;
  size_t cap;
  size_t len;
  size_t code_at;
  uint8_t code;
  uint8_t block_full; /* a 254-byte block just closed; open the next one only if more data comes */
  uint8_t overflow;
  uint16_t crc;
} writer;

static void w_put(writer *w, size_t at, uint8_t b) {
  if (at < w->cap) w->out[at] = b;
  else w->overflow = 1;
}

static void w_begin(writer *w, uint8_t *out, size_t cap) {
  w->out = out;
  w->cap = cap;
  w->code_at = 0;
  w->len = 1;
  w->code = 1;
  w->block_full = 0;
  w->overflow = 0;
  w->crc = 0xffffu;
}

static void w_raw(writer *w, uint8_t b) {
  if (w->block_full) {
    w->code_at = w->len++;
    w->code = 1;
    w->block_full = 0;
  }
  if (b == 0) {
    w_put(w, w->code_at, w->code);
    w->code_at = w->len++;
    w->code = 1;
    return;
  }
  w_put(w, w->len++, b);
  if (++w->code == 0xff) {
    w_put(w, w->code_at, w->code);
    w->block_full = 1;
  }
}

static void w_byte(writer *w, uint8_t b) {
  w->crc = hs_crc16(w->crc, &b, 1);
  w_raw(w, b);
}

static void w_u16(writer *w, uint16_t v) {
  w_byte(w, (uint8_t)(v & 0xffu));
  w_byte(w, (uint8_t)(v >> 8));
}

static void w_u32(writer *w, uint32_t v) {
  w_u16(w, (uint16_t)(v & 0xffffu));
  w_u16(w, (uint16_t)(v >> 16));
}

static void w_header(writer *w, uint8_t *out, size_t cap, uint8_t type, uint16_t seq) {
  w_begin(w, out, cap);
  w_byte(w, type);
  w_u16(w, seq);
}

static size_t w_finish(writer *w) {
  uint16_t crc = w->crc;
  w_raw(w, (uint8_t)(crc & 0xffu));
  w_raw(w, (uint8_t)(crc >> 8));
  if (!w->block_full) w_put(w, w->code_at, w->code);
  w_put(w, w->len++, 0);
  return w->overflow ? 0 : w->len;
}

size_t hs_encode_hello(uint8_t *out, size_t cap, uint16_t seq, uint8_t channels, uint32_t rate, const char *board_id) {
  writer w;
  size_t i, id_len = board_id ? strlen(board_id) : 0;
  if (id_len > HS_MAX_BOARD_ID || channels < 1 || channels > HS_MAX_CHANNELS) return 0;
  w_header(&w, out, cap, HS_HELLO, seq);
  w_byte(&w, HS_PROTOCOL_VERSION);
  w_byte(&w, channels);
  w_u32(&w, rate);
  w_byte(&w, HS_FORMAT_INT16);
  w_byte(&w, (uint8_t)id_len);
  for (i = 0; i < id_len; i++) w_byte(&w, (uint8_t)board_id[i]);
  return w_finish(&w);
}

size_t hs_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t timestamp_us, uint8_t channels,
                         const int16_t *samples, uint16_t n_samples) {
  writer w;
  size_t i, count = (size_t)n_samples * channels;
  if (channels < 1 || channels > HS_MAX_CHANNELS || 5u + 2u * count > HS_MAX_PAYLOAD) return 0;
  w_header(&w, out, cap, HS_SAMPLES, seq);
  w_u32(&w, timestamp_us);
  w_byte(&w, channels);
  for (i = 0; i < count; i++) w_u16(&w, (uint16_t)samples[i]);
  return w_finish(&w);
}

size_t hs_encode_event(uint8_t *out, size_t cap, uint16_t seq, uint32_t timestamp_us, uint8_t kind, int32_t value) {
  writer w;
  w_header(&w, out, cap, HS_EVENT, seq);
  w_u32(&w, timestamp_us);
  w_byte(&w, kind);
  w_u32(&w, (uint32_t)value);
  return w_finish(&w);
}

size_t hs_encode_command(uint8_t *out, size_t cap, uint16_t seq, uint8_t command, uint32_t arg) {
  writer w;
  w_header(&w, out, cap, HS_COMMAND, seq);
  w_byte(&w, HS_PROTOCOL_VERSION);
  w_byte(&w, command);
  w_u32(&w, arg);
  return w_finish(&w);
}

/* ---- decoding */

void hs_decoder_init(hs_decoder *d, uint8_t *buf, size_t cap) {
  memset(d, 0, sizeof *d);
  d->buf = buf;
  d->cap = cap;
  d->last_seq = -1;
}

/* COBS-decodes buf[0..n) in place (output never outgrows input); returns the length or -1. */
static long cobs_decode_in_place(uint8_t *buf, size_t n) {
  size_t in = 0, out = 0, j;
  while (in < n) {
    uint8_t code = buf[in];
    size_t run_end = in + code;
    if (code == 0 || run_end > n) return -1;
    for (j = in + 1; j < run_end; j++) buf[out++] = buf[j];
    in = run_end;
    if (code != 0xff && in < n) buf[out++] = 0;
  }
  return (long)out;
}

static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint32_t missing_between(uint16_t previous, uint16_t current) {
  uint16_t ahead = (uint16_t)(current - previous - 1u);
  return ahead < 0x8000u ? ahead : 0u;
}

/* Parses a CRC-checked frame; 1 if understood. */
static int parse(hs_decoder *d, const uint8_t *p, size_t len, hs_frame *f) {
  size_t i;
  switch (f->type) {
    case HS_HELLO:
      if (len < 1) return 0;
      f->u.hello.version = p[0];
      if (p[0] != HS_PROTOCOL_VERSION) {
        d->peer_version_mismatch = p[0];
        return 1;
      }
      if (len < 8 || p[1] < 1 || p[1] > HS_MAX_CHANNELS || p[6] != HS_FORMAT_INT16 || p[7] > HS_MAX_BOARD_ID ||
          len != 8u + p[7])
        return 0;
      f->u.hello.channels = p[1];
      f->u.hello.rate = rd_u32(p + 2);
      f->u.hello.sample_format = p[6];
      f->u.hello.board_id_len = p[7];
      for (i = 0; i < p[7]; i++) f->u.hello.board_id[i] = (char)p[8 + i];
      f->u.hello.board_id[p[7]] = '\0';
      return 1;
    case HS_SAMPLES:
      if (len < 5 || p[4] < 1 || p[4] > HS_MAX_CHANNELS || (len - 5) % (2u * p[4]) != 0) return 0;
      f->u.samples.timestamp_us = rd_u32(p);
      f->u.samples.channels = p[4];
      f->u.samples.n_samples = (uint16_t)((len - 5) / (2u * p[4]));
      f->u.samples.data = p + 5;
      return 1;
    case HS_EVENT:
      if (len != 9) return 0;
      f->u.event.timestamp_us = rd_u32(p);
      f->u.event.kind = p[4];
      f->u.event.value = (int32_t)rd_u32(p + 5);
      return 1;
    case HS_COMMAND:
      if (len != 6 || p[1] < HS_CMD_START || p[1] > HS_CMD_PING) return 0;
      f->u.command.version = p[0];
      f->u.command.command = p[1];
      f->u.command.arg = rd_u32(p + 2);
      return 1;
    default:
      return 0;
  }
}

static int end_of_frame(hs_decoder *d, hs_frame *f) {
  size_t wire = d->len + 1;
  long n;
  uint16_t crc, seq;
  if (d->len == 0) return 0; /* idle delimiter */
  n = cobs_decode_in_place(d->buf, d->len);
  d->len = 0;
  if (n < (long)(HS_HEADER_BYTES + HS_CRC_BYTES)) {
    d->stats.dropped_bytes += (uint32_t)wire;
    return 0;
  }
  crc = (uint16_t)(d->buf[n - 2] | (d->buf[n - 1] << 8));
  if (hs_crc16(0xffffu, d->buf, (size_t)n - 2) != crc) {
    d->stats.crc_failures++;
    d->stats.dropped_bytes += (uint32_t)wire;
    return 0;
  }
  memset(f, 0, sizeof *f);
  f->type = d->buf[0];
  seq = (uint16_t)(d->buf[1] | (d->buf[2] << 8));
  f->seq = seq;
  if (!parse(d, d->buf + HS_HEADER_BYTES, (size_t)n - HS_HEADER_BYTES - HS_CRC_BYTES, f)) {
    if (d->last_seq >= 0) d->stats.sequence_gaps += missing_between((uint16_t)d->last_seq, seq);
    d->last_seq = seq;
    d->stats.malformed++;
    d->stats.dropped_bytes += (uint32_t)wire;
    return 0;
  }
  if (d->peer_version_mismatch) return 1; /* the caller reads u.hello.version and stops */
  if (d->last_seq >= 0 && !(f->type == HS_HELLO && seq == 0))
    d->stats.sequence_gaps += missing_between((uint16_t)d->last_seq, seq);
  d->last_seq = seq;
  d->stats.frames++;
  return 1;
}

int hs_decoder_push(hs_decoder *d, uint8_t byte, hs_frame *frame) {
  if (byte == 0) {
    if (d->discarding) {
      d->discarding = 0;
      d->stats.dropped_bytes++;
      return 0;
    }
    return end_of_frame(d, frame);
  }
  if (d->discarding) {
    d->stats.dropped_bytes++;
    return 0;
  }
  if (d->len >= d->cap) {
    /* Longer than any frame we accept: skip to the next delimiter. */
    d->stats.dropped_bytes += (uint32_t)d->len + 1u;
    d->len = 0;
    d->discarding = 1;
    return 0;
  }
  d->buf[d->len++] = byte;
  return 0;
}

void hs_decoder_end(hs_decoder *d) {
  d->stats.dropped_bytes += (uint32_t)d->len;
  d->len = 0;
  d->discarding = 0;
}

int16_t hs_sample(const hs_frame *frame, size_t i) {
  const uint8_t *p = frame->u.samples.data + 2 * i;
  return (int16_t)(uint16_t)(p[0] | (p[1] << 8));
}
