/** Maps external string ids to dense 0..n-1 integers, once, at the edge of the system. */
export class IdMap {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];

  static from(ids: Iterable<string>): IdMap {
    const map = new IdMap();
    for (const id of ids) map.add(id);
    return map;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Dense id of `id`, adding it when it is new. */
  add(id: string): number {
    let dense = this.index.get(id);
    if (dense === undefined) {
      dense = this.ids.length;
      this.index.set(id, dense);
      this.ids.push(id);
    }
    return dense;
  }

  /** Dense id of `id`, or -1 when it is unknown. */
  get(id: string): number {
    return this.index.get(id) ?? -1;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** External id of dense id `dense`. */
  external(dense: number): string {
    const id = this.ids[dense];
    if (id === undefined) throw new RangeError(`dense id ${dense} out of range 0..${this.ids.length - 1}`);
    return id;
  }

  toArray(): readonly string[] {
    return this.ids;
  }

  /** A new map keeping only the dense ids where keep[i] is true, renumbered in order. Returns the map and old->new (-1 dropped). */
  filter(keep: Uint8Array): { map: IdMap; remap: Int32Array } {
    const map = new IdMap();
    const remap = new Int32Array(this.ids.length).fill(-1);
    for (let i = 0; i < this.ids.length; i++) if (keep[i]) remap[i] = map.add(this.ids[i]!);
    return { map, remap };
  }
}
