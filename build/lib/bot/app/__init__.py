"""The web service: one FastAPI application for the caseworkers' pages, the JSON APIs
and the Twilio webhooks.

    factory.py   create_app(settings, runtime=None): routes, handlers, the lifespan
    context.py   AppContext: what the lifespan builds once (runtime, database, accounts,
                 re-indexer, Twilio channel)
    deps.py      the dependencies every route declares (SettingsDep, RuntimeDep, ...)
    auth.py      who is signed in; security.py the headers and CSRF; pages.py the templates
    reindex.py   re-indexing from the knowledge page
    routes/      one module per page or API
"""

from bot.app.factory import create_app

__all__ = ["create_app"]
