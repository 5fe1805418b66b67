/**
 * Chooses between the softmax and nearest-class-mean heads by
 * leave-one-repetition-out accuracy: train on all repetitions but one,
 * score the one left out, for each repetition in turn. With a single
 * repetition there is nothing to hold out and the softmax head is used.
 */
import { type Embeddings, selectRows } from '../core/head/embeddings.ts';
import { type HeadData, type HeadKind, predictClasses } from '../core/head/head.ts';
import { DEFAULT_LDA, trainLdaHead } from '../core/head/lda.ts';
import { DEFAULT_SOFTMAX_HEAD, type SoftmaxHeadOptions, trainNcmHead, trainSoftmaxHead } from './head_training.ts';


export interface HeadChoice {
  head: HeadData;
  /** Leave-one-repetition-out accuracy per head kind (absent with one repetition). */
  cvAccuracy: Partial<Record<HeadKind, number>>;
  /** Per-class leave-one-repetition-out accuracy of the chosen kind. */
  cvPerClass?: number[];
  /** Confusion counts [true][predicted] of the chosen kind's cross-validation. */
  cvConfusion?: number[][];
}

export function trainHead(kind: HeadKind, e: Embeddings, labels: Int32Array, classes: number, opts: SoftmaxHeadOptions = DEFAULT_SOFTMAX_HEAD): HeadData {
  if (kind === 'softmax') return trainSoftmaxHead(e, labels, classes, opts).head;
  if (kind === 'lda') return trainLdaHead(e, labels, classes, DEFAULT_LDA);
  return trainNcmHead(e, labels, classes);
}

export function chooseHead(e: Embeddings, labels: Int32Array, reps: Int32Array, classes: number, kinds: HeadKind[] = ['lda', 'softmax', 'ncm'], opts: SoftmaxHeadOptions = DEFAULT_SOFTMAX_HEAD): HeadChoice {
  const distinct = [...new Set(reps)].sort((a, b) => a - b);
  if (distinct.length < 2) return { head: trainHead(kinds[0], e, labels, classes, opts), cvAccuracy: {} };
  const cvAccuracy: Partial<Record<HeadKind, number>> = {};
  const confusions: Partial<Record<HeadKind, number[][]>> = {};
  for (const kind of kinds) {
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    let correct = 0;
    for (const held of distinct) {
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      reps.forEach((r, i) => (r === held ? testIdx : trainIdx).push(i));
      const head = trainHead(kind, selectRows(e, trainIdx), Int32Array.from(trainIdx, (i) => labels[i]), classes, opts);
      const pred = predictClasses(head, selectRows(e, testIdx));
      testIdx.forEach((i, j) => {
        confusion[labels[i]][pred[j]]++;
        if (pred[j] === labels[i]) correct++;
      });
    }
    cvAccuracy[kind] = correct / e.count;
    confusions[kind] = confusion;
  }
  const best = kinds.reduce((a, b) => ((cvAccuracy[b] ?? 0) > (cvAccuracy[a] ?? 0) ? b : a));
  const confusion = confusions[best]!;
  return {
    head: trainHead(best, e, labels, classes, opts),
    cvAccuracy,
    cvConfusion: confusion,
    cvPerClass: confusion.map((row, c) => row[c] / Math.max(1, row.reduce((s, v) => s + v, 0))),
  };
}
