/** An HTTP error answered as JSON `{ error: { status, code, message } }`, the message one sentence. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 500 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(status: number, code: string, message: string): { error: { status: number; code: string; message: string } } {
  return { error: { status, code, message } };
}
