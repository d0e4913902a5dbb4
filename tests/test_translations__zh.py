"""Every message the app marks for translation has a Chinese translation: extracted with babel's
own extractor over app/ (as `pybabel extract -F babel.cfg -k said -k N_` would) and compared with the zh
catalogue. `N_` marks the pure engine's message templates (app/engine/errors.py), which the services
render with gettext."""
import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "said": None, "N_": None}


def _extracted():
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT / "app"), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"app/{filename}:{lineno}")
    return found


def test_every_marked_message_has_a_chinese_translation():
    with open(ROOT / "app/translations/zh/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    missing = {msgid: where for msgid, where in _extracted().items()
               if not (catalog.get(msgid) and catalog.get(msgid).string)}
    assert missing == {}, "\n".join(f"{where}: {msgid!r}" for msgid, where in sorted(missing.items()))


ERRORS = {"ServiceError", "NotFound", "Forbidden", "Conflict", "ValidationFailed", "ProcessFailed", "Unauthorized"}


# refusal_text renders a DiagramError's templates (marked N_ in app/engine) through gettext
TRANSLATORS = ("_", "gettext", "refusal_text")


def _untranslated_raises(folder):
    """file:line of each `raise <ServiceError kind>(message, …)` whose message is not a gettext call."""
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                first = node.exc.args[0]
                if name in ERRORS and not (isinstance(first, ast.Call) and
                                           getattr(first.func, "id", "") in TRANSLATORS):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(first)[:80]}"


def test_every_service_error_message_goes_through_gettext():
    assert list(_untranslated_raises(ROOT / "app" / "services")) == []


def test_the_engine_refusal_templates_are_extracted():
    """The engine's deploy refusals are found by the extractor (and so checked above)."""
    found = _extracted()
    assert "condition refused: %(reason)s" in found
    assert "decision '%(decision)s': %(problem)s" in found
    assert "not well-formed XML: %(reason)s" in found
