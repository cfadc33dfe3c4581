import { nicknames } from './names';
import type { Random } from './random';
import type { Child, Household } from './population';

/**
 * Writes each social-housing child as the landlord's records hold them: mostly
 * as registered, sometimes under a familiar name, misspelt, with day and month
 * of birth swapped, or still at the previous address.
 */
export function addHousingNoise(random: Random, household: Household, children: ReadonlyMap<string, Child>): void {
  if (!household.tenancy) return;
  for (const id of household.childIds) {
    const child = children.get(id);
    if (!child || child.housing) continue;
    const noise: string[] = [];
    let { given, family, dateOfBirth } = child;
    let postcode = household.address.postcode;
    const nickname = nicknames[given];
    if (nickname && random.chance(0.3)) { given = nickname; noise.push('familiar name'); }
    if (random.chance(0.04)) { family = misspell(random, family); noise.push('misspelt family name'); }
    const [y, m, d] = dateOfBirth.split('-') as [string, string, string];
    if (Number(d) <= 12 && d !== m && random.chance(0.03)) { dateOfBirth = `${y}-${d}-${m}`; noise.push('day and month swapped'); }
    if (random.chance(0.05)) { postcode = household.previousAddress.postcode; noise.push('previous address'); }
    child.housing = { given, family, dateOfBirth, postcode, relationship: 'Child', noise };
  }
}

function misspell(random: Random, name: string): string {
  const i = random.int(1, Math.max(1, name.length - 2));
  const doubled = name.match(/(.)\1/);
  if (doubled?.index !== undefined) return name.slice(0, doubled.index) + name.slice(doubled.index + 1);
  return random.chance(0.5) ? name.slice(0, i) + name.slice(i + 1) : name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
}
