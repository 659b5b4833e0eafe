import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection, DataSourceDescription } from '@grafana/plugin-ui';
import { Divider, Field, Input, SecretInput } from '@grafana/ui';
import React, { useEffect, type ChangeEvent } from 'react';

import { ConnectionSecurity } from 'components/config/ConnectionSecurity';

import { withErrorBoundary } from 'components/ErrorBoundary';
import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { DEFAULT_TIMEOUT_SECONDS, type TsDataSourceOptions, type TsSecureJsonData } from 'types/config';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<TsDataSourceOptions, TsSecureJsonData>;

/** Gateway URL and token; the token goes to secureJsonData and is never read back. */
const ConfigEditorView = ({ options, onOptionsChange }: ConfigEditorProps) => {
  const { jsonData, secureJsonFields, secureJsonData } = options;

  // Grafana's data proxy reads jsonData.timeout itself and waits only 30 s without it, less
  // than the gateway's statement timeout: write the plugin's default so the proxy uses it.
  useEffect(() => {
    if (jsonData.timeout === undefined) {
      onOptionsChange({ ...options, jsonData: { ...jsonData, timeout: DEFAULT_TIMEOUT_SECONDS } });
    }
    // Once, when the editor opens; an emptied field gets the default back on blur.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const setJsonData = (patch: Partial<TsDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const onText = (key: 'url' | 'timeInterval' | 'adHocTable') => (e: ChangeEvent<HTMLInputElement>) =>
    setJsonData({ [key]: e.currentTarget.value.trim() || undefined });

  return (
    <>
      <DataSourceDescription
        dataSourceName="TimescaleDB (gateway)"
        docsLink="https://docs.timescale.com/"
        hasRequiredFields
      />
      <Divider />
      <ConfigSection title={labels.config.connection} description={labels.config.connectionDescription}>
        <Field label={labels.config.url.label} description={labels.config.url.tooltip} required>
          <Input
            id="tsgw-config-url"
            data-testid={selectors.configEditor.url}
            aria-label={labels.config.url.label}
            value={jsonData.url ?? ''}
            placeholder={labels.config.url.placeholder}
            width={60}
            onChange={onText('url')}
            // The route URL is "<url>/api/v1/…": a trailing slash would make "//api".
            onBlur={(e) => setJsonData({ url: e.currentTarget.value.trim().replace(/\/+$/, '') || undefined })}
          />
        </Field>
        <Field label={labels.config.token.label} description={labels.config.token.tooltip} required>
          <div data-testid={selectors.configEditor.token}>
            <SecretInput
              id="tsgw-config-token"
              aria-label={labels.config.token.label}
              isConfigured={!!secureJsonFields?.token}
              value={secureJsonData?.token ?? ''}
              placeholder={labels.config.token.placeholder}
              width={60}
              onChange={(e) =>
                onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: e.currentTarget.value } })
              }
              onReset={() =>
                onOptionsChange({
                  ...options,
                  secureJsonFields: { ...secureJsonFields, token: false },
                  secureJsonData: { ...secureJsonData, token: '' },
                })
              }
            />
          </div>
        </Field>
      </ConfigSection>
      <Divider />
      <ConfigSection title={labels.config.queries}>
        <Field label={labels.config.timeout.label} description={labels.config.timeout.tooltip}>
          <Input
            data-testid={selectors.configEditor.timeout}
            aria-label={labels.config.timeout.label}
            type="number"
            min={1}
            value={jsonData.timeout ?? ''}
            placeholder={labels.config.timeout.placeholder}
            width={20}
            onChange={(e) => {
              const seconds = Number(e.currentTarget.value);
              setJsonData({ timeout: seconds > 0 ? Math.round(seconds) : undefined });
            }}
            onBlur={() => jsonData.timeout === undefined && setJsonData({ timeout: DEFAULT_TIMEOUT_SECONDS })}
          />
        </Field>
        <Field label={labels.config.minInterval.label} description={labels.config.minInterval.tooltip}>
          <Input
            data-testid={selectors.configEditor.minInterval}
            aria-label={labels.config.minInterval.label}
            value={jsonData.timeInterval ?? ''}
            placeholder={labels.config.minInterval.placeholder}
            width={20}
            onChange={onText('timeInterval')}
          />
        </Field>
        <Field label={labels.config.adHocTable.label} description={labels.config.adHocTable.tooltip}>
          <Input
            data-testid={selectors.configEditor.adHocTable}
            aria-label={labels.config.adHocTable.label}
            value={jsonData.adHocTable ?? ''}
            placeholder={labels.config.adHocTable.placeholder}
            width={40}
            onChange={onText('adHocTable')}
          />
        </Field>
      </ConfigSection>
      <Divider />
      <ConnectionSecurity options={options} onOptionsChange={onOptionsChange} />
    </>
  );
};

export const ConfigEditor = withErrorBoundary(ConfigEditorView, 'ConfigEditor');
