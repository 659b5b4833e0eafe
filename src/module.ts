import { DataSourcePlugin } from '@grafana/data';

import { DataSource } from 'data/datasource';
import type { TsDataSourceOptions, TsSecureJsonData } from 'types/config';
import type { TsQuery } from 'types/query';
import { ConfigEditor } from 'views/ConfigEditor';
import { QueryEditor } from 'views/QueryEditor';

export const plugin = new DataSourcePlugin<DataSource, TsQuery, TsDataSourceOptions, TsSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
