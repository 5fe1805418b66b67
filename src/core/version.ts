/** Recorded in every model package and TFLite metadata entry headstart writes. */
export const PRODUCER_VERSION = '0.1.0';
