/** Whether the sorted slice a[lo, hi) holds v (binary search: CSR rows keep their columns sorted). */
export function sortedHas(a: Int32Array, lo: number, hi: number, v: number): boolean {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = a[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
