import DataLoader from 'dataloader';

/**
 * A per-request loader for records with at most one row per key: one batch
 * function call (one SQL statement) for every key asked for in the same tick.
 * A key with no row resolves to `null`.
 */
export function createRowLoader<K extends string, R>(fetchRows: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(async (keys) => {
    const rows = await fetchRows(keys);
    const byKey = new Map<K, R>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * A per-request loader for records with any number of rows per key, in the
 * order the batch function returns them. A key with no rows resolves to `[]`.
 */
export function createListLoader<K extends string, R>(fetchRows: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(async (keys) => {
    const rows = await fetchRows(keys);
    const byKey = new Map<K, R[]>();
    for (const row of rows) {
      const list = byKey.get(keyOf(row));
      if (list) list.push(row);
      else byKey.set(keyOf(row), [row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  });
}
