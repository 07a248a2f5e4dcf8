"""The floor of the stack: utilities every app may use, importing no app.

Errors and their API rendering, network helpers (client addresses), CSV
export, rate limits, email sending, in-process hot data, the controller's
identity, the API base (parsers, renderers, schema, strict serializers,
pagination) and the personal-data register. Nothing here imports an app of
this project: the layers contract in ``.importlinter`` holds it to that.
"""
