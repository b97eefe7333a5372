import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWecomXml, XmlRejectedError } from './xml';

describe('WeCom XML', () => {
  it('reads the flat CDATA envelope WeCom posts', () => {
    const doc = parseWecomXml(
      '<xml><ToUserName><![CDATA[ww123]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>',
    );
    expect(doc).toEqual({ ToUserName: 'ww123', AgentID: '1000002', Encrypt: 'abc+/=' });
    const event = parseWecomXml('<xml><MsgId>1234567890123456789</MsgId><CreateTime>1409659813</CreateTime></xml>');
    expect(event.MsgId).toBe('1234567890123456789');
  });

  it('refuses DOCTYPE and entity declarations (billion laughs, external entities)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><A>&lol2;</A></xml>`;
    const external = `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>`;
    for (const text of [laughs, external, '<!doctype xml><xml/>', '<xml><!ENTITY a "b"></xml>']) {
      expect(() => parseWecomXml(text)).toThrow(XmlRejectedError);
    }
  });

  it('refuses malformed, rootless and oversized documents', () => {
    expect(() => parseWecomXml('<xml><A>1</B></xml>')).toThrow(XmlRejectedError);
    expect(() => parseWecomXml('<root><A>1</A></root>')).toThrow(/no <xml> root/);
    expect(() => parseWecomXml('')).toThrow(XmlRejectedError);
    expect(() => parseWecomXml(`<xml><A>${'x'.repeat(70_000)}</A></xml>`)).toThrow(/too large/);
  });

  it('never fails with anything but a rejection, whatever arrives', () => {
    const fragments = fc.constantFrom('<xml>', '</xml>', '<A>', '</A>', '<![CDATA[', ']]>', '&lol;', '&#x41;', '<!DOCTYPE', '<?xml?>', '"', "'", '<', '>', '&');
    fc.assert(
      fc.property(fc.array(fc.oneof(fragments, fc.string({ maxLength: 8 })), { maxLength: 40 }), (parts) => {
        try {
          const doc = parseWecomXml(parts.join(''));
          expect(typeof doc).toBe('object');
        } catch (error) {
          expect(error).toBeInstanceOf(XmlRejectedError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
