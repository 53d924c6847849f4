"""The client portal: a second front end (Starlette, Jinja2, uvicorn; no Qt) over the same services as the
desktop app. Built by the composition root (`payapp.app.build_portal`), served by `payapp portal`.

Pages (`app.py`): `/pay/{token}` (the invoice of a payment link and the Make a Payment form), the review step
(`POST /pay/{token}/review`), the charge (`POST /pay/{token}/confirm`), the outcome and the receipt. Card and bank
data go from the browser straight to the gateway (its Collect.js fields, in its own iframes); the portal only
ever sees the single-use payment token. Shared state (rate-limit counters, confirm forms already submitted) lives
in the database (`state.py`), so several processes or hosts can serve one company."""
