import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection } from '@grafana/plugin-ui';
import { Button, Field, InlineField, InlineSwitch, Input, SecretInput, SecretTextArea, Stack } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';
import type { TsDataSourceOptions, TsSecureJsonData } from 'types/config';

type Props = DataSourcePluginOptionsEditorProps<TsDataSourceOptions, TsSecureJsonData>;

const nameKey = (i: number) => `httpHeaderName${i}` as const;
const valueKey = (i: number) => `httpHeaderValue${i}` as const;

/** How many headers are set: Grafana reads httpHeaderName1, 2, … and stops at the first missing one. */
const headerCount = (jsonData: TsDataSourceOptions): number => {
  let n = 0;
  while (typeof jsonData[nameKey(n + 1)] === 'string') {
    n++;
  }
  return n;
};

interface SwitchFieldProps {
  label: { label: string; tooltip: string };
  testId: string;
  value: boolean;
  onChange: (on: boolean) => void;
}

const SwitchField = ({ label, testId, value, onChange }: SwitchFieldProps) => (
  <InlineField label={label.label} tooltip={label.tooltip} labelWidth={26}>
    <div data-testid={testId}>
      <InlineSwitch value={value} onChange={(e) => onChange(e.currentTarget.checked)} />
    </div>
  </InlineField>
);

/**
 * TLS and custom headers under the names Grafana's HTTP client reads for the data proxy
 * (jsonData.tlsSkipVerify, tlsAuthWithCACert, secureJsonData.tlsCACert,
 * jsonData.httpHeaderName<N> + secureJsonData.httpHeaderValue<N>). Only the last header can
 * be removed: the values are write-only, so the others cannot be renumbered.
 */
export const ConnectionSecurity = ({ options, onOptionsChange }: Props) => {
  const { jsonData, secureJsonData = {}, secureJsonFields = {} } = options;
  const setJsonData = (patch: Partial<TsDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const setSecret = (key: keyof TsSecureJsonData, value: string, configured?: boolean) =>
    onOptionsChange({
      ...options,
      secureJsonData: { ...secureJsonData, [key]: value },
      ...(configured === undefined ? {} : { secureJsonFields: { ...secureJsonFields, [key]: configured } }),
    });
  const count = headerCount(jsonData);

  const removeLast = () => {
    const { [nameKey(count)]: _removed, ...rest } = jsonData;
    onOptionsChange({
      ...options,
      jsonData: rest as TsDataSourceOptions,
      secureJsonData: { ...secureJsonData, [valueKey(count)]: '' },
      secureJsonFields: { ...secureJsonFields, [valueKey(count)]: false },
    });
  };

  return (
    <ConfigSection title={labels.config.security} description={labels.config.securityDescription}>
      <SwitchField
        label={labels.config.tlsSkipVerify}
        testId={selectors.configEditor.tlsSkipVerify}
        value={!!jsonData.tlsSkipVerify}
        onChange={(on) => setJsonData({ tlsSkipVerify: on || undefined })}
      />
      <SwitchField
        label={labels.config.tlsWithCACert}
        testId={selectors.configEditor.tlsWithCACert}
        value={!!jsonData.tlsAuthWithCACert}
        onChange={(on) => setJsonData({ tlsAuthWithCACert: on || undefined })}
      />
      {jsonData.tlsAuthWithCACert && (
        <Field label={labels.config.tlsCACert.label}>
          <div data-testid={selectors.configEditor.tlsCACert}>
            <SecretTextArea
              isConfigured={!!secureJsonFields.tlsCACert}
              placeholder={labels.config.tlsCACert.placeholder}
              rows={5}
              cols={60}
              onChange={(e) => setSecret('tlsCACert', e.currentTarget.value)}
              onReset={() => setSecret('tlsCACert', '', false)}
            />
          </div>
        </Field>
      )}
      <Field label={labels.config.headers.label} description={labels.config.headers.tooltip}>
        <Stack direction="column" gap={1}>
          {Array.from({ length: count }, (_, i) => i + 1).map((n) => (
            <Stack key={n} gap={1} alignItems="center">
              <Input
                data-testid={selectors.configEditor.headerName}
                aria-label={`${labels.config.headers.name} ${n}`}
                placeholder={labels.config.headers.name}
                width={30}
                value={jsonData[nameKey(n)] ?? ''}
                onChange={(e) => setJsonData({ [nameKey(n)]: e.currentTarget.value })}
              />
              <div data-testid={selectors.configEditor.headerValue}>
                <SecretInput
                  aria-label={`${labels.config.headers.value} ${n}`}
                  placeholder={labels.config.headers.value}
                  width={40}
                  isConfigured={!!secureJsonFields[valueKey(n)]}
                  value={secureJsonData[valueKey(n)] ?? ''}
                  onChange={(e) => setSecret(valueKey(n), e.currentTarget.value)}
                  onReset={() => setSecret(valueKey(n), '', false)}
                />
              </div>
              {n === count && (
                <Button
                  variant="secondary"
                  icon="trash-alt"
                  aria-label={labels.config.headers.remove}
                  onClick={removeLast}
                />
              )}
            </Stack>
          ))}
          <div>
            <Button
              data-testid={selectors.configEditor.addHeader}
              variant="secondary"
              icon="plus"
              size="sm"
              onClick={() => setJsonData({ [nameKey(count + 1)]: '' })}
            >
              {labels.config.headers.add}
            </Button>
          </div>
        </Stack>
      </Field>
    </ConfigSection>
  );
};
