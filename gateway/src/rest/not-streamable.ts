/**
 * Thrown by the streaming readers of a POST body when the body is not in the plain shape
 * they read (a single object instead of an array, a syntax error, a non-object row…).
 * Never reaches the client: the request then reads the whole body and answers exactly as
 * the whole-body parsers do, errors included.
 */
export class NotStreamable extends Error {}
