import { resolve } from 'node:path';
import { RowError } from '../../errors.js';
import type { IdMap } from '../idmap.js';
import { type UserRelation, buildRelation } from '../relation.js';
import { type RowIssues, parseId } from '../validate.js';
import type { RelationMapping } from './mapping.js';
import { cellText, forEachRow } from './rows.js';

/**
 * Reads a user-user relation file (follows, friends): one (user, other) pair per row. Both ids must be
 * non-empty and different (a row relating a user to themself is a bad row); pairs naming a user found
 * in no interactions or users file are left out with a note (they would be users nothing is known
 * about); repeated pairs count once.
 */
export async function readRelation(m: RelationMapping, baseDir: string, users: IdMap, issues: RowIssues, notes: string[]): Promise<UserRelation> {
  const file = resolve(baseDir, m.path);
  const from: number[] = [];
  const to: number[] = [];
  let unknownRows = 0;
  const unknown = new Set<string>();
  await forEachRow(m, file, 'relations file', [m.user, m.other], issues, (get, at) => {
    const a = parseId(at, m.user, cellText(at, m.user, get(0)));
    const b = parseId(at, m.other, cellText(at, m.other, get(1)));
    if (a === b) throw new RowError(at.file, at.line, m.other, b, `is the same user as "${m.user}"`);
    const u = users.get(a);
    const v = users.get(b);
    if (u < 0 || v < 0) {
      unknownRows++;
      if (unknown.size < 1000) unknown.add(u < 0 ? a : b);
      return;
    }
    from.push(u);
    to.push(v);
  });
  if (unknownRows > 0) {
    notes.push(
      `${unknownRows} row${unknownRows === 1 ? '' : 's'} of ${file} name users found in no interactions or users file ` +
        `(e.g. ${[...unknown].slice(0, 3).join(', ')}): left out`,
    );
  }
  const rel = buildRelation(m.name, m.symmetric, users.size, Int32Array.from(from), Int32Array.from(to));
  notes.push(`${m.name}: ${rel.graph.nnz} ${m.symmetric ? 'directed entries (both ways)' : 'pairs'} among ${users.size} users, also the user attribute "${m.name}"`);
  return rel;
}
