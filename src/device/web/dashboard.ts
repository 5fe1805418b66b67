/**
 * The web dashboard as one object: its feed, its server, the page's URLs,
 * and the two ways to fill it: a sink of a live session (`run`, the demo's
 * live part) and a view of a calibration. The demo shows both, one after
 * the other, on the same page.
 *
 *   const dashboard = await openWebDashboard({ listen: parseListenAddress('127.0.0.1:0') });
 *   console.error(`dashboard: ${dashboard.urls[0]}`);
 *   new LiveSession({ ..., sinks: [dashboard.liveSink('headstart run')] });
 *   await dashboard.close();
 */
import { WebCalibrationView } from '../calibration/web_view.ts';
import { WebDashboardSink } from '../sinks/web_sink.ts';
import { loadWebBundle } from './assets.ts';
import { DashboardFeed } from './dashboard_feed.ts';
import { DEFAULT_LISTEN, type ListenAddress } from './listen_address.ts';
import { DashboardServer, type DashboardServerStats } from './server.ts';

export interface WebDashboardOptions {
  listen?: ListenAddress;
  /** Off loopback: the token to require (default: a random one). */
  token?: string;
  maxBufferedBytes?: number;
}

export class WebDashboard {
  readonly feed: DashboardFeed;
  readonly #server: DashboardServer;

  private constructor(feed: DashboardFeed, server: DashboardServer) {
    this.feed = feed;
    this.#server = server;
  }

  static async open(options: WebDashboardOptions = {}): Promise<WebDashboard> {
    const feed = new DashboardFeed();
    const page = await loadWebBundle('dashboard');
    const server = await DashboardServer.start({
      listen: options.listen ?? DEFAULT_LISTEN,
      feed,
      page,
      ...(options.token ? { token: options.token } : {}),
      ...(options.maxBufferedBytes ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
    });
    return new WebDashboard(feed, server);
  }

  /** Where to open the page (with its token when it needs one). */
  get urls(): string[] {
    return this.#server.urls;
  }

  get port(): number {
    return this.#server.port;
  }

  stats(): DashboardServerStats {
    return this.#server.stats();
  }

  liveSink(title: string): WebDashboardSink {
    return new WebDashboardSink({ feed: this.feed, title });
  }

  calibrationView(title: string, options: { offerRedo?: boolean } = {}): WebCalibrationView {
    return new WebCalibrationView({ feed: this.feed, title, ...options });
  }

  /** Sends the last state, closes every page's socket and stops listening. */
  close(): Promise<void> {
    return this.#server.close();
  }
}

export function openWebDashboard(options: WebDashboardOptions = {}): Promise<WebDashboard> {
  return WebDashboard.open(options);
}
