// Bundles the browser code under src/web for the page and the report: one
// script and one style sheet per entry (uPlot and its styles included), for
// browsers of the last few years, with no network needed to show them.
// `npm run build` writes them to dist/web; running from the sources,
// src/device/web/assets.ts bundles them in memory with the same options.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ENTRIES = { dashboard: 'src/web/dashboard/main.ts', report: 'src/web/report/main.ts' };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Returns { name: { js, css } } for each entry; with `outdir`, also writes `<name>.js` and `<name>.css` there. */
export async function buildWebBundles(outdir) {
  const entryPoints = Object.fromEntries(Object.entries(WEB_ENTRIES).map(([name, path]) => [name, join(root, path)]));
  const result = await build({
    entryPoints,
    outdir: outdir ?? join(root, 'dist', 'web'),
    write: outdir !== undefined,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  if (outdir !== undefined) return undefined;
  const out = {};
  for (const f of result.outputFiles) {
    const name = f.path.split(/[\\/]/).pop();
    const [entry, ext] = name.split('.');
    out[entry] ??= { js: '', css: '' };
    out[entry][ext] = f.text;
  }
  return out;
}
