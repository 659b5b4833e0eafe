import { useEffect, useMemo, useState } from 'react';

import { isRunnable, type DataSource } from 'data/datasource';
import { toGatewayError, type GatewayError } from 'data/gatewayClient';
import { renderContextKey, type EditorRenderContext } from 'data/renderContext';
import type { TsBuilderQuery } from 'types/query';

/** Edits closer together than this are rendered once, after the last of them. */
export const RENDER_DEBOUNCE_MS = 300;

export interface RenderedSqlState {
  /** The gateway's SQL-mode text of the query; the previous one stays while a newer is on its way. */
  text?: string;
  loading: boolean;
  error?: GatewayError;
}

/**
 * The builder query rendered by the gateway (`POST /api/v1/query/render`), for the SQL preview:
 * debounced, and cancelled when a newer edit arrives, so an older answer never replaces a newer one.
 * Nothing is asked until the query is runnable.
 */
interface Settled {
  /** The input this answer is for. */
  key: string;
  text?: string;
  error?: GatewayError;
}

/**
 * The builder query rendered by the gateway (`POST /api/v1/query/render`), for the SQL preview:
 * debounced, and cancelled when a newer edit arrives, so an older answer never replaces a newer one.
 * Nothing is asked until the query is runnable.
 */
export const useRenderedSql = (
  datasource: DataSource,
  query: TsBuilderQuery | undefined,
  context: EditorRenderContext
): RenderedSqlState => {
  const [settled, setSettled] = useState<Settled>();
  const runnable = query !== undefined && isRunnable(query);
  // Identical content (a re-render with new objects) does not ask again.
  const key = useMemo(
    () => (runnable ? JSON.stringify([query, renderContextKey(context)]) : ''),
    [runnable, query, context]
  );

  useEffect(() => {
    if (!key || !query) {
      return;
    }
    let subscription: { unsubscribe: () => void } | undefined;
    const timer = setTimeout(() => {
      subscription = datasource.renderBuilder(query, context).subscribe({
        next: (rendered) => setSettled({ key, text: rendered.sqlModeText }),
        error: (err: unknown) => setSettled({ key, error: toGatewayError(err) }),
      });
    }, RENDER_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      subscription?.unsubscribe();
    };
    // `key` stands for query and context.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, key]);

  if (!key) {
    return { loading: false };
  }
  const done = settled?.key === key;
  return { text: settled?.text, loading: !done, error: done ? settled?.error : undefined };
};
