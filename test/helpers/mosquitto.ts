/**
 * A real MQTT broker for tests: Debian's mosquitto, started on a free
 * loopback port with a config written for the test (anonymous clients,
 * persistence in the test's folder so that a restart keeps subscriptions
 * and queued messages). CI installs it (.ci/run); tests skip, saying so,
 * where it is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export function mosquittoSkipReason(): string | undefined {
  return existsSync(MOSQUITTO) ? undefined : `${MOSQUITTO} not installed (apt-get install mosquitto)`;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Broker {
  port: number;
  url: string;
  /** Stops the broker (SIGTERM: it saves its persistent state first) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  log(): string;
}

export async function startBroker(dir: string): Promise<Broker> {
  const port = await freeLoopbackPort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', 'log_type all', ''].join('\n'));
  let proc: ChildProcess | undefined;
  let log = '';
  const broker: Broker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log: () => log,
    async start() {
      const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = child;
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port))) {
        if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${log}`);
        if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${log}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      const child = proc;
      proc = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
  await broker.start();
  return broker;
}
