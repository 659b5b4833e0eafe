import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { ConfigError } from '../config-error';

/**
 * A node of the messaging config file with its place in the file, so every complaint names
 * the line ("messaging.yaml line 12: ingest[0].batch.rows must be …"). The sections' parsers
 * read the file through this and never see the YAML library.
 */
export class ConfigNode {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    readonly node: Node | null,
    /** Where the value sits, for messages: `ingest[0].batch.rows`. */
    readonly path: string,
    /** Offset of the key (or the value) in the file, for the line number. */
    private readonly offset: number
  ) {}

  /** A ConfigError naming the file, the line and the setting. */
  error(message: string): ConfigError {
    const { line } = this.lines.linePos(this.offset);
    return new ConfigError(`${this.file} line ${line}: ${this.path ? `${this.path}: ` : ''}${message}`);
  }

  get present(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  /** The keys of a mapping, each with its node; anything else is refused. */
  entries(): Array<[string, ConfigNode]> {
    if (!isMap(this.node)) {
      throw this.error('expected a mapping (key: value lines)');
    }
    return (this.node as YAMLMap).items.map((pair: Pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      return [key, this.child(key, pair)];
    });
  }

  items(): ConfigNode[] {
    if (!isSeq(this.node)) {
      throw this.error('expected a list (lines starting with "- ")');
    }
    return this.node.items.map(
      (item, i) =>
        new ConfigNode(
          this.file,
          this.lines,
          item as Node,
          `${this.path}[${i}]`,
          (item as Node).range?.[0] ?? this.offset
        )
    );
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  /** The mapping's value under `key` (absent → a node that is not `present`). */
  get(key: string): ConfigNode {
    if (!isMap(this.node)) {
      throw this.error('expected a mapping (key: value lines)');
    }
    const pair = (this.node as YAMLMap).items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    return pair ? this.child(key, pair) : new ConfigNode(this.file, this.lines, null, this.join(key), this.offset);
  }

  /** Refuses keys other than `allowed`, naming the line of the stray one. */
  onlyKeys(allowed: readonly string[]): void {
    for (const [key, node] of this.entries()) {
      if (!allowed.includes(key)) {
        throw node.error(`unknown setting "${key}" (known: ${allowed.join(', ')})`);
      }
    }
  }

  /** The plain value: string, number, boolean, null, or arrays / objects of them. */
  value(): unknown {
    if (!this.node) {
      return undefined;
    }
    return (this.node as { toJSON(): unknown }).toJSON();
  }

  string(): string {
    const v = this.value();
    if (typeof v === 'number' || typeof v === 'boolean') {
      return String(v);
    }
    if (typeof v !== 'string' || v === '') {
      throw this.error('expected a non-empty text value');
    }
    return v;
  }

  optionalString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  integer(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!this.present) {
      return fallback;
    }
    const v = this.value();
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw this.error(`expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  boolean(fallback: boolean): boolean {
    if (!this.present) {
      return fallback;
    }
    const v = this.value();
    if (typeof v !== 'boolean') {
      throw this.error(`expected true or false, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  oneOf<T extends string>(choices: readonly T[], fallback?: T): T {
    if (!this.present) {
      if (fallback !== undefined) {
        return fallback;
      }
      throw this.error(`is required (one of ${choices.join(', ')})`);
    }
    const v = this.string();
    if (!choices.includes(v as T)) {
      throw this.error(`expected one of ${choices.join(', ')}, got "${v}"`);
    }
    return v as T;
  }

  required(): this {
    if (!this.present) {
      throw this.error('is required');
    }
    return this;
  }

  private child(key: string, pair: Pair): ConfigNode {
    const keyOffset = (pair.key as Node | null)?.range?.[0] ?? this.offset;
    return new ConfigNode(this.file, this.lines, (pair.value as Node | null) ?? null, this.join(key), keyOffset);
  }

  private join(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }
}
