/**
 * A pseudo-terminal pair made by socat: two paths that behave like the two
 * ends of a serial cable. The virtual board opens one end; anything that
 * speaks to a serial port (serialport, a terminal program) opens the other.
 * socat removes both links when it is stopped, which is exactly what a board
 * being unplugged looks like to the host.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadstartError } from '../core/errors.ts';

export interface PtyPair {
  /** The end the virtual board opens. */
  readonly boardPath: string;
  /** The end the host opens (what `--port` is given). */
  readonly hostPath: string;
  /** The socat process id. */
  readonly pid: number;
  /** False once socat has exited (stopped or killed). */
  readonly alive: boolean;
  /** Stops socat (SIGTERM, so it removes the links) and waits for it to exit. */
  stop(): Promise<void>;
}

/** True when the socat executable can be run. */
export function socatAvailable(): boolean {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export async function startPtyPair(options: { boardPath: string; hostPath: string; timeoutMs?: number }): Promise<PtyPair> {
  const { boardPath, hostPath } = options;
  if (!socatAvailable()) {
    throw new HeadstartError('MISSING_DEPENDENCY', 'socat is not installed, and it is what makes the pseudo-terminal pair; install it (`apt-get install socat`) or pass the path of an existing pty');
  }
  for (const path of [boardPath, hostPath]) removeStaleLink(path);
  const child = spawn('socat', [`pty,raw,echo=0,link=${boardPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  // Even when this process ends in a hurry (process.exit), socat goes with it and takes its links away.
  const onExit = (): void => {
    if (alive) child.kill('SIGTERM');
  };
  process.on('exit', onExit);
  void exited.then(() => {
    alive = false;
    process.off('exit', onExit);
  });
  child.once('error', () => undefined);

  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!(existsSync(boardPath) && existsSync(hostPath))) {
    if (!alive || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HeadstartError('PORT_OPEN_FAILED', `socat did not create ${boardPath} and ${hostPath} (${stderr.trim() || 'no message'}); check that their folder exists and is writable`);
    }
    await sleep(10);
  }
  const pair: PtyPair = {
    boardPath,
    hostPath,
    pid: child.pid ?? -1,
    get alive() {
      return alive;
    },
    stop: async () => {
      if (alive) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  return pair;
}

/** socat will not replace a dangling link left by a socat that was killed hard. */
function removeStaleLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink() && !existsSync(path)) unlinkSync(path);
  } catch {
    // Nothing there: nothing to remove.
  }
}
