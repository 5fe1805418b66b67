/**
 * Choosing a file's channels by label (`--channels F3,F4,C3`), the same way
 * for every format that names its channels.
 *
 * A wanted name matches a label, case and runs of white space aside:
 * 1. as written ("EEG F3"), else
 * 2. without the label's first word, the signal type EDF+ puts before the
 *    electrode ("F3" for "EEG F3", "A2-A1" for "EEG A2-A1"), else
 * 3. as the label's last word ("0" for "EXG Channel 0").
 * The first rule that matches decides; two labels matching under it is an
 * error, never a guess.
 */
import { HeadstartError } from '../../core/errors.ts';

function normalize(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

const RULES: ((label: string) => string | undefined)[] = [
  (l) => l,
  (l) => (l.includes(' ') ? l.slice(l.indexOf(' ') + 1) : undefined),
  (l) => (l.includes(' ') ? l.slice(l.lastIndexOf(' ') + 1) : undefined),
];

/** The labels as a short list for messages. */
export function listLabels(labels: string[]): string {
  const shown = labels.slice(0, 40).map((l) => l.trim());
  return shown.join(', ') + (labels.length > shown.length ? `, ... (${labels.length} in all)` : '');
}

/**
 * Indices into `labels` of the `wanted` channels, in the order wanted.
 * Throws BAD_CHANNELS (listing the file's labels), BAD_CHANNELS or
 * BAD_CHANNELS.
 */
export function selectChannelsByLabel(labels: string[], wanted: string[], source: string): number[] {
  if (wanted.length === 0) throw new HeadstartError('BAD_OPTION', `${source}: no channels chosen; give labels such as F3,F4 (the file has: ${listLabels(labels)})`);
  const normalized = labels.map(normalize);
  const chosen: number[] = [];
  for (const name of wanted) {
    const want = normalize(name);
    let found: number[] = [];
    for (const rule of RULES) {
      found = normalized.flatMap((l, i) => (rule(l) === want ? [i] : []));
      if (found.length > 0) break;
    }
    if (found.length === 0) {
      throw new HeadstartError(
        'BAD_CHANNELS',
        `${source}: no channel labelled "${name}"; the file has: ${listLabels(labels)} (give labels as written, or without their type prefix: F3 for "EEG F3")`,
        { file: source, channel: name, labels },
      );
    }
    if (found.length > 1) {
      throw new HeadstartError('BAD_CHANNELS', `${source}: "${name}" matches several channels (${found.map((i) => labels[i].trim()).join(', ')}); give the full label`, {
        file: source,
        channel: name,
      });
    }
    if (chosen.includes(found[0])) {
      throw new HeadstartError('BAD_CHANNELS', `${source}: channel "${labels[found[0]].trim()}" is chosen twice ("${name}"); name each channel once`, { file: source, channel: name });
    }
    chosen.push(found[0]);
  }
  return chosen;
}

/** Parses a `--channels` value: comma-separated labels (`F3,F4,C3` or `"EEG F3,EEG F4"`). */
export function parseChannelList(spec: string): string[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new HeadstartError('BAD_OPTION', `no channels in "${spec}"; give labels separated by commas, e.g. F3,F4,C3,C4`);
  return names;
}
