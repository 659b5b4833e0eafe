/** A message that cannot be turned into rows: it goes to the dead-letter table with this reason. */
export class DecodeError extends Error {}
