import type { FastifyReply } from 'fastify';
import { Socket } from 'node:net';
import { ApiError } from '../errors';

/**
 * An AbortSignal that aborts when the HTTP client goes away before its answer is sent (the
 * connection closed with the response unfinished), so the database can stop the statement
 * behind it (see QueryOptions.signal in db/types.ts) instead of running it for no one. At the
 * end of the shutdown grace the drain closes every connection (plugins/drain.ts), which aborts
 * these too.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const socket = reply.request.raw.socket;
  return socket instanceof Socket ? socketSignal(socket) : responseSignal(reply);
}

// One signal per connection, made at its first request that asks and shared by the requests
// after it: an HTTP/1.1 response ends unfinished only when its connection closes, so the
// connection's close is the same moment. An AbortController with its listeners cost several
// percent of the CPU of a single-row read when it was made for every request.
const signals = new WeakMap<Socket, AbortSignal>();

function socketSignal(socket: Socket): AbortSignal {
  let signal = signals.get(socket);
  if (!signal) {
    const controller = new AbortController();
    signal = controller.signal;
    signals.set(socket, signal);
    if (socket.destroyed) {
      controller.abort(clientClosedRequest());
    } else {
      socket.once('close', () => controller.abort(clientClosedRequest()));
    }
  }
  return signal;
}

/** Where there is no real connection (an injected request): the response's own close. */
function responseSignal(reply: FastifyReply): AbortSignal {
  const res = reply.raw;
  const controller = new AbortController();
  // 'close' comes once per response: after it is sent, or when the connection ends first.
  const onClose = () => {
    if (!res.writableFinished) {
      controller.abort(clientClosedRequest());
    }
  };
  if (res.writableFinished) {
    return controller.signal;
  }
  if (res.destroyed || reply.request.raw.socket?.destroyed) {
    onClose();
  } else {
    res.once('close', onClose);
  }
  return controller.signal;
}

/** What an aborted statement rejects with; nobody reads the answer, the log does. */
export function clientClosedRequest(): ApiError {
  return new ApiError(
    'client_closed_request',
    'The client closed the connection before the answer; its statement was cancelled'
  );
}
