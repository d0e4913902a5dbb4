"""Small readers of request parameters shared by the views."""
from flask import request


def page_number():
    """The ?page= of a list, 1 when absent or malformed."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1
