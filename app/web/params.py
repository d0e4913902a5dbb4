"""Small readers of request parameters shared by the views."""
from flask import request

MAX_PAGE = 10_000


def page_number():
    """The ?page= of a list, 1 when absent or malformed."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1


def version_number(name):
    """A task book version asked for by ?<name>=, None when absent or malformed."""
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value <= MAX_PAGE else None
