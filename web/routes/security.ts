import type { Express } from 'express';
import { ROLES } from '../../shared';
import { isMatrixPurpose, isRole, MATRIX_PURPOSES, type PolicyViews } from '../policy-views';

const PURPOSE_HEADINGS: Record<string, string> = {
  'direct-care': 'Direct care',
  safeguarding: 'Safeguarding',
  'emergency-care': 'Emergency care',
  audit: 'Audit',
  'emergency-care+break-glass': 'Break-glass',
};

/**
 * The security officer's pages: who may see what, rendered live from the policy files, and an explanation of
 * one decision. Information governance leads (the privacy-officer role) only: deny by default.
 */
export function securityRoutes(app: Express, deps: { views: PolicyViews }): void {
  app.use('/security', (req, res, next) => {
    if ((req.session.data.user?.roles ?? []).includes('privacy-officer')) return next();
    res.status(403).render('error.njk', { title: 'You cannot see the policy pages', message: 'Only information governance leads (privacy officers) may.' });
  });
  app.get('/security', (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    const role = isRole(query.role ?? '') ? query.role! : 'social-worker';
    const locals: Record<string, unknown> = {
      roles: ROLES,
      role,
      purposes: MATRIX_PURPOSES,
      purposeHeadings: PURPOSE_HEADINGS,
      rows: deps.views.matrix(role as never),
    };
    if (query.path !== undefined) {
      const explainRole = query.explainRole ?? '';
      const purpose = query.purpose ?? '';
      const errors: Record<string, string> = {};
      if (!isRole(explainRole)) errors.explainRole = 'Select a role';
      if (!isMatrixPurpose(purpose)) errors.purpose = 'Select a purpose';
      if (Object.keys(errors).length === 0) {
        try {
          locals.explanation = deps.views.explain(explainRole as never, purpose as never, query.path.trim());
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
          errors.path = error.message;
        }
      }
      Object.assign(locals, { explainRole, explainPurpose: purpose, path: query.path, ...(Object.keys(errors).length ? { errors } : {}) });
    }
    res.render('security.njk', locals);
  });
}
