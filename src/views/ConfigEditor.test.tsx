import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';

import { selectors } from 'components/selectors';
import type { TsDataSourceOptions, TsSecureJsonData } from 'types/config';

import { ConfigEditor, type ConfigEditorProps } from './ConfigEditor';

type Options = ConfigEditorProps['options'];

const baseOptions = (patch: Partial<Options> = {}): Options =>
  ({
    id: 1,
    uid: 'x',
    name: 'ts',
    type: 'tsgw-timescaledb-datasource',
    access: 'proxy',
    url: '',
    jsonData: {} as TsDataSourceOptions,
    secureJsonFields: {},
    secureJsonData: {} as TsSecureJsonData,
    ...patch,
  }) as Options;

/** Grafana keeps the options in its own state and passes them back down; so does this host. */
const renderEditor = (initial: Options) => {
  const changes: Options[] = [];
  const Host = () => {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          setOptions(next);
        }}
      />
    );
  };
  render(<Host />);
  return { changes, last: () => changes[changes.length - 1] };
};

describe('ConfigEditor', () => {
  it('stores the gateway URL in jsonData, where the plugin.json route reads it', async () => {
    const { last } = renderEditor(baseOptions());
    await userEvent.type(screen.getByTestId(selectors.configEditor.url), 'http://gateway:8080');
    expect(last().jsonData.url).toBe('http://gateway:8080');
  });

  it('stores the token only in secureJsonData', async () => {
    const { last } = renderEditor(baseOptions());
    await userEvent.type(screen.getByLabelText('Token'), 's3cret');
    expect(last().secureJsonData?.token).toBe('s3cret');
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('shows a saved token as configured and resets it like Grafana’s own secret fields', async () => {
    const { last } = renderEditor(baseOptions({ secureJsonFields: { token: true } }));
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.token).toBe(false);
    expect(last().secureJsonData?.token).toBe('');
  });

  it('writes the 60 s default into jsonData.timeout, which Grafana’s data proxy reads (30 s without it)', () => {
    const { last } = renderEditor(baseOptions());
    expect(last().jsonData.timeout).toBe(60);
    expect(screen.getByText(/Grafana uses 30 s when this is empty/)).toBeInTheDocument();
  });

  it('drops a trailing slash from the URL, which the route would turn into "//api"', async () => {
    const { last } = renderEditor(baseOptions());
    await userEvent.type(screen.getByTestId(selectors.configEditor.url), 'https://gw.example:8443/');
    await userEvent.tab();
    expect(last().jsonData.url).toBe('https://gw.example:8443');
  });

  it('stores TLS and custom headers under the names Grafana’s HTTP client reads', async () => {
    const { last } = renderEditor(baseOptions());
    await userEvent.click(screen.getByTestId(selectors.configEditor.tlsSkipVerify).querySelector('input')!);
    await userEvent.click(screen.getByTestId(selectors.configEditor.tlsWithCACert).querySelector('input')!);
    await userEvent.type(screen.getByTestId(selectors.configEditor.tlsCACert).querySelector('textarea')!, 'PEM');
    await userEvent.click(screen.getByTestId(selectors.configEditor.addHeader));
    await userEvent.type(screen.getByTestId(selectors.configEditor.headerName), 'X-Tenant');
    await userEvent.type(screen.getByLabelText('Header value 1'), 'acme');
    expect(last().jsonData).toMatchObject({
      tlsSkipVerify: true,
      tlsAuthWithCACert: true,
      httpHeaderName1: 'X-Tenant',
    });
    expect(last().secureJsonData).toMatchObject({ tlsCACert: 'PEM', httpHeaderValue1: 'acme' });
    expect(JSON.stringify(last().jsonData)).not.toContain('acme');
  });

  it('keeps the timeout as seconds and the min interval as Grafana’s timeInterval', async () => {
    const { last } = renderEditor(baseOptions());
    await userEvent.clear(screen.getByTestId(selectors.configEditor.timeout));
    await userEvent.type(screen.getByTestId(selectors.configEditor.timeout), '15');
    await userEvent.type(screen.getByTestId(selectors.configEditor.minInterval), '10s');
    expect(last().jsonData).toMatchObject({ timeout: 15, timeInterval: '10s' });
  });
});
