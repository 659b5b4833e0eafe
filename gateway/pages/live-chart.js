import { followStream } from './live-stream.js';
import { cursorOf, dropBefore, endsNow, liveRequest, mergeFrame } from './live-series.js';

/**
 * What both example pages do after a REST drawing whose range ends now: follow the stream
 * from the drawing's newest row, merge each delta into the series, slide the window with the
 * clock, and ask the page to draw — `draw({ series, appended, from, to })`, where `appended`
 * holds per sensor the points that only extend it (empty: nothing new, only the window moved),
 * or is null when the whole chart must be drawn again. Draws run one after another.
 */
const SLIDE_MS = 5000;

export function createLiveFollower({ client, shell, draw }) {
  let current = null;

  function stop() {
    current?.stop();
    current = null;
  }

  /** `result` is loadSensorSeries' answer for [from, to], as drawn. */
  function follow(result, from, to) {
    stop();
    if (!endsNow(to)) {
      return shell.live('paused');
    }
    const span = to.getTime() - from.getTime();
    const windowNow = () => {
      const end = new Date();
      return { from: new Date(end.getTime() - span), to: end };
    };
    let series = result.series;
    let stopped = false;
    let drawing = Promise.resolve();
    const enqueue = (change) => {
      drawing = drawing
        .then(async () => {
          if (stopped) {
            return;
          }
          await draw(change);
          shell.counted(change.series);
        })
        .catch((err) => shell.failed(err));
    };

    const stream = followStream({
      client,
      body: liveRequest(result.timeColumn, from, to),
      cursor: cursorOf(series),
      onState: (state, detail) => shell.live(state, detail),
      onFrame(event) {
        if (event.error) {
          return;
        }
        const window = windowNow();
        let { series: next, appended } = mergeFrame(series, event);
        const kept = dropBefore(next, window.from.getTime() - span);
        if (kept) {
          [next, appended] = [kept, null];
        }
        series = next;
        enqueue({ series, appended, ...window });
      },
    });
    const slide = setInterval(() => enqueue({ series, appended: new Map(), ...windowNow() }), SLIDE_MS);

    current = {
      stop() {
        stopped = true;
        stream.stop();
        clearInterval(slide);
        shell.live('off');
      },
    };
  }

  return { follow, stop };
}
