import type { Express } from 'express';
import { ErrorCode } from '../../shared';
import { createFieldReader } from '../field-state';
import { formatIncidentType, formatTime } from '../format';
import type { GatewayClient } from '../gateway-client';
import { operations } from '../operations';

/** Who is offered the list; the gateway and the police decide whether they may read it. */
const ID = /^[A-Za-z0-9-]{1,64}$/;
const when = (iso: string | null | undefined) => (iso ? formatTime(iso) : null);

/**
 * A school's safeguarding lead, before the school day: the Operation Encompass notifications the police sent to
 * their school and not yet acknowledged (or, with "all from the last 30 days", those read too), each with a
 * button to acknowledge it. Where each incident happened is withheld here: the police cannot tell from the list
 * alone that the child is not restricted, so the page says so and links to the child's record.
 */
export function encompassRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  app.get('/encompass', async (req, res, next) => {
    const all = req.query.show === 'all';
    try {
      const since = all ? new Date(Date.now() - 30 * 86_400_000).toISOString() : null;
      const result = await deps.gateway.request(
        operations.encompassForMySchool,
        { since },
        { token: req.session.data.token!, purpose: req.session.data.purpose! },
      );
      const refused = result.errors.find((e) => !e.path || e.path.length === 1);
      const read = createFieldReader(result, ['encompassNotificationsForMySchool']);
      const notifications = (result.data?.encompassNotificationsForMySchool ?? []).map((n, i) => {
        const place = read(i, 'incident', 'place');
        const voice = read(i, 'childsVoice');
        return {
          id: n.id,
          child: [n.childAsRecorded?.given, n.childAsRecorded?.family].filter(Boolean).join(' '),
          dateOfBirth: n.childAsRecorded?.dateOfBirth ?? null,
          sentAt: when(n.sentAt),
          occurredAt: when(n.incident?.occurredAt),
          reference: n.incident?.reference ?? null,
          type: n.incident?.type ? formatIncidentType(n.incident.type) : null,
          place: place.state === 'value' ? String(place.value) : null,
          placeWithheld: place.state === 'withheld' ? place : null,
          present: n.childPresent,
          whereabouts: n.childWhereabouts ?? null,
          voice: voice.state === 'value' ? String(voice.value) : null,
          voiceWithheld: voice.state === 'withheld' ? voice : null,
          acknowledgedAt: when(n.acknowledgedAt),
          acknowledgedBy: n.acknowledgedBy ?? null,
        };
      });
      const flash = req.session.data.flash;
      req.session.data.flash = undefined;
      res.render('encompass.njk', {
        notifications,
        all,
        flash,
        refused: refused && refused.extensions?.code === ErrorCode.FORBIDDEN ? refused : undefined,
        unavailable: refused && refused.extensions?.code !== ErrorCode.FORBIDDEN,
      });
    } catch (error) {
      next(error);
    }
  });
  app.post('/encompass/:id/acknowledge', async (req, res, next) => {
    const id = req.params.id ?? '';
    if (!ID.test(id)) return res.status(404).render('error.njk', { title: 'Page not found', message: 'There is no such notification.' });
    try {
      const result = await deps.gateway.request(
        operations.acknowledgeEncompass,
        { id },
        { token: req.session.data.token!, purpose: req.session.data.purpose! },
      );
      const failed = result.errors[0];
      req.session.data.flash = failed
        ? {
            text:
              failed.extensions?.code === ErrorCode.FORBIDDEN
                ? `Not acknowledged. Withheld: policy ${String(failed.extensions.policy)}: ${String(failed.extensions.reason)}`
                : `Not acknowledged: ${failed.message}`,
          }
        : { text: `Notification ${id} acknowledged: the police can see that your school has it.` };
      res.redirect(303, '/encompass');
    } catch (error) {
      next(error);
    }
  });
}
