import type { Express, Request } from 'express';
import { ErrorCode, isValidNhsNumber } from '../../shared';
import type { GatewayClient } from '../gateway-client';
import { formatScore } from '../format';
import { operations } from '../operations';
import { formText } from '../form';

/** Who is offered the decision; the gateway and housing decide whether they may make it. */
export const mayDecideHousingMatch = (req: Request) => (req.session.data.user?.roles ?? []).some((r) => ['housing-officer', 'social-worker'].includes(r));

const REFERENCE = /^[A-Za-z0-9-]{1,40}$/;

/**
 * A possible housing match, confirmed or rejected by a person, with a confirmation step: the page shows
 * what the match rests on and asks which it is; only the POST changes anything.
 */
export function housingMatchRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  const path = '/child/:nhsNumber/housing-match/:reference';
  app.use(path, (req, res, next) => {
    if (!isValidNhsNumber(req.params.nhsNumber ?? '') || !REFERENCE.test(req.params.reference ?? '')) {
      return res.status(404).render('error.njk', { title: 'Page not found', message: 'There is no such possible match.' });
    }
    next();
  });
  // What the match rests on comes from housing itself, never from the link that led here.
  app.get(path, async (req, res, next) => {
    const { nhsNumber, reference } = req.params;
    try {
      const result = await deps.gateway.request(
        operations.housingPossibleMatches,
        { nhsNumber },
        { token: req.session.data.token!, purpose: req.session.data.purpose! },
      );
      const child = result.data?.child;
      const match = child?.housing?.possibleMatches?.find((m) => m.reference === reference);
      res.render('housing-match.njk', {
        nhsNumber,
        reference,
        confirmed: child?.housing?.matchedOn?.includes('nhsNumber') ?? false,
        ...(match ? { confidence: match.confidence === null ? undefined : formatScore(match.confidence), matchedOn: (match.matchedOn ?? []).join(', ') } : {}),
      });
    } catch (error) {
      next(error);
    }
  });
  app.post(path, async (req, res, next) => {
    const { nhsNumber, reference } = req.params;
    const decision = formText(req.body, 'decision');
    if (!['confirm', 'reject'].includes(decision)) {
      return res.status(400).render('housing-match.njk', { nhsNumber, reference, errors: { decision: 'Select whether this household member is the child' } });
    }
    try {
      const asker = { token: req.session.data.token!, purpose: req.session.data.purpose! };
      const result =
        decision === 'confirm'
          ? await deps.gateway.request(operations.confirmHousingMatch, { nhsNumber, reference }, asker)
          : await deps.gateway.request(operations.rejectHousingMatch, { nhsNumber, reference }, asker);
      const failed = result.errors[0];
      if (failed) {
        const text =
          failed.extensions?.code === ErrorCode.FORBIDDEN
            ? `Withheld: policy ${String(failed.extensions.policy)}: ${String(failed.extensions.reason)}`
            : failed.message;
        return res
          .status(failed.extensions?.code === ErrorCode.FORBIDDEN ? 403 : 400)
          .render('housing-match.njk', { nhsNumber, reference, errors: { decision: text } });
      }
      req.session.data.flash =
        decision === 'confirm'
          ? {
              text: `Match confirmed: household member ${reference} is this child.`,
              undoHref: `/child/${nhsNumber}/housing-match/${reference}`,
              undoText: 'Undo: this is not the child',
            }
          : { text: `Match rejected: household member ${reference} will not be proposed for this child again.` };
      res.redirect(303, `/child/${nhsNumber}`);
    } catch (error) {
      next(error);
    }
  });
}
