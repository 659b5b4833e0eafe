import pg from 'pg';

interface CancelConnection {
  connect(portOrPath: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
}

/** How long a cancel request may take before it is given up (the server answers at once). */
const CANCEL_TIMEOUT_MS = 2000;

/**
 * Asks the server to cancel the statement a client's backend is running, with PostgreSQL's
 * cancel request (the backend's process id and secret key on a new connection of its own). Unlike
 * `pg_cancel_backend()` it needs no pooled connection (the pool may be exhausted), no login and no
 * right to signal another role's backend (SQL mode runs as the reader). Never throws: a cancel
 * that cannot be delivered leaves the statement to its statement timeout.
 */
export function cancelRunningStatement(client: pg.ClientBase): Promise<void> {
  const { processID, secretKey, host, port } = client as pg.ClientBase & {
    processID?: number | null;
    secretKey?: number | null;
    host: string;
    port: number;
  };
  if (processID == null || secretKey == null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    // pg's own protocol connection; its typings leave out connect() and cancel().
    const con = new pg.Connection() as pg.Connection & CancelConnection;
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      con.stream.destroy();
      resolve();
    };
    timer = setTimeout(done, CANCEL_TIMEOUT_MS);
    con.on('error', done);
    con.on('end', done);
    // The server reads the request and closes the connection without an answer.
    con.on('connect', () => con.cancel(processID, secretKey));
    if (host && host.startsWith('/')) {
      con.connect(`${host}/.s.PGSQL.${port}`);
    } else {
      con.connect(port, host);
    }
  });
}
