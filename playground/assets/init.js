// Starts GraphiQL with the settings in the page's #playground-config JSON
// block (written by the Go playground package). Loaded after React, ReactDOM,
// GraphiQL and credential.js; everything comes from this server, nothing from
// a CDN.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var credential = window.citygraphCredential;

  // subscriptionURL is the websocket URL of the endpoint, on this page's
  // host when the endpoint is a path.
  function subscriptionURL() {
    var u = new URL(config.endpoint, window.location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.href;
  }

  // fetcher sends the credential on every request: as a header over HTTP
  // (queries and the schema's introspection) and in the connection_init
  // payload of a subscription's websocket, where the service reads it.
  function fetcher() {
    var auth = credential.authorization();
    return GraphiQL.createFetcher({
      url: config.endpoint,
      subscriptionUrl: subscriptionURL(),
      wsConnectionParams: auth ? { Authorization: auth } : {},
      fetch: credential.fetch
    });
  }

  var props = {
    fetcher: fetcher(),
    defaultEditorToolsVisibility: config.showVariables ? 'variables' : false
  };
  if (config.defaultTabs && config.defaultTabs.length > 0) {
    props.defaultTabs = config.defaultTabs;
    props.defaultQuery = config.defaultTabs[0].query;
  }
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    root.render(
      React.createElement(
        GraphiQL,
        props,
        React.createElement(GraphiQL.Logo, null, config.title)
      )
    );
  }
  render();
  // A new fetcher makes GraphiQL fetch the schema again, with the new credential.
  credential.onChange(function () {
    props = Object.assign({}, props, { fetcher: fetcher() });
    render();
  });
})();
