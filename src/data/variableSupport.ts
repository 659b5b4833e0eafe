import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, map, type Observable } from 'rxjs';

import type { TsVariableQuery } from 'types/variables';
import { VariableQueryEditor } from 'views/VariableQueryEditor';

import type { DataSource } from './datasource';
import { metricFindValuesToFrame } from './metricFind';
import { migrateVariableQuery } from './migrations';

/** Query variables: the editor stores a TsVariableQuery; options come back as `text` / `value` frames. */
export class TsVariableSupport extends CustomVariableSupport<DataSource, TsVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<TsVariableQuery>): Observable<DataQueryResponse> {
    const query = migrateVariableQuery(request.targets[0]);
    return from(this.datasource.metricFindQuery(query, { range: request.range, scopedVars: request.scopedVars })).pipe(
      map((values) => ({ data: [metricFindValuesToFrame(values)] }))
    );
  }
}
