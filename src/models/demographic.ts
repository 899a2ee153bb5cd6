import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { discreteUserAttributes, encodeAttribute, type DiscreteAttribute } from '../features/user.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /**
     * The groupings, each a list of user attribute columns crossed together (e.g. [["age","gender"],
     * ["occupation"]]); default: age x gender (when both exist), and each other usable attribute alone.
     */
    groups: z.array(z.array(z.string()).min(1)).min(1).optional(),
    /** pseudo-users of global popularity mixed into every group: small groups lean on the global list */
    smoothing: z.number().nonnegative().default(20),
    /** 'mean' averages the groupings' item shares; 'product' multiplies their lifts over the global share (naive Bayes) */
    combine: z.enum(['mean', 'product']).default('mean'),
  })
  .strict();
type DemographicParams = z.infer<typeof Params>;

/** One grouping: the attributes crossed, and its groups' smoothed item shares. */
interface Grouping {
  attrs: number[];
  /** mixed-radix stride of each attribute in the group index */
  strides: number[];
  nGroups: number;
  /** index of the first row of this grouping's groups in `shares` */
  offset: number;
}

/**
 * Demographic popularity: the items most popular among users who share the user's attributes (age
 * group x gender, occupation, region...). Each group's share of users who interacted with an item is
 * smoothed towards the global share: (c_g(i) + m p(i)) / (n_g + m). The groupings' shares are then
 * averaged (or multiplied as lifts). It needs no events of the user at all, so it answers for a user
 * who just signed up (foldIn with `user` or `attributes`); users without attributes get global popularity.
 */
export class Demographic implements Recommender {
  readonly name = 'demographic';
  private attrs: Omit<DiscreteAttribute, 'codes'>[] = [];
  private groupings: Grouping[] = [];
  /** rows = groups of every grouping (then one row: global), columns = items */
  private shares: Float32Array = new Float32Array(0);
  /** per user and grouping: the user's group (-1 = an attribute is missing) */
  private userGroup: Int32Array = new Int32Array(0);
  /** users in each group (for explanations) */
  private groupUsers: Int32Array = new Int32Array(0);
  private nItems = 0;
  private nUsers = 0;

  constructor(readonly params: DemographicParams) {}

  async fit(train: TrainData, _ctx: FitContext): Promise<void> {
    const table = train.userTable;
    if (!table || table.size === 0) throw new UnirecError('model "demographic" needs user attributes (age, gender, occupation...), and this data has none');
    if (table.size !== train.nUsers) throw new RangeError(`user table has ${table.size} rows, train has ${train.nUsers} users`);
    const wanted = this.params.groups;
    for (const c of wanted?.flat() ?? []) {
      if (!table.get(c)) throw new UnirecError(`model "demographic": no user attribute "${c}" (have: ${[...table.columns.keys()].join(', ')})`);
    }
    const all = discreteUserAttributes(table, wanted ? { columns: [...new Set(wanted.flat())] } : {});
    if (all.length === 0) throw new UnirecError('model "demographic": no usable user attribute (categorical with few values, or numeric)');
    const index = new Map(all.map((a, k) => [a.column, k]));
    let groups = wanted;
    if (!groups) {
      const cross = ['age', 'gender'].filter((c) => index.has(c));
      groups = cross.length === 2 ? [cross] : [];
      for (const a of all) if (!(cross.length === 2 && cross.includes(a.column))) groups.push([a.column]);
    }
    for (const g of groups) {
      for (const c of g) if (!index.has(c)) throw new UnirecError(`model "demographic": no usable user attribute "${c}" (have: ${[...index.keys()].join(', ')})`);
    }
    this.nItems = train.nItems;
    this.nUsers = train.nUsers;
    this.attrs = all.map(({ codes: _codes, ...rest }) => rest);
    let offset = 0;
    this.groupings = groups.map((g) => {
      const attrs = g.map((c) => index.get(c)!);
      const strides: number[] = [];
      let n = 1;
      for (const a of attrs) {
        strides.push(n);
        n *= all[a]!.labels.length;
      }
      const grouping = { attrs, strides, nGroups: n, offset };
      offset += n;
      return grouping;
    });
    const nRows = offset + 1;
    const G = this.groupings.length;
    this.userGroup = new Int32Array(train.nUsers * G);
    for (let u = 0; u < train.nUsers; u++) {
      this.groupings.forEach((g, k) => {
        this.userGroup[u * G + k] = groupOf(g, (a) => all[a]!.codes[u]!);
      });
    }
    // counts: users per group who interacted with each item (binary)
    const counts = new Float64Array(nRows * train.nItems);
    this.groupUsers = new Int32Array(nRows);
    const { indptr, indices } = train.byUser;
    for (let u = 0; u < train.nUsers; u++) {
      if (indptr[u + 1] === indptr[u]) continue;
      const rows: number[] = [offset];
      for (let k = 0; k < G; k++) {
        const g = this.userGroup[u * G + k]!;
        if (g >= 0) rows.push(this.groupings[k]!.offset + g);
      }
      for (const row of rows) {
        this.groupUsers[row]!++;
        const base = row * train.nItems;
        for (let p = indptr[u]!; p < indptr[u + 1]!; p++) counts[base + indices[p]!]! += 1;
      }
    }
    const m = this.params.smoothing;
    const global = offset * train.nItems;
    const nAll = Math.max(1, this.groupUsers[offset]!);
    this.shares = new Float32Array(nRows * train.nItems);
    for (let i = 0; i < train.nItems; i++) this.shares[global + i] = counts[global + i]! / nAll;
    for (let row = 0; row < offset; row++) {
      const n = this.groupUsers[row]!;
      const base = row * train.nItems;
      for (let i = 0; i < train.nItems; i++) {
        const p = this.shares[global + i]!;
        this.shares[base + i] = n + m > 0 ? (counts[base + i]! + m * p) / (n + m) : p;
      }
    }
  }

  scoreUser(user: number, out: Float32Array): void {
    const G = this.groupings.length;
    this.combine(user >= 0 && user < this.nUsers ? this.userGroup.subarray(user * G, (user + 1) * G) : new Int32Array(G).fill(-1), out);
  }

  /** Reads the user's attributes (by `history.user`, or `history.attributes`); the events are not used. */
  foldIn(history: History, out: Float32Array): void {
    if (history.user !== undefined && history.user >= 0 && history.user < this.nUsers) return this.scoreUser(history.user, out);
    const codes = this.attrs.map((a) => encodeAttribute(a as DiscreteAttribute, history.attributes?.[a.column]));
    this.combine(Int32Array.from(this.groupings, (g) => groupOf(g, (a) => codes[a]!)), out);
  }

  private combine(groups: Int32Array, out: Float32Array): void {
    const n = this.nItems;
    const globalBase = this.groupings.reduce((s, g) => s + g.nGroups, 0) * n;
    const product = this.params.combine === 'product';
    if (product) for (let i = 0; i < n; i++) out[i] = Math.log(this.shares[globalBase + i]! + 1e-9);
    else out.fill(0);
    const G = this.groupings.length;
    for (let k = 0; k < G; k++) {
      const g = groups[k]!;
      const base = g >= 0 ? (this.groupings[k]!.offset + g) * n : globalBase;
      for (let i = 0; i < n; i++) {
        const s = this.shares[base + i]!;
        if (product) out[i]! += Math.log(s + 1e-9) - Math.log(this.shares[globalBase + i]! + 1e-9);
        else out[i]! += s / G;
      }
    }
  }

  /** The user's groups and the share of each group's users who took the item. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const G = this.groupings.length;
    const reasons: Reason[] = [];
    for (let k = 0; k < G; k++) {
      const g = this.userGroup[user * G + k]!;
      if (g < 0) continue;
      const grouping = this.groupings[k]!;
      const row = grouping.offset + g;
      const share = this.shares[row * this.nItems + item]!;
      const label = grouping.attrs.map((a, j) => this.attrs[a]!.labels[Math.floor(g / grouping.strides[j]!) % this.attrs[a]!.labels.length]!).join(' & ');
      reasons.push({ kind: 'popularity', weight: share, text: `popular with users like you (${label}): ${(100 * share).toFixed(1)}% of ${this.groupUsers[row]} users` });
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nItems: this.nItems, nUsers: this.nUsers, attrs: this.attrs, groupings: this.groupings },
      arrays: { shares: this.shares, userGroup: this.userGroup, groupUsers: this.groupUsers },
    };
  }

  static load(a: ModelArtifact): Demographic {
    const m = new Demographic(Params.parse(a.params));
    m.nItems = a.meta.nItems as number;
    m.nUsers = a.meta.nUsers as number;
    m.attrs = a.meta.attrs as Omit<DiscreteAttribute, 'codes'>[];
    m.groupings = a.meta.groupings as Grouping[];
    m.shares = a.arrays.shares as Float32Array;
    m.userGroup = a.arrays.userGroup as Int32Array;
    m.groupUsers = a.arrays.groupUsers as Int32Array;
    return m;
  }
}

/** The group index of a combination of attribute codes; -1 when one is missing. */
function groupOf(g: Grouping, code: (attr: number) => number): number {
  let index = 0;
  for (let j = 0; j < g.attrs.length; j++) {
    const c = code(g.attrs[j]!);
    if (c < 0) return -1;
    index += c * g.strides[j]!;
  }
  return index;
}

registerModel({
  name: 'demographic',
  description: "popularity within the user's attribute groups (age x gender, occupation...), for users with no events",
  params: Params,
  create: (p) => new Demographic(p),
  load: (a) => Demographic.load(a),
});
