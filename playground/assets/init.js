// Starts GraphiQL with the settings in the page's #playground-config JSON
// block (written by the Go playground package). Loaded after React, ReactDOM
// and GraphiQL; everything comes from this server, nothing from a CDN.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var props = {
    fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
    defaultEditorToolsVisibility: config.showVariables ? 'variables' : false
  };
  if (config.defaultTabs && config.defaultTabs.length > 0) {
    props.defaultTabs = config.defaultTabs;
    props.defaultQuery = config.defaultTabs[0].query;
  }
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(
      GraphiQL,
      props,
      React.createElement(GraphiQL.Logo, null, config.title)
    )
  );
})();
