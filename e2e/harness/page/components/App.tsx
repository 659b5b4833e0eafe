/** The page chrome: Grafana's theme and global styles, a nav bar, and one of the two pages. */
import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import { ThemeContext, type GrafanaTheme2 } from '@grafana/data';
import { config } from '@grafana/runtime';
import { GlobalStyles, PortalContainer, useStyles2 } from '@grafana/ui';

const getStyles = (theme: GrafanaTheme2) => ({
  nav: css({
    display: 'flex',
    gap: theme.spacing(3),
    alignItems: 'center',
    padding: theme.spacing(1, 2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  link: css({ color: theme.colors.text.link }),
  runtime: css({ marginLeft: 'auto', color: theme.colors.text.secondary }),
  main: css({ padding: theme.spacing(2) }),
});

interface ChromeProps {
  title: string;
  /** The Grafana and React versions the page hosts the plugin in. */
  runtime: string;
  children: ReactNode;
}

const Chrome = ({ title, runtime, children }: ChromeProps) => {
  const styles = useStyles2(getStyles);
  const search = window.location.search;
  return (
    <>
      <nav className={styles.nav}>
        <span className={styles.title}>{title}</span>
        <a className={styles.link} href={`/config${search}`}>
          Data source settings
        </a>
        <a className={styles.link} href={`/query${search}`}>
          Query editor
        </a>
        <span className={styles.runtime}>{runtime}</span>
      </nav>
      <main className={styles.main}>{children}</main>
    </>
  );
};

export const App = ({ title, runtime, children }: ChromeProps) => (
  <ThemeContext.Provider value={config.theme2}>
    <GlobalStyles />
    <Chrome title={title} runtime={runtime}>
      {children}
    </Chrome>
    <PortalContainer />
  </ThemeContext.Provider>
);
