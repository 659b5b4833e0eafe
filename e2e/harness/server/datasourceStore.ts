/**
 * One data source's saved settings, kept on the server the way Grafana keeps them:
 * `secureJsonData` is write-only — the browser gets back `secureJsonFields` (which keys
 * are set), never the values.
 */

export interface StoredDataSource {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  typeName: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
  readOnly: boolean;
  version: number;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

/** What `GET /api/datasources/uid/:uid` answers (Grafana's DataSourceSettings). */
export const toPublicSettings = (ds: StoredDataSource) => {
  const { secureJsonData, ...rest } = ds;
  return {
    ...rest,
    typeLogoUrl: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    withCredentials: false,
    secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((key) => [key, true])),
  };
};

export interface SettingsUpdate {
  name?: string;
  url?: string;
  jsonData?: Record<string, unknown>;
  /** New secret values; an empty string clears the key (Grafana's "reset"). */
  secureJsonData?: Record<string, string>;
  /** Keys the editor reset to "not configured" without sending a new value. */
  secureJsonFields?: Record<string, boolean>;
}

/** Grafana keeps a secret unless the update sends a new value or the editor reset it. */
export const applySettingsUpdate = (ds: StoredDataSource, update: SettingsUpdate): StoredDataSource => {
  const secure = { ...ds.secureJsonData };
  for (const [key, configured] of Object.entries(update.secureJsonFields ?? {})) {
    if (!configured && update.secureJsonData?.[key] === undefined) {
      delete secure[key];
    }
  }
  for (const [key, value] of Object.entries(update.secureJsonData ?? {})) {
    if (value === '') {
      delete secure[key];
    } else {
      secure[key] = value;
    }
  }
  return {
    ...ds,
    name: update.name ?? ds.name,
    url: update.url ?? ds.url,
    jsonData: update.jsonData ?? ds.jsonData,
    secureJsonData: secure,
    version: ds.version + 1,
  };
};
