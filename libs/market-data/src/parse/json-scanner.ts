/**
 * Incremental scanner of a top-level JSON array: feed text chunks, get back the source text of each
 * complete element with the 1-based line it starts on. Memory stays bounded by one element, so a
 * multi-gigabyte `[[...],[...],...]` file streams. Strings (with escapes) may contain brackets.
 */
export class JsonArrayScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private started = false;
  private ended = false;
  /** Text of the element in progress carried over from earlier chunks. */
  private carry = '';
  private inElement = false;
  private line = 1;
  private elementLine = 1;

  /** Returns the elements completed by this chunk. Throws on text outside the top-level array. */
  push(chunk: string): { text: string; line: number }[] {
    const out: { text: string; line: number }[] = [];
    let from = 0; // start of the element in progress within this chunk
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (ch === 10) this.line++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (ch === 92) this.escape = true;
        else if (ch === 34) this.inString = false;
        continue;
      }
      if (!this.started) {
        if (ch === 91) {
          this.started = true;
          this.depth = 1;
        } else if (!isSpace(ch)) throw new SyntaxError(`expected a JSON array, got ${JSON.stringify(chunk[i])} on line ${this.line}`);
        continue;
      }
      if (this.ended) {
        if (!isSpace(ch)) throw new SyntaxError(`text after the JSON array on line ${this.line}`);
        continue;
      }
      if (this.depth === 1 && !this.inElement && !isSpace(ch) && ch !== 44 && ch !== 93) {
        this.inElement = true;
        this.elementLine = this.line;
        this.carry = '';
        from = i;
      }
      if (ch === 34) this.inString = true;
      else if (ch === 91 || ch === 123) this.depth++;
      else if (ch === 93 || ch === 125) {
        this.depth--;
        if (this.depth === 0) {
          this.emit(chunk, from, i, out);
          this.ended = true;
        }
      } else if (ch === 44 && this.depth === 1) {
        this.emit(chunk, from, i, out);
      }
    }
    if (this.inElement) this.carry += chunk.slice(from);
    return out;
  }

  /** Throws if the array was not closed. */
  end(): void {
    if (!this.started) throw new SyntaxError('empty input: expected a JSON array');
    if (!this.ended) throw new SyntaxError('unterminated JSON array');
  }

  private emit(chunk: string, from: number, to: number, out: { text: string; line: number }[]): void {
    if (!this.inElement) return;
    const text = (this.carry + chunk.slice(from, to)).trim();
    this.carry = '';
    this.inElement = false;
    if (text) out.push({ text, line: this.elementLine });
  }
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}
