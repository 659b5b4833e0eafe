/**
 * Grafana's data source settings page around the plugin's ConfigEditor: the name field,
 * the editor, and "Save & test" — which saves the settings to the server (secrets are
 * write-only from then on), builds a fresh data source instance from what was saved and
 * shows the result of its `testDatasource()`.
 */
import { useState } from 'react';
import type { DataSourcePlugin, DataSourceSettings, TestDataSourceResponse } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, Input, Stack } from '@grafana/ui';

import { harnessIds } from '../../testIds';

export interface ConfigPageProps {
  plugin: DataSourcePlugin<any, any, any, any>;
  initialSettings: DataSourceSettings;
  /** Called after a save with the settings the server kept; the host rebuilds its instance from them. */
  onSaved: (settings: DataSourceSettings) => Promise<{ testDatasource(): Promise<TestDataSourceResponse> }>;
}

interface TestResult {
  status: string;
  message: string;
  details?: { message?: string; verboseMessage?: string };
}

const toTestResult = (err: unknown): TestResult => {
  const e = err as { message?: string; data?: { message?: string }; statusText?: string };
  return { status: 'error', message: e?.data?.message ?? e?.message ?? e?.statusText ?? String(err) };
};

export const ConfigPage = ({ plugin, initialSettings, onSaved }: ConfigPageProps) => {
  const [settings, setSettings] = useState<DataSourceSettings>(initialSettings);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult>();
  const ConfigEditor = plugin.components.ConfigEditor;

  const saveAndTest = async () => {
    setTesting(true);
    setResult(undefined);
    try {
      const saved = await getBackendSrv().put<{ datasource: DataSourceSettings }>(
        `/api/datasources/uid/${settings.uid}`,
        settings
      );
      setSettings(saved.datasource);
      const instance = await onSaved(saved.datasource);
      setResult(await instance.testDatasource());
    } catch (err) {
      setResult(toTestResult(err));
    } finally {
      setTesting(false);
    }
  };

  return (
    <div data-testid={harnessIds.configPage}>
      <Stack direction="column" gap={2}>
        <Field label="Name" style={{ maxWidth: 480 }}>
          <Input
            data-testid={harnessIds.datasourceName}
            value={settings.name}
            onChange={(e) => setSettings({ ...settings, name: e.currentTarget.value })}
          />
        </Field>
        {ConfigEditor ? (
          <ConfigEditor options={settings} onOptionsChange={setSettings} />
        ) : (
          <Alert title="The plugin has no ConfigEditor" />
        )}
        {result && (
          <div data-testid={harnessIds.testResult} data-status={result.status}>
            <Alert severity={result.status === 'success' ? 'success' : 'error'} title={result.message}>
              {result.details?.message}
              {result.details?.verboseMessage && <pre>{result.details.verboseMessage}</pre>}
            </Alert>
          </div>
        )}
        <Stack>
          <Button
            data-testid={harnessIds.saveAndTest}
            onClick={saveAndTest}
            disabled={testing}
            icon={testing ? 'spinner' : undefined}
          >
            Save &amp; test
          </Button>
        </Stack>
      </Stack>
    </div>
  );
};
