"""The API's description and its documentation page, for signed-in users, offline.

``GET /openapi.json`` is the OpenAPI description; ``GET /docs`` shows it with
Swagger UI, whose script and style sheet come from the ``swagger-ui-bundle``
package (served under ``/docs/assets``), never from a CDN. The page's own
script (``static/api-docs.js``) starts Swagger UI and sends the session's
CSRF token with the requests a user tries from the page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from bot.app.deps import SignedInDep
from bot.app.pages import render
from bot.app.security import CSP

router = APIRouter(include_in_schema=False)
# Swagger UI sets style attributes on its elements: allowed on this page only.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
ASSETS = StaticFiles(directory=str(swagger_ui_path))


@router.get("/openapi.json")
def openapi(request: Request, _: SignedInDep) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs")
def docs(request: Request, _: SignedInDep) -> Response:
    response = render(request, "api_docs.html", title="API")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


router.mount("/docs/assets", ASSETS, name="docs-assets")
