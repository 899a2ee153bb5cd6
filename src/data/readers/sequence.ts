import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RowError, UnirecError } from '../../errors.js';
import { AttributeTableBuilder } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import { RowIssues, parseId } from '../validate.js';
import { type AttributePart, Catalogue, InteractionsBuilder, finishDataset } from './builder.js';
import { forEachLine } from './delimited.js';
import type { LoadOptions } from './options.js';
import { pathKind, readText } from './text.js';

/**
 * Sequence folders as published with S3-Rec and its successors (../shared/data/amazon-*):
 * `<Name>.txt` holds one line per user, `user item item ...`, items oldest first; the optional
 * `<Name>_item2attributes.json` maps item id -> list of attribute ids. There is no clock, so `ts` is
 * the position in the user's sequence (0, 1, 2...), which is all that loo needs; every value is 1.
 */

const ATTRIBUTES_SUFFIX = '_item2attributes.json';

/** The sequence file of a folder: its only `*.txt` besides READMEs, or the one with an attributes file. */
export async function findSequenceFile(dir: string): Promise<string | undefined> {
  const names = await readdir(dir);
  const txt = names.filter((n) => n.endsWith('.txt') && !/^readme/i.test(n));
  const withAttributes = txt.filter((n) => names.includes(n.slice(0, -4) + ATTRIBUTES_SUFFIX));
  if (withAttributes.length === 1) return join(dir, withAttributes[0]!);
  if (txt.length === 1) return join(dir, txt[0]!);
  return undefined;
}

/** Reads a sequence file (or a folder holding one) and its item attributes when present. */
export async function readSequence(path: string, options: LoadOptions = {}): Promise<Dataset> {
  let file = path;
  if ((await pathKind(path)) === 'dir') {
    const found = await findSequenceFile(path);
    if (!found) throw new UnirecError(`no sequence file in ${path}: expected one <Name>.txt (one line per user: user item item ...)`);
    file = found;
  }
  const stem = basename(file).replace(/\.txt$/, '');
  const name = options.name ?? (file === path ? stem : basename(path));
  const issues = new RowIssues(options.onError);
  const users = new IdMap();
  const items = new IdMap();
  const b = new InteractionsBuilder(users, items);

  const userLine = new Map<number, number>();
  forEachLine(await readText(file, 'utf8', 'sequence file'), (line, lineNo) =>
    issues.row(line, () => {
      const tokens = line.trim().split(/\s+/);
      const at = { file, line: lineNo };
      const user = parseId(at, 'user', tokens[0]);
      const first = userLine.get(users.get(user));
      if (first !== undefined) throw new RowError(file, lineNo, 'user', user, `already has a sequence on line ${first}`);
      const u = users.add(user);
      userLine.set(u, lineNo);
      for (let k = 1; k < tokens.length; k++) b.pushDense(u, items.add(tokens[k]!), 1, k - 1);
    }),
  );
  const interactions = b.build();

  const notes: string[] = [];
  const attrFile = join(dirname(file), stem + ATTRIBUTES_SUFFIX);
  let itemAttrs: AttributePart | undefined;
  if ((await pathKind(attrFile)) === 'file') itemAttrs = readItemAttributes(await readText(attrFile), attrFile, items, issues);
  else notes.push(`no ${basename(attrFile)}: items have no attributes`);

  return finishDataset(
    { name, source: 'sequence', file, users, items, interactions, itemAttrs, hasRatings: false, hasTime: true, notes, issues },
    options,
  );
}

/** `{"<item id>": [attribute ids...], ...}` -> multi column `attributes`. Items only listed here are catalogue entries. */
function readItemAttributes(text: string, file: string, items: IdMap, issues: RowIssues): AttributePart {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UnirecError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UnirecError(`${file}: expected one JSON object mapping item id -> list of attribute ids`);
  }
  const builder = new AttributeTableBuilder({ attributes: 'multi' });
  const catalogue = new Catalogue(items, file);
  const lines = keyLines(text);
  for (const [id, list] of Object.entries(json)) {
    const raw = `${JSON.stringify(id)}: ${JSON.stringify(list)}`;
    issues.row(raw, () => {
      const at = { file, line: lines.get(id) ?? 1 };
      const ok = Array.isArray(list) && list.every((a) => typeof a === 'number' || typeof a === 'string');
      if (!ok) throw new RowError(file, at.line, id, JSON.stringify(list) ?? '', 'must be a list of attribute ids');
      const row = catalogue.describe(at, 'item', parseId(at, 'item', id));
      builder.setMulti('attributes', row, (list as (string | number)[]).map((a) => String(a).trim()));
    });
  }
  return { builder, catalogue };
}

/** Line of each top-level key, for messages; the published files are one line, so this is usually empty. */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  if (!text.trimEnd().includes('\n')) return lines;
  const key = /"((?:[^"\\]|\\.)*)"\s*:|\n/g;
  let line = 1;
  for (let m = key.exec(text); m; m = key.exec(text)) {
    if (m[0] === '\n') line++;
    else lines.set(JSON.parse(`"${m[1]}"`) as string, line);
  }
  return lines;
}
