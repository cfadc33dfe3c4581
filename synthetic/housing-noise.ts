import { nicknames } from './names';
import type { Random } from './random';
import type { Child, Household } from './population';

/**
 * Writes each social-housing child as the landlord's records hold them: mostly
 * as registered, sometimes with the errors the Febrl data set generator
 * (Christen, ANU) puts into records typed, heard or copied by people: a
 * familiar name; a letter inserted, dropped, changed or two swapped; a name
 * spelt as it sounds; given and family names swapped; the given name left out;
 * day and month of birth swapped or one digit of the date mistyped; a postcode
 * mistyped; or the child still recorded at the previous address.
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
    if (nickname && random.chance(0.25)) {
      given = nickname;
      noise.push('familiar name');
    }
    if (random.chance(0.03)) {
      family = mistype(random, family);
      noise.push('misspelt family name');
    }
    if (random.chance(0.02)) {
      given = mistype(random, given);
      noise.push('misspelt given name');
    }
    if (random.chance(0.015)) {
      const heard = soundsLike(random, family);
      if (heard !== family) {
        family = heard;
        noise.push('family name spelt as it sounds');
      }
    }
    if (random.chance(0.008)) {
      [given, family] = [family, given];
      noise.push('names swapped');
    }
    if (random.chance(0.008)) {
      given = '';
      noise.push('given name missing');
    }
    const [y, m, d] = dateOfBirth.split('-') as [string, string, string];
    if (Number(d) <= 12 && d !== m && random.chance(0.03)) {
      dateOfBirth = `${y}-${d}-${m}`;
      noise.push('day and month swapped');
    } else if (random.chance(0.015)) {
      dateOfBirth = mistypeDate(random, dateOfBirth);
      noise.push('date of birth mistyped');
    }
    if (random.chance(0.04)) {
      postcode = household.previousAddress.postcode;
      noise.push('previous address');
    } else if (random.chance(0.008)) {
      postcode = mistypePostcode(random, postcode);
      noise.push('postcode mistyped');
    }
    child.housing = { given, family, dateOfBirth, postcode, relationship: 'Child', noise };
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One keying error, as Febrl makes them: a letter inserted, dropped, changed, or two neighbours swapped (never the first letter). */
export function mistype(random: Random, text: string): string {
  if (text.length < 3) return text + random.pick([...LETTERS]);
  const doubled = text.match(/(.)\1/);
  if (doubled?.index !== undefined && random.chance(0.3)) return text.slice(0, doubled.index) + text.slice(doubled.index + 1);
  const i = random.int(1, text.length - 2);
  const letter = random.pick([...LETTERS]);
  switch (random.int(0, 3)) {
    case 0:
      return text.slice(0, i) + letter + text.slice(i);
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    case 2:
      return text.slice(0, i) + (letter === text[i] ? 'e' : letter) + text.slice(i + 1);
    default:
      return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  }
}

/** Spellings that sound alike, as a name is written down when heard. */
const SOUNDS: [RegExp, string][] = [
  [/ph/, 'f'],
  [/f/, 'ph'],
  [/ck/, 'k'],
  [/c(?=[aou])/, 'k'],
  [/k/, 'c'],
  [/ie$/, 'y'],
  [/y$/, 'ie'],
  [/ey$/, 'y'],
  [/ai/, 'ay'],
  [/ou/, 'ow'],
  [/ee/, 'ea'],
  [/th/, 't'],
  [/z/, 's'],
  [/s(?=[aeiou])/, 'z'],
  [/i(?=[^aeiou]+$)/, 'y'],
  [/y/, 'i'],
  [/(.)\1/, '$1'],
  [/([lnrst])(?=[aeiouy])/, '$1$1'],
  [/son$/, 'sen'],
  [/man$/, 'mann'],
  [/ward$/, 'wood'],
];

export function soundsLike(random: Random, name: string): string {
  const lower = name.toLowerCase();
  const applicable = SOUNDS.filter(([pattern]) => pattern.test(lower.slice(1)));
  if (applicable.length === 0) return name;
  const [pattern, replacement] = random.pick(applicable);
  const heard = lower[0] + lower.slice(1).replace(pattern, replacement);
  return name[0] === name[0]!.toUpperCase() ? heard[0]!.toUpperCase() + heard.slice(1) : heard;
}

/** One digit of the date changed, or two neighbouring digits swapped, into another real date. */
export function mistypeDate(random: Random, date: string): string {
  const digits = date.replace(/-/g, '');
  for (let attempt = 0; attempt < 20; attempt++) {
    const i = random.int(2, 7);
    const changed =
      random.chance(0.5) && i < 7 && digits[i] !== digits[i + 1]
        ? digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2)
        : digits.slice(0, i) + String(random.int(0, 9)) + digits.slice(i + 1);
    const iso = `${changed.slice(0, 4)}-${changed.slice(4, 6)}-${changed.slice(6)}`;
    const check = new Date(`${iso}T00:00:00Z`);
    if (changed !== digits && !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === iso) return iso;
  }
  return date;
}

/** One character of the postcode's inward part changed (the outward part is what everyone knows by heart). */
export function mistypePostcode(random: Random, postcode: string): string {
  const [outward, inward] = postcode.split(' ') as [string, string];
  if (!inward) return postcode;
  const i = random.int(0, inward.length - 1);
  const choices = [...(i === 0 ? '123456789' : 'ABDEFGHJLNPQRSTUWXYZ')].filter((c) => c !== inward[i]);
  return `${outward} ${inward.slice(0, i)}${random.pick(choices)}${inward.slice(i + 1)}`;
}
