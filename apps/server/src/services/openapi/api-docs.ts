import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../../app.js';
import { getOpenApiDocument } from './openapi-document.js';

/** The Swagger UI files `/docs` loads, from the installed swagger-ui-dist (no CDN). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Stepwise API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const DAY_SECONDS = 24 * 3600;

/**
 * `/openapi.json` (the OpenAPI document of the REST view) and `/docs`, an interactive Swagger
 * UI for it, with its assets served from `node_modules` and kept in memory once read.
 */
export function apiDocs() {
  const directory = path.dirname(
    createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
  );
  const files = new Map<string, Promise<Buffer>>();
  const docs = new Hono<AppEnv>();

  docs.get('/openapi.json', (c) => c.json(getOpenApiDocument()));
  docs.get('/docs', (c) => c.html(PAGE));
  docs.get('/docs/init.js', (c) =>
    c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  docs.get('/docs/:asset', async (c) => {
    const name = c.req.param('asset');
    const type = ASSETS[name];
    if (!type) return c.notFound();
    let file = files.get(name);
    if (!file) {
      file = readFile(path.join(directory, name));
      files.set(name, file);
      file.catch(() => files.delete(name));
    }
    return c.body(new Uint8Array(await file), 200, {
      'content-type': type,
      'cache-control': `public, max-age=${DAY_SECONDS}`,
    });
  });
  return docs;
}
