/*
 * headstart_sensor: samples analog pins at a fixed rate on a Timer1 compare
 * interrupt and streams them to a headstart host as SAMPLES frames of the
 * headstart wire protocol (firmware-bridge/PROTOCOL.md), answering COMMAND
 * frames (start, stop, set_rate, ping). For an ATmega328P at 16 MHz (Uno,
 * Nano); `src` is a link to firmware-bridge/src, where the codec lives.
 *
 * Sampling never waits on the serial line: the timer interrupt starts a
 * conversion of the first pin, the ADC-complete interrupt stores it and
 * starts the next, and the last one puts the whole sample in a ring buffer
 * that loop() drains into frames.
 */
#include <Arduino.h>
#include <avr/interrupt.h>
#include <avr/io.h>

#include "src/hs_protocol.h"

#define BOARD_ID "uno-r3"
/* A0..A5 on an Uno; a Nano also has A6 and A7, so up to 8. */
#define CHANNELS 6
#define SAMPLES_PER_FRAME 10
#define RING_SAMPLES (4 * SAMPLES_PER_FRAME)
#define DEFAULT_RATE 500
#define MIN_RATE 50
#define MAX_RATE 1000
/* 230400 baud is 3.5 % off on a 16 MHz AVR; 500000 is exact and carries 8 channels at 1 kHz with room to spare. */
#define BAUD 500000UL
#define TIMER_HZ (F_CPU / 8UL) /* Timer1 with a prescaler of 8 */

static volatile int16_t ring[RING_SAMPLES][CHANNELS];
static volatile uint32_t ring_time_us[RING_SAMPLES];
static volatile uint8_t ring_head; /* written by the ADC interrupt */
static volatile uint8_t ring_tail; /* written by loop() */
static volatile uint8_t adc_channel;
static volatile uint8_t adc_busy;
static volatile int16_t current[CHANNELS];
static volatile uint32_t current_time_us;
static volatile uint16_t overruns; /* ticks skipped or samples lost to a full ring */

static uint32_t rate_hz = DEFAULT_RATE;
static uint8_t running;
static uint16_t tx_seq;

static uint8_t rx_buf[HS_WIRE_BYTES(HS_COMMAND_RAW_BYTES)];
static hs_decoder rx;
static uint8_t tx_buf[HS_WIRE_BYTES(HS_SAMPLES_RAW_BYTES(SAMPLES_PER_FRAME, CHANNELS))];
static int16_t frame_samples[SAMPLES_PER_FRAME * CHANNELS];

static void adc_select(uint8_t pin) {
  ADMUX = (uint8_t)((1 << REFS0) | (pin & 0x07)); /* AVcc reference */
}

ISR(TIMER1_COMPA_vect) {
  if (adc_busy) { /* the previous sample has not finished converting: the rate is too high */
    overruns++;
    return;
  }
  adc_busy = 1;
  current_time_us = micros();
  adc_channel = 0;
  adc_select(0);
  ADCSRA |= (1 << ADSC);
}

ISR(ADC_vect) {
  current[adc_channel] = (int16_t)ADC;
  if (++adc_channel < CHANNELS) {
    adc_select(adc_channel);
    ADCSRA |= (1 << ADSC);
    return;
  }
  uint8_t next = (uint8_t)((ring_head + 1) % RING_SAMPLES);
  if (next == ring_tail) overruns++;
  else {
    for (uint8_t c = 0; c < CHANNELS; c++) ring[ring_head][c] = current[c];
    ring_time_us[ring_head] = current_time_us;
    ring_head = next;
  }
  adc_busy = 0;
}

static uint8_t ring_count(void) {
  uint8_t head = ring_head; /* one byte: read atomically */
  return (uint8_t)((head + RING_SAMPLES - ring_tail) % RING_SAMPLES);
}

static void timer_start(void) {
  noInterrupts();
  TCCR1A = 0;
  TCCR1B = 0;
  TCNT1 = 0;
  OCR1A = (uint16_t)(TIMER_HZ / rate_hz - 1);
  TCCR1B = (1 << WGM12) | (1 << CS11); /* CTC on OCR1A, clock / 8 */
  TIMSK1 = (1 << OCIE1A);
  interrupts();
}

static void timer_stop(void) {
  noInterrupts();
  TIMSK1 = 0;
  TCCR1B = 0;
  interrupts();
}

static void send(size_t n) {
  if (n > 0) Serial.write(tx_buf, n);
}

static void send_hello(void) {
  send(hs_encode_hello(tx_buf, sizeof tx_buf, tx_seq++, CHANNELS, rate_hz, BOARD_ID));
}

static void send_ack(uint8_t command, uint32_t arg) {
  send(hs_encode_command(tx_buf, sizeof tx_buf, tx_seq++, command, arg));
}

static void start_sampling(void) {
  noInterrupts();
  ring_head = ring_tail = 0;
  adc_busy = 0;
  interrupts();
  running = 1;
  timer_start();
}

static void on_command(const hs_frame *f) {
  if (f->u.command.version != HS_PROTOCOL_VERSION) {
    /* A host of another version: tell it ours and do nothing else (PROTOCOL.md §3). */
    send_hello();
    return;
  }
  switch (f->u.command.command) {
    case HS_CMD_START:
      send_hello();
      send_ack(HS_CMD_START, 0);
      start_sampling();
      break;
    case HS_CMD_STOP:
      timer_stop();
      running = 0;
      send_ack(HS_CMD_STOP, 0);
      break;
    case HS_CMD_SET_RATE: {
      uint32_t wanted = f->u.command.arg;
      rate_hz = wanted < MIN_RATE ? MIN_RATE : wanted > MAX_RATE ? MAX_RATE : wanted;
      if (running) start_sampling();
      send_ack(HS_CMD_SET_RATE, rate_hz);
      send_hello();
      break;
    }
    case HS_CMD_PING:
      send_ack(HS_CMD_PING, f->u.command.arg);
      send_hello();
      break;
  }
}

static void send_samples(void) {
  uint8_t tail = ring_tail;
  uint32_t first_us = ring_time_us[tail];
  for (uint8_t s = 0; s < SAMPLES_PER_FRAME; s++) {
    for (uint8_t c = 0; c < CHANNELS; c++) frame_samples[s * CHANNELS + c] = ring[tail][c];
    tail = (uint8_t)((tail + 1) % RING_SAMPLES);
  }
  ring_tail = tail;
  send(hs_encode_samples(tx_buf, sizeof tx_buf, tx_seq++, first_us, CHANNELS, frame_samples, SAMPLES_PER_FRAME));
}

void setup(void) {
  Serial.begin(BAUD);
  ADCSRA = (1 << ADEN) | (1 << ADIE) | (1 << ADPS2) | (1 << ADPS1); /* ADC clock F_CPU/64 = 250 kHz: 52 us a conversion */
  hs_decoder_init(&rx, rx_buf, sizeof rx_buf);
  Serial.write((uint8_t)0); /* ends whatever partial frame the host was holding */
  send_hello();
}

void loop(void) {
  hs_frame f;
  while (Serial.available() > 0) {
    if (hs_decoder_push(&rx, (uint8_t)Serial.read(), &f) && f.type == HS_COMMAND) on_command(&f);
  }
  if (running && ring_count() >= SAMPLES_PER_FRAME) send_samples();
}
