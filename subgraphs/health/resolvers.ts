import type { SubgraphContext } from '../../shared';
import type { HealthLoaders, HealthRecord } from './store';

type Context = SubgraphContext<HealthLoaders>;
interface ChildReference { nhsNumber: string }

export const resolvers = {
  Child: {
    // The child's health is looked up only when asked for, so a reference costs no SQL.
    __resolveReference: (reference: ChildReference) => ({ nhsNumber: reference.nhsNumber }),
    health: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  ChildHealth: {
    immunisations: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.immunisations.load(record.nhsNumber),
    emergencyAttendances: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.emergencyAttendances.load(record.nhsNumber),
    conditions: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.conditions.load(record.nhsNumber),
  },
};
