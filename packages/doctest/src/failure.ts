/** Something wrong with a documentation example, located in its page. */
export interface DocFailure {
  readonly file: string;
  readonly line: number;
  readonly stage: 'fence' | 'excerpt' | 'compile' | 'run';
  readonly message: string;
}

export function formatFailure(failure: DocFailure): string {
  return `${failure.file}:${failure.line}: ${failure.stage} error: ${failure.message}`;
}
