/**
 * A broker connection opened on first use and again after it was dropped: what every publisher
 * keeps. `open` gets a `lost` callback for the client's own close events; `end(c, graceful)`
 * closes a connection, gracefully on shutdown, at once when dropped (nothing buffered in it
 * may go out later, behind the relay's retry of the same batch).
 */
export function lazyConnection<C>(
  open: (lost: () => void) => Promise<C>,
  end: (c: C, graceful: boolean) => Promise<unknown>
) {
  let current: Promise<C> | null = null;
  const take = () => {
    const old = current;
    current = null;
    return old;
  };
  const link = {
    get(): Promise<C> {
      if (!current) {
        const attempt: Promise<C> = open(() => {
          if (current === attempt) {
            link.drop();
          }
        });
        current = attempt;
        attempt.catch(() => {
          if (current === attempt) {
            current = null;
          }
        });
      }
      return current;
    },
    drop(): void {
      void take()
        ?.then((c) => end(c, false))
        .catch(() => undefined);
    },
    async close(): Promise<void> {
      await take()
        ?.then((c) => end(c, true))
        .catch(() => undefined);
    },
  };
  return link;
}
