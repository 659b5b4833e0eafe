import type { Db } from '../db/types';
import { ApiError } from '../errors';
import { quoteIdent } from '../pg/quote';
import { readMissingChunks } from './replication-status';

/**
 * Adds to a publication the chunks of the hypertables it names that it does not carry yet
 * (TimescaleDB makes a new chunk a table of its own; nothing adds it to a publication). The
 * publication is looked up by name first, so an unknown one is a 404 naming it; the chunk names
 * come from TimescaleDB's catalog, quoted. One ALTER PUBLICATION, in one transaction.
 */
export async function addMissingChunks(db: Db, publication: string): Promise<{ publication: string; added: string[] }> {
  const found = await db.query<{ pubname: string }>('SELECT pubname FROM pg_publication WHERE pubname = $1', [
    publication,
  ]);
  if (found.rows.length === 0) {
    throw new ApiError('unknown_publication', `Unknown publication "${publication}"`, { publication });
  }
  return db.transaction(async (tx) => {
    const missing = await readMissingChunks(tx, publication);
    const chunks = missing.flatMap((m) => m.chunks);
    if (chunks.length === 0) {
      return { publication, added: [] };
    }
    const idents = chunks.map((c) => {
      const dot = c.indexOf('.');
      return `${quoteIdent(c.slice(0, dot))}.${quoteIdent(c.slice(dot + 1))}`;
    });
    await tx.query(`ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${idents.join(', ')}`);
    return { publication, added: chunks };
  });
}
