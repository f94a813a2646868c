// The credential box of the service's own pages (the playground and the
// explorer; this file is the same in both, a test checks it). The
// credential is kept in sessionStorage only: it lasts as long as the tab,
// is never put in localStorage or a URL, and never logged.
(function () {
  'use strict';

  var KEY = 'citygraph.credential';
  var AUTH_CODES = { UNAUTHENTICATED: true, FORBIDDEN: true };
  var listeners = [];

  // Storage may be switched off (a private window, a policy): the box then
  // holds the credential for this page only.
  var held = '';
  function get() {
    try { return window.sessionStorage.getItem(KEY) || ''; } catch (e) { return held; }
  }
  function store(value) {
    held = value;
    try {
      if (value) { window.sessionStorage.setItem(KEY, value); } else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* held above */ }
  }

  function $(id) { return document.getElementById(id); }

  // authorization is the Authorization header value, or '' without a credential.
  function authorization() {
    var c = get();
    return c ? 'Bearer ' + c : '';
  }

  // withHeader returns headers (a plain object or Headers) with the
  // credential added, unless the caller set an Authorization of its own.
  function withHeader(headers) {
    var h = new Headers(headers || {});
    var a = authorization();
    if (a && !h.has('Authorization')) { h.set('Authorization', a); }
    return h;
  }

  function showState() {
    var state = $('credential-state');
    if (state) { state.textContent = get() ? 'A credential is set for this tab.' : 'No credential: requests are anonymous.'; }
    var forget = $('credential-forget');
    if (forget) { forget.disabled = !get(); }
  }

  // report shows, next to the box, why the service refused a request; with
  // no code it clears what it showed.
  function report(code, message) {
    var box = $('credential-message');
    if (!box) { return; }
    if (!code) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    var text = code === 'FORBIDDEN' ?
      'The credential given may not do this: paste an API key or token with a higher role.' :
      get() ? 'The service refused the credential given: paste a valid API key or token.' :
        'This service needs a credential: paste an API key or token.';
    box.textContent = text + (message ? ' (' + message + ')' : '');
    box.hidden = false;
  }

  // authError returns the first UNAUTHENTICATED or FORBIDDEN error of a
  // GraphQL-shaped answer, or null.
  function authError(body) {
    var errs = body && Array.isArray(body.errors) ? body.errors : [];
    for (var i = 0; i < errs.length; i++) {
      var code = errs[i] && errs[i].extensions && errs[i].extensions.code;
      if (AUTH_CODES[code]) { return { code: code, message: errs[i].message }; }
    }
    return null;
  }

  // check looks at an answer of the service: an authentication error is
  // reported next to the box, any other answer clears the report.
  function check(body) {
    var e = authError(body);
    report(e && e.code, e && e.message);
    return e;
  }

  // fetchWith is fetch with the credential's header, checking the answer
  // (when it is JSON) for authentication errors; the response is untouched.
  function fetchWith(url, init) {
    init = Object.assign({}, init || {});
    init.headers = withHeader(init.headers);
    return window.fetch(url, init).then(function (resp) {
      var type = resp.headers.get('Content-Type') || '';
      if (type.indexOf('json') >= 0) {
        resp.clone().json().then(check, function () { /* not JSON after all: nothing to report */ });
      } else if (resp.ok) {
        report(null);
      }
      return resp;
    });
  }

  function changed() {
    showState();
    report(null);
    listeners.forEach(function (f) { f(get()); });
  }

  // The form: the password field, a submit button that keeps what is typed
  // and a button that forgets it.
  function wire() {
    var form = $('credential-form'), input = $('credential');
    if (!form || !input) { return; }
    input.value = get();
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      // What is pasted may be a whole header value: keep the credential only.
      store(input.value.trim().replace(/^Bearer\s+/i, ''));
      changed();
    });
    $('credential-forget').addEventListener('click', function () {
      input.value = '';
      store('');
      changed();
      input.focus();
    });
    showState();
  }

  window.citygraphCredential = {
    get: get,
    authorization: authorization,
    withHeader: withHeader,
    fetch: fetchWith,
    check: check,
    report: report,
    // onChange calls f with the new credential ('' when forgotten).
    onChange: function (f) { listeners.push(f); }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', wire);
  } else {
    wire();
  }
})();
