"""The web side: the public endpoints (unsubscribe, provider webhooks) and the editor's preview.

:func:`newsletter.web.app.public_app` and :func:`newsletter.web.app.preview_app` build the two
Starlette applications; ``newsletter serve`` and ``newsletter preview`` run them under uvicorn.
"""
