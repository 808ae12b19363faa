import type { TransportContext } from './context.js';
import { EMBEDDABLE, HTML, NO_CACHE, callbackName } from '../http.js';
import { attachHttpReceiver } from '../receiver.js';

function head(callback: string): string {
  const html = `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.${callback};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>`;
  // Browsers start rendering (and running the scripts) only after ~1 KiB.
  return html + ' '.repeat(Math.max(0, 1024 - html.length)) + '\r\n\r\n';
}

/** `GET /<server>/<session>/htmlfile?c=<callback>`: the forever-iframe, a `<script>` per frame. */
export function htmlfile({ res, url, session, options, headers, tuning }: TransportContext): void {
  const callback = callbackName(url, res);
  if (callback === null) return;
  res.writeHead(200, {
    ...headers,
    ...NO_CACHE,
    ...EMBEDDABLE,
    'Content-Type': HTML,
    'X-Accel-Buffering': 'no',
  });
  res.write(head(callback));
  attachHttpReceiver(
    session(),
    res,
    {
      streaming: true,
      limit: options.responseLimit,
      // `<` escaped so a message holding "</script>" cannot end the script element.
      format: (frame) => '<script>\np(' + JSON.stringify(frame).replace(/</g, '\\u003c') + ');\n</script>\r\n',
    },
    tuning,
  );
}
