import ts from 'typescript';
import type { CodeBlock } from './extract.js';

/** A position in a Markdown page. */
export interface DocPosition {
  readonly file: string;
  readonly line: number;
}

/** One TypeScript module made of a page's blocks, and where each of its lines came from. */
export interface AssembledModule {
  readonly source: string;
  /** The page position of each module line (0-based index); undefined for generated lines. */
  readonly lineMap: readonly (DocPosition | undefined)[];
  /** Imports that cannot be merged (one local name bound to two things). */
  readonly problems: readonly { readonly at: DocPosition; readonly message: string }[];
}

interface Binding {
  readonly module: string;
  /** `default`, `*` or the imported name. */
  readonly imported: string;
  readonly typeOnly: boolean;
  readonly at: DocPosition;
}

/**
 * Join blocks (a block and the `continued` ones after it), in order, into one module. Each block may import what it uses, as a reader
 * copying it would need: the imports are hoisted and merged (importing a name twice is fine), and the
 * import lines are blanked in place so every other line keeps its page line number. Top-level names of
 * a block are visible to the blocks after it.
 */
export function assembleModule(blocks: readonly CodeBlock[]): AssembledModule {
  const bindings = new Map<string, Binding>();
  const sideEffects = new Map<string, DocPosition>();
  const problems: { at: DocPosition; message: string }[] = [];
  const bodies: { block: CodeBlock; code: string }[] = [];

  for (const block of blocks) {
    const sf = ts.createSourceFile('block.ts', block.code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    let code = block.code;
    // Blank from the end so earlier offsets stay valid.
    const imports = sf.statements.filter(ts.isImportDeclaration).reverse();
    for (const decl of imports) {
      const at = { file: block.file, line: block.line + sf.getLineAndCharacterOfPosition(decl.getStart(sf)).line };
      const module = (decl.moduleSpecifier as ts.StringLiteral).text;
      for (const b of bindingsOf(decl, module, at)) {
        const [local, binding] = b;
        const seen = bindings.get(local);
        if (seen && (seen.module !== binding.module || seen.imported !== binding.imported)) {
          problems.push({
            at,
            message: `${local} is imported from ${JSON.stringify(module)} here but from ${JSON.stringify(seen.module)} at line ${seen.at.line}`,
          });
        } else if (!seen || (seen.typeOnly && !binding.typeOnly)) {
          bindings.set(local, seen ? { ...seen, typeOnly: false } : binding);
        }
      }
      if (!decl.importClause && !sideEffects.has(module)) sideEffects.set(module, at);
      code = code.slice(0, decl.getStart(sf)) + code.slice(decl.getStart(sf), decl.end).replace(/[^\n]/g, ' ') + code.slice(decl.end);
    }
    bodies.push({ block, code });
  }

  const lines: string[] = [];
  const lineMap: (DocPosition | undefined)[] = [];
  const emit = (line: string, at: DocPosition | undefined): void => {
    lines.push(line);
    lineMap.push(at);
  };
  for (const [module, at] of sideEffects) emit(`import ${JSON.stringify(module)};`, at);
  for (const [statement, at] of importStatements(bindings)) emit(statement, at);
  emit('export {};', undefined);
  for (const { block, code } of bodies) {
    emit(`// ${block.file}:${block.line}`, undefined);
    for (const [i, line] of code.split('\n').entries()) emit(line, { file: block.file, line: block.line + i });
  }
  return { source: `${lines.join('\n')}\n`, lineMap, problems };
}

function bindingsOf(decl: ts.ImportDeclaration, module: string, at: DocPosition): [string, Binding][] {
  const clause = decl.importClause;
  if (!clause) return [];
  const typeOnly = clause.isTypeOnly;
  const out: [string, Binding][] = [];
  if (clause.name) out.push([clause.name.text, { module, imported: 'default', typeOnly, at }]);
  const named = clause.namedBindings;
  if (named && ts.isNamespaceImport(named)) out.push([named.name.text, { module, imported: '*', typeOnly, at }]);
  if (named && ts.isNamedImports(named)) {
    for (const el of named.elements) {
      out.push([el.name.text, { module, imported: (el.propertyName ?? el.name).text, typeOnly: typeOnly || el.isTypeOnly, at }]);
    }
  }
  return out;
}

/** One statement per module (plus one per default or namespace import), in first-seen order. */
function importStatements(bindings: ReadonlyMap<string, Binding>): [string, DocPosition][] {
  const byModule = new Map<string, [string, Binding][]>();
  for (const entry of bindings) {
    const list = byModule.get(entry[1].module) ?? [];
    list.push(entry);
    byModule.set(entry[1].module, list);
  }
  const out: [string, DocPosition][] = [];
  for (const [module, entries] of byModule) {
    const from = ` from ${JSON.stringify(module)};`;
    const named: string[] = [];
    for (const [local, b] of entries) {
      const type = b.typeOnly ? 'type ' : '';
      if (b.imported === 'default') out.push([`import ${type}${local}${from}`, b.at]);
      else if (b.imported === '*') out.push([`import ${type}* as ${local}${from}`, b.at]);
      else named.push(`${type}${b.imported === local ? local : `${b.imported} as ${local}`}`);
    }
    if (named.length) out.push([`import { ${named.join(', ')} }${from}`, (entries[0] as [string, Binding])[1].at]);
  }
  return out;
}
