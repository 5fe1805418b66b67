/**
 * Backend selection: tfjs-node when it loads, else wasm (with headstart's
 * training kernels), else cpu; HEADSTART_BACKEND forces one; failures are
 * HeadstartErrors that say what to do. Also `headstart doctor` end to end.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { requestedBackend, selectBackend } from '../../src/tfjs/backend.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { runCli } from '../helpers/cli.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('selectBackend', () => {
  test('prefers tfjs-node, and says why it passed it over when it is absent', async (t) => {
    const saved = process.env.HEADSTART_BACKEND;
    delete process.env.HEADSTART_BACKEND;
    t.after(() => {
      if (saved !== undefined) process.env.HEADSTART_BACKEND = saved;
    });
    const choice = await selectBackend();
    assert.equal(tf.getBackend(), choice.name);
    if (tfjsNodeInstalled()) {
      assert.equal(choice.name, 'tensorflow');
      assert.deepEqual(choice.skipped, []);
    } else {
      assert.equal(choice.name, 'wasm');
      assert.equal(choice.skipped.length, 1);
      assert.equal(choice.skipped[0]!.name, 'tensorflow');
      assert.match(choice.skipped[0]!.reason, /tfjs-node is not installed/);
    }
  });

  test('wasm reports its features and the training kernels headstart added', async () => {
    const choice = await selectBackend('wasm');
    assert.equal(choice.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(typeof choice.wasm?.simd, 'boolean');
    // tfjs-backend-wasm 4.22 runs single-threaded under Node.
    assert.equal(choice.wasm?.threads, 1);
    assert.deepEqual(choice.wasm?.trainingKernels, [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'Conv2DBackpropInput',
      'Tile',
    ]);
    // Asking twice is harmless (kernels are registered once).
    assert.equal((await selectBackend('wasm')).name, 'wasm');
  });

  test('cpu on request, with nothing passed over', async () => {
    const choice = await selectBackend('cpu');
    assert.deepEqual(choice, { name: 'cpu', skipped: [] });
    assert.equal(tf.getBackend(), 'cpu');
  });

  test('a backend asked for that cannot start is a BACKEND_UNAVAILABLE error, not a fallback', async (t) => {
    if (tfjsNodeInstalled()) return t.skip('@tensorflow/tfjs-node is installed here, so it can start');
    const before = tf.getBackend();
    await assert.rejects(selectBackend('tensorflow'), (err: unknown) => {
      assert.ok(isHeadstartError(err, 'BACKEND_UNAVAILABLE'));
      assert.match(err.message, /Unset HEADSTART_BACKEND/);
      return true;
    });
    assert.equal(tf.getBackend(), before);
  });
});

describe('HEADSTART_BACKEND', () => {
  test('names one backend; empty or unset means automatic', () => {
    assert.equal(requestedBackend({ HEADSTART_BACKEND: 'cpu' }), 'cpu');
    assert.equal(requestedBackend({ HEADSTART_BACKEND: ' wasm ' }), 'wasm');
    assert.equal(requestedBackend({ HEADSTART_BACKEND: '' }), undefined);
    assert.equal(requestedBackend({}), undefined);
  });

  test('an unknown name is a BAD_OPTION error listing the valid ones', () => {
    assert.throws(
      () => requestedBackend({ HEADSTART_BACKEND: 'webgl' }),
      (err: unknown) => isHeadstartError(err, 'BAD_OPTION') && /tensorflow, wasm, cpu/.test(err.message),
    );
  });
});

describe('headstart doctor', () => {
  test('--json reports the backend, the wasm features and the TFLite runtime check', () => {
    const r = runCli(['doctor', '--json'], { env: { HEADSTART_BACKEND: 'wasm' } });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.backend.name, 'wasm');
    assert.equal(report.backend.wasm.threads, 1);
    assert.equal(report.backend.wasm.trainingKernels.length, 5);
    assert.equal(typeof report.tfliteRuntime.ok, 'boolean');
    assert.equal(typeof report.tfliteRuntime.detail, 'string');
  });

  test('the official TFLite runtime runs the model headstart writes', (t) => {
    try {
      createRequire(import.meta.url)('tfjs-tflite-node');
    } catch (err) {
      return t.skip(`tfjs-tflite-node does not load on this platform: ${(err as Error).message.split('\n')[0]}`);
    }
    const r = runCli(['doctor', '--json'], { env: { HEADSTART_BACKEND: 'cpu' } });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.backend.name, 'cpu');
    assert.deepEqual(report.tfliteRuntime, { ok: true, detail: 'tfjs-tflite-node loads and runs a model written by headstart' });
  });

  test('text output names the backend and what was passed over', () => {
    const r = runCli(['doctor']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^tfjs backend: (tensorflow|wasm|cpu)$/m);
    assert.match(r.stdout, /^TFLite runtime: /m);
  });

  test('a bad HEADSTART_BACKEND fails with its code and advice, not a stack trace', () => {
    const r = runCli(['doctor'], { env: { HEADSTART_BACKEND: 'gpu' } });
    assert.equal(r.status, EXIT_STATUS.usage);
    assert.match(r.stderr, /\[BAD_OPTION\]/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  test('--help explains the options and gives an example', () => {
    const r = runCli(['doctor', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--json/);
    assert.match(r.stdout, /HEADSTART_BACKEND/);
    assert.match(r.stdout, /\$ headstart doctor/);
  });
});
