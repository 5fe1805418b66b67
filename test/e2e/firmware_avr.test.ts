import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRMWARE_DIR, hasTool } from '../helpers/firmware.ts';

const CORE = '/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h';
const missing = !hasTool('avr-gcc')
  ? 'avr-gcc not installed (apt-get install gcc-avr avr-libc)'
  : !existsSync(CORE)
    ? 'arduino-core-avr not installed (apt-get install arduino-core-avr)'
    : undefined;

test('the Arduino sketch builds for an ATmega328P and fits its flash and RAM', { skip: missing ?? false, timeout: 120_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'hs-avr-'));
  // Built once for the whole file; removed when the test process ends.
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const r = spawnSync(join(FIRMWARE_DIR, 'build_avr.sh'), [out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const m = /flash (\d+) bytes .* RAM (\d+) bytes/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const [flash, ram] = [Number(m[1]), Number(m[2])];
  assert.ok(flash > 1000 && flash < 32256, `flash ${flash}`);
  // Leave at least 512 bytes of the 2 KB for the stack (interrupts nest on it).
  assert.ok(ram > 200 && ram <= 2048 - 512, `RAM ${ram}`);
  assert.ok(existsSync(join(out, 'headstart_sensor.hex')));
});
