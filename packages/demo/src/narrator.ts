/** The demo's log: numbered steps, each with a few indented lines. */
export class Narrator {
  readonly lines: string[] = [];
  private steps = 0;

  constructor(private readonly write: (line: string) => void = () => {}) {}

  step(title: string): void {
    if (this.steps > 0) this.emit('');
    this.emit(`== ${++this.steps}. ${title}`);
  }

  say(text: string): void {
    for (const line of text.split('\n')) this.emit(`   ${line}`);
  }

  private emit(line: string): void {
    this.lines.push(line);
    this.write(line);
  }
}
