/**
 * A conversation with a headstart board over any Transport: handshake,
 * streaming, gaps, reconnects, clean close (firmware-bridge/PROTOCOL.md).
 *
 *   const session = new BoardSession({ transport });
 *   session.on('frame', (f) => ...);     // attach before start: nothing is buffered
 *   const hello = await session.start(); // HELLO seen, version checked, START acknowledged
 *   ...
 *   await session.close();               // STOP, then close the transport
 *
 * Handshake: after opening, a lone 0x00 ends any partial frame the board
 * holds; the board's own HELLO is awaited (an Arduino resets when its port
 * opens and its bootloader takes about 1.5 s), then `ping` is sent until a
 * HELLO answers. A HELLO of another protocol version fails with
 * PROTOCOL_VERSION_MISMATCH. Then START, until acknowledged.
 *
 * Gaps: frames missing by sequence number, samples missing by the SAMPLES
 * timestamps. A link that drops and comes back is a 'disconnect' then a
 * 'reconnect' and, once samples flow again, one 'gap' that says how much was
 * lost; START is sent again in case the board restarted. A HELLO with seq 0
 * mid-stream means the board restarted: a 'gap' with cause 'restart' (its
 * clock restarted too, so the samples missed are unknown) and START again.
 *
 * An OpenBCI Cyton (`format: 'cyton'`) speaks its own byte stream and
 * one-letter ASCII commands instead: 's' stops any stream left running, 'v'
 * resets the board, which answers with a banner ending in "$$$" that says
 * whether a Daisy is fitted (16 channels at 125 Hz; 'c' turns it off when 8
 * channels are wanted), then 'b' starts the stream, and the HELLO is the one
 * the Cyton decoder makes from the first packet. 's' stops it at close; a
 * reconnect sends 'b' again. Gaps come from the packet counter.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { HeadstartError } from '../../core/errors.ts';
import { encodeFrame } from '../../core/protocol/encoder.ts';
import type { CommandName, DecoderStats, Frame, HelloFrame } from '../../core/protocol/frames.ts';
import type { ByteParser } from '../../core/protocol/byte_parser.ts';
import { CytonParser } from '../../core/protocol/cyton.ts';
import { FrameParser } from '../../core/protocol/parser.ts';
import { missingBetween } from '../../core/protocol/stats.ts';
import { SEQ_MODULUS } from '../../core/protocol/wire.ts';
import type { DisconnectInfo, ReconnectInfo, Transport } from './transport.ts';

export interface BoardSessionOptions {
  transport: Transport;
  /** How long to wait for the board's own HELLO before pinging (default 2500 ms). */
  helloTimeoutMs?: number;
  /** How long to wait for each answer to ping / start / stop (default 1000 ms). */
  replyTimeoutMs?: number;
  /** Pings (and START attempts) before giving up (default 3). */
  attempts?: number;
  /** Refuse a board whose HELLO does not announce this many channels. */
  expectChannels?: number;
  /** Refuse a board whose HELLO does not announce this rate. */
  expectRate?: number;
  /** What the board speaks: headstart frames (default) or an OpenBCI Cyton's stream. */
  format?: BoardFormat;
  /** Cyton: whether a Daisy is used (default: whatever the board's reset banner says) and the ADS1299 gain (default 24). */
  cyton?: { daisy?: boolean; gain?: number };
}

export type BoardFormat = 'headstart' | 'cyton';
export const BOARD_FORMATS: readonly BoardFormat[] = ['headstart', 'cyton'];

export interface GapInfo {
  /** 'reconnect': the link dropped; 'restart': the board restarted; 'wire': frames lost or corrupted on a live link. */
  cause: 'reconnect' | 'restart' | 'wire';
  /** Frames missing by sequence number (any frame type). */
  missingFrames: number;
  /** Samples per channel missing by the board clock; undefined after a restart (the clock restarted). */
  missingSamples: number | undefined;
  /** Board clock of the first sample after the gap. */
  resumedAtUs: number;
}

export interface BoardSessionStats {
  samplesFrames: number;
  /** Samples per channel received. */
  samples: number;
  events: number;
  gaps: number;
  missingFrames: number;
  /** Samples per channel lost in gaps whose size is known. */
  missingSamples: number;
  disconnects: number;
  reconnects: number;
  /** Downtime of the latest reconnect. */
  lastDowntimeMs: number | undefined;
  restarts: number;
  /** The frame decoder's counters (CRC failures, dropped bytes, malformed frames...). */
  decoder: DecoderStats;
}

export interface BoardSessionEvents {
  /** HELLO, SAMPLES and EVENT frames from the board, in order, starting with the HELLO that came with START's acknowledgement (acknowledgements themselves are consumed). */
  frame: [frame: Frame];
  gap: [info: GapInfo];
  disconnect: [info: DisconnectInfo];
  reconnect: [info: ReconnectInfo];
  /** Fatal: the transport gave up, or the board changed protocol version. 'close' follows. */
  error: [err: HeadstartError];
  close: [];
}

interface Waiter {
  accept: (frame: Frame) => boolean;
  resolve: (frame: Frame | undefined) => void;
  timer: NodeJS.Timeout;
}

type State = 'idle' | 'handshake' | 'streaming' | 'closing' | 'closed';

const TWO_32 = 2 ** 32;
/** After a Cyton's 's', how long the port stays open for it to be sent. */
const CYTON_STOP_MS = 50;
/** The Cyton's banner is complete once the line has been quiet this long after its "$$$". */
const CYTON_QUIET_MS = 30;

export class BoardSession extends EventEmitter<BoardSessionEvents> {
  readonly #transport: Transport;
  readonly #options: Required<Omit<BoardSessionOptions, 'transport' | 'expectChannels' | 'expectRate' | 'cyton'>> & Pick<BoardSessionOptions, 'expectChannels' | 'expectRate' | 'cyton'>;
  #parser: ByteParser;
  /** Cyton: the text the board printed since the last reset command, while waiting for its banner. */
  #cytonText: string | undefined;
  #cytonTextAt = 0;
  readonly #stats: Omit<BoardSessionStats, 'decoder'> = {
    samplesFrames: 0,
    samples: 0,
    events: 0,
    gaps: 0,
    missingFrames: 0,
    missingSamples: 0,
    disconnects: 0,
    reconnects: 0,
    lastDowntimeMs: undefined,
    restarts: 0,
  };
  readonly #waiters = new Set<Waiter>();
  #state: State = 'idle';
  #hello: HelloFrame | undefined;
  #latestHello: HelloFrame | undefined;
  #seq = 0;
  #lastSeq: number | undefined;
  /** Board clock (µs, fractional) expected for the next SAMPLES frame. */
  #expectedUs: number | undefined;
  #framesMissingSinceSamples = 0;
  #linkDroppedSinceSamples = false;
  #restartedSinceSamples = false;
  /** Why the session ended when it was not close(): the transport gave up, or a version mismatch. */
  #fatal: HeadstartError | undefined;

  constructor(options: BoardSessionOptions) {
    super();
    this.#transport = options.transport;
    this.#options = {
      helloTimeoutMs: options.helloTimeoutMs ?? 2500,
      replyTimeoutMs: options.replyTimeoutMs ?? 1000,
      attempts: options.attempts ?? 3,
      expectChannels: options.expectChannels,
      expectRate: options.expectRate,
      format: options.format ?? 'headstart',
      cyton: options.cyton,
    };
    this.#parser = this.#options.format === 'cyton' ? this.#cytonParser(options.cyton?.daisy ?? false) : new FrameParser();
  }

  #cytonParser(daisy: boolean): CytonParser {
    const gain = this.#options.cyton?.gain;
    return new CytonParser({ daisy, ...(gain === undefined ? {} : { gain }) });
  }

  /** The board's latest HELLO (undefined before start() resolved). */
  get hello(): HelloFrame | undefined {
    return this.#hello;
  }

  get stats(): BoardSessionStats {
    return { ...this.#stats, decoder: { ...this.#parser.stats } };
  }

  get description(): string {
    return this.#transport.description;
  }

  /** Opens the transport (unless linked), handshakes and starts streaming; resolves with the board's HELLO. */
  async start(): Promise<HelloFrame> {
    if (this.#state !== 'idle') throw new HeadstartError('INTERNAL', `${this.description}: start() was already called; create a new session`);
    this.#state = 'handshake';
    const t = this.#transport;
    t.on('data', (chunk) => this.#onData(chunk));
    t.on('disconnect', (info) => this.#onDisconnect(info));
    t.on('reconnect', (info) => this.#onReconnect(info));
    t.on('error', (err) => this.#fail(err));
    t.on('close', () => this.#finish());
    try {
      if (!t.isLinked) await t.open();
      if (this.#options.format === 'cyton') return await this.#startCyton();
      const helloSeen = this.#waitFor((f) => f.type === 'hello', this.#options.helloTimeoutMs);
      await this.#write(new Uint8Array(1));
      let hello = await helloSeen;
      for (let i = 1; !hello && i <= this.#options.attempts; i++) {
        const answer = this.#waitFor((f) => f.type === 'hello', this.#options.replyTimeoutMs);
        await this.#command('ping', i);
        hello = await answer;
      }
      this.#checkFailure();
      if (!hello || hello.type !== 'hello') {
        const waited = this.#options.helloTimeoutMs + this.#options.attempts * this.#options.replyTimeoutMs;
        throw new HeadstartError(
          'BOARD_SILENT',
          `${this.description}: no HELLO from the board within ${waited} ms (${this.#options.attempts} pings unanswered, ${this.#parser.stats.droppedBytes} bytes not understood); ` +
            'check that the board runs the firmware-bridge sketch and that the baud rate matches it',
        );
      }
      this.#checkBoard(hello);
      this.#hello = hello;
      let acked: Frame | undefined;
      for (let i = 1; !acked && i <= this.#options.attempts; i++) {
        const ack = this.#waitFor((f) => f.type === 'command' && f.command === 'start', this.#options.replyTimeoutMs);
        await this.#command('start', 0);
        acked = await ack;
      }
      this.#checkFailure();
      if ((this.#state as State) === 'closed') throw new HeadstartError('LINK_CLOSED', `${this.description}: the link closed during the handshake`);
      if (!acked) {
        throw new HeadstartError('BOARD_SILENT', `${this.description}: the board sent HELLO but did not acknowledge START after ${this.#options.attempts} tries; reset the board and try again`);
      }
      this.#state = 'streaming';
      return this.#hello;
    } catch (err) {
      await this.#shutdown();
      throw err;
    }
  }

  /** The Cyton's handshake: stop, reset and read the banner, start; the decoder's HELLO comes with the first packet. */
  async #startCyton(): Promise<HelloFrame> {
    const write = (letters: string) => this.#write(new TextEncoder().encode(letters));
    this.#cytonText = '';
    const banner = new Promise<string | undefined>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const text = this.#cytonText ?? '';
        // A banner, then a quiet line: an earlier banner (printed at power-up) may come just before the reset's own.
        const done = /OpenBCI[\s\S]*\$\$\$/.test(text) && performance.now() - this.#cytonTextAt >= CYTON_QUIET_MS;
        if (done || Date.now() - started > this.#options.helloTimeoutMs || this.#state !== 'handshake') {
          clearInterval(poll);
          resolve(done ? text : undefined);
        }
      }, 5);
    });
    await write('s');
    await write('v');
    const text = await banner;
    this.#cytonText = undefined;
    this.#checkFailure();
    if (text === undefined) {
      throw new HeadstartError(
        'BOARD_SILENT',
        `${this.description}: no answer from a Cyton to a reset ('v') within ${this.#options.helloTimeoutMs} ms; check that the board and its USB dongle are on (the dongle's switch on GPIO6, not RESET), that both use the same radio channel, and that the port runs at 115200 baud`,
      );
    }
    // The latest banner says what is fitted.
    const fitted = /On Daisy/i.test(text.slice(text.lastIndexOf('OpenBCI')));
    const wanted = this.#options.cyton?.daisy;
    if (wanted === true && !fitted) {
      throw new HeadstartError('BOARD_MISMATCH', `${this.description}: 16 channels (a Daisy) were asked for, but the Cyton reports no Daisy module; seat the Daisy on the board's pins, or use the Cyton's own 8 channels`, { setting: 'daisy' });
    }
    const daisy = wanted ?? fitted;
    // With a Daisy fitted, the board streams 16 channels unless told to use its own 8.
    if (fitted && !daisy) await write('c');
    this.#parser = this.#cytonParser(daisy);
    let hello: Frame | undefined;
    for (let i = 1; !hello && i <= this.#options.attempts; i++) {
      const first = this.#waitFor((f) => f.type === 'hello', this.#options.replyTimeoutMs);
      await write('b');
      hello = await first;
    }
    this.#checkFailure();
    if ((this.#state as State) === 'closed') throw new HeadstartError('LINK_CLOSED', `${this.description}: the link closed during the handshake`);
    if (!hello || hello.type !== 'hello') {
      throw new HeadstartError('BOARD_SILENT', `${this.description}: the Cyton answered its reset but sent no data after 'b' (${this.#options.attempts} tries); switch the board off and on, and try again`);
    }
    this.#checkBoard(hello);
    return this.#hello!;
  }

  /** Sends STOP (waiting briefly for its acknowledgement), then closes the transport. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    const wasStreaming = this.#state === 'streaming';
    this.#state = 'closing';
    if (wasStreaming && this.#transport.isLinked && this.#options.format === 'cyton') {
      // The Cyton stops on 's' without answering: give the byte a moment on the wire before the port closes.
      await this.#write(new TextEncoder().encode('s')).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, CYTON_STOP_MS));
    } else if (wasStreaming && this.#transport.isLinked) {
      const ack = this.#waitFor((f) => f.type === 'command' && f.command === 'stop', this.#options.replyTimeoutMs);
      await this.#command('stop', 0).catch(() => undefined);
      await ack;
    }
    await this.#shutdown();
  }

  /** The board's frames as an object-mode stream, from now until close. */
  frames(): Readable {
    const stream = new Readable({ objectMode: true, read: () => undefined });
    const onFrame = (f: Frame): void => {
      stream.push(f);
    };
    this.on('frame', onFrame);
    this.once('close', () => {
      this.off('frame', onFrame);
      stream.push(null);
    });
    return stream;
  }

  #onData(chunk: Uint8Array): void {
    if (this.#cytonText !== undefined) {
      // The Cyton's reset banner is text, not packets; keep the latest few kilobytes.
      this.#cytonText = (this.#cytonText + Buffer.from(chunk).toString('latin1')).slice(-4096);
      this.#cytonTextAt = performance.now();
      return;
    }
    this.#parser.push(chunk, (frame) => this.#onFrame(frame));
    const failure = this.#parser.failure();
    if (failure && this.#state === 'streaming') this.#fail(failure);
    else if (failure) this.#releaseWaiters();
  }

  #onFrame(frame: Frame): void {
    if (this.#lastSeq !== undefined && !(frame.type === 'hello' && frame.seq === 0)) {
      this.#framesMissingSinceSamples += missingBetween(this.#lastSeq, frame.seq, SEQ_MODULUS);
    }
    this.#lastSeq = frame.seq;
    for (const w of this.#waiters) {
      if (w.accept(frame)) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(frame);
      }
    }
    switch (frame.type) {
      case 'command':
        // Frames right behind START's acknowledgement may share its chunk: stream from here, synchronously.
        if (this.#state === 'handshake' && this.#hello && frame.command === 'start') {
          this.#state = 'streaming';
          // The stream starts self-described: the HELLO the board sent with this acknowledgement.
          this.#hello = this.#latestHello ?? this.#hello;
          this.emit('frame', this.#hello);
        }
        return; // acknowledgements were for the waiters
      case 'hello':
        if (this.#options.format === 'cyton') {
          // The Cyton decoder makes one HELLO, at the first packet: it starts the stream, and the samples behind it in this chunk are streamed.
          this.#latestHello = frame;
          this.#hello = frame;
          if (this.#state === 'handshake') this.#state = 'streaming';
          break;
        }
        this.#latestHello = frame;
        if (this.#state === 'streaming' && frame.seq === 0) this.#onBoardRestart();
        if (this.#state === 'streaming') this.#hello = frame;
        break;
      case 'samples':
        this.#checkContinuity(frame.timestampUs, frame.samples.length / frame.channels);
        this.#stats.samplesFrames++;
        this.#stats.samples += frame.samples.length / frame.channels;
        break;
      case 'event':
        this.#stats.events++;
        break;
    }
    if (this.#state === 'streaming') this.emit('frame', frame);
  }

  #checkContinuity(timestampUs: number, count: number): void {
    const rate = this.#hello?.rate ?? 0;
    let missingSamples: number | undefined = 0;
    if (this.#restartedSinceSamples) {
      missingSamples = undefined;
    } else if (this.#expectedUs !== undefined && rate > 0) {
      let deltaUs = (timestampUs - this.#expectedUs) % TWO_32;
      if (deltaUs < 0) deltaUs += TWO_32;
      if (deltaUs >= TWO_32 / 2) deltaUs -= TWO_32;
      missingSamples = Math.max(0, Math.round((deltaUs * rate) / 1e6));
    }
    const missingFrames = this.#framesMissingSinceSamples;
    if (this.#expectedUs !== undefined && (missingFrames > 0 || missingSamples === undefined || missingSamples > 0)) {
      const cause = this.#restartedSinceSamples ? 'restart' : this.#linkDroppedSinceSamples ? 'reconnect' : 'wire';
      this.#stats.gaps++;
      this.#stats.missingFrames += missingFrames;
      this.#stats.missingSamples += missingSamples ?? 0;
      this.emit('gap', { cause, missingFrames, missingSamples, resumedAtUs: timestampUs });
    }
    this.#framesMissingSinceSamples = 0;
    this.#linkDroppedSinceSamples = false;
    this.#restartedSinceSamples = false;
    this.#expectedUs = rate > 0 ? (timestampUs + (count * 1e6) / rate) % TWO_32 : undefined;
  }

  #onBoardRestart(): void {
    this.#stats.restarts++;
    this.#restartedSinceSamples = true;
    // A board that restarted waits for START again.
    void this.#command('start', 0).catch(() => undefined);
  }

  #onDisconnect(info: DisconnectInfo): void {
    this.#stats.disconnects++;
    this.#linkDroppedSinceSamples = true;
    // Whatever partial frame was held will never be completed.
    this.#parser.end(() => undefined);
    this.emit('disconnect', info);
  }

  #onReconnect(info: ReconnectInfo): void {
    this.#stats.reconnects++;
    this.#stats.lastDowntimeMs = info.downtimeMs;
    this.emit('reconnect', info);
    if (this.#state !== 'streaming') return;
    if (this.#options.format === 'cyton') {
      void this.#write(new TextEncoder().encode('b')).catch(() => undefined);
      return;
    }
    // A board that kept running ignores a second START (it answers HELLO and an ack); one that restarted needs it.
    void this.#write(new Uint8Array(1))
      .then(() => this.#command('start', 0))
      .catch(() => undefined);
  }

  #checkBoard(hello: HelloFrame): void {
    const { expectChannels, expectRate } = this.#options;
    if (expectChannels !== undefined && hello.channels !== expectChannels) {
      throw new HeadstartError('BOARD_MISMATCH', `${this.description}: the board '${hello.boardId}' sends ${hello.channels} channels but ${expectChannels} are expected; wire the expected electrodes or use a model package made for ${hello.channels} channels`);
    }
    if (expectRate !== undefined && hello.rate !== expectRate) {
      throw new HeadstartError('BOARD_MISMATCH', `${this.description}: the board '${hello.boardId}' samples at ${hello.rate} Hz but ${expectRate} Hz is expected; set the board's rate or use a model package made for ${hello.rate} Hz`);
    }
  }

  #checkFailure(): void {
    const failure = this.#fatal ?? this.#parser.failure();
    if (failure) throw failure;
  }

  #command(command: CommandName, arg: number): Promise<void> {
    const seq = this.#seq;
    this.#seq = (seq + 1) % SEQ_MODULUS;
    return this.#write(encodeFrame({ type: 'command', seq, command, arg }));
  }

  #write(bytes: Uint8Array): Promise<void> {
    return this.#transport.write(bytes);
  }

  /** Resolves with the first frame accepted, or undefined after timeoutMs (or when released). */
  #waitFor(accept: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame | undefined> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        accept,
        resolve,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve(undefined);
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #releaseWaiters(): void {
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.#waiters.clear();
  }

  #fail(err: HeadstartError): void {
    if (this.#state === 'closed') return;
    this.#fatal ??= err;
    this.#releaseWaiters();
    // Nobody listening (a caller that already stopped listening while closing): 'close' still follows; an unheard 'error' must not crash the process.
    if ((this.#state === 'streaming' || this.#state === 'closing') && this.listenerCount('error') > 0) this.emit('error', err);
    void this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    this.#releaseWaiters();
    await this.#transport.close();
    this.#finish();
  }

  #finish(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#releaseWaiters();
    this.emit('close');
  }
}
