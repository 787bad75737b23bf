// Starts GraphiQL on the page's #graphiql element against the endpoint its data-endpoint attribute names.
// Kept out of the HTML so the page runs no inline script.
(function () {
  'use strict';
  var container = document.getElementById('graphiql');
  var endpoint = new URL(container.getAttribute('data-endpoint'), window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
