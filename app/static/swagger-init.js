// Starts Swagger UI on /api/docs with the settings the page put in data- attributes (no inline
// script: the Content-Security-Policy forbids it). Writes made with the browser's login session
// carry the X-CSRFToken header the API asks for; requests with an API token ignore it.
(function () {
  'use strict';
  var container = document.getElementById('swagger-ui-container');
  var csrfToken = container.dataset.csrfToken;
  var config = {
    url: container.dataset.specUrl,
    dom_id: '#swagger-ui-container',
    requestInterceptor: function (request) {
      request.headers['X-CSRFToken'] = csrfToken;
      return request;
    }
  };
  var overrides = JSON.parse(container.dataset.config || '{}');
  Object.keys(overrides).forEach(function (name) { config[name] = overrides[name]; });
  window.addEventListener('load', function () { window.ui = SwaggerUIBundle(config); });
})();
