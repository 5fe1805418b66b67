import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child the way a user would (SIGTERM: a sim then takes its socat
 * and pty links with it) and waits for it to be gone; SIGKILL only when it
 * does not stop in time. SIGKILL first would orphan the sim's socat.
 */
export async function stopChild(child: ChildProcess, ms = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(timer);
}
