import { readFileSync } from 'node:fs';
import type { Demographics } from '../../shared';

/** A record of a FEBRL data set, as demographics, with whom it really is (the number in its `rec_id`). */
export interface FebrlRecord {
  id: string;
  entity: string;
  demographics: Demographics;
}

const COLUMNS = ['rec_id', 'given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth'] as const;

/**
 * Reads a FEBRL data set (the CSV the Febrl generator writes, as the Python
 * Record Linkage Toolkit ships it): `rec-N-org` and `rec-N-dup-K` are the same
 * person N. Street number and `address_1` make the first address line,
 * `address_2` the second, `suburb` the town and `state` the region.
 * `soc_sec_id` is left out: the agencies here share no identifier (that is
 * why they match on demographics), so the benchmark measures what they compare.
 */
export function readFebrl(path: string): FebrlRecord[] {
  const [header, ...lines] = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const names = header!.split(',').map((h) => h.trim());
  const at = Object.fromEntries(
    COLUMNS.map((c) => {
      const i = names.indexOf(c);
      if (i < 0) throw new TypeError(`${path}: no column ${c} in the header (${names.join(', ')})`);
      return [c, i];
    }),
  ) as Record<(typeof COLUMNS)[number], number>;
  return lines.map((line) => {
    const cells = line.split(',').map((c) => c.trim());
    const get = (c: (typeof COLUMNS)[number]) => cells[at[c]] || null;
    const id = get('rec_id') ?? '';
    const entity = /^rec-(\d+)-/.exec(id)?.[1];
    if (!entity) throw new TypeError(`${path}: rec_id ${JSON.stringify(id)} is not rec-N-org or rec-N-dup-K`);
    const street = [get('street_number'), get('address_1')].filter(Boolean).join(' ');
    return {
      id,
      entity,
      demographics: {
        given: get('given_name'),
        family: get('surname'),
        dateOfBirth: get('date_of_birth'),
        addresses: [{ lines: [street || null, get('address_2')], town: get('suburb'), region: get('state'), postcode: get('postcode') }],
      },
    };
  });
}
