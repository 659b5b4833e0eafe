/**
 * Collects the values bound to a statement; `add` returns the placeholder (`$n`, with a cast
 * when given). Every statement the gateway writes from request values binds them this way.
 */
export class BoundParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
