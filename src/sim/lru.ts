/** A least-recently-used map bounded by the total size of its values (size given per value). */
export class LruCache<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const previous = this.map.get(key);
    if (previous) this.total -= previous.size;
    this.map.delete(key);
    const size = this.sizeOf(value);
    this.map.set(key, { value, size });
    this.total += size;
    for (const [oldestKey, oldest] of this.map) {
      if (this.total <= this.capacity || oldestKey === key) break;
      this.map.delete(oldestKey);
      this.total -= oldest.size;
    }
  }
}
