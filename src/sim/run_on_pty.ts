/**
 * The virtual board on a pseudo-terminal, for `headstart sim`, the demo and
 * tests: given a path, either open it (an existing pty end someone made) or
 * make a socat pair whose host end is that path and whose board end is
 * `<path>.board`. Stop it with `stop()`.
 */
import { lstatSync, statSync } from 'node:fs';
import { SerialTransport } from '../device/transports/serial.ts';
import { startPtyPair, type PtyPair } from './pty_pair.ts';
import { CytonBoard, type CytonBoardOptions } from './cyton_board.ts';
import type { ReplayScript } from './replay_script.ts';
import { VirtualBoard, type VirtualBoardOptions } from './virtual_board.ts';

export interface RunOnPtyOptions extends VirtualBoardOptions {
  /** Where the host connects. Made with socat unless it already is a terminal device. */
  ptyPath: string;
  script: ReplayScript;
  /** Baud rate set on the board's end (a pty moves bytes at any rate; set it as the real link would be). */
  baudRate?: number;
}

export interface RunningVirtualBoard {
  board: VirtualBoard;
  /** The path the host opens. */
  hostPath: string;
  /** The path the board opened (`<ptyPath>.board` when it made the pair). */
  boardPath: string;
  /** True when socat was started here (and is stopped by stop()). */
  madePair: boolean;
  /** Resolves when the whole script has been played (the first time, with loop). */
  ended: Promise<void>;
  stop(): Promise<void>;
}

/** True when `path` names a character device (a tty or pty end), following links. */
function isTerminalDevice(path: string): boolean {
  try {
    lstatSync(path);
    return statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}

/** The host's end of the pty and the board's open transport (a socat pair made unless the path already is a terminal). */
async function boardEnd(ptyPath: string, baudRate: number): Promise<{ pair: PtyPair | undefined; boardPath: string; transport: SerialTransport }> {
  let pair: PtyPair | undefined;
  let boardPath = ptyPath;
  if (!isTerminalDevice(ptyPath)) {
    pair = await startPtyPair({ boardPath: `${ptyPath}.board`, hostPath: ptyPath });
    boardPath = pair.boardPath;
  }
  return { pair, boardPath, transport: new SerialTransport({ path: boardPath, baudRate }) };
}

export interface RunCytonOnPtyOptions extends CytonBoardOptions {
  ptyPath: string;
  script: ReplayScript;
  /** Baud rate set on the board's end (default 115200, the Cyton dongle's). */
  baudRate?: number;
}

export interface RunningCytonBoard extends Omit<RunningVirtualBoard, 'board'> {
  board: CytonBoard;
}

/** What both software boards offer the pty runner. */
interface SoftwareBoard {
  powerOn(): Promise<void>;
  powerOff(): Promise<void>;
  once(event: 'end', listener: () => void): unknown;
}

/**
 * Opens the board's end (making the pair if needed), builds the board on it
 * and powers it on; if building or powering on fails, the pair made here is
 * stopped before the error goes on.
 */
async function startOnPty<B extends SoftwareBoard>(ptyPath: string, baudRate: number, make: (transport: SerialTransport) => B): Promise<Omit<RunningVirtualBoard, 'board'> & { board: B }> {
  const { pair, boardPath, transport } = await boardEnd(ptyPath, baudRate);
  let board: B;
  let ended: Promise<void>;
  try {
    board = make(transport);
    ended = new Promise<void>((resolve) => board.once('end', () => resolve()));
    await board.powerOn();
  } catch (err) {
    await pair?.stop();
    throw err;
  }
  return {
    board,
    hostPath: ptyPath,
    boardPath,
    madePair: pair !== undefined,
    ended,
    stop: async () => {
      await board.powerOff();
      await pair?.stop();
    },
  };
}

/** The software Cyton on a pseudo-terminal, as startVirtualBoardOnPty for the headstart board. */
export function startCytonBoardOnPty(options: RunCytonOnPtyOptions): Promise<RunningCytonBoard> {
  const { ptyPath, script, baudRate = 115_200, ...boardOptions } = options;
  return startOnPty(ptyPath, baudRate, (transport) => new CytonBoard(script, transport, boardOptions));
}

export function startVirtualBoardOnPty(options: RunOnPtyOptions): Promise<RunningVirtualBoard> {
  const { ptyPath, script, baudRate = 2_000_000, ...boardOptions } = options;
  return startOnPty(ptyPath, baudRate, (transport) => new VirtualBoard(script, transport, boardOptions));
}
