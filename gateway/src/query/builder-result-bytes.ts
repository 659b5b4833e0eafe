import type { BuilderQuery } from '../contract/query';
import type { BuiltQuery } from '../sql/builder';
import type { BuilderColumn } from '../sql/builder-context';
import { FIXED_VALUE_BYTES, type SizedColumn } from './result-bytes-sql';

/**
 * Whether a builder query's result needs the byte cap held in the database (result-bytes-sql.ts),
 * and which of its columns to measure. Builder columns are typed by the catalog: times, numbers
 * and booleans have a small fixed width, so a result of only those is bounded by the row cap
 * and left as it is. A text, json, numeric or other variable-width column (a group-by label, a
 * raw value, min/max/first/last of text in the table format) can hold values of any size, even
 * stored compressed in a few bytes, and is measured.
 */

// format_type() names of fixed, small-width types (arrays and domains are not among them).
const FIXED_WIDTH_TYPE =
  /^(smallint|integer|bigint|real|double precision|boolean|money|oid|uuid|date|interval.*|(timestamp|time)(\(\d\))? with(out)? time zone)$/;

export function isFixedWidthType(typeName: string): boolean {
  return FIXED_WIDTH_TYPE.test(typeName);
}

/**
 * The measured columns of a built query's result: group columns "g<i>" and metrics "m<i>" /
 * "v<i>" (see builder.ts) whose values may be wide. The time column, counts and row counters
 * are fixed-width, and only counted.
 */
export function builderResultColumns(
  q: BuilderQuery,
  columns: readonly BuilderColumn[],
  built: BuiltQuery
): SizedColumn[] {
  const typeOf = (name: string | undefined) => columns.find((c) => c.name === name)?.type ?? '';
  const out: SizedColumn[] = [];
  for (const alias of built.rename.keys()) {
    const m = /^([gmv])(\d+)$/.exec(alias);
    if (!m) {
      out.push({ name: alias, fixedWidth: true });
      continue;
    }
    const i = Number(m[2]);
    if (m[1] === 'g') {
      out.push({ name: alias, fixedWidth: isFixedWidthType(typeOf(q.groupBy?.[i])) });
    } else {
      const metric = q.metrics[i];
      out.push({
        name: alias,
        fixedWidth: metric?.aggregation === 'count' || isFixedWidthType(typeOf(metric?.column)),
      });
    }
  }
  if (built.rawPointCap !== undefined) {
    out.push({ name: '__n', fixedWidth: true });
  }
  return out;
}

/** A result that may carry wide values, or whose fixed-width rows alone could pass the byte cap. */
export function needsResultBytesCap(columns: readonly SizedColumn[], rowCap: number, maxBytes: number): boolean {
  return columns.some((c) => !c.fixedWidth) || (rowCap + 1) * columns.length * FIXED_VALUE_BYTES > maxBytes;
}
