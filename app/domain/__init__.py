"""Pure domain rules of the quality programme (codes, identifiers, checks).

Nothing here imports Flask, the database or the engine; the models, forms and
services call these functions."""
