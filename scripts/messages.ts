// What a command line prints of an error it can name: its words, on one line with the command's prefix.

/** An error's words: a refused `localhost` (tried as ::1 and 127.0.0.1) is an AggregateError with none of its own. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) return [...new Set(error.errors.map(messageOf))].join("; ");
  return (error as NodeJS.ErrnoException).code ?? error.name;
}
