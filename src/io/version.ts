/** headstart's version, from package.json: recorded in every model package and TFLite metadata entry headstart writes. */
import pkg from '../../package.json' with { type: 'json' };

export const PRODUCER_VERSION: string = pkg.version;
