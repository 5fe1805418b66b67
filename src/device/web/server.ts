/**
 * The dashboard's server: one page (its script and styles inline) over
 * node:http and updates over a WebSocket (`ws`), pushed at most
 * MAX_UPDATES_PER_SECOND times a second from a DashboardFeed.
 *
 * Secure by default:
 * - it binds the loopback interface unless told otherwise; bound to any
 *   other address, every request (page and WebSocket) needs the token the
 *   printed URL carries;
 * - on loopback, the Host header must name the loopback (a web site whose
 *   name resolves to 127.0.0.1 gets nothing);
 * - a WebSocket upgrade is refused unless its Origin is the page's own;
 * - nothing is served but the page: every other path is a 404;
 * - the only message a page may send is the answer to the redo question it
 *   was offered (see dashboard_messages.ts); anything else is ignored.
 *
 * A slow or vanished browser never slows the pipeline: sends are
 * asynchronous, and while a client's socket holds more than
 * `maxBufferedBytes` unsent, its updates are dropped and counted (the next
 * one it gets carries every state section it missed; the traces show a gap).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { HeadstartError } from '../../core/errors.ts';
import { MAX_CLIENT_MESSAGE_BYTES, MAX_UPDATES_PER_SECOND, parseClientMessage, SECTION_NAMES, type SectionName } from '../../core/dashboard_messages.ts';
import type { DashboardFeed } from './dashboard_feed.ts';
import { isLoopbackHost, type ListenAddress, urlHost } from './listen_address.ts';
import type { WebBundle } from './assets.ts';

export interface DashboardServerOptions {
  listen: ListenAddress;
  feed: DashboardFeed;
  page: WebBundle;
  /** The token a non-loopback address requires (default: 24 random bytes). Ignored on loopback. */
  token?: string;
  /** Milliseconds between pushes (default and least: 1000 / MAX_UPDATES_PER_SECOND, rounded up). */
  intervalMs?: number;
  /** A client with more than this unsent is skipped (default 256 KiB). */
  maxBufferedBytes?: number;
}

export interface ClientStats {
  sent: number;
  dropped: number;
  bufferedBytes: number;
}

export interface DashboardServerStats {
  clients: ClientStats[];
  /** Over every client since the start, connected or gone. */
  sent: number;
  dropped: number;
  /** Requests and upgrades refused (no token, foreign Host or Origin), and page messages ignored. */
  refused: number;
  ignoredMessages: number;
  answers: number;
}

interface Client {
  ws: WebSocket;
  versions: Record<SectionName, number>;
  epoch: number;
  seq: number;
  sent: number;
  dropped: number;
}

export const MIN_INTERVAL_MS = Math.ceil(1000 / MAX_UPDATES_PER_SECOND);
const DEFAULT_MAX_BUFFERED = 256 * 1024;

function sameSecret(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The page: the bundle's styles and script inline, so that the page is the only thing served. */
export function dashboardHtml(page: WebBundle): { html: string; csp: string } {
  const scriptHash = createHash('sha256').update(page.js).digest('base64');
  const styleHash = createHash('sha256').update(page.css).digest('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>headstart</title><link rel="icon" href="data:,">
<style>${page.css}</style></head>
<body><main id="app"><p class="waiting">connecting to headstart…</p></main>
<script>${page.js}</script></body></html>
`;
  // uPlot sizes its elements through the style property, which a style-src hash does not cover.
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${scriptHash}'`,
    `style-src 'sha256-${styleHash}' 'unsafe-inline'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

export class DashboardServer {
  readonly #feed: DashboardFeed;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<Client>();
  readonly #html: { html: string; csp: string };
  readonly #listen: ListenAddress;
  readonly #maxBuffered: number;
  readonly #intervalMs: number;
  readonly token: string | undefined;
  #port = 0;
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  #totals = { sent: 0, dropped: 0, refused: 0, ignoredMessages: 0, answers: 0 };
  #closed = false;

  private constructor(options: DashboardServerOptions) {
    this.#feed = options.feed;
    this.#listen = options.listen;
    this.#html = dashboardHtml(options.page);
    this.#maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.#intervalMs = Math.max(MIN_INTERVAL_MS, options.intervalMs ?? MIN_INTERVAL_MS);
    this.token = isLoopbackHost(options.listen.host) ? undefined : (options.token ?? randomBytes(24).toString('base64url'));
    this.#server = createServer((req, res) => this.#onRequest(req, res));
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
    this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
  }

  /** Listens (a port in use or an address not on this machine is refused with LISTEN_FAILED) and starts pushing. */
  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const s = new DashboardServer(options);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'the port is in use (pick another, or 0 for a free one)' : err.code === 'EADDRNOTAVAIL' ? 'that address is not one of this machine\'s' : err.message;
        reject(new HeadstartError('LISTEN_FAILED', `the dashboard cannot listen on ${urlHost(options.listen.host, options.listen.port)}: ${why}`, { option: '--listen' }));
      });
      s.#server.listen(options.listen.port, options.listen.host, () => resolve());
    });
    const address = s.#server.address();
    s.#port = typeof address === 'object' && address ? address.port : options.listen.port;
    s.#timer = setInterval(() => s.push(), s.#intervalMs);
    s.#timer.unref();
    return s;
  }

  get port(): number {
    return this.#port;
  }

  /** The page's URLs, token included when one is needed (a wildcard address: one per interface). */
  get urls(): string[] {
    const query = this.token ? `/?token=${this.token}` : '/';
    const host = this.#listen.host;
    if (host !== '0.0.0.0' && host !== '::') return [`http://${urlHost(host, this.#port)}${query}`];
    const out: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === 'IPv4' && !a.internal) out.push(`http://${urlHost(a.address, this.#port)}${query}`);
      }
    }
    out.push(`http://${urlHost('127.0.0.1', this.#port)}${query}`);
    return out;
  }

  stats(): DashboardServerStats {
    return {
      clients: [...this.#clients].map((c) => ({ sent: c.sent, dropped: c.dropped, bufferedBytes: c.ws.bufferedAmount })),
      ...this.#totals,
    };
  }

  /** One push: what changed since the previous, to every client that keeps up. Called by the timer. */
  push(): void {
    if (this.#clients.size === 0) {
      // Nobody watching: keep the traces from piling up.
      this.#feed.drainTraces();
      return;
    }
    const traces = this.#feed.drainTraces();
    const hasColumns = traces.arrivedAt.length > 0;
    let tracesJson: string | undefined;
    let recentJson: string | undefined;
    const epoch = this.#feed.traceEpoch;
    const seq = ++this.#seq;
    for (const client of this.#clients) {
      const reset = client.epoch !== epoch;
      const changed = SECTION_NAMES.filter((n) => client.versions[n] !== this.#feed.version(n));
      if (!reset && !hasColumns && changed.length === 0) continue;
      if (client.ws.bufferedAmount > this.#maxBuffered) {
        client.dropped++;
        this.#totals.dropped++;
        continue;
      }
      let body: string;
      if (reset) body = (recentJson ??= JSON.stringify(this.#feed.recentTraces()));
      else body = hasColumns ? (tracesJson ??= JSON.stringify(traces)) : '';
      const sections = changed.map((n) => `"${n}":${this.#feed.sectionJson(n)}`).join(',');
      const message = `{"type":"update","seq":${seq},"sentAt":${Date.now()},"dropped":${client.dropped},"reset":${reset},"sections":{${sections}}${body ? `,"traces":${body}` : ''}}`;
      client.ws.send(message);
      for (const n of changed) client.versions[n] = this.#feed.version(n);
      client.epoch = epoch;
      client.seq = seq;
      client.sent++;
      this.#totals.sent++;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    // A last push, so pages show the end.
    this.push();
    for (const c of this.#clients) c.ws.close(1001, 'headstart stopped');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const c of this.#clients) c.ws.terminate();
        this.#server.closeAllConnections();
      }, 500);
      force.unref();
      this.#wss.close();
      this.#server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.#server.closeIdleConnections();
    });
  }

  /** Why a request may not have the page or the socket, or undefined when it may. */
  #refusal(req: IncomingMessage, url: URL): string | undefined {
    if (this.token !== undefined) {
      if (!sameSecret(url.searchParams.get('token'), this.token)) return 'this dashboard needs its token: open the URL headstart printed';
    } else if (!this.#isLoopbackHostHeader(req.headers.host)) {
      return 'this dashboard answers only to its loopback address';
    }
    return undefined;
  }

  #isLoopbackHostHeader(host: string | undefined): boolean {
    if (!host) return false;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    if (!m) return false;
    const name = m[1]!.replace(/^\[|\]$/g, '');
    return isLoopbackHost(name) && Number(m[2] ?? 80) === this.#port;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const headers = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const refused = this.#refusal(req, url);
    if (refused) {
      this.#totals.refused++;
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(refused + '\n');
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': this.#html.csp, 'X-Frame-Options': 'DENY' });
    res.end(req.method === 'HEAD' ? undefined : this.#html.html);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const refuse = (status: number, why: string): void => {
      this.#totals.refused++;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why) + 1}\r\n\r\n${why}\n`);
    };
    if (url.pathname !== '/ws') return refuse(404, 'not found');
    const refused = this.#refusal(req, url);
    if (refused) return refuse(403, refused);
    // Only the page this server sent may open the socket: same scheme, host and port.
    if (req.headers.origin !== `http://${req.headers.host}`) return refuse(403, 'WebSocket connections are accepted from the dashboard page only');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onClient(ws));
  }

  #onClient(ws: WebSocket): void {
    const client: Client = { ws, versions: Object.fromEntries(SECTION_NAMES.map((n) => [n, 0])) as Record<SectionName, number>, epoch: -1, seq: 0, sent: 0, dropped: 0 };
    this.#clients.add(client);
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? undefined : parseClientMessage(data.toString());
      if (message && this.#feed.answerFromPage(message.question, message.redo)) this.#totals.answers++;
      else this.#totals.ignoredMessages++;
    });
    ws.on('close', () => this.#clients.delete(client));
    ws.on('error', () => this.#clients.delete(client));
  }
}
