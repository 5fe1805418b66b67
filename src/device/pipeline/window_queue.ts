/**
 * The bounded queue between the reader and inference. The reader only ever
 * pushes (never waits): when inference has fallen behind and the queue is
 * full, the oldest window is dropped and counted, because on a live device
 * the newest data is what the wearer is doing now. Slots are allocated the
 * first time they are needed and reused after that.
 */
import { HeadstartError } from '../../core/errors.ts';
import { emptyWindowView, type WindowView } from './windower.ts';

/** A queued window holds the same fields as the windower's view, copied into a slot the queue owns. */
export type QueuedWindow = WindowView;

export class WindowQueue {
  readonly capacity: number;
  readonly #size: number;
  readonly #slots: QueuedWindow[] = [];
  #head = 0;
  #count = 0;
  /** Windows pushed out by newer ones before inference reached them. */
  dropped = 0;
  /** Most windows waiting at once. */
  highWater = 0;

  constructor(capacity: number, windowValues: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new HeadstartError('BAD_OPTION', `the window queue must hold at least 1 window (got ${capacity})`);
    }
    this.capacity = capacity;
    this.#size = windowValues;
  }

  get length(): number {
    return this.#count;
  }

  /** Copies the window in; drops the oldest when full. */
  push(w: WindowView): void {
    if (this.#count === this.capacity) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#count--;
      this.dropped++;
    }
    const at = (this.#head + this.#count) % this.capacity;
    let slot = this.#slots[at];
    if (slot === undefined) {
      slot = emptyWindowView(this.#size);
      this.#slots[at] = slot;
    }
    slot.data.set(w.data);
    slot.index = w.index;
    slot.endTimestampUs = w.endTimestampUs;
    slot.arrivedAtMs = w.arrivedAtMs;
    slot.markerKind = w.markerKind;
    slot.markerValue = w.markerValue;
    slot.markerTimestampUs = w.markerTimestampUs;
    slot.markerStable = w.markerStable;
    this.#count++;
    if (this.#count > this.highWater) this.highWater = this.#count;
  }

  /** The oldest window, or undefined. The slot is reused by later pushes: read it before yielding to the event loop. */
  shift(): QueuedWindow | undefined {
    if (this.#count === 0) return undefined;
    const slot = this.#slots[this.#head]!;
    this.#head = (this.#head + 1) % this.capacity;
    this.#count--;
    return slot;
  }
}
