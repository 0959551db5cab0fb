/** Thrown for an invalid model request or bundle; the message is one line and names valid choices. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'ModelError';
  }
}
