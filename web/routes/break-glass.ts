import type { Express, Request } from 'express';
import { BREAK_GLASS_MAX_LENGTH, BREAK_GLASS_MIN_LENGTH, ErrorCode, isValidNhsNumber } from '../../shared';
import { GatewayUnreachable, type GatewayClient } from '../gateway-client';
import { operations } from '../operations';
import { formText } from '../form';

/** Who may declare an emergency: the roles the reference policy grants break-glass to. */
export const BREAK_GLASS_ROLES = ['gp', 'emergency-clinician'];

export const mayBreakGlass = (req: Request) => (req.session.data.user?.roles ?? []).some((r) => BREAK_GLASS_ROLES.includes(r));

/** The grant this session declared for `nhsNumber`, while it lasts. */
export function activeGrant(req: Request, nhsNumber?: string, now = Date.now()) {
  const grant = req.session.data.breakGlass;
  if (!grant || grant.until <= now) return undefined;
  return nhsNumber === undefined || grant.nhsNumber === nhsNumber ? grant : undefined;
}

/** Why a justification will not do, as the gateway checks it: letters and digits count, nothing invisible. */
function justificationProblem(text: string): string | undefined {
  if ((text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < BREAK_GLASS_MIN_LENGTH)
    return `Justification must be at least ${BREAK_GLASS_MIN_LENGTH} letters or digits: say what the emergency is`;
  if (text.length > BREAK_GLASS_MAX_LENGTH) return `Justification must be ${BREAK_GLASS_MAX_LENGTH} characters or fewer`;
  if (/[\p{Cc}\p{Cf}]/u.test(text.replace(/\r?\n/g, ' '))) return 'Justification must not contain control or invisible characters';
  return undefined;
}

/**
 * Break-glass: a GP or emergency clinician declares an emergency for one child with a written justification.
 * The gateway opens a time-boxed grant; every use is audited and a privacy officer reviews it afterwards.
 */
export function breakGlassRoutes(app: Express, deps: { gateway: GatewayClient; minutes: number }): void {
  app.use('/child/:nhsNumber/break-glass', (req, res, next) => {
    if (!isValidNhsNumber(req.params.nhsNumber ?? ''))
      return res.status(404).render('error.njk', { title: 'Page not found', message: 'That is not a valid NHS number.' });
    if (!mayBreakGlass(req)) {
      return res
        .status(403)
        .render('error.njk', { title: 'You cannot declare an emergency', message: 'Only GPs and emergency clinicians may use break-glass access.' });
    }
    next();
  });
  app.get('/child/:nhsNumber/break-glass', (req, res) => res.render('break-glass.njk', { nhsNumber: req.params.nhsNumber, minutes: deps.minutes }));
  app.post('/child/:nhsNumber/break-glass', async (req, res, next) => {
    const nhsNumber = req.params.nhsNumber;
    const justification = formText(req.body, 'justification').trim();
    const problem = justificationProblem(justification);
    if (problem) return res.status(400).render('break-glass.njk', { nhsNumber, minutes: deps.minutes, justification, errors: { justification: problem } });
    try {
      await deps.gateway.request(operations.childView, { nhsNumber }, { token: req.session.data.token!, purpose: 'emergency-care', breakGlass: justification });
      req.session.data.purpose = 'emergency-care';
      req.session.data.breakGlass = { nhsNumber, until: Date.now() + deps.minutes * 60_000 };
      res.redirect(303, `/child/${nhsNumber}`);
    } catch (error) {
      if (error instanceof GatewayUnreachable && error.code === ErrorCode.BAD_REQUEST) {
        return res.status(400).render('break-glass.njk', { nhsNumber, minutes: deps.minutes, justification, errors: { justification: error.message } });
      }
      next(error);
    }
  });
}
