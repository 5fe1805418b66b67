/**
 * Signal checks on one recorded hold, each with advice a wearer can act on:
 * a flat channel (electrode off the skin, cable out), a saturated one (gain
 * too high, electrode on bone, cable rubbing), samples lost on the link,
 * mains hum (50 or 60 Hz: a loose reference electrode, a charger plugged
 * in), and a gesture that barely differs from rest.
 */

export type QualityIssueKind = 'flat' | 'saturated' | 'dropped' | 'hum' | 'weak';

export interface QualityIssue {
  kind: QualityIssueKind;
  /** The channel concerned, when it is one channel's problem. */
  channel?: number;
  /** The wearer-facing explanation and what to do. */
  advice: string;
}

export interface QualityThresholds {
  /** A channel whose standard deviation is below this (in board units) is flat. */
  flatStd: number;
  /** Share of samples pinned at a channel's extremes above which it is saturated. */
  clippedShare: number;
  /** Share of a channel's variance at 50 or 60 Hz above which it is hum. */
  humShare: number;
  /** An active hold must reach this many times the rest level (standard deviation, averaged over channels). */
  activeOverRest: number;
}

export const DEFAULT_QUALITY: QualityThresholds = { flatStd: 0.5, clippedShare: 0.05, humShare: 0.3, activeOverRest: 1.5 };

/** Per-channel standard deviation of interleaved samples. */
export function channelStd(samples: ArrayLike<number>, channels: number): number[] {
  const n = Math.floor(samples.length / channels);
  const out: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += samples[i * channels + c]!;
    const mean = n > 0 ? sum / n : 0;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (samples[i * channels + c]! - mean) ** 2;
    out.push(n > 0 ? Math.sqrt(sq / n) : 0);
  }
  return out;
}

/** Share of a channel's variance carried by frequency `hz` (one DFT bin of the mean-removed signal). */
export function toneShare(samples: ArrayLike<number>, channels: number, channel: number, rate: number, hz: number): number {
  const n = Math.floor(samples.length / channels);
  if (n < 8 || hz >= rate / 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i * channels + channel]!;
  mean /= n;
  let re = 0;
  let im = 0;
  let variance = 0;
  const w = (2 * Math.PI * hz) / rate;
  for (let i = 0; i < n; i++) {
    const x = samples[i * channels + channel]! - mean;
    re += x * Math.cos(w * i);
    im -= x * Math.sin(w * i);
    variance += x * x;
  }
  variance /= n;
  if (variance === 0) return 0;
  // A sine of amplitude A gives |X| = A n / 2 and variance A^2 / 2: the ratio below is 1 for a pure tone.
  return Math.min(1, (2 * (re * re + im * im)) / (n * n) / variance);
}

export interface HoldQualityInput {
  /** The hold's interleaved samples. */
  hold: ArrayLike<number>;
  /** Samples recorded at rest just before it (the countdown), for the active-vs-rest check; may be empty. */
  rest: ArrayLike<number>;
  channels: number;
  rate: number;
  /** Whether this gesture is the rest gesture (no active-vs-rest check then). */
  isRest: boolean;
  /** Samples per channel the link lost during the hold. */
  lostSamples: number;
  thresholds?: QualityThresholds;
  /**
   * The limits of the board's values, where a signal reaching them is cut
   * off (int16 boards: -32768 and 32767). Undefined for boards of float
   * values, whose rails are their ADC's (a railed Cyton channel is flat).
   */
  rails?: { min: number; max: number } | undefined;
  /** Whether an active hold must stand out from rest (muscle activity does; a mental state need not be larger). Default true. */
  compareWithRest?: boolean;
}

export const INT16_RAILS = { min: -32768, max: 32767 };

export function checkHold(input: HoldQualityInput): QualityIssue[] {
  const { hold, rest, channels, rate, isRest, lostSamples } = input;
  const rails = 'rails' in input ? input.rails : INT16_RAILS;
  const t = input.thresholds ?? DEFAULT_QUALITY;
  const issues: QualityIssue[] = [];
  const n = Math.floor(hold.length / channels);
  if (lostSamples > 0) {
    issues.push({
      kind: 'dropped',
      advice: `${lostSamples} samples (${((lostSamples / rate) * 1000).toFixed(0)} ms) were lost on the link during this hold: check the USB cable and keep it still, then redo the repetition`,
    });
  }
  const std = channelStd(hold, channels);
  for (let c = 0; c < channels; c++) {
    if (std[c]! < t.flatStd) {
      issues.push({ kind: 'flat', channel: c, advice: `channel ${c} is flat: its electrode is probably not touching the skin or its lead is unplugged; press it on firmly and check the cable` });
      continue;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = hold[i * channels + c]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let pinned = 0;
    for (let i = 0; i < n; i++) {
      const v = hold[i * channels + c]!;
      if (v === min || v === max) pinned++;
    }
    const atRails = rails !== undefined && (min <= rails.min || max >= rails.max);
    if (atRails || (max - min >= 64 && pinned / n > t.clippedShare)) {
      issues.push({ kind: 'saturated', channel: c, advice: `channel ${c} is saturated (the signal is cut off at its limits): lower the sensor's gain or move the electrode off bone and tendon` });
      continue;
    }
    const hum = Math.max(toneShare(hold, channels, c, rate, 50), toneShare(hold, channels, c, rate, 60));
    if (hum > t.humShare) {
      issues.push({ kind: 'hum', channel: c, advice: `channel ${c} picks up mains hum (${Math.round(hum * 100)} % of it is 50/60 Hz): fix the reference (ground) electrode, unplug the laptop's charger, move away from mains cables` });
    }
  }
  const restN = Math.floor(rest.length / channels);
  if (!isRest && input.compareWithRest !== false && restN >= 8 && n >= 8) {
    const restStd = channelStd(rest, channels);
    const active = std.reduce((s, v) => s + v, 0) / channels;
    const relaxed = restStd.reduce((s, v) => s + v, 0) / channels;
    if (relaxed > 0 && active < t.activeOverRest * relaxed) {
      issues.push({
        kind: 'weak',
        advice: `this gesture is barely stronger than rest (${(active / relaxed).toFixed(1)}x the rest level, ${t.activeOverRest}x wanted): hold it more firmly, and relax fully between repetitions`,
      });
    }
  }
  return issues;
}
