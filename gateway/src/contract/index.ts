/**
 * The wire contract between the gateway and the Grafana plugin. The gateway validates
 * requests against these schemas (and publishes them as OpenAPI); the plugin imports
 * the types, so a change breaks the build on both sides instead of at run time.
 * Runtime imports from here must stay dependency-light: the plugin bundles them.
 */
export * from './errors';
export { ERROR_CODES, ERROR_CODE_NAMES, isErrorCode, statusOf } from './error-codes';
export * from './catalog';
export * from './info';
export * from './query';
export * from './macros';
export * from './stream';
// The vocabulary's arrays; its literal types are the schemas' own (query.ts), exported from there.
export {
  ADHOC_OPERATORS,
  AGGREGATIONS,
  BUCKET_AUTO,
  BUCKET_PG_UNITS,
  BUCKET_PRESETS,
  BUCKET_SHORT_UNITS,
  DEFAULT_FORMAT,
  EDITOR_MODES,
  FILL_MODES,
  FILTER_OPERATORS,
  FORMATS,
  LIST_FILTER_OPERATORS,
  NUMERIC_AGGREGATIONS,
  UNARY_FILTER_OPERATORS,
  isListFilterOperator,
  isUnaryFilterOperator,
  needsNumbers,
  type AdHocOperator,
  type EditorMode,
} from './vocabulary';
