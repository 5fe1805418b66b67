/**
 * The browser code's bundles (src/web: the dashboard page, the report's
 * charts), each one script and one style sheet. The built package reads
 * them from dist/web (`npm run build`); code running from the sources
 * bundles them from src/web in memory, with the build's own options
 * (scripts/web_build.mjs), so that what runs is what the sources say.
 * Both are made safe to inline in an HTML page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeadstartError } from '../../core/errors.ts';
import { findInstallRoot } from '../../io/install_root.ts';

export interface WebBundle {
  js: string;
  css: string;
}

export type WebBundleName = 'dashboard' | 'report';

const fromSources = import.meta.url.endsWith('.ts');
let built: Promise<Record<WebBundleName, WebBundle>> | undefined;

async function bundleSources(): Promise<Record<WebBundleName, WebBundle>> {
  const root = findInstallRoot('scripts/web_build.mjs');
  if (!root) throw new HeadstartError('FILE_NOT_FOUND', 'the browser code cannot be bundled: scripts/web_build.mjs is not beside the sources; run `npm run build` and use the built bin');
  const script = pathToFileURL(join(root, 'scripts', 'web_build.mjs')).href;
  const { buildWebBundles } = (await import(script)) as { buildWebBundles: () => Promise<Record<WebBundleName, WebBundle>> };
  return buildWebBundles();
}

/** A bundle's script as it can sit inside a <script> element (a '</script' in a string would end it). */
function inlineSafe(bundle: WebBundle): WebBundle {
  return { js: bundle.js.replace(/<\/(script)/gi, '<\\/$1'), css: bundle.css.replace(/<\/(style)/gi, '<\\/$1') };
}

export async function loadWebBundle(name: WebBundleName): Promise<WebBundle> {
  if (fromSources) {
    built ??= bundleSources();
    return inlineSafe((await built)[name]);
  }
  const root = findInstallRoot(join('dist', 'web', `${name}.js`));
  if (!root) throw new HeadstartError('FILE_NOT_FOUND', `the ${name} page is not built (dist/web/${name}.js is missing); run \`npm run build\` in the headstart folder`);
  const dir = join(root, 'dist', 'web');
  const css = join(dir, `${name}.css`);
  return inlineSafe({ js: readFileSync(join(dir, `${name}.js`), 'utf8'), css: existsSync(css) ? readFileSync(css, 'utf8') : '' });
}
