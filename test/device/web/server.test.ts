/**
 * The dashboard server over real loopback sockets, with a `ws` client in
 * place of a browser: what is served and refused (token, Host, Origin,
 * paths, methods), what a page may send, and a client that stops reading.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import type { UpdateMessage } from '../../../src/core/dashboard_messages.ts';
import { MAX_UPDATES_PER_SECOND } from '../../../src/core/dashboard_messages.ts';
import { DashboardFeed } from '../../../src/device/web/dashboard_feed.ts';
import { isLoopbackHost, parseListenAddress } from '../../../src/device/web/listen_address.ts';
import { DashboardServer, MIN_INTERVAL_MS } from '../../../src/device/web/server.ts';

const PAGE = { js: 'window.page = 1;', css: 'body{}' };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it once open, or with the HTTP status the upgrade was refused with. */
function connect(url: string, origin: string | undefined): Promise<{ ws?: WebSocket; refused?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ refused: -1 }));
  });
}

function nextMessage(ws: WebSocket): Promise<UpdateMessage> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as UpdateMessage)));
}

test('--listen forms, and which hosts are loopback', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListenAddress(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListenAddress('0.0.0.0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:81'), { host: '::1', port: 81 });
  assert.deepEqual(parseListenAddress('::'), { host: '::', port: 0 });
  for (const bad of ['', 'host:99999', 'a b:1', '[nope]:1', '1.2.3.4:x']) assert.throws(() => parseListenAddress(bad), /--listen/);
  assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('127.3.2.1') && isLoopbackHost('::1') && isLoopbackHost('localhost'));
  assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('192.168.1.4') && !isLoopbackHost('::') && !isLoopbackHost('example.org'));
});

test('on loopback: the page alone, no token, foreign Host headers and Origins refused, only the redo answer taken', async (t) => {
  const feed = new DashboardFeed();
  // No pushes on a timer: the one below is the first, so it carries what was fed before it (a timer
  // could fire between the socket opening and the feed's first data, and send that update first).
  const server = await DashboardServer.start({ listen: { host: '127.0.0.1', port: 0 }, feed, page: PAGE, intervalMs: 3_600_000 });
  t.after(() => server.close());
  const port = server.port;
  assert.equal(server.token, undefined);
  assert.deepEqual(server.urls, [`http://127.0.0.1:${port}/`]);

  const page = await get(port, '/');
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(PAGE.js) && page.body.includes(PAGE.css), 'script and styles inline');
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'sha256-[^']+'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal((await get(port, '/', { host: `localhost:${port}` })).status, 200);
  for (const path of ['/index.html', '/../package.json', '/ws', '/favicon.ico']) assert.equal((await get(port, path)).status, 404, path);
  assert.equal((await get(port, '/', { method: 'POST' })).status, 405);
  // DNS rebinding: a site whose name resolves to 127.0.0.1 sends its own name as Host.
  assert.equal((await get(port, '/', { host: `evil.example:${port}` })).status, 403);

  const url = `ws://127.0.0.1:${port}/ws`;
  assert.equal((await connect(url, 'http://evil.example')).refused, 403, 'another origin');
  assert.equal((await connect(url, undefined)).refused, 403, 'no origin');
  assert.equal((await connect(`ws://127.0.0.1:${port}/other`, `http://127.0.0.1:${port}`)).refused, 404);
  const { ws } = await connect(url, `http://127.0.0.1:${port}`);
  assert.ok(ws);
  t.after(() => ws.close());

  feed.begin({ mode: 'calibration', title: 'test', channels: 2, rate: 200, gestures: ['rest', 'fist'] });
  feed.samples(Int16Array.from([1, -1, 5, 7, 3, 2, -4, 0]), performance.now());
  const firstMessage = nextMessage(ws);
  server.push();
  const first = await firstMessage;
  assert.equal(first.reset, true);
  assert.deepEqual(Object.keys(first.sections).sort(), ['calibration', 'link', 'live', 'meta', 'question', 'result']);
  assert.equal(first.sections.meta!.channels, 2);
  assert.equal(first.traces!.first, 0);
  // 200 Hz over 5 s in 500 columns: 2 samples per column, min and max of each.
  assert.deepEqual(first.traces!.min, [[1, -4], [-1, 0]]);
  assert.deepEqual(first.traces!.max, [[5, 3], [7, 2]]);

  // Nothing but the answer to the open question is taken.
  const asked = feed.ask('Redo Fist, repetition 1?', { gesture: 'fist', rep: 0, issues: [] });
  for (const junk of ['hello', '{"type":"redo-answer","question":999,"redo":true}', '{"type":"profile","user":"x"}', '{"type":"redo-answer","question":' + asked.id + ',"redo":"yes"}']) ws.send(junk);
  ws.send(JSON.stringify({ type: 'redo-answer', question: asked.id, redo: true }));
  assert.equal(await asked.answered, true);
  ws.send(JSON.stringify({ type: 'redo-answer', question: asked.id, redo: false }));
  // Longer than any answer: the server closes that socket.
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('x'.repeat(300));
  assert.equal(await closed, 1009);
  const stats = server.stats();
  assert.equal(stats.answers, 1);
  assert.equal(stats.ignoredMessages, 5, 'four malformed answers and a repeated one');
  assert.equal(stats.refused, 4, 'the foreign Host, two foreign origins and the unknown socket path');
});

test('off loopback: every request needs the token of the printed URL', async (t) => {
  const feed = new DashboardFeed();
  // Bound to every interface; this test only ever talks to 127.0.0.1.
  const server = await DashboardServer.start({ listen: { host: '0.0.0.0', port: 0 }, feed, page: PAGE });
  t.after(() => server.close());
  const port = server.port;
  const token = server.token!;
  assert.ok(token.length >= 32);
  assert.ok(server.urls.every((u) => u.endsWith(`/?token=${token}`)));
  assert.equal((await get(port, '/')).status, 403);
  assert.equal((await get(port, '/?token=wrong')).status, 403);
  assert.equal((await get(port, `/?token=${token}x`)).status, 403);
  const page = await get(port, `/?token=${token}`, { host: `192.0.2.1:${port}` });
  assert.equal(page.status, 200, 'any Host: the token is the check');
  assert.equal(page.headers['referrer-policy'], 'no-referrer', 'the token does not leak in Referer headers');
  const origin = `http://127.0.0.1:${port}`;
  assert.equal((await connect(`ws://127.0.0.1:${port}/ws`, origin)).refused, 403);
  assert.equal((await connect(`ws://127.0.0.1:${port}/ws?token=${token}`, 'http://evil.example')).refused, 403);
  const { ws } = await connect(`ws://127.0.0.1:${port}/ws?token=${token}`, origin);
  assert.ok(ws);
  ws.close();
});

test('pushes are at most MAX_UPDATES_PER_SECOND apart; a client that stops reading has its updates dropped and counted, then catches up', async (t) => {
  assert.ok(MIN_INTERVAL_MS >= 1000 / MAX_UPDATES_PER_SECOND);
  const feed = new DashboardFeed();
  const maxBufferedBytes = 64 * 1024;
  const server = await DashboardServer.start({ listen: { host: '127.0.0.1', port: 0 }, feed, page: PAGE, intervalMs: 1, maxBufferedBytes });
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${server.port}`;
  const { ws } = await connect(`ws://127.0.0.1:${server.port}/ws`, origin);
  assert.ok(ws);
  t.after(() => ws.terminate());
  await nextMessage(ws);
  // The client stops reading: the kernel's buffers fill, then the socket's own.
  const raw = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  const big = 'x'.repeat(200_000);
  let largestBuffered = 0;
  for (let i = 0; i < 400 && server.stats().dropped === 0; i++) {
    feed.patch('calibration', { notes: [`${i} ${big}`] });
    server.push();
    largestBuffered = Math.max(largestBuffered, server.stats().clients[0]!.bufferedBytes);
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 0; i < 10; i++) {
    feed.patch('calibration', { notes: [`late ${i}`] });
    server.push();
  }
  const stats = server.stats();
  assert.ok(stats.dropped >= 10, `updates dropped for the slow client (${stats.dropped})`);
  assert.ok(largestBuffered <= maxBufferedBytes + big.length + 1000, `what waits for it stays bounded (${largestBuffered} bytes)`);
  // Reading again, it is sent what it missed.
  const messages: UpdateMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as UpdateMessage));
  raw.resume();
  const deadline = Date.now() + 10_000;
  while (!messages.some((m) => m.sections.calibration?.notes[0] === 'late 9') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const last = messages.at(-1)!;
  assert.equal(last.sections.calibration?.notes[0], 'late 9');
  assert.ok(last.dropped >= 10, 'the page is told how many updates it missed');
});
