"""File names of uploads as they are kept: shortened to their column, the extension kept."""
import os


def shorten(filename, limit):
    """`filename` cut to at most `limit` characters, cutting the stem so that the extension
    (which decides the accepted type) survives."""
    if len(filename) <= limit:
        return filename
    stem, ext = os.path.splitext(filename)
    if not ext or len(ext) >= limit:
        return filename[:limit]
    return stem[:limit - len(ext)] + ext
