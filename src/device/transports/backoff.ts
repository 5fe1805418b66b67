/**
 * When to retry opening a link that vanished (a USB cable pulled, a board
 * resetting, a pty pair restarted). Exponential, capped, with a deadline.
 */
export interface ReconnectPolicy {
  /** Wait before the first attempt after the link drops. */
  initialDelayMs: number;
  /** The wait never grows past this. */
  maxDelayMs: number;
  /** Each failed attempt multiplies the wait by this. */
  factor: number;
  /** Give up (an 'error', then 'close') after this long without a link; Infinity never gives up. */
  giveUpAfterMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = {
  initialDelayMs: 50,
  maxDelayMs: 2000,
  factor: 2,
  giveUpAfterMs: Number.POSITIVE_INFINITY,
};

/** The wait before attempt number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, policy: ReconnectPolicy): number {
  const grown = policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, attempt - 1));
  return Math.min(policy.maxDelayMs, grown);
}
