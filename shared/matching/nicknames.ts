import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const groups = loadNicknames(join(__dirname, 'nicknames.txt'));
const NONE: readonly number[] = [];

function loadNicknames(path: string): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.startsWith('#')) return;
      for (const name of line.trim().split(/\s+/).filter(Boolean)) {
        const key = name.toLowerCase();
        byName.set(key, [...(byName.get(key) ?? []), i]);
      }
    });
  return byName;
}

/** The nickname groups (lines of nicknames.txt) a normalised given name belongs to; two names sharing one are the same name. */
export function nicknameGroupsOf(name: string): readonly number[] {
  return groups.get(name) ?? NONE;
}
