// Swagger UI on the workspace's OpenAPI document, "try it out" on, with the playground key.
(async () => {
  const root = document.getElementById("swagger-ui");
  const { document: documentUrl, tokenUrl } = root.dataset;
  try {
    const token = await window.hookwirePlayground.token(tokenUrl);
    root.textContent = "";
    const ui = SwaggerUIBundle({
      url: documentUrl,
      domNode: root,
      tryItOutEnabled: true,
      requestInterceptor: (request) => {
        request.headers.Authorization = `Bearer ${token}`;
        return request;
      },
      onComplete: () => ui.preauthorizeApiKey("bearerAuth", token),
    });
  } catch (error) {
    root.textContent = error.message;
  }
})();
