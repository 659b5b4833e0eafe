/** One Server-Sent Event as the gateway's stream sends it. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/**
 * An incremental Server-Sent Events reader for `getBackendSrv().chunked()`: chunks split
 * events (and UTF-8 characters) anywhere, so bytes are decoded in streaming mode and an event
 * is handed out only once its blank line has arrived. Comments (`: ping`) are dropped.
 */
export class SseParser {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  push(chunk: Uint8Array | undefined): SseEvent[] {
    if (chunk) {
      this.buffer += this.decoder.decode(chunk, { stream: true });
    }
    const events: SseEvent[] = [];
    let end: number;
    while ((end = this.blockEnd()) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end).replace(/^(\r?\n){2}/, '');
      const event = parseBlock(block);
      if (event) {
        events.push(event);
      }
    }
    return events;
  }

  private blockEnd(): number {
    const lf = this.buffer.indexOf('\n\n');
    const crlf = this.buffer.indexOf('\r\n\r\n');
    if (lf < 0) {
      return crlf;
    }
    return crlf < 0 ? lf : Math.min(lf, crlf);
  }
}

const parseBlock = (block: string): SseEvent | null => {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) {
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') {
      event = value;
    } else if (field === 'id') {
      id = value;
    } else if (field === 'data') {
      data.push(value);
    }
  }
  if (!data.length) {
    return null;
  }
  return { event, ...(id !== undefined ? { id } : {}), data: data.join('\n') };
};
