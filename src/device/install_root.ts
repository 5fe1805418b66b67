/**
 * Where headstart is installed: the nearest folder above this code (the
 * bundle in dist/ or the sources in src/) that holds package.json and the
 * given entry (models/, data/demo). Shipped assets are found from there.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findInstallRoot(entry: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, entry))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}
