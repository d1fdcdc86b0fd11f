"""The local web app (``storytrace serve``); needs the ``web`` extra (Starlette, Jinja2, uvicorn)."""
