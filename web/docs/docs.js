// Swagger UI over this API's /openapi.json. The document is fetched here so that "Try it out" calls the API at the
// address this page was served from (API Gateway puts a stage, e.g. /api, in front of every path), not the host's root.
const base = new URL(".", window.location.href).href.replace(/\/$/, "");

async function start() {
  const target = document.getElementById("swagger-ui");
  try {
    const response = await fetch(`${base}/openapi.json`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    const spec = await response.json();
    spec.servers = [{ url: base, description: "this API" }];
    window.SwaggerUIBundle({
      spec, domNode: target, deepLinking: true, tryItOutEnabled: false, displayRequestDuration: true,
      defaultModelsExpandDepth: 0, docExpansion: "list", filter: true,
    });
  } catch (error) {
    target.textContent = `The API description could not be loaded: ${error.message}`;
  }
}

start();
