/** Where the device keeps its state (profiles, recordings): --data-dir, else $HEADSTART_DATA_DIR, else ~/.headstart. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveDataDir(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given !== undefined && given !== '') return resolve(given);
  const fromEnv = env.HEADSTART_DATA_DIR?.trim();
  if (fromEnv) return resolve(fromEnv);
  return join(homedir(), '.headstart');
}
