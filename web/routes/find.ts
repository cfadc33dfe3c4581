import type { Express, Request, Response } from 'express';
import { ErrorCode, nhsNumberProblem, normaliseNhsNumber } from '../../shared';
import { GatewayUnreachable, type GatewayClient } from '../gateway-client';
import { formatScore } from '../format';
import { operations, type Gender } from '../operations';
import { formText } from '../form';

const GENDERS: Gender[] = ['MALE', 'FEMALE', 'OTHER', 'UNKNOWN'];

interface SearchForm {
  given: string;
  family: string;
  day: string;
  month: string;
  year: string;
  gender: string;
  postcode: string;
  fuzzy: boolean;
}

type FieldErrors = Record<string, string>;

function readSearch(body: Record<string, unknown>): SearchForm {
  const s = (k: string) => formText(body, k).trim();
  return {
    given: s('given'),
    family: s('family'),
    day: s('dob-day'),
    month: s('dob-month'),
    year: s('dob-year'),
    gender: s('gender'),
    postcode: s('postcode'),
    fuzzy: s('fuzzy') === 'yes',
  };
}

/** The date of birth as YYYY-MM-DD, or why it is not a date. */
function dateOfBirth(form: SearchForm): { value?: string; problem?: string } {
  if (!form.day && !form.month && !form.year) return {};
  const [d, m, y] = [Number(form.day), Number(form.month), Number(form.year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!/^\d{4}$/.test(form.year) || !Number.isInteger(d) || !Number.isInteger(m) || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1) {
    return { problem: 'Date of birth must be a real date, for example 14 5 2019' };
  }
  return { value: `${form.year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** The combinations identity accepts: exact needs family and date of birth; fuzzy one of three sets. */
function searchProblems(form: SearchForm, dob: string | undefined): FieldErrors {
  const errors: FieldErrors = {};
  if (form.gender && !GENDERS.some((g) => g === form.gender)) errors.gender = 'Select a gender from the list';
  if (form.fuzzy) {
    const has = { given: !!form.given, family: !!form.family, dob: !!dob, gender: !!form.gender, postcode: !!form.postcode };
    const ok =
      (has.given && has.family && has.dob) || (has.family && has.dob && has.gender && has.postcode) || (has.given && has.dob && has.gender && has.postcode);
    if (!ok) errors.family = 'A fuzzy search needs given name, family name and date of birth; or a name, date of birth, gender and postcode';
  } else {
    if (!form.family) errors.family = 'Enter the child’s family name';
    if (!dob && !errors.dob) errors.dob = 'Enter the child’s date of birth';
  }
  return errors;
}

export function findRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  const render = (res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render('find.njk', { genders: GENDERS, form: {}, ...locals });

  app.get('/find', (_req, res) => render(res, 200, {}));

  app.post('/find/nhs-number', (req, res) => {
    const nhsNumber = formText(req.body, 'nhsNumber').trim();
    const problem = nhsNumber ? nhsNumberProblem(nhsNumber) : 'Enter the child’s NHS number';
    if (problem) {
      const message = !nhsNumber
        ? problem
        : /10 digits/.test(problem)
          ? 'NHS number must be 10 digits'
          : 'Enter a valid NHS number: this one fails its check digit';
      return render(res, 400, { nhsNumber, errors: { nhsNumber: message } });
    }
    res.redirect(303, `/child/${normaliseNhsNumber(nhsNumber)}`);
  });

  app.post('/find/search', async (req: Request, res: Response, next) => {
    const form = readSearch(req.body as Record<string, unknown>);
    const dob = dateOfBirth(form);
    const errors: FieldErrors = { ...searchProblems(form, dob.value), ...(dob.problem ? { dob: dob.problem } : {}) };
    if (Object.keys(errors).length > 0) return render(res, 400, { form, errors, searched: true });
    try {
      const variables = {
        given: form.given || undefined,
        family: form.family || undefined,
        dateOfBirth: dob.value,
        gender: GENDERS.find((g) => g === form.gender),
        postcode: form.postcode || undefined,
        fuzzy: form.fuzzy,
      };
      const result = await deps.gateway.request(operations.searchChildren, variables, { token: req.session.data.token!, purpose: req.session.data.purpose! });
      const invalid = result.errors.find((e) => e.extensions?.code === ErrorCode.BAD_USER_INPUT);
      if (invalid) return render(res, 400, { form, errors: { family: invalid.message }, searched: true });
      const withheld = result.errors.find((e) => e.extensions?.code === ErrorCode.FORBIDDEN && e.path?.length === 1);
      const matches = (result.data?.searchChildren ?? []).map((m) => ({ ...m, scoreText: m.score === null ? undefined : formatScore(m.score) }));
      render(res, 200, { form, matches, withheld, searched: true });
    } catch (error) {
      if (error instanceof GatewayUnreachable) return render(res, 502, { form, unavailable: error.message, searched: true });
      next(error);
    }
  });
}
