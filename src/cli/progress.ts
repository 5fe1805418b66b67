/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line now and then
 * otherwise (CI logs, pipes), never on stdout (which carries --json output).
 */
export interface Progress {
  update(done: number, total: number, text: string): void;
  /** A line that stays (e.g. an epoch summary). */
  log(line: string): void;
  done(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  return {
    update(done, total, text) {
      if (quiet) return;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      if (tty) {
        const width = 24;
        const fill = Math.round(frac * width);
        stream.write(`\r\x1b[K${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${text}`);
        drawn = true;
      } else if (Date.now() - lastPlain > 10_000 || done === total) {
        lastPlain = Date.now();
        stream.write(`${label} ${(frac * 100).toFixed(0)}% ${text}\n`);
      }
    },
    log(line) {
      if (quiet) return;
      clear();
      stream.write(line + '\n');
    },
    done() {
      clear();
    },
  };
}
