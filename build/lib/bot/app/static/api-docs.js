// The API documentation page: Swagger UI from the swagger-ui-bundle package, no CDN.
"use strict";
(function () {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  fetch("/openapi.json", { credentials: "same-origin" })
    .then((response) => response.json())
    .then((spec) => {
      // The packaged Swagger UI (4.x) reads OpenAPI 3.0 and refuses a document labelled
      // 3.1; the description uses nothing it cannot show, so it is shown as 3.0.
      spec.openapi = "3.0.3";
      window.SwaggerUIBundle({
        spec: spec,
        dom_id: "#swagger-ui",
        validatorUrl: null,
        requestInterceptor: (request) => {
          request.headers["X-CSRF-Token"] = token;
          return request;
        },
      });
    });
})();
