/** Thrown for an invalid model request or bundle; the message is one line and names valid choices. */
export class ModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.name = 'ModelError';
  }
}
