/** The bytes of JSON's structure, for the readers that look at request bodies without decoding them. */
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const COMMA = 0x2c;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;

/** JSON's four whitespace bytes (and no others: a no-break space is not whitespace in JSON). */
export const isJsonSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
