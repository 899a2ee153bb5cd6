import { Csr } from './csr.js';

/**
 * A user-user relation (follows, friends) in dense user ids: row u of `graph` lists the users u
 * relates to (columns ascending, each once). A symmetric relation (friendship) holds both directions.
 */
export interface UserRelation {
  /** "friends", "follows"...: also the name of the user attribute column listing each user's others */
  name: string;
  symmetric: boolean;
  /** users x users, values 1 */
  graph: Csr;
}

/**
 * The relation of pairs (from[k] -> to[k]), both ways when symmetric; repeated pairs and self pairs
 * are left out.
 */
export function buildRelation(name: string, symmetric: boolean, nUsers: number, from: Int32Array, to: Int32Array): UserRelation {
  const n = from.length;
  const m = symmetric ? 2 * n : n;
  const rows = new Int32Array(m);
  const cols = new Int32Array(m);
  rows.set(from);
  cols.set(to);
  if (symmetric) {
    rows.set(to, n);
    cols.set(from, n);
  }
  const raw = Csr.fromCoo(nUsers, nUsers, rows, cols, new Float32Array(m).fill(1));
  // drop repeats (adjacent after the sort) and self pairs
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(m);
  let at = 0;
  for (let u = 0; u < nUsers; u++) {
    let prev = -1;
    for (let k = raw.indptr[u]!; k < raw.indptr[u + 1]!; k++) {
      const v = raw.indices[k]!;
      if (v === prev || v === u) continue;
      indices[at++] = v;
      prev = v;
    }
    indptr[u + 1] = at;
  }
  return { name, symmetric, graph: new Csr(nUsers, nUsers, indptr, indices.slice(0, at), new Float32Array(at).fill(1)) };
}

/** The relation over renumbered users: remap[old] = new, -1 = dropped (pairs with a dropped user go). */
export function remapRelation(rel: UserRelation, remap: Int32Array, nUsers: number): UserRelation {
  const from: number[] = [];
  const to: number[] = [];
  for (let u = 0; u < rel.graph.nRows; u++) {
    const nu = remap[u]!;
    if (nu < 0) continue;
    for (let k = rel.graph.indptr[u]!; k < rel.graph.indptr[u + 1]!; k++) {
      const nv = remap[rel.graph.indices[k]!]!;
      if (nv >= 0) {
        from.push(nu);
        to.push(nv);
      }
    }
  }
  // the graph already holds both directions of a symmetric relation
  const out = buildRelation(rel.name, false, nUsers, Int32Array.from(from), Int32Array.from(to));
  return { ...out, symmetric: rel.symmetric };
}
