import { dirname, join } from 'node:path';
import express, { type Express } from 'express';
import type { GatewayClient } from '../gateway-client';

/** GraphiQL and React, from npm (development dependencies), served by this app: nothing from a CDN. */
function explorerFiles(): Record<string, string> | undefined {
  try {
    const graphiql = dirname(require.resolve('graphiql/package.json'));
    const react = dirname(require.resolve('react/package.json'));
    const reactDom = dirname(require.resolve('react-dom/package.json'));
    return {
      'react.js': join(react, 'umd', 'react.production.min.js'),
      'react-dom.js': join(reactDom, 'umd', 'react-dom.production.min.js'),
      'graphiql.js': join(graphiql, 'graphiql.min.js'),
      'graphiql.css': join(graphiql, 'graphiql.min.css'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Development only: a GraphQL explorer (GraphiQL) over the gateway, as the signed-in practitioner with their
 * purpose of use. Its requests go through this app, which adds the practitioner's token; a request must carry
 * the session's CSRF token in `X-CSRF-Token`, which csrfProtection checks.
 */
export function explorerRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  const files = explorerFiles();
  app.get('/explorer', (_req, res) => {
    if (!files)
      return res
        .status(404)
        .render('error.njk', { title: 'The explorer is not installed', message: 'Install the development dependencies (npm install) to use the explorer.' });
    res.render('explorer.njk');
  });
  app.get('/explorer/assets/:file', (req, res) => {
    const path = files?.[req.params.file];
    if (!path) return res.status(404).end();
    res.sendFile(path, { maxAge: '1h' });
  });
  app.post('/explorer/graphql', express.json({ limit: '100kb' }), async (req, res, next) => {
    const { query, variables, operationName } = (req.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (typeof query !== 'string') return res.status(400).json({ errors: [{ message: 'Send a GraphQL query' }] });
    try {
      const result = await deps.gateway.requestText(
        query,
        (variables as Record<string, unknown>) ?? {},
        { token: req.session.data.token!, purpose: req.session.data.purpose! },
        typeof operationName === 'string' ? operationName : undefined,
      );
      res.json(result.errors.length > 0 ? result : { data: result.data });
    } catch (error) {
      const failed = error as Error & { status?: number; code?: string };
      if (failed.name === 'GatewayUnreachable')
        return res.status(502).json({ errors: [{ message: failed.message, extensions: { code: failed.code ?? 'GATEWAY_UNREACHABLE' } }] });
      next(error);
    }
  });
}
