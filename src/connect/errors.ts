/** Why a connect or disconnect could not run: an unknown tool, one that cannot be connected, a file that does not parse. */
export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    readonly kind: 'unknown-tool' | 'cannot-connect' | 'parse',
    message: string,
  ) {
    super(message);
  }
}

/** A config file that does not parse: the message names the file and the line. */
export class ParseFault extends ConnectError {
  constructor(message: string) {
    super('parse', message);
  }
}
