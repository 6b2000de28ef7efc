/** A failure of the local stack with a message meant for the person at the terminal. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
