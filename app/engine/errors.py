"""Errors the engine reports to its callers in words an administrator can act on.

The engine stays pure, so it cannot translate: a refusal carries a message template (a
constant English text with named `%(placeholders)s`, marked `N_(...)` so the message
extractor finds it) and its parameters. The service layer renders it with gettext in the
reader's language (`DiagramError.describe(gettext)`); `str()` and `describe()` give the
English text for logs and tests. A parameter that is a library's own text (an lxml syntax
error, a SpiffWorkflow parse error) is passed verbatim."""
from collections.abc import Callable
from typing import Any

Translate = Callable[..., str]
"""gettext's shape: (template, **params) -> the text in some language."""


def N_(template: str) -> str:
    """Mark a message template for the extractor (`pybabel extract -k N_`); returns it unchanged."""
    return template


def english(template: str, **params: object) -> str:
    """The template itself, filled in: the English text (the catalogue's msgid)."""
    return template % params if params else template


class Message:
    """A template and its parameters; a parameter may itself be a Message (rendered alike)."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params

    def render(self, translate: Translate = english) -> str:
        return translate(self.template, **{name: _rendered(value, translate) for name, value in self.params.items()})

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.template!r}, {self.params!r})"


def _rendered(value: object, translate: Translate) -> object:
    """A parameter as shown: a Message rendered, a list of Messages rendered and joined by "; "."""
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Message) for v in value):
        return "; ".join(v.render(translate) for v in value)
    return value


class ExplainedError(ValueError):
    """A refusal deeper in the engine (a timer text, a FEEL entry) that a DiagramError passes on
    as a parameter: `problem` is its Message (or several, shown joined by "; "), str() the English."""

    def __init__(self, template: str | list[Message], **params: object) -> None:
        self.problem: Message | tuple[Message, ...] = \
            Message(template, **params) if isinstance(template, str) else tuple(template)
        super().__init__(str(_rendered(self.problem, english)))


class DiagramError(ValueError):
    """A diagram that cannot be deployed. Names the element and, when known, the line.

    `template` and `params` say what is wrong; `more` holds further problems found with it."""

    def __init__(self, template: str, element_id: str | None = None, line: int | None = None,
                 filename: str | None = None, **params: object) -> None:
        self.problem = Message(template, **params)
        self.element_id = element_id
        self.line = line
        self.filename = filename
        self.more: tuple[DiagramError, ...] = ()
        self.detail = ""        # the library's own words, for the log only (see compiler._engine_refusal)
        super().__init__(template)

    @property
    def template(self) -> str:
        return self.problem.template

    @property
    def params(self) -> dict[str, object]:
        return self.problem.params

    @property
    def message(self) -> str:
        """The problem in English, without the place."""
        return self.text()

    def text(self, translate: Translate = english) -> str:
        """The problem (and a count of the others, naming the first three), without the place."""
        own = self.problem.render(translate)
        if not self.more:
            return own
        others = "; ".join(problem.describe(translate) for problem in self.more[:3])
        return translate(N_("%(problem)s (and %(count)s more problem(s): %(others)s)"),
                         problem=own, count=len(self.more), others=others)

    def describe(self, translate: Translate = english) -> str:
        """File, line and element, then the problem; in English unless a translator is given."""
        where = []
        if self.filename:
            where.append(self.filename)
        if self.line:
            where.append(translate(N_("line %(line)s"), line=self.line))
        if self.element_id:
            where.append(translate(N_("element '%(element)s'"), element=self.element_id))
        text = self.text(translate)
        return translate(N_("%(where)s: %(problem)s"), where=", ".join(where), problem=text) if where else text

    def __str__(self) -> str:
        return self.describe()

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "element": self.element_id,
                "line": self.line, "file": self.filename}


class ExpressionError(ValueError):
    """An expression refused by, or failing in, the restricted evaluator."""


class ServiceCallError(RuntimeError):
    """A service task named a handler that is not whitelisted, or the handler failed."""


class DecisionError(RuntimeError):
    """A DMN decision could not give a result: names the decision and, where it applies,
    the rule rows (1-based, as the modeler shows them) and the column."""
