import { demoPersonas } from '../shared';

/** The demo personas, all fictional: each agency's `personas.yaml` (subgraphs/<agency>/). */
export const personas = demoPersonas();
/** A demo persona's name, e.g. `sw.jones`. */
export type PersonaName = string;
export { DEV_AUDIENCE, DEV_ISSUER, demoPersona, signPersonaToken } from '../shared';
