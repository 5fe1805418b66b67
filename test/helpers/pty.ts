/**
 * Pseudo-terminal pairs for tests: a fresh temp folder per pair, and a reason
 * to skip when socat is missing (CI installs it; see .ci/run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socatAvailable, startPtyPair, type PtyPair } from '../../src/sim/pty_pair.ts';

export { socatAvailable, startPtyPair, type PtyPair };

/** Why a pty test cannot run here, or undefined when it can. */
export function ptySkipReason(): string | undefined {
  return socatAvailable() ? undefined : 'socat not installed (apt-get install socat)';
}

export interface PtyFixture {
  dir: string;
  boardPath: string;
  hostPath: string;
  /** The current pair (replaced by restart()). */
  pair: PtyPair;
  /** Starts a new socat on the same two paths (after the previous one was stopped). */
  restart(): Promise<PtyPair>;
  /** Stops socat and removes the temp folder. */
  dispose(): Promise<void>;
}

export async function makePtyFixture(): Promise<PtyFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-pty-'));
  const boardPath = join(dir, 'board');
  const hostPath = join(dir, 'host');
  const fixture: PtyFixture = {
    dir,
    boardPath,
    hostPath,
    pair: await startPtyPair({ boardPath, hostPath }),
    restart: async () => {
      await fixture.pair.stop();
      fixture.pair = await startPtyPair({ boardPath, hostPath });
      return fixture.pair;
    },
    dispose: async () => {
      await fixture.pair.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
