import type { Scope } from '../contract/info';

/** Who is calling: the configured token that matched. */
export interface Principal {
  name: string;
  scopes: Scope[];
  /** Present when the token may only touch these tables. */
  tables?: string[];
  /** The token may bypass the cost guard (`allowExpensive` on a query). */
  allowExpensive?: boolean;
}
