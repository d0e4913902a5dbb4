"""The pure workflow engine: parsing, validation, safe expressions, running and
serializing workflows. Nothing here imports Flask or the database; everything
it needs (forms available, service-task handlers) is passed in."""
