import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import type { RenderedSqlState } from 'hooks/useRenderedSql';
import { labels } from 'labels';

export interface SqlPreviewProps {
  /** The builder rendered by the gateway as SQL-mode SQL (macros kept). */
  rendered: RenderedSqlState;
  /** What the gateway ran the last time, from the frames' meta. */
  executedSql?: string;
}

const getStyles = (theme: GrafanaTheme2) => ({
  pre: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    margin: 0,
    padding: theme.spacing(1),
    background: theme.colors.background.secondary,
  }),
  heading: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    margin: theme.spacing(1, 0, 0.5),
  }),
});

export const SqlPreview = ({ rendered, executedSql }: SqlPreviewProps) => {
  const styles = useStyles2(getStyles);
  return (
    <div>
      {rendered.error && (
        <Alert severity="error" title={labels.builder.preview.error} data-testid={selectors.builder.sqlPreviewError}>
          {rendered.error.message}
        </Alert>
      )}
      <pre className={styles.pre} data-testid={selectors.builder.sqlPreview} aria-busy={rendered.loading}>
        {rendered.text || (rendered.loading ? labels.builder.preview.loading : labels.builder.preview.empty)}
      </pre>
      {executedSql && (
        <>
          <div className={styles.heading}>{labels.builder.preview.executed}</div>
          <pre className={styles.pre} data-testid={selectors.builder.executedSql}>
            {executedSql}
          </pre>
        </>
      )}
    </div>
  );
};
