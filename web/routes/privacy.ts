import type { Express, Request, Response } from 'express';
import { isValidNhsNumber, nhsNumberProblem, normaliseNhsNumber } from '../../shared';
import type { GatewayClient, GatewayResult } from '../gateway-client';
import { operations, type BreakGlassOutcome } from '../operations';
import { formText } from '../form';

const OUTCOMES: BreakGlassOutcome[] = ['APPROPRIATE', 'INAPPROPRIATE'];

const asker = (req: Request) => ({ token: req.session.data.token!, purpose: req.session.data.purpose! });

/** The first FORBIDDEN or unavailable error at the top of a result: the whole page's answer is withheld. */
const refusal = (result: GatewayResult, field: string) => result.errors.find((e) => e.path?.[0] === field && e.path.length === 1);

/**
 * The privacy officer's pages: break-glass reviews, unusual-access alerts and a child's access timeline.
 * Anyone may open them; the gateway decides what each practitioner sees, as for every other page.
 */
export function privacyRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  const overview = async (req: Request, res: Response, locals: Record<string, unknown> = {}, status = 200) => {
    const result = await deps.gateway.request(operations.privacyOverview, {}, asker(req));
    const data = result.data;
    res.status(status).render('privacy.njk', {
      unreviewed: data?.unreviewed ?? [],
      overdueIds: (data?.overdue ?? []).map((g) => g.id),
      alerts: data?.accessAlerts ?? [],
      refused: refusal(result, 'unreviewed') ?? refusal(result, 'accessAlerts'),
      reviewed: req.query.reviewed === '1',
      ...locals,
    });
  };
  app.get('/privacy', (req, res, next) => overview(req, res).catch(next));

  app.post('/privacy/break-glass/:id', async (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const outcome = OUTCOMES.find((o) => o === body.outcome);
    const note = formText(body, 'note').trim();
    const errors: Record<string, string> = {};
    if (!outcome) errors[`outcome-${req.params.id}`] = 'Select whether the emergency access was appropriate';
    if (!note) errors[`note-${req.params.id}`] = 'Enter your finding';
    else if (note.length > 2000) errors[`note-${req.params.id}`] = 'Your finding must be 2,000 characters or fewer';
    try {
      if (Object.keys(errors).length > 0) return await overview(req, res, { errors, form: { id: req.params.id, outcome, note } }, 400);
      const result = await deps.gateway.request(operations.reviewBreakGlass, { id: req.params.id, outcome: outcome!, note }, asker(req));
      const failed = result.errors[0];
      if (failed) return await overview(req, res, { errors: { [`note-${req.params.id}`]: failed.message }, form: { id: req.params.id, outcome, note } }, 400);
      res.redirect(303, '/privacy?reviewed=1');
    } catch (error) {
      next(error);
    }
  });

  app.post('/privacy/child', (req, res, next) => {
    const nhsNumber = formText(req.body, 'nhsNumber').trim();
    const problem = nhsNumber ? nhsNumberProblem(nhsNumber) : 'Enter the child’s NHS number';
    if (problem)
      return overview(
        req,
        res,
        { errors: { timelineNhsNumber: nhsNumber ? 'Enter a valid 10-digit NHS number' : problem }, timelineNhsNumber: nhsNumber },
        400,
      ).catch(next);
    res.redirect(303, `/privacy/child/${normaliseNhsNumber(nhsNumber)}`);
  });

  app.get('/privacy/child/:nhsNumber', async (req, res, next) => {
    const nhsNumber = req.params.nhsNumber ?? '';
    if (!isValidNhsNumber(nhsNumber)) return res.status(404).render('error.njk', { title: 'Page not found', message: 'That is not a valid NHS number.' });
    try {
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const result = await deps.gateway.request(operations.childAccessLog, { nhsNumber, after }, asker(req));
      const child = result.data?.child;
      // A problem with the timeline itself; the child's name may be withheld from a privacy officer, which is no problem for this page.
      const problem = result.errors.find((e) => ['child', 'child.accessLog', 'child.accessLog.entries'].includes(e.path?.join('.') ?? ''));
      res.render('access-timeline.njk', { nhsNumber, child, entries: child?.accessLog?.entries ?? [], next: child?.accessLog?.next, problem });
    } catch (error) {
      next(error);
    }
  });
}
