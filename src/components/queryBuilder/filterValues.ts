import type { CatalogColumn, Filter } from 'timescaledb-gateway/contract';

type Scalar = string | number | boolean | null;

/** Typed input becomes the column's type, so the gateway binds a number as a number; variables stay text. */
export const coerceFilterValue = (text: string, column?: CatalogColumn): Scalar => {
  if (text.includes('$')) {
    return text;
  }
  if (column?.kind === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) {
    return Number(text);
  }
  if (column?.kind === 'boolean' && (text === 'true' || text === 'false')) {
    return text === 'true';
  }
  return text;
};

/** The contract's operator subsets (vocabulary.ts), under the names the editors use. */
export {
  isListFilterOperator as isListOperator,
  isUnaryFilterOperator as isUnaryOperator,
} from 'timescaledb-gateway/contract/vocabulary';

/** The filter's value as the editor shows it: always strings. */
export const valueAsList = (value: Filter['value']): string[] =>
  value === undefined || value === null || value === ''
    ? []
    : Array.isArray(value)
      ? value.map(String)
      : [String(value)];
