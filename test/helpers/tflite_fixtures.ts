import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The .tflite files made by the official converter, kept beside the project in ../shared. */
export const TFLITE_FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/tflite', import.meta.url));

export interface TfliteFixture {
  name: string;
  bytes: Uint8Array;
}

/** Every fixture, or undefined when ../shared is absent (tests then skip, saying so). */
export function loadTfliteFixtures(): TfliteFixture[] | undefined {
  if (!existsSync(TFLITE_FIXTURE_DIR)) return undefined;
  return readdirSync(TFLITE_FIXTURE_DIR)
    .filter((f) => f.endsWith('.tflite'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${TFLITE_FIXTURE_DIR}/${name}`)) }));
}

export const MISSING_FIXTURES = `../shared/fixtures/tflite not found at ${TFLITE_FIXTURE_DIR}`;
