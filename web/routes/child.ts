import type { Express } from 'express';
import { isValidNhsNumber } from '../../shared';
import { childViewModel } from '../child-view-model';
import { activeGrant, mayBreakGlass } from './break-glass';
import { mayDecideHousingMatch } from './housing-match';
import { GatewayUnreachable, type GatewayClient } from '../gateway-client';
import { formatScore } from '../format';
import { operations } from '../operations';

export function childRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  app.get('/child/:nhsNumber', async (req, res, next) => {
    const nhsNumber = req.params.nhsNumber ?? '';
    if (!isValidNhsNumber(nhsNumber)) return res.status(404).render('error.njk', { title: 'Page not found', message: 'That is not a valid NHS number.' });
    try {
      const result = await deps.gateway.request(operations.childView, { nhsNumber }, { token: req.session.data.token!, purpose: req.session.data.purpose! });
      const model = childViewModel(result);
      if (!model.found) {
        const refused = result.errors.find((e) => e.path?.length === 1);
        return res.status(refused ? 403 : 404).render('child-not-found.njk', { nhsNumber, refused });
      }
      const withheld = [...model.whoToCall, ...model.sections.flatMap((s) => s.rows)].some((r) => r.state === 'withheld');
      const housing = result.data?.child?.housing;
      const flash = req.session.data.flash;
      delete req.session.data.flash;
      res.render('child.njk', {
        nhsNumber,
        ...model,
        flash,
        offerBreakGlass: withheld && mayBreakGlass(req) && !activeGrant(req, nhsNumber),
        possibleMatches: mayDecideHousingMatch(req)
          ? (housing?.possibleMatches ?? []).map((m) => ({ reference: m.reference, confidence: m.confidence === null ? undefined : formatScore(m.confidence) }))
          : [],
      });
    } catch (error) {
      if (error instanceof GatewayUnreachable) {
        return res.status(502).render('error.njk', { title: 'The service is unavailable', message: 'The child record could not be fetched. Try again later.' });
      }
      next(error);
    }
  });
}
