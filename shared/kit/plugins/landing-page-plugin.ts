import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * What a browser opening a service's `/graphql` is shown, in place of Apollo's landing page (which loads its script
 * from Apollo's CDN, which NHS and council networks may block, and would offer a query editor to anyone): a static
 * page, no script, nothing from elsewhere, saying what the service is, who calls it and, when there is one, where
 * the explorer is.
 */
export function landingPagePlugin<C extends BaseContext>(options: { service: string; about: string[]; explorerUrl?: string }): ApolloServerPlugin<C> {
  const explorer = options.explorerUrl
    ? `<p>Explore the graph as a demo persona in the web app's explorer: <a href="${escape(options.explorerUrl)}">${escape(options.explorerUrl)}</a>.</p>\n`
    : '';
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(options.service)}</title></head>
<body>
<h1>${escape(options.service)}</h1>
${options.about.map((line) => `<p>${escape(line)}</p>\n`).join('')}${explorer}</body>
</html>
`;
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
