import { XMLParser } from 'fast-xml-parser';

/**
 * Parses the flat XML WeCom sends (`<xml><Key><![CDATA[v]]></Key>…</xml>`). A DOCTYPE or ENTITY declaration is
 * refused before parsing — WeCom never sends one, and they are how billion-laughs and external-entity attacks
 * begin — and entity processing is off besides (fast-xml-parser had entity-expansion CVEs).
 */
export class XmlRejectedError extends Error {
  constructor(detail: string) {
    super(`XML rejected: ${detail}`);
    this.name = 'XmlRejectedError';
  }
}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  isArray: () => false,
});

export type XmlValue = string | { [key: string]: XmlValue } | XmlValue[];

export function parseWecomXml(text: string, maxBytes = 64 * 1024): Record<string, XmlValue> {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new XmlRejectedError('too large');
  if (/<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.test(text)) throw new XmlRejectedError('declarations are not accepted');
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw new XmlRejectedError(`not well-formed (${(error as Error).message.split('\n')[0]})`);
  }
  const root = (parsed as { xml?: unknown })?.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw new XmlRejectedError('no <xml> root element');
  return root as Record<string, XmlValue>;
}

/** A text field, or undefined when absent or not text. */
export function xmlText(doc: Record<string, XmlValue>, key: string): string | undefined {
  const value = doc[key];
  return typeof value === 'string' ? value : undefined;
}
