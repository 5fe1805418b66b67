/**
 * The cable between the demo's virtual board and the host side: a socat
 * pseudo-terminal pair when socat is installed (the bytes go through a real
 * serial port path and serialport, as with a board on USB), otherwise the
 * in-process loopback (what a fresh machine with only npm packages has).
 */
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { socatAvailable } from '../pty_pair.ts';
import type { ReplayScript } from '../replay_script.ts';
import { CytonBoard } from '../cyton_board.ts';
import { startCytonBoardOnPty, startVirtualBoardOnPty } from '../run_on_pty.ts';
import { VirtualBoard } from '../virtual_board.ts';
import { createLoopbackPair } from '../../device/transports/loopback.ts';
import { SerialTransport } from '../../device/transports/serial.ts';
import type { Transport } from '../../device/transports/transport.ts';

export type LinkChoice = 'auto' | 'pty' | 'loopback';
export const LINK_CHOICES: readonly LinkChoice[] = ['auto', 'pty', 'loopback'];

export interface DemoLink {
  kind: 'pty' | 'loopback';
  /** Why this link, in words (printed, and in the JSON summary). */
  reason: string;
}

/** Baud rate set on both pty ends; a pty moves bytes at any rate, this is what a USB-serial board would be set to. */
const PTY_BAUD = 2_000_000;

export function chooseLink(choice: LinkChoice, hasSocat: () => boolean = socatAvailable): DemoLink {
  if (choice === 'loopback') return { kind: 'loopback', reason: 'in-process loopback, as asked (--link loopback)' };
  if (hasSocat()) {
    return { kind: 'pty', reason: `pseudo-terminal pair made by socat, opened with serialport like a board on USB${choice === 'pty' ? ' (--link pty)' : ''}` };
  }
  if (choice === 'pty') throw new HeadstartError('MISSING_DEPENDENCY', 'a pseudo-terminal link needs socat to make the pair; install it (`apt-get install socat`) or use the in-process loopback');
  return { kind: 'loopback', reason: 'in-process loopback, because socat is not installed (install it to send the bytes through a pseudo-terminal and serialport)' };
}

export interface DemoBoard {
  board: VirtualBoard;
  /** The host's end of the cable, not opened yet (a BoardSession opens it). */
  host: Transport;
  /** Resolves once the board has sent its whole script. */
  ended: Promise<void>;
  stop(): Promise<void>;
}

export interface DemoCyton {
  board: CytonBoard;
  /** The host's end of the cable, not opened yet (a BoardSession with format 'cyton' opens it). */
  host: Transport;
  ended: Promise<void>;
  stop(): Promise<void>;
}

/** The software Cyton playing `script` (8 channels at 250 Hz, µV) on a fresh cable, as startDemoBoard for the headstart board. */
export async function startDemoCyton(link: DemoLink, script: ReplayScript, options: { speed: number; dir: string; name: string }): Promise<DemoCyton> {
  if (link.kind === 'pty') {
    const running = await startCytonBoardOnPty({ ptyPath: join(options.dir, options.name), script, speed: options.speed, baudRate: PTY_BAUD });
    return { board: running.board, host: new SerialTransport({ path: running.hostPath, baudRate: PTY_BAUD, reconnect: false }), ended: running.ended, stop: running.stop };
  }
  const pair = createLoopbackPair();
  const board = new CytonBoard(script, pair.board, { speed: options.speed });
  const ended = new Promise<void>((resolve) => board.once('end', () => resolve()));
  await board.powerOn();
  return { board, host: pair.host, ended, stop: () => board.powerOff() };
}

/**
 * Powers a virtual board playing `script` at `speed` on a fresh cable of
 * kind `link`; pty ends are made in `dir` as `<name>` (host) and `<name>.board`.
 */
export async function startDemoBoard(link: DemoLink, script: ReplayScript, options: { speed: number; dir: string; name: string }): Promise<DemoBoard> {
  if (link.kind === 'pty') {
    const running = await startVirtualBoardOnPty({ ptyPath: join(options.dir, options.name), script, speed: options.speed, baudRate: PTY_BAUD });
    return { board: running.board, host: new SerialTransport({ path: running.hostPath, baudRate: PTY_BAUD, reconnect: false }), ended: running.ended, stop: running.stop };
  }
  const pair = createLoopbackPair();
  const board = new VirtualBoard(script, pair.board, { speed: options.speed });
  const ended = new Promise<void>((resolve) => board.once('end', () => resolve()));
  await board.powerOn();
  return { board, host: pair.host, ended, stop: () => board.powerOff() };
}
