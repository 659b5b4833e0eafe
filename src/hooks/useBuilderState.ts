import { useCallback, useEffect, useReducer, useRef } from 'react';
import { isUnaryFilterOperator } from 'timescaledb-gateway/contract/vocabulary';
import type { Filter, MetricSpec, OrderBy } from 'timescaledb-gateway/contract';

import { type BuilderFields, type FillMode } from 'types/query';

/** Named changes of the builder; the reducer is the only place that edits builder fields. */
export type BuilderAction =
  | { type: 'setTable'; table: string; timeColumn?: string }
  | { type: 'setTimeColumn'; timeColumn?: string }
  | { type: 'addMetric' }
  | { type: 'updateMetric'; index: number; metric: Partial<MetricSpec> }
  | { type: 'removeMetric'; index: number }
  | { type: 'setGroupBy'; groupBy: string[] }
  | { type: 'addFilter' }
  | { type: 'updateFilter'; index: number; filter: Partial<Filter> }
  | { type: 'removeFilter'; index: number }
  | { type: 'setBucket'; bucket: string }
  | { type: 'setFill'; fill: FillMode }
  | { type: 'setOrderBy'; orderBy: OrderBy[] }
  | { type: 'setLimit'; limit?: number }
  | { type: 'setContinuousAggregates'; enabled: boolean }
  | { type: 'setAllowExpensive'; allowed: boolean }
  | { type: 'reset'; fields: BuilderFields };

const replaceAt = <T>(items: T[], index: number, item: T): T[] => items.map((x, i) => (i === index ? item : x));

export const builderReducer = (state: BuilderFields, action: BuilderAction): BuilderFields => {
  switch (action.type) {
    case 'setTable':
      // Columns of the old table mean nothing in the new one.
      return {
        ...state,
        table: action.table,
        timeColumn: action.timeColumn,
        metrics: [{ column: '', aggregation: state.metrics[0]?.aggregation ?? 'avg' }],
        groupBy: [],
        filters: [],
        orderBy: [],
      };
    case 'setTimeColumn':
      return { ...state, timeColumn: action.timeColumn };
    case 'addMetric':
      return { ...state, metrics: [...state.metrics, { column: '', aggregation: 'avg' }] };
    case 'updateMetric': {
      const metric = { ...state.metrics[action.index], ...action.metric };
      if (metric.aggregation !== 'percentile') {
        delete metric.percentile;
      } else if (metric.percentile === undefined) {
        metric.percentile = 95;
      }
      return { ...state, metrics: replaceAt(state.metrics, action.index, metric) };
    }
    case 'removeMetric':
      return { ...state, metrics: state.metrics.filter((_, i) => i !== action.index) };
    case 'setGroupBy':
      return { ...state, groupBy: action.groupBy };
    case 'addFilter':
      return { ...state, filters: [...(state.filters ?? []), { column: '', op: '=', value: '' }] };
    case 'updateFilter': {
      const filter = { ...(state.filters ?? [])[action.index], ...action.filter };
      if (isUnaryFilterOperator(filter.op)) {
        delete filter.value;
      }
      return { ...state, filters: replaceAt(state.filters ?? [], action.index, filter) };
    }
    case 'removeFilter':
      return { ...state, filters: (state.filters ?? []).filter((_, i) => i !== action.index) };
    case 'setBucket':
      return { ...state, bucket: action.bucket };
    case 'setFill':
      return { ...state, fill: action.fill };
    case 'setOrderBy':
      return { ...state, orderBy: action.orderBy };
    case 'setLimit':
      return { ...state, limit: action.limit };
    case 'setContinuousAggregates': {
      // Routing is on unless the query says `continuousAggregates: false`: on drops the key.
      const { continuousAggregates: _, ...rest } = state;
      return action.enabled ? rest : { ...rest, continuousAggregates: false };
    }
    case 'setAllowExpensive': {
      const { allowExpensive: _, ...rest } = state;
      return action.allowed ? { ...rest, allowExpensive: true } : rest;
    }
    case 'reset':
      return action.fields;
  }
};

/**
 * Builder state with useReducer; every change is reported to `onChange` (which writes
 * the panel query). Outside changes to `fields` (undo, another editor) reset the state.
 */
export const useBuilderState = (fields: BuilderFields, onChange: (fields: BuilderFields) => void) => {
  const [state, dispatch] = useReducer(builderReducer, fields);
  // The query object is rebuilt on every render, so compare content, not identity.
  const reported = useRef(JSON.stringify(fields));
  const incoming = JSON.stringify(fields);

  useEffect(() => {
    if (incoming !== reported.current) {
      reported.current = incoming;
      dispatch({ type: 'reset', fields: JSON.parse(incoming) });
    }
  }, [incoming]);

  useEffect(() => {
    const current = JSON.stringify(state);
    if (current !== reported.current) {
      reported.current = current;
      onChange(state);
    }
  }, [state, onChange]);

  return [state, useCallback((action: BuilderAction) => dispatch(action), [])] as const;
};
