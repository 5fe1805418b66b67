/**
 * The profile's sync reference (profiles/profile.ts SyncReference) from the
 * calibration's accepted holds: each gesture's channel covariance over its
 * holds (trimmed of their transitions, as training uses them). The default sync gesture is the protocol's, else
 * the gesture whose level stands out most from rest around the band: the
 * easiest to hold the same way again and the clearest pattern to compare.
 * For a band, also how the automatic sync did on these holds
 * (core/band_sync.ts checkSyncFromUse), so run can say whether to trust it.
 */
import { checkSyncFromUse, channelCovariance, defaultSyncGesture } from '../../core/band_sync.ts';
import { DEFAULT_AUTO_SYNC_SECONDS } from '../sync.ts';
import { concatSamples } from '../../core/signal.ts';
import type { SyncReference } from '../profiles/profile.ts';
import type { HoldSamples } from './training.ts';

export interface SyncHolds {
  holds: HoldSamples[];
  channels: number;
  gestures: string[];
  /** Board samples dropped at the start and end of each hold. */
  trimStart: number;
  trimEnd: number;
  /** The protocol's choice, if it makes one. */
  syncGesture?: string;
  /** Board samples per second, and whether the sensors are a band that can be put back on turned: then the automatic sync is checked on the holds. */
  band?: { rate: number };
}

const REST = 'rest';

function trimmed(h: HoldSamples, channels: number, trimStart: number, trimEnd: number): Float32Array {
  const n = h.samples.length / channels;
  const from = Math.min(trimStart, n);
  const to = Math.max(from, n - trimEnd);
  return h.samples.subarray(from * channels, to * channels);
}

/** The sync reference, or undefined when no gesture has two samples to compare. */
export function syncReference(input: SyncHolds): SyncReference | undefined {
  const { channels, gestures } = input;
  // Holds in the order they were recorded (as use would come), trimmed as training trims them.
  const holds = [...input.holds].sort((a, b) => a.start - b.start).map((h) => ({ gesture: gestures[h.gesture]!, rep: h.rep, samples: trimmed(h, channels, input.trimStart, input.trimEnd) }));
  const perGesture = new Map<string, Float32Array>();
  for (const id of gestures) {
    const samples = concatSamples(holds.filter((h) => h.gesture === id).map((h) => h.samples));
    if (samples.length >= 2 * channels) perGesture.set(id, samples);
  }
  if (perGesture.size === 0) return undefined;
  const covariances: Record<string, number[]> = {};
  for (const [id, samples] of perGesture) covariances[id] = Array.from(channelCovariance(samples, channels), (v) => Number(v.toPrecision(7)));
  const gesture = input.syncGesture && covariances[input.syncGesture] ? input.syncGesture : defaultSyncGesture(covariances, channels, REST);
  if (!input.band) return { channels, gesture, gestures: covariances };
  return { channels, gesture, gestures: covariances, autoCheck: checkSyncFromUse(holds, channels, input.band.rate, DEFAULT_AUTO_SYNC_SECONDS) };
}
