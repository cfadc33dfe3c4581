(function () {
  var root = document.getElementById('explorer');
  var csrf = root.getAttribute('data-csrf');
  function fetcher(params) {
    return fetch('/explorer/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(params),
    }).then(function (response) { return response.json(); });
  }
  var defaultQuery = '# The graph as the signed-in practitioner sees it, for their purpose of use.\n' +
    '{\n  child(nhsNumber: "9990000018") {\n    name { given family }\n    socialCare { status allocatedWorker { name phone } }\n  }\n}\n';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
