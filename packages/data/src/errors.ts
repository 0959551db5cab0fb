/** Thrown for an unknown dataset, an invalid option or an invalid batch request; the message is one line. */
export class DataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataError';
  }
}
