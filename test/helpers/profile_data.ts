import type { HeadData } from '../../src/core/head/head.ts';
import { createRng } from '../../src/core/rng.ts';
import type { ProfileData } from '../../src/device/profiles/profile.ts';

export const SAMPLE_SHA = 'ab'.repeat(32);

/** A valid profile with a random linear head. */
export function sampleProfile(user: string, options: { seed?: number; dim?: number; classes?: number; sha?: string; kind?: 'lda' | 'softmax' | 'ncm' } = {}): ProfileData {
  const rng = createRng(options.seed ?? 1);
  const dim = options.dim ?? 8;
  const classes = options.classes ?? 3;
  const arr = (n: number) => Array.from({ length: n }, () => rng.normal());
  const kind = options.kind ?? 'lda';
  const head: HeadData =
    kind === 'ncm'
      ? { kind, classes, dim, centroids: arr(classes * dim) }
      : { kind, classes, dim, mean: arr(dim), invStd: arr(dim).map((v) => 1 + Math.abs(v)), weights: arr(dim * classes), bias: arr(classes) };
  return {
    user,
    extractorSha256: options.sha ?? SAMPLE_SHA,
    package: { name: 'test-package', dir: '/nowhere/test-package' },
    gestures: Array.from({ length: classes }, (_, i) => `g${i}`),
    head,
    cv: { method: 'repetitions', folds: 2, accuracy: { [kind]: 0.5 + rng.next() / 2 }, chosen: kind },
    calibration: { windows: 100, repetitions: 2 },
  };
}
