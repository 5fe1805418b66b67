/**
 * A small file-name glob, enough for `--calib 'data/**\/R_*_C_{1,2}.csv'`:
 * `*` (any run of characters within one path segment), `?` (one character),
 * `[abc]` / `[a-z]` / `[!a]` (one character from a set), `**` (any number of
 * folders, as a whole segment), `{a,b}` (alternatives, may nest) and `\`
 * (take the next character literally). Wildcards do not match a leading dot,
 * as in a shell; `**` does not follow symbolic links to folders, so a link
 * loop cannot trap it.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';

/** Orders names as people read them: Male2 before Male10, R_9 before R_10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** True when `text` holds an unescaped glob character, i.e. it is a pattern rather than a plain path. */
export function hasGlobChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if ('*?[{'.includes(text[i])) return true;
  }
  return false;
}

/** Expands `{a,b}` alternatives (nested too) into plain patterns; a brace group without a top-level comma stays literal. */
export function expandBraces(pattern: string): string[] {
  for (let open = 0; open < pattern.length; open++) {
    if (pattern[open] === '\\') {
      open++;
      continue;
    }
    if (pattern[open] !== '{') continue;
    const parts: string[] = [];
    let depth = 0;
    let start = open + 1;
    for (let i = open + 1; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '\\') i++;
      else if (ch === '{') depth++;
      else if (ch === '}' && depth > 0) depth--;
      else if (ch === ',' && depth === 0) {
        parts.push(pattern.slice(start, i));
        start = i + 1;
      } else if (ch === '}') {
        if (parts.length === 0) break; // `{x}`: no alternatives, literal
        parts.push(pattern.slice(start, i));
        const head = pattern.slice(0, open);
        const tails = expandBraces(pattern.slice(i + 1));
        return parts.flatMap((p) => expandBraces(head + p).flatMap((hp) => tails.map((t) => hp + t)));
      }
    }
  }
  return [pattern];
}

/** Regular expression for one path segment of a pattern (no `/`, braces already expanded). */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  // Only a segment that itself starts with '.' may match names starting with '.'.
  if (!segment.startsWith('.')) source += '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '\\' && i + 1 < segment.length) source += escapeRegExp(segment[++i]);
    else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let set = segment.slice(i + 1, close);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      source += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Does `path` (with `/` separators) match `pattern`? The same rules as globFiles, without touching the disk. */
export function matchGlob(pattern: string, path: string): boolean {
  const names = path.split('/');
  return expandBraces(pattern).some((p) => matchSegments(p.split('/'), 0, names, 0));
}

function matchSegments(segs: string[], si: number, names: string[], ni: number): boolean {
  if (si === segs.length) return ni === names.length;
  if (segs[si] === '**') {
    const trailing = si === segs.length - 1;
    // `**` stands for zero or more folders (a trailing one: one or more names, i.e. any file below), none of them dot-named.
    for (let skip = trailing ? ni + 1 : ni; skip <= names.length; skip++) {
      if (skip > ni && names[skip - 1].startsWith('.')) break;
      if (matchSegments(segs, si + 1, names, skip)) return true;
    }
    return false;
  }
  return ni < names.length && segmentRegExp(segs[si]).test(names[ni]) && matchSegments(segs, si + 1, names, ni + 1);
}

/**
 * Files matching `pattern`, in natural order, without duplicates. Paths are
 * returned as the pattern spells its leading folders (relative patterns stay
 * relative to the working directory). Throws FILE_NOT_FOUND when the
 * pattern's fixed leading folder does not exist; returns [] when nothing
 * under it matches (the caller knows what was wanted and says so).
 */
export function globFiles(pattern: string): string[] {
  const found = new Set<string>();
  for (const expanded of expandBraces(pattern)) {
    const segs = expanded.split('/');
    let fixed = 0;
    while (fixed < segs.length - 1 && !hasGlobChars(segs[fixed])) fixed++;
    const base = segs.slice(0, fixed).map(unescape).join('/') || (expanded.startsWith('/') ? '/' : '.');
    const rest = segs.slice(fixed);
    if (!hasGlobChars(expanded)) {
      if (isFile(unescape(expanded))) found.add(unescape(expanded));
      continue;
    }
    const entries = readDir(base);
    if (entries === undefined) throw new HeadstartError('FILE_NOT_FOUND', `${base}: no such folder (from the pattern ${pattern})`);
    walk(base, entries, rest, 0, base === '.' && !expanded.startsWith('./') ? '' : base, found);
  }
  return [...found].sort(naturalCompare);
}

function walk(dir: string, entries: Dirent[], segs: string[], si: number, shown: string, found: Set<string>): void {
  const seg = segs[si];
  const last = si === segs.length - 1;
  if (seg === '**') {
    if (last) {
      // A trailing `**` matches every file below.
      collectAll(dir, entries, shown, found);
      return;
    }
    walk(dir, entries, segs, si + 1, shown, found);
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const sub = readDir(join(dir, e.name));
      if (sub) walk(join(dir, e.name), sub, segs, si, joinShown(shown, e.name), found);
    }
    return;
  }
  const re = segmentRegExp(seg);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const path = join(dir, e.name);
    if (last) {
      if (e.isFile() || (e.isSymbolicLink() && isFile(path))) found.add(joinShown(shown, e.name));
    } else if (e.isDirectory() || (e.isSymbolicLink() && isDir(path))) {
      const sub = readDir(path);
      if (sub) walk(path, sub, segs, si + 1, joinShown(shown, e.name), found);
    }
  }
}

function collectAll(dir: string, entries: Dirent[], shown: string, found: Set<string>): void {
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isFile()) found.add(joinShown(shown, e.name));
    else if (e.isDirectory()) {
      const sub = readDir(join(dir, e.name));
      if (sub) collectAll(join(dir, e.name), sub, joinShown(shown, e.name), found);
    }
  }
}

function joinShown(shown: string, name: string): string {
  return shown === '' ? name : shown.endsWith('/') ? shown + name : `${shown}/${name}`;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
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
