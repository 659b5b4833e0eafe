import { ErrorBoundaryAlert } from '@grafana/ui';
import React, { type ComponentType } from 'react';

import { labels } from 'labels';

/** One broken editor shows an alert instead of blanking the panel editor. */
export const withErrorBoundary = <P extends object>(Component: ComponentType<P>, name: string) => {
  const Wrapped = (props: P) => (
    <ErrorBoundaryAlert title={labels.errors.boundary} style="alertbox">
      <Component {...props} />
    </ErrorBoundaryAlert>
  );
  Wrapped.displayName = `WithErrorBoundary(${name})`;
  return Wrapped;
};
