/**
 * A WebSocket constructor whose instances record what the tier does (`url`,
 * `sent`, `closes`) and let the test play the server (`receive`, `error`, `end`).
 * `throws`: the constructor throws it, as a browser does for a bad URL.
 */
export function fakeWebSocket({ throws } = {}) {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      if (throws) throw throws;
      this.url = url;
      this.sent = [];
      this.closes = [];
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
    }
    send(data) {
      this.sent.push(data);
    }
    close(...args) {
      this.closes.push(args);
    }
    // The server's side.
    receive(data) {
      this.onmessage?.(new MessageEvent('message', { data }));
    }
    error() {
      this.onerror?.(new Event('error'));
    }
    end(code, reason = '') {
      this.onclose?.(new CloseEvent('close', { code, reason, wasClean: false }));
    }
  }
  return { FakeWebSocket, sockets };
}
