/**
 * Crash-safe file writes: write to a temporary name in the same folder,
 * fsync it, rename it over the target, fsync the folder. A reader sees the
 * old file or the new one, never a torn one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadstartError } from '../core/errors.ts';

/** Makes renames and removals in a folder durable; some platforms cannot fsync a folder, and then the rename is as durable as they make it. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open a folder for fsync; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** A failed write as the error a user can act on, naming the file (a folder that does not exist, a full disk, no permission). */
export function fileWriteError(path: string, err: unknown): HeadstartError {
  if (err instanceof HeadstartError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOENT' ? ' (does its folder exist?)' : code === 'ENOSPC' ? ' (the disk is full)' : '';
  return new HeadstartError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_ACCESS', `${path}: cannot write (${code ?? (err as Error).message})${hint}`, { file: path });
}
