/**
 * The serialport implementation of Transport: a UART, a USB CDC port or a
 * pseudo-terminal. When the port vanishes mid-stream (cable pulled, board
 * reset, pty pair gone) it emits 'disconnect', keeps trying to open the same
 * path with exponential backoff, and emits 'reconnect' when the path is back.
 *
 * Vanishing is detected two ways: serialport's own disconnect (a read or poll
 * error), and a periodic check that the path still names the device that was
 * opened. The second is needed because a pty whose other side closed reads as
 * end-of-file, which the serialport binding retries forever without reporting.
 *
 * Writes go to the port's file descriptor directly (writeAll below), not
 * through the binding's write: on Linux and macOS the binding waits for a full
 * output buffer to drain with the same poll handle its reads use, and each
 * wait replaces the other's event mask (uv_poll_start is given only the new
 * event), so a write waiting for room while a read re-arms itself waits until
 * the other side sends a byte. A board streaming to a host that sends nothing
 * then stops for good. Reads stay with serialport.
 */
import { EventEmitter } from 'node:events';
import { statSync, write as writeFd } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { HeadstartError } from '../../core/errors.ts';
import { backoffDelayMs, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './backoff.ts';
import type { Transport, TransportEvents } from './transport.ts';

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  /** How to reconnect when the port vanishes; false reports the loss as an error instead. */
  reconnect?: Partial<ReconnectPolicy> | false;
  /** How often to check that the path still names the opened device (default 200 ms). */
  presenceCheckMs?: number;
}

type State = 'idle' | 'linked' | 'reconnecting' | 'closed';

export class SerialTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  readonly #path: string;
  readonly #baudRate: number;
  readonly #policy: ReconnectPolicy | undefined;
  #state: State = 'idle';
  #port: SerialPort | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #presenceTimer: NodeJS.Timeout | undefined;
  readonly #presenceCheckMs: number;
  /** Rejecters of writes in flight, so a lost port fails them instead of leaving them hanging. */
  readonly #pendingWrites = new Set<(err: HeadstartError) => void>();

  constructor(options: SerialTransportOptions) {
    super();
    this.#path = options.path;
    this.#baudRate = options.baudRate;
    this.#policy = options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect };
    this.#presenceCheckMs = options.presenceCheckMs ?? 200;
    this.description = `${options.path} @ ${options.baudRate} baud`;
  }

  get isLinked(): boolean {
    return this.#state === 'linked';
  }

  async open(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new HeadstartError('INTERNAL', `${this.description}: open() was already called; create a new transport to open it again`);
    }
    this.#port = await this.#openPort();
    this.#state = 'linked';
    await this.#watchPresence(this.#port);
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (this.#state !== 'linked' || !port) {
      return Promise.reject(new HeadstartError('LINK_CLOSED', `${this.description}: not connected (${this.#state}); bytes were not sent`));
    }
    return new Promise((resolve, reject) => {
      const fail = (err: HeadstartError): void => {
        this.#pendingWrites.delete(fail);
        reject(err);
      };
      this.#pendingWrites.add(fail);
      const done = (err?: Error): void => {
        if (!this.#pendingWrites.delete(fail)) return;
        if (err) reject(new HeadstartError('LINK_CLOSED', `${this.description}: write failed (${err.message}); the link is probably gone`));
        else resolve();
      };
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const fd = portFd(port);
      if (fd === undefined) port.write(chunk, (err) => done(err ?? undefined));
      else this.#writeChain = this.#writeChain.then(() => writeAll(fd, chunk, () => this.#port === port && port.isOpen)).then(() => done(), (err: Error) => done(err));
    });
  }

  /** Writes in the order they were asked for: each waits for the one before it. */
  #writeChain: Promise<void> = Promise.resolve();

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#retryTimer);
    clearInterval(this.#presenceTimer);
    const port = this.#port;
    this.#port = undefined;
    this.#failPendingWrites('closed');
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.emit('close');
  }

  #openPort(): Promise<SerialPort> {
    const notAPort = notASerialPort(this.#path);
    if (notAPort) return Promise.reject(notAPort);
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: this.#path, baudRate: this.#baudRate, autoOpen: false });
      // A serialport stream with no 'error' listener throws; errors that matter
      // also surface as a 'close' or a failed write, handled below.
      port.on('error', () => undefined);
      port.open((err) => {
        if (err) {
          reject(serialOpenError(this.#path, err));
          return;
        }
        port.on('data', (chunk: Buffer) => {
          if (this.#port === port) this.emit('data', chunk);
        });
        port.on('close', (closeErr?: Error) => {
          if (this.#port === port && this.#state === 'linked') this.#lost(closeErr?.message ?? 'the port closed');
        });
        resolve(port);
      });
    });
  }

  /** Polls the identity (device number) of what the path names while this port is the current one. */
  async #watchPresence(port: SerialPort): Promise<void> {
    clearInterval(this.#presenceTimer);
    const opened = await deviceId(this.#path);
    this.#presenceTimer = setInterval(() => {
      void deviceId(this.#path).then((now) => {
        if (this.#port !== port || this.#state !== 'linked') return;
        if (now === undefined || now !== opened) {
          this.#lost(now === undefined ? 'the port path vanished' : 'the port path now names another device');
          port.close(() => undefined);
        }
      });
    }, this.#presenceCheckMs);
    this.#presenceTimer.unref();
  }

  #lost(reason: string): void {
    clearInterval(this.#presenceTimer);
    this.#port = undefined;
    this.#failPendingWrites('disconnected');
    this.#state = 'reconnecting';
    this.emit('disconnect', { reason });
    const policy = this.#policy;
    if (!policy) {
      this.#giveUp(new HeadstartError('PORT_LOST', `${this.description}: the port vanished (${reason}); check the cable and the board, then start again`));
      return;
    }
    const since = Date.now();
    const attempt = (n: number): void => {
      this.#retryTimer = setTimeout(() => {
        this.#openPort().then(
          (port) => {
            if (this.#state !== 'reconnecting') {
              port.close(() => undefined);
              return;
            }
            this.#port = port;
            this.#state = 'linked';
            void this.#watchPresence(port);
            this.emit('reconnect', { attempts: n, downtimeMs: Date.now() - since });
          },
          (err: HeadstartError) => {
            if (this.#state !== 'reconnecting') return;
            if (Date.now() - since >= policy.giveUpAfterMs) {
              this.#giveUp(new HeadstartError('PORT_LOST', `${this.description}: the port vanished (${reason}) and did not come back within ${policy.giveUpAfterMs} ms (last attempt: ${err.message}); check the cable and the board`));
            } else {
              attempt(n + 1);
            }
          },
        );
      }, backoffDelayMs(n, policy));
    };
    attempt(1);
  }

  #giveUp(err: HeadstartError): void {
    this.emit('error', err);
    void this.close();
  }

  #failPendingWrites(why: string): void {
    const err = new HeadstartError('LINK_CLOSED', `${this.description}: ${why} before the bytes were sent`);
    for (const fail of [...this.#pendingWrites]) fail(err);
  }
}

/** The open port's file descriptor where the binding has one (Linux, macOS), else undefined (Windows: its own write path). */
function portFd(port: SerialPort): number | undefined {
  const fd = (port.port as { fd?: unknown } | undefined)?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Writes every byte of `chunk` to a non-blocking descriptor. A full output
 * buffer (EAGAIN) is waited out with short sleeps, 1 ms growing to 20 ms,
 * rather than a poll handle (see the top of this file); `stillCurrent` false
 * (the port was lost or closed meanwhile) ends the wait with an error.
 */
async function writeAll(fd: number, chunk: Buffer, stillCurrent: () => boolean): Promise<void> {
  let offset = 0;
  let waitMs = 1;
  while (offset < chunk.length) {
    if (!stillCurrent()) throw new Error('the port closed');
    try {
      offset += await new Promise<number>((resolve, reject) => writeFd(fd, chunk, offset, chunk.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))));
      waitMs = 1;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      await sleep(waitMs);
      waitMs = Math.min(20, waitMs * 2);
    }
  }
}

/** What the path resolves to, as "device:inode:rdev", or undefined when it resolves to nothing. */
async function deviceId(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}:${s.rdev}`;
  } catch {
    return undefined;
  }
}

/** What a path that exists but cannot be a serial port is (a regular file, a folder, a fifo...), as an error; undefined for a character device or a missing path. */
export function notASerialPort(path: string): HeadstartError | undefined {
  let kind: string;
  try {
    const s = statSync(path);
    if (s.isCharacterDevice()) return undefined;
    kind = s.isFile() ? 'a regular file' : s.isDirectory() ? 'a folder' : s.isFIFO() ? 'a named pipe' : s.isSocket() ? 'a socket' : 'not a device';
  } catch {
    return undefined;
  }
  return new HeadstartError('PORT_NOT_FOUND', `${path} is ${kind}, not a serial port; give the board's port (\`headstart ports\` lists them), or the path a \`headstart sim\` printed`, { port: path });
}

/** Throws PORT_NOT_FOUND when nothing is at the path or it is not a serial port: a check a verb makes before its slow start. */
export function checkPortPath(path: string): void {
  const notAPort = notASerialPort(path);
  if (notAPort) throw notAPort;
  try {
    statSync(path);
  } catch {
    throw new HeadstartError('PORT_NOT_FOUND', `${path}: no such serial port; \`headstart ports\` lists the ports present`, { port: path });
  }
}

/** A serialport open failure as a HeadstartError that says what to do. */
export function serialOpenError(path: string, err: Error): HeadstartError {
  const m = err.message;
  if (/ENOENT|No such file/i.test(m)) {
    return new HeadstartError('PORT_NOT_FOUND', `${path}: no such serial port; \`headstart ports\` lists the ports present`);
  }
  if (/EACCES|Permission denied/i.test(m)) {
    return new HeadstartError('PORT_ACCESS_DENIED', `${path}: permission denied; add your user to the group owning the port (often \`dialout\`) and log in again`);
  }
  if (/EBUSY|lock|busy|temporarily unavailable/i.test(m)) {
    return new HeadstartError('PORT_BUSY', `${path}: the port is in use by another program; close it (a serial monitor?) and retry`);
  }
  return new HeadstartError('PORT_OPEN_FAILED', `${path}: cannot open (${m})`);
}
