/** Just enough SQL lexing to read SQLite's stored CREATE statements: strings, quoted names, comments, nesting. */

export interface Token {
  readonly text: string;
  /** Parenthesis depth before the token (an opening parenthesis is at the depth outside it). */
  readonly depth: number;
  readonly kind: 'word' | 'quoted' | 'punct';
  /** Where the token starts in the statement. */
  readonly start: number;
  readonly end: number;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      tokens.push({ text: sql.slice(i, j + 1), depth, kind: 'quoted', start: i, end: j + 1 });
      i = j + 1;
    } else if (c === '$' && /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      // PostgreSQL's dollar quoting: $$ ... $$ or $tag$ ... $tag$ (function bodies).
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close < 0 ? sql.length : close + tag.length;
      tokens.push({ text: sql.slice(i, end), depth, kind: 'quoted', start: i, end });
      i = end;
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$.]/.test(sql[j]!)) j++;
      tokens.push({ text: sql.slice(i, j), depth, kind: 'word', start: i, end: j });
      i = j;
    } else {
      if (c === ')') depth--;
      tokens.push({ text: c, depth, kind: 'punct', start: i, end: i + 1 });
      if (c === '(') depth++;
      i++;
    }
  }
  return tokens;
}

/** The statement's text from the first to the last of `tokens`, whitespace collapsed (comments kept out of the ends). */
export function textOf(sql: string, tokens: readonly Token[]): string {
  if (!tokens.length) return '';
  return sql
    .slice(tokens[0]!.start, tokens[tokens.length - 1]!.end)
    .replace(/\s+/g, ' ')
    .trim();
}

export function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'word' && t.text.toUpperCase() === word;
}

/** A quoted name without its quotes. */
export function unquote(text: string): string {
  const c = text[0];
  if (c === '"' || c === '`') return text.slice(1, -1).replaceAll(c + c, c);
  if (c === '[') return text.slice(1, -1);
  return text;
}

/** The tokens inside the parenthesis that opens at `open`, and the index of its closing one. */
export function group(tokens: readonly Token[], open: number): { inner: Token[]; close: number } {
  const depth = tokens[open]!.depth;
  let close = open + 1;
  while (close < tokens.length && !(tokens[close]!.text === ')' && tokens[close]!.depth === depth)) close++;
  return { inner: tokens.slice(open + 1, close), close };
}

/** Split tokens at the commas of their outermost level. */
export function splitCommas(tokens: readonly Token[]): Token[][] {
  if (!tokens.length) return [];
  const base = tokens[0]!.depth;
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    if (t.text === ',' && t.depth === base) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** The statements of a script, split at its top-level semicolons, each with its offset in the script. */
export function splitStatements(sql: string): { readonly sql: string; readonly offset: number }[] {
  const out: { sql: string; offset: number }[] = [];
  let start: number | null = null;
  let end = 0;
  for (const t of tokenize(sql)) {
    if (t.text === ';' && t.depth === 0) {
      if (start !== null) out.push({ sql: sql.slice(start, end), offset: start });
      start = null;
    } else {
      start ??= t.start;
      end = t.end;
    }
  }
  if (start !== null) out.push({ sql: sql.slice(start, end), offset: start });
  return out;
}
