/*
 * Host-side driver of the C codec for the golden-vector tests
 * (test/firmware_codec.test.ts). Reads commands on stdin, one per line:
 *
 *   E H <seq> <channels> <rate> <board id hex or ->      encode a HELLO
 *   E S <seq> <timestamp> <channels> <n> <v0> <v1> ...   encode SAMPLES (n x channels values)
 *   E V <seq> <timestamp> <kind> <value>                 encode an EVENT
 *   E C <seq> <command> <arg>                            encode a COMMAND
 *   D <wire hex>                                          decode, byte by byte
 *
 * and prints the wire bytes in hex for E, or one line per decoded frame then
 * "stats <frames> <crc> <gaps> <dropped> <malformed>" for D.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/hs_protocol.h"

#define LINE_MAX_BYTES 20000

static uint8_t wire[HS_WIRE_BYTES(HS_MAX_RAW_FRAME)];
static uint8_t stream[LINE_MAX_BYTES / 2];
static uint8_t decode_buf[HS_WIRE_BYTES(HS_MAX_RAW_FRAME) - 1];
static char line[LINE_MAX_BYTES];

static void print_hex(const uint8_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

static size_t parse_hex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  unsigned v;
  while (s[0] && s[1] && n < cap && sscanf(s, "%2x", &v) == 1) {
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static void encode(char *args) {
  char kind = args[0];
  char *p = args + 1;
  unsigned long seq = strtoul(p, &p, 10);
  size_t n = 0;
  if (kind == 'H') {
    unsigned long channels = strtoul(p, &p, 10);
    unsigned long rate = strtoul(p, &p, 10);
    char id_hex[2 * HS_MAX_BOARD_ID + 2] = {0};
    char id[HS_MAX_BOARD_ID + 1] = {0};
    sscanf(p, "%66s", id_hex);
    if (strcmp(id_hex, "-") != 0) parse_hex(id_hex, (uint8_t *)id, HS_MAX_BOARD_ID);
    n = hs_encode_hello(wire, sizeof wire, (uint16_t)seq, (uint8_t)channels, (uint32_t)rate, id);
  } else if (kind == 'S') {
    static int16_t values[HS_MAX_PAYLOAD / 2];
    unsigned long ts = strtoul(p, &p, 10);
    unsigned long channels = strtoul(p, &p, 10);
    unsigned long count = strtoul(p, &p, 10);
    size_t i;
    for (i = 0; i < count * channels && i < HS_MAX_PAYLOAD / 2; i++) values[i] = (int16_t)strtol(p, &p, 10);
    n = hs_encode_samples(wire, sizeof wire, (uint16_t)seq, (uint32_t)ts, (uint8_t)channels, values, (uint16_t)count);
  } else if (kind == 'V') {
    unsigned long ts = strtoul(p, &p, 10);
    unsigned long k = strtoul(p, &p, 10);
    long value = strtol(p, &p, 10);
    n = hs_encode_event(wire, sizeof wire, (uint16_t)seq, (uint32_t)ts, (uint8_t)k, (int32_t)value);
  } else if (kind == 'C') {
    unsigned long command = strtoul(p, &p, 10);
    unsigned long arg = strtoul(p, &p, 10);
    n = hs_encode_command(wire, sizeof wire, (uint16_t)seq, (uint8_t)command, (uint32_t)arg);
  }
  print_hex(wire, n);
}

static void decode(const char *hex) {
  hs_decoder d;
  hs_frame f;
  size_t n = parse_hex(hex, stream, sizeof stream), i, j;
  hs_decoder_init(&d, decode_buf, sizeof decode_buf);
  for (i = 0; i < n; i++) {
    if (!hs_decoder_push(&d, stream[i], &f)) continue;
    if (d.peer_version_mismatch) {
      printf("mismatch %u\n", d.peer_version_mismatch);
      break;
    }
    switch (f.type) {
      case HS_HELLO:
        printf("hello %u %u %u %lu %u ", f.seq, f.u.hello.version, f.u.hello.channels, (unsigned long)f.u.hello.rate,
               f.u.hello.sample_format);
        if (f.u.hello.board_id_len == 0) printf("-\n");
        else print_hex((const uint8_t *)f.u.hello.board_id, f.u.hello.board_id_len);
        break;
      case HS_SAMPLES:
        printf("samples %u %lu %u %u", f.seq, (unsigned long)f.u.samples.timestamp_us, f.u.samples.channels,
               f.u.samples.n_samples);
        for (j = 0; j < (size_t)f.u.samples.n_samples * f.u.samples.channels; j++) printf(" %d", hs_sample(&f, j));
        printf("\n");
        break;
      case HS_EVENT:
        printf("event %u %lu %u %ld\n", f.seq, (unsigned long)f.u.event.timestamp_us, f.u.event.kind, (long)f.u.event.value);
        break;
      case HS_COMMAND:
        printf("command %u %u %u %lu\n", f.seq, f.u.command.version, f.u.command.command, (unsigned long)f.u.command.arg);
        break;
    }
  }
  hs_decoder_end(&d);
  printf("stats %lu %lu %lu %lu %lu\n", (unsigned long)d.stats.frames, (unsigned long)d.stats.crc_failures,
         (unsigned long)d.stats.sequence_gaps, (unsigned long)d.stats.dropped_bytes, (unsigned long)d.stats.malformed);
}

int main(void) {
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == 'E' && line[1] == ' ') encode(line + 2);
    else if (line[0] == 'D' && line[1] == ' ') decode(line + 2);
    else if (line[0] == 'D') decode("");
    fflush(stdout);
  }
  return 0;
}
