import { SseParser } from './sseParser';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseParser', () => {
  it('hands out an event only once its blank line has arrived, however the chunks split it', () => {
    const parser = new SseParser();
    const text = 'event: frame\nid: 42\ndata: {"refId":"A","v":"é"}\n\n: ping\n\nevent: end\ndata: {}\n\n';
    const all = bytes(text);
    const got = [];
    for (let i = 0; i < all.length; i += 3) {
      got.push(...parser.push(all.slice(i, i + 3)));
    }
    expect(got).toEqual([
      { event: 'frame', id: '42', data: '{"refId":"A","v":"é"}' },
      { event: 'end', data: '{}' },
    ]);
  });

  it('keeps an unfinished event for the next chunk and ignores comments', () => {
    const parser = new SseParser();
    expect(parser.push(bytes(': stream open\n\nevent: frame\ndata: {"a"'))).toEqual([]);
    expect(parser.push(bytes(':1}\n\n'))).toEqual([{ event: 'frame', data: '{"a":1}' }]);
  });
});
