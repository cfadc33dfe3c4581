import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * What a browser opening a service's `/graphql` is shown, in place of Apollo's landing page (which loads its script
 * from Apollo's CDN, which NHS and council networks may block, and would offer a query editor to anyone): a static
 * page, no script, nothing from elsewhere, saying what the service is and where the explorer is in development.
 */
export function localLandingPage<C extends BaseContext>(options: { service: string; development: boolean; explorerUrl?: string }): ApolloServerPlugin<C> {
  const explorer = options.development
    ? options.explorerUrl
      ? `<p>In development, explore the graph as a demo persona in the web app's explorer: <a href="${escape(options.explorerUrl)}">${escape(options.explorerUrl)}</a>.</p>`
      : `<p>In development, explore the graph in the web app's explorer (<code>npm start</code>, then <code>/explorer</code>).</p>`
    : '<p>This service answers registered clients only.</p>';
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(options.service)}</title></head>
<body>
<h1>${escape(options.service)}</h1>
<p>GraphQL is served here: send <code>POST</code> requests with <code>Content-Type: application/json</code>, a bearer token and a purpose of use.</p>
${explorer}
</body>
</html>
`;
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}
