/**
 * The virtual board on a pseudo-terminal, for `headstart sim`, the demo and
 * tests: given a path, either open it (an existing pty end someone made) or
 * make a socat pair whose host end is that path and whose board end is
 * `<path>.board`. Stop it with `stop()`.
 */
import { lstatSync, statSync } from 'node:fs';
import { SerialTransport } from '../device/transports/serial.ts';
import { startPtyPair, type PtyPair } from './pty_pair.ts';
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

export async function startVirtualBoardOnPty(options: RunOnPtyOptions): Promise<RunningVirtualBoard> {
  const { ptyPath, script, baudRate = 2_000_000, ...boardOptions } = options;
  let pair: PtyPair | undefined;
  const madePair = !isTerminalDevice(ptyPath);
  const boardPath = madePair ? `${ptyPath}.board` : ptyPath;
  // The board first: options it refuses (samples per frame) are refused before socat runs, not after.
  const transport = new SerialTransport({ path: boardPath, baudRate });
  const board = new VirtualBoard(script, transport, boardOptions);
  if (madePair) pair = await startPtyPair({ boardPath, hostPath: ptyPath });
  const ended = new Promise<void>((resolve) => board.once('end', () => resolve()));
  try {
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
