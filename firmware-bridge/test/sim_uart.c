/*
 * Runs a firmware ELF on simavr's ATmega328P for a while and bridges UART0
 * to stdio as raw bytes: what the board sends goes to stdout; bytes given on
 * the command line are sent to the board at a simulated time.
 *
 *   sim_uart <firmware.elf> <run ms> [<at ms>:<hex bytes>]...
 *
 * Analog input n (A0..A7) is held at 500 * (n + 1) mV against a 5 V AVcc,
 * so each channel reads a known, distinct value.
 *
 * Host-side test tool (test/firmware_sim.test.ts); needs libsimavr-dev.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avr_adc.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_irq.h"

#define MAX_INJECT 16

static void on_uart_byte(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  putchar((int)(value & 0xff));
}

int main(int argc, char **argv) {
  elf_firmware_t firmware;
  avr_t *avr;
  uint32_t flags = 0;
  double run_ms;
  int n_inject = 0, i;
  struct { double at_ms; unsigned char bytes[64]; int n; int done; } inject[MAX_INJECT];

  if (argc < 3) {
    fprintf(stderr, "usage: sim_uart <firmware.elf> <run ms> [<at ms>:<hex>]...\n");
    return 2;
  }
  run_ms = atof(argv[2]);
  for (i = 3; i < argc && n_inject < MAX_INJECT; i++, n_inject++) {
    const char *hex = strchr(argv[i], ':');
    unsigned v;
    inject[n_inject].at_ms = atof(argv[i]);
    inject[n_inject].n = 0;
    inject[n_inject].done = 0;
    for (hex = hex ? hex + 1 : ""; hex[0] && hex[1] && inject[n_inject].n < 64 && sscanf(hex, "%2x", &v) == 1; hex += 2)
      inject[n_inject].bytes[inject[n_inject].n++] = (unsigned char)v;
  }

  memset(&firmware, 0, sizeof firmware);
  if (elf_read_firmware(argv[1], &firmware) != 0) {
    fprintf(stderr, "sim_uart: cannot read %s\n", argv[1]);
    return 2;
  }
  avr = avr_make_mcu_by_name("atmega328p");
  if (!avr) return 2;
  avr_init(avr);
  avr->frequency = 16000000;
  avr->log = LOG_NONE;
  avr_load_firmware(avr, &firmware);
  avr->vcc = avr->avcc = avr->aref = 5000;
  for (i = 0; i < 8; i++) avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + i), 500u * (unsigned)(i + 1));

  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(uint32_t)AVR_UART_FLAG_STDIO;
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_byte, NULL);
  avr_irq_t *input = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);

  for (;;) {
    double now_ms = (double)avr->cycle * 1000.0 / avr->frequency;
    int state;
    if (now_ms >= run_ms) break;
    for (i = 0; i < n_inject; i++) {
      if (!inject[i].done && now_ms >= inject[i].at_ms) {
        int j;
        for (j = 0; j < inject[i].n; j++) avr_raise_irq(input, inject[i].bytes[j]);
        inject[i].done = 1;
      }
    }
    state = avr_run(avr);
    if (state == cpu_Done || state == cpu_Crashed) {
      fprintf(stderr, "sim_uart: the firmware stopped (state %d)\n", state);
      return 1;
    }
  }
  fflush(stdout);
  return 0;
}
