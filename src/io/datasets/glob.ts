/**
 * File-name globs such as `--calib 'data/**\/R_[0-4]_C_{1,2}.csv'`, matched
 * by picomatch (the matcher of the JavaScript tooling world, with bash's
 * rules: `*`, `?`, `[a-z]`, `[!a]`, POSIX classes such as `[[:digit:]]`,
 * `{a,b}`, `{1..4}`, `**`, extglobs such as `+([0-9])`, and `\` escapes).
 * Wildcards do not match a leading dot, as in a shell. This module only
 * walks the folders below the pattern's fixed part and hands each path to
 * the matcher; under a `**` it does not follow symbolic links to folders,
 * so a link loop cannot trap it.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { HeadstartError } from '../../core/errors.ts';

/** Orders names as people read them: Male2 before Male10, R_9 before R_10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

const MATCH_OPTIONS: picomatch.PicomatchOptions = { dot: false, posix: true };

/** True when `text` holds an unescaped glob character, i.e. it is a pattern rather than a plain path. */
export function hasGlobChars(text: string): boolean {
  return picomatch.scan(text).isGlob;
}

/** Does `path` (with `/` separators) match `pattern`? The same rules as globFiles, without touching the disk. */
export function matchGlob(pattern: string, path: string): boolean {
  return picomatch(pattern, MATCH_OPTIONS)(path);
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/**
 * Files matching `pattern`, in natural order, without duplicates. Paths are
 * returned as the pattern spells its leading folders (relative patterns stay
 * relative to the working directory). Throws FILE_NOT_FOUND when the
 * pattern's fixed leading folder does not exist; returns [] when nothing
 * under it matches (the caller knows what was wanted and says so).
 */
export function globFiles(pattern: string): string[] {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) {
    const path = unescape(pattern);
    return isFile(path) ? [path] : [];
  }
  const base = unescape(scan.base);
  const dir = base === '' ? '.' : base;
  const entries = readDir(dir);
  if (entries === undefined) throw new HeadstartError('FILE_NOT_FOUND', `${dir}: no such folder (from the pattern ${pattern})`, { file: dir });
  const shownBase = base === '' ? '' : scan.prefix + base;
  const isMatch = picomatch(scan.glob, MATCH_OPTIONS);
  const segments = scan.glob.split('/');
  const globstar = segments.includes('**') || scan.glob.includes('**');
  // Without `**` a match is exactly as deep as the pattern; dot folders are entered only when the pattern names one.
  const maxDepth = globstar ? Number.POSITIVE_INFINITY : segments.length;
  const dotFolders = /(^|\/)\./.test(scan.glob);
  const found: string[] = [];
  const walk = (folder: string, list: Dirent[], relative: string, depth: number): void => {
    for (const e of list) {
      const rel = relative === '' ? e.name : `${relative}/${e.name}`;
      const path = join(folder, e.name);
      const linked = e.isSymbolicLink();
      if (e.isFile() || (linked && isFile(path))) {
        if (isMatch(rel)) found.push(shownBase === '' ? rel : shownBase.endsWith('/') ? shownBase + rel : `${shownBase}/${rel}`);
        continue;
      }
      if (depth + 1 >= maxDepth || (e.name.startsWith('.') && !dotFolders)) continue;
      if (e.isDirectory() || (linked && !globstar && isDir(path))) {
        const sub = readDir(path);
        if (sub) walk(path, sub, rel, depth + 1);
      }
    }
  };
  walk(dir, entries, '', 0);
  return [...new Set(found)].sort(naturalCompare);
}

function readDir(dir: string): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
