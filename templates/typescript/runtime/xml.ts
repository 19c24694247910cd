/**
 * A small bounded XML reader for the queue's answers (no dependency, no DTD): elements, text,
 * CDATA, comments, processing instructions, the five named entities and character references.
 * It refuses the rest with `ProtocolError`: a DTD or entity declaration, a document over
 * {@link MAX_XML} characters, deeper than {@link MAX_DEPTH} or with more than {@link MAX_ELEMENTS}
 * elements. Namespaces are dropped (`mns:Code` is `Code`); attributes are skipped.
 */

/** Characters of a document the reader takes at most. */
export const MAX_XML = 8 * 1024 * 1024;
/** Nesting of elements the reader takes at most (a receive answer needs 2). */
export const MAX_DEPTH = 16;
/** Elements of one document the reader takes at most (a receive of 16 messages has about 160). */
export const MAX_ELEMENTS = 10_000;

/** A document that is not XML, or not within the reader's bounds; or an answer that is not what
 * the protocol says. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/** An element: its local name, its child elements and its own text (CDATA included). */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

export function childrenOf(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The text of the first child named `name`, or "" when there is none. */
export function textOf(element: XmlElement, name: string): string {
  return element.children.find((c) => c.name === name)?.text ?? "";
}

const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NAME_END = /[\s/>]/;

function entities(text: string): string {
  return text.replace(/&([^;&<]{0,10});/g, (whole, ref: string) => {
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d{1,7}$/.test(ref) ? Number(ref.slice(1)) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new ProtocolError(`the answer has an unknown entity ${JSON.stringify(whole.slice(0, 12))}`);
    }
    return String.fromCodePoint(code);
  });
}

function localName(tag: string): string {
  const colon = tag.indexOf(":");
  return colon < 0 ? tag : tag.slice(colon + 1);
}

/** The root element of a document; `ProtocolError` for anything that is not XML within the bounds. */
export function parseXml(data: string): XmlElement {
  if (data.length > MAX_XML) throw new ProtocolError(`the answer is longer than ${MAX_XML} characters`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let at = data.charCodeAt(0) === 0xfeff ? 1 : 0;
  const expect = (token: string, from: number): number => {
    const end = data.indexOf(token, from);
    if (end < 0) throw new ProtocolError("the answer is not XML (it ends inside a tag)");
    return end;
  };
  while (at < data.length) {
    const open = data.indexOf("<", at);
    const text = data.slice(at, open < 0 ? data.length : open);
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += entities(text);
    else if (text.trim()) throw new ProtocolError("the answer is not XML (text outside the root element)");
    if (open < 0) break;
    if (data.startsWith("<?", open)) {
      at = expect("?>", open + 2) + 2;
    } else if (data.startsWith("<!--", open)) {
      at = expect("-->", open + 4) + 3;
    } else if (data.startsWith("<![CDATA[", open)) {
      const end = expect("]]>", open + 9);
      if (top === undefined) throw new ProtocolError("the answer is not XML (CDATA outside the root element)");
      top.text += data.slice(open + 9, end);
      at = end + 3;
    } else if (data.startsWith("<!", open)) {
      throw new ProtocolError("the answer declares a DTD or entities");
    } else if (data.startsWith("</", open)) {
      const end = expect(">", open + 2);
      const name = localName(data.slice(open + 2, end).trim());
      if (top === undefined || top.name !== name) throw new ProtocolError(`the answer is not XML (an unexpected </${name.slice(0, 40)}>)`);
      stack.pop();
      at = end + 1;
    } else {
      const end = endOfTag(data, open + 1);
      const body = data.slice(open + 1, end);
      const nameEnd = body.search(NAME_END);
      const name = localName(nameEnd < 0 ? body : body.slice(0, nameEnd));
      if (!name || (root !== undefined && stack.length === 0)) throw new ProtocolError("the answer is not XML (a stray tag)");
      if (++count > MAX_ELEMENTS || stack.length >= MAX_DEPTH) throw new ProtocolError("the answer is too large or too deep");
      const element: XmlElement = { name, children: [], text: "" };
      if (top !== undefined) top.children.push(element);
      else root = element;
      if (!body.endsWith("/")) stack.push(element);
      at = end + 1;
    }
  }
  if (root === undefined || stack.length > 0) throw new ProtocolError("the answer is not XML (no root element, or one left open)");
  return root;
}

/** Where a start tag ends (its `>`), quoted attribute values skipped. */
function endOfTag(data: string, from: number): number {
  let quote = "";
  for (let i = from; i < data.length; i++) {
    const c = data[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i;
    } else if (c === "<") {
      break;
    }
  }
  throw new ProtocolError("the answer is not XML (an unfinished tag)");
}
