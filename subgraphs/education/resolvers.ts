import type { SubgraphContext } from '../../shared';
import type { EducationLoaders, EducationRecord } from './store';

type Context = SubgraphContext<EducationLoaders>;
interface ChildReference { nhsNumber: string }

export const resolvers = {
  Child: {
    // Every NHS number is a child here; whether they are at school is `education`'s to say.
    __resolveReference: (reference: ChildReference): ChildReference => ({ nhsNumber: reference.nhsNumber }),
    education: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  ChildEducation: {
    exclusions: (education: EducationRecord, _: unknown, ctx: Context) => ctx.loaders.exclusions.load(education.nhsNumber),
  },
};
