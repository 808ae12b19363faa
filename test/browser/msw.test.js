// msw is the unit-level HTTP mock of the browser tests: this proves it
// intercepts both fetch and XMLHttpRequest here, and lets go when stopped.
import { assertEqual } from './support/echo.js';
import { HttpResponse, http, startMsw, stopMsw } from './support/msw.js';

function xhrText(url) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.onload = () => resolve(xhr.responseText);
    xhr.onerror = () => reject(new Error(`XHR ${url} failed`));
    xhr.send();
  });
}

describe('msw', function () {
  it('mocks GET for fetch and XMLHttpRequest, and stops mocking when stopped', async function () {
    const worker = await startMsw(http.get('/mock/hello', () => HttpResponse.text('hello from msw')));
    try {
      assertEqual(await (await fetch('/mock/hello')).text(), 'hello from msw', 'fetch body');
      assertEqual(await xhrText('/mock/hello'), 'hello from msw', 'XHR body');
    } finally {
      await stopMsw(worker);
    }
    assertEqual((await fetch('/mock/hello')).status, 404, 'fetch status after stop');
  });
});
